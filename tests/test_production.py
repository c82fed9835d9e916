"""Conversion by recipe, kitting and planned rates: exact small cases."""

import numpy as np

from sim.mechanisms.production import convert, kit_units, planned_rate

RECIPE = np.array([1.0, 0.1, 0.0, 0.0])   # per t output: 1 t light, 0.1 t heavy oxide


def stock(light, heavy):
    s = np.zeros((4, 3))
    s[0], s[1] = light, heavy
    return s


def test_convert_is_limited_by_the_scarcest_input():
    out, used = convert(100.0, RECIPE, stock([0, 0, 50.0], [0, 0, 2.0]), plant_class=2)
    np.testing.assert_allclose(out, [0, 0, 20.0])           # heavy binds: 2 / 0.1
    np.testing.assert_allclose(used[:2], [[0, 0, 20.0], [0, 0, 2.0]])


def test_output_class_is_the_lowest_of_plant_and_inputs():
    # Qualified light oxide but Chinese heavy oxide: the output carries Chinese content.
    out, used = convert(10.0, RECIPE, stock([0, 0, 10.0], [1.0, 0, 0]), plant_class=2)
    np.testing.assert_allclose(out, [10.0, 0, 0])
    # An unqualified plant cannot make qualified output from qualified inputs.
    out, _ = convert(10.0, RECIPE, stock([0, 0, 10.0], [0, 0, 1.0]), plant_class=1)
    np.testing.assert_allclose(out, [0, 10.0, 0])


def test_convert_makes_the_best_class_first_and_uses_low_classes_for_the_rest():
    s = stock([5.0, 0, 5.0], [0.5, 0, 0.5])
    out, used = convert(8.0, RECIPE, s, plant_class=2)
    np.testing.assert_allclose(out, [3.0, 0, 5.0])
    np.testing.assert_allclose(used.sum(axis=1)[:2], [8.0, 0.8])
    assert (used <= s + 1e-12).all()


def test_kit_units_uses_only_eligible_classes():
    bom = np.array([0.0, 0.002, 0.0, 0.05])   # 2 kg heavy, 50 kg magnet per unit
    inv = np.zeros((4, 3))
    inv[3] = [1.0, 0.0, 0.5]                  # 1 t Chinese-origin, 0.5 t qualified magnets
    inv[1] = [0.0, 0.0, 0.1]
    units, used = kit_units(30.0, bom, inv, np.array([False, False, True]))
    assert units == 10.0                       # 0.5 t / 0.05 t qualified magnets bind
    np.testing.assert_allclose(used[3], [0, 0, 0.5])
    units, used = kit_units(30.0, bom, inv, np.array([True, False, True]))
    assert units == 30.0
    np.testing.assert_allclose(used[3], [1.0, 0, 0.5])   # lowest class first


def test_planned_rate_ramps_linearly():
    np.testing.assert_allclose(planned_rate(np.array([0, 6, 12, 24]), 10.0, 22.0, 12), [10, 16, 22, 22])
    np.testing.assert_allclose(planned_rate(np.array([0, 50]), 5.0, 0.0, 12), [5, 5])
