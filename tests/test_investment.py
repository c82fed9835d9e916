"""Investment decisions: expected price, lead time, NPV (exact values)."""

import numpy as np
import pytest

from sim.mechanisms.investment import expected_price, lead_months, project_npv


def test_expected_price_keeps_part_of_the_premium():
    assert expected_price(80.0, 130.0, 0.3) == pytest.approx(95.0)
    assert expected_price(80.0, 70.0, 0.3) == 80.0          # no negative premium


def test_opposition_lengthens_permitting_only():
    assert lead_months(24, 36, 0.0) == 60
    assert lead_months(24, 36, 0.5) == 72


def test_npv_exact():
    # 10 USD/kg on 1 kt/yr at 80% = USD 8 M a year; 10 years at 10%: annuity 6.1446;
    # first output 12 months out: / 1.1; capex 40 M, half granted.
    npv = project_npv(10.0, 1000.0, 40e6, 0.5, 0.10, 10, 12)
    annuity = (1 - 1.1 ** -10) / 0.1
    assert npv == pytest.approx(8e6 * annuity / 1.1 - 20e6)
    assert project_npv(0.0, 1000.0, 40e6, 0.0, 0.10, 10, 12) == -40e6


def test_grants_and_subsidies_can_tip_a_project():
    base = dict(capacity_tpy=10_000, capex_usd=1.2e9, hurdle=0.12, horizon_years=10, lead=60)
    assert project_npv(10.0, grant_share=0.0, **base) < 0
    assert project_npv(30.0, grant_share=0.5, **base) > 0
    assert np.isfinite(project_npv(30.0, grant_share=0.5, **base))


# ---- in the model -------------------------------------------------------------------------

from conftest import make_model  # noqa: E402


def test_grants_make_candidates_get_built_and_reversals_stop_new_ones():
    rich = make_model(seed=2, overrides=("months=36", "world.countries.US.capex_grant_share=0.9",
                                         "world.countries.US.production_subsidy_usd_per_kg=40",
                                         "investment.us_subsidy_reversal_prob=0"))
    poor = make_model(seed=2, overrides=("months=36", "world.countries.US.capex_grant_share=0",
                                         "world.countries.US.production_subsidy_usd_per_kg=0"))
    for m in (rich, poor):
        m.run()
    built = lambda m: {r.rid for r in m.refiners if r.decided_at is not None}  # noqa: E731
    assert {"cand_us_sep", "cand_us_magnet"} <= built(rich)
    assert not {"cand_us_sep", "cand_us_magnet"} & built(poor)       # the metal plant pays off unaided
    sep = next(r for r in rich.refiners if r.rid == "cand_us_sep")
    assert sep.decided_at == 0 and sep.start >= 24 * 1.5 + 36        # permitting x (1 + 0.5) + construction
    assert rich.recorder.fiscal[-1, rich.us] > poor.recorder.fiscal[-1, poor.us]


def test_a_reversal_ends_us_support_at_an_election():
    model = make_model(seed=2, overrides=("months=12", "investment.us_subsidy_reversal_prob=1"))
    model.run()
    us = model.us
    assert model.reversals == 1 and model.subsidy[us] == 0 and model.grant[us] == 0
    table = model.recorder.frame("x", 0)
    sub = table[table.metric == "production_subsidy_usd_per_kg"]["value"].to_numpy()
    assert (sub[:10] == 9.0).all() and (sub[10:] == 0.0).all()     # the 2026-11 election


def test_a_floor_is_paid_on_the_plants_main_output():
    """A magnet floor above the market is topped up by the host government (S12)."""
    base = make_model(seed=2, overrides=("months=12", "investment.us_subsidy_reversal_prob=0"))
    floor = make_model(seed=2, overrides=("months=12", "investment.us_subsidy_reversal_prob=0",
                                          "world.refiners.mp_independence.price_floor_usd_per_kg=200"))
    for m in (base, floor):
        m.run()
    extra = floor.recorder.fiscal[-1, floor.us] - base.recorder.fiscal[-1, base.us]
    # MP Independence sells up to ~1 kt/yr of magnets at ~60 USD/kg: the top-up is ~140 USD/kg.
    assert 10e6 < extra < 1000 * 1000 * 145
