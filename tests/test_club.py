"""The allied club (S21) and China's reaction (S22): exact cases, then the wiring in the model."""

import numpy as np
import pytest
from conftest import make_model

from sim.mechanisms.club import (
    club_offer,
    club_terms,
    join_utilities,
    metering_changes,
    pooled_offtake,
    update_membership,
)
from sim.mechanisms.reaction import buyer_terms, club_share, pressure, reserve_cover, tightened

W = {"trust": 2.0, "offer": 4.0, "cost": 0.5, "dependence": 1.0}


def test_offer_is_pooled_capacity_of_member_plants_over_member_use_capped_at_one():
    cap = np.array([[10.0, 0.0], [0.0, 4.0], [30.0, 2.0]])   # t/month [plant, material]
    site = np.array([True, True, False])
    np.testing.assert_allclose(club_offer(cap, site, np.array([20.0, 1.0]), 0.5), [0.25, 1.0])
    np.testing.assert_allclose(club_offer(cap, site, np.array([0.0, 8.0]), 0.5), [0.0, 0.25])


def test_club_terms_offer_the_mean_over_used_materials_at_the_premium_of_member_plants():
    # Plant 0 (country 0, joining): 10 t/month of material 0, half contracted, 12 USD/kg against
    # China's 10. Plant 1 (country 1, not joining): half ramped, 10 t of material 0 and 2 t of
    # heavy oxide (material 1) at nameplate; it counts in neither the pool nor the cost.
    offer, cost = club_terms(np.array([1.0, 0.5]), np.array([0, 1]), np.array([0, 0]), np.array([10.0, 10.0]),
                             np.array([0.0, 2.0]), np.array([[0.5, 0.0], [0.0, 0.0]]), np.array([12.0, 30.0]),
                             np.array([0, 1]), np.array([True, False]), np.array([[4.0, 1.0], [100.0, 100.0]]),
                             np.array([10.0, 20.0]), 0.4, 1)
    assert offer == pytest.approx((min(5 * 0.4 / 4, 1.0) + 0.0) / 2)   # pooled 2 t of 4 used; none of material 1
    assert cost == pytest.approx(12.0 / 10.0 - 1.0)


def test_club_share_and_reserve_cover():
    gdp = np.array([5.0, 1.0, 3.0, 2.0])
    assert club_share(gdp, np.array([1, 2, 3]), np.array([True, False, True, True])) == pytest.approx(5.0 / 6.0)
    held = np.array([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0], [5.0, 5.0, 5.0]])   # t by origin class
    cover = reserve_cover(held, np.array([1.0, 2.0, 3.0]), np.array([0, 1, 0]), 0)
    assert cover == pytest.approx(21.0 / (4.0 * 12.0))                      # years of circle A's use
    assert reserve_cover(held, np.zeros(3), np.array([2, 2, 2]), 0) == 0.0


def test_buyer_terms_follow_the_tier_and_deny_or_add_transit():
    approve, days, lead = buyer_terms(np.array([0.9, 0.6]), np.array([45.0, 60.0]), np.array([False, True]), 0.4,
                                      0.5, 0.5, np.array([0, 1, 1]), np.array([False, False, True]),
                                      np.array([False, True, True]), np.array([0.0, 2.0, 3.0]), 20.0)
    np.testing.assert_allclose(approve, [0.9, 0.6 * 0.8, 0.0])
    np.testing.assert_allclose(days, [45.0, 72.0, 72.0])
    np.testing.assert_allclose(lead, [0.0, 72.0 / 20.0 + 2.0, 72.0 / 20.0 + 3.0])   # none for a buyer in China


def test_metering_starts_after_the_lag_and_ends_on_leaving():
    member = np.array([True, True, True, False])
    start, stop = metering_changes(12, member, np.array([0, 0, 10, -1]), np.array([-1, -1, -1, 2]), 6, 9, 0)
    assert start.tolist() == [1] and stop.tolist() == [3]   # 0 leads; 2 joined two months ago


def test_utility_weighs_trust_offer_cost_and_dependence():
    u = join_utilities(np.array([0.9, 0.4]), 0.1, 0.6, np.array([0.3, 0.7]), W)
    np.testing.assert_allclose(u, [2 * 0.4 + 0.4 - 0.3 - 0.3, 2 * -0.1 + 0.4 - 0.3 - 0.7])


def test_membership_has_hysteresis():
    member = np.array([False, False, True, True])
    u = np.array([0.1, -0.1, -0.2, -0.4])
    np.testing.assert_array_equal(update_membership(member, u, 0.3), [True, False, True, False])


def test_pool_splits_each_member_plants_free_share_by_member_use():
    base = np.array([[0.6, 0.0, 0.0], [0.0, 0.0, 0.0]])     # plant 0 sold 60% to country 0
    use = np.array([[1.0, 3.0, 5.0], [1.0, 3.0, 5.0]])
    out = pooled_offtake(base, np.array([True, False]), np.array([True, True, False]), use, 0.5)
    np.testing.assert_allclose(out, [[0.6 + 0.2 * 0.25, 0.2 * 0.75, 0.0], [0.0, 0.0, 0.0]])
    assert (out.sum(axis=1) <= 1.0 + 1e-12).all()


def test_pressure_adds_the_moves_and_clips():
    w = {"club": 1.0, "tariff": 0.5, "stockpile": 0.2}
    assert pressure(0.3, 0.48, 0.5, w, 0.28) == pytest.approx(0.3 + 0.1 + 0.1)
    assert pressure(0.0, 0.1, 0.0, w, 0.28) == 0.0        # tariffs below the reference: no pressure
    assert pressure(0.9, 1.5, 1.0, w, 0.28) == 1.0


def test_reaction_tightens_only_the_reacting_tiers():
    prob, days = tightened(np.array([0.9, 0.6]), np.array([45.0, 60.0]), np.array([False, True]), 0.4, 0.5, 0.5)
    np.testing.assert_allclose(prob, [0.9, 0.6 * 0.8])
    np.testing.assert_allclose(days, [45.0, 60.0 * 1.2])


# ---- in the model -------------------------------------------------------------------------

def series(model, metric, entity):
    frame = model.recorder.frame("x", 0)
    return frame.query("metric == @metric and entity == @entity")["value"].to_numpy()


def test_a_generous_club_draws_every_candidate_and_china_meters_them_after_the_lag():
    model = make_model(seed=3, overrides=("months=24", "club.pool_share=1.0", "club.weights.dependence=0",
                                          "club.weights.cost=0", "regime.reaction.lag_months=3"))
    model.run()
    members = series(model, "club_members", "club")
    assert members[0] == 0 and members[1] == 1          # the leader from 2026-02 (D60)
    assert (members[12:] == 7).all()                      # everyone joins at the first review, 2027-01
    restricted = model.world.tier_names.index("restricted")
    assert (model.terms.country_tier[model.policy.club.candidates] == restricted).all()
    assert series(model, "regime_pressure", "CN")[-1] == pytest.approx(1.0)
    assert series(model, "extraterritorial_rule", "CN")[-1] == 1.0   # pressure past the threshold after 2026-11


def test_a_member_that_leaves_gets_its_old_tier_back():
    model = make_model(seed=3, overrides=("months=1",))
    eu = model.world.countries.index("EU")
    before = model.terms.country_tier[eu]
    model.member[eu], model.member_since[eu] = True, 0
    model.countries[model.world.cn].meter_club(12)
    assert model.terms.country_tier[eu] == model.world.tier_names.index("restricted")
    model.countries[eu].review_club(13, -1.0)             # below the leave margin
    model.countries[model.world.cn].meter_club(13)
    assert not model.member[eu] and model.terms.country_tier[eu] == before


def test_without_a_club_offer_or_pressure_china_leaves_the_de_minimis_rule_suspended():
    model = make_model(seed=3, overrides=("months=36", "club.pool_share=0", "regime.reaction.weights.stockpile=0"))
    model.run()
    assert series(model, "extraterritorial_rule", "CN").max() == 0.0


def test_the_extraterritorial_rule_stops_chinese_content_reaching_foreign_military_buyers():
    on = make_model(seed=5, overrides=("months=60", "regime.reaction.extraterritorial_at=0",
                                       "regime.extraterritorial_from=2026-01"))
    off = make_model(seed=5, overrides=("months=60", "regime.reaction.extraterritorial_at=1"))
    on.run()
    off.run()
    lag_on, lag_off = series(on, "delivery_lag_months", "kr.k9"), series(off, "delivery_lag_months", "kr.k9")
    assert lag_on[-12:].mean() > lag_off[-12:].mean() + 1.0   # K9 relied on Chinese-content magnets made abroad
