"""Global South alignment: utilities, logit probabilities, peers and draws (exact cases)."""

import numpy as np

from sim.mechanisms.alignment import choice_probabilities, draw, months_in_circle, peer_shares, utilities

W = {"concrete": 1.0, "supply": 1.0, "security": 1.5, "peer": 2.0, "hedge": 1.0, "inertia": 0.5}


def test_utilities_add_the_terms_of_each_circle():
    v = utilities(np.array([0.1]), np.array([1.5]), np.array([0.4]), np.array([0.9]),
                  np.array([0.25]), np.array([0.5]), np.array([2]), W)
    np.testing.assert_allclose(v, [[0.1 + 0.6 + 0.5, 1.5 + 0.9 + 1.0, 1.0 + 0.5]])


def test_logit_probabilities():
    p = choice_probabilities(np.array([[0.0, np.log(2.0), np.log(3.0)]]))
    np.testing.assert_allclose(p, [[1 / 6, 2 / 6, 3 / 6]])
    np.testing.assert_allclose(choice_probabilities(np.array([[1000.0, 1000.0, 1000.0]])), [[1 / 3] * 3])


def test_peer_shares_exclude_the_chooser_itself():
    a, b = peer_shares(np.array([1, 1, 2, 0]), np.array([2.0, 1.0, 1.0, 4.0]))
    np.testing.assert_allclose(b, [1 / 6, 2 / 7, 3 / 7, 3 / 4])
    np.testing.assert_allclose(a, [4 / 6, 4 / 7, 4 / 7, 0.0])


def test_draw_inverts_the_cumulative_probabilities():
    p = np.tile([0.2, 0.5, 0.3], (4, 1))
    np.testing.assert_array_equal(draw(p, np.array([0.1, 0.2001, 0.69, 0.71])), [0, 1, 1, 2])


def test_richer_package_shifts_the_choice_towards_b():
    base = dict(package_a=np.array([0.1]), security_a=np.array([0.5]), supply_fill=np.array([1.0]),
                peer_a=np.array([0.0]), peer_b=np.array([0.0]), current=np.array([2]), w=W)
    low = choice_probabilities(utilities(package_b=np.array([0.2]), **base))[0, 1]
    high = choice_probabilities(utilities(package_b=np.array([2.0]), **base))[0, 1]
    assert high > low


# ---- in the model -------------------------------------------------------------------------

from conftest import make_model  # noqa: E402


def members(model, circle):
    return model.recorder.frame("x", 0).query("metric == 'circle_members' and entity == @circle")["value"].to_numpy()


def test_a_decisive_package_brings_every_chooser_into_b_in_the_first_january():
    over = [f"world.countries.{c}.package_b_pct_gdp=50" for c in ("ASEAN", "AFRICA", "LATAM", "GULF")]
    model = make_model(seed=1, overrides=("months=13", *over))
    model.run()
    b = members(model, "circle:B")
    assert (b == 5).all()                    # the run starts in January 2026: all four join at once
    tiers = model.terms.country_tier[model.policy.choosers]
    assert (tiers == model.world.tier_names.index("preferred")).all()


def test_joining_a_moves_the_chooser_to_chinas_standard_tier():
    over = [f"world.countries.{c}.security_value_a=1" for c in ("ASEAN", "AFRICA", "LATAM", "GULF")]
    model = make_model(seed=1, overrides=("months=13", "alignment.weights.security=50", *over))
    model.run()
    assert members(model, "circle:A")[12] == 8 + 4
    standard = model.world.tier_names.index("standard")
    assert (model.terms.country_tier[model.policy.choosers] == standard).all()
    gulf = model.world.countries.index("GULF")
    assert model.terms.approve_prob[gulf] == 0.8     # the standard tier's approval rate


def test_no_choosers_means_static_circles():
    model = make_model(seed=1, overrides=("months=36", "alignment.choosers=[]"))
    model.run()
    assert (members(model, "circle:B") == 1).all()


def test_months_in_circle_count_up_inside_and_reset_outside():
    out = months_in_circle(np.array([0.0, 5.0, 7.0]), np.array([1, 1, 0]), 1)
    np.testing.assert_array_equal(out, [1.0, 6.0, 0.0])
