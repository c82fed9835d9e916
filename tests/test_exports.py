"""China's export shares by destination (S13): exact reduced-form values."""

import numpy as np

from sim.mechanisms.exports import export_shares


def test_shares_follow_growth_tariffs_and_circle_b_years():
    share0 = np.array([0.0, 0.2, 0.1])      # China first
    out = export_shares(share0, np.array([0.0, 0.0, 0.1]), 2.0, np.array([0.0, 1.0, 0.0]), 1.0,
                        np.array([0.0, 0.0, 2.0]), 0.05, 0.3, 0.0, home=0)
    pull = np.array([0.0, 0.2 / 2.0, 0.1 * 1.1 ** 2 * 1.05 ** 2])
    np.testing.assert_allclose(out, pull / (pull.sum() + 0.3))
    assert out[0] == 0.0


def test_no_change_gives_the_base_shares():
    share0 = np.array([0.0, 0.5, 0.3])
    out = export_shares(share0, np.zeros(3), 0.0, np.zeros(3), 1.2, np.zeros(3), 0.05, 0.2, 0.03, home=0)
    np.testing.assert_allclose(out, share0)


def test_shares_of_every_month_at_once_are_each_months_shares():
    share0, growth = np.array([0.0, 0.2, 0.1]), np.array([0.0, 0.01, 0.1])
    years = np.array([2.0, 2.5, 3.25])
    tariff = np.array([[0.0, 0.28, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.2]])
    in_b = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.5], [0.0, 0.0, 1.25]])
    out = export_shares(share0, growth, years, tariff, 1.2, in_b, 0.05, 0.3, 0.02, home=0)
    for t in range(3):
        np.testing.assert_allclose(out[t], export_shares(share0, growth, years[t], tariff[t], 1.2, in_b[t],
                                                         0.05, 0.3, 0.02, home=0), rtol=1e-15)
