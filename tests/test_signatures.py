"""Each scenario's signature (SPEC §6, issue 4) as a property of emergent outputs over 20 seeds.

The three scenarios run with the same 20 spawned seeds. Thresholds sit in each test with
their reason; where article 004's pattern does not emerge from the sourced mechanisms the
test says so (strict xfail: it fails the suite if the pattern ever appears unannounced).
"""

import pandas as pd
import pytest

from sim import run_scenarios
from sim.vocab import SCENARIOS

pytestmark = pytest.mark.slow
SEEDS = 20   # issue 4: at least 20 seeds


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    t = run_scenarios(SCENARIOS, replicates=SEEDS, seed=0)
    t["year"] = t["month"].dt.year
    return t


def per_seed(t, scenario, metric, entity, years, how="mean") -> pd.Series:
    """One number per seed: ``how`` over the months of ``years``."""
    sel = t[(t.scenario == scenario) & (t.metric == metric) & (t.entity == entity) & t.year.isin(years)]
    values = sel.groupby("seed", observed=True)["value"].agg(how)
    assert len(values) == SEEDS
    return values


def median(t, scenario, metric, entity, years, how="mean") -> float:
    return float(per_seed(t, scenario, metric, entity, years, how).median())


LATE = range(2030, 2036)


# ---- rhythm_embedded ----------------------------------------------------------------------

def test_rhythm_us_deliveries_slow_but_never_stop(table):
    """High-end US programs deliver every year; in most seed-years at least half of plan."""
    t = table[table.scenario == "rhythm_embedded"]
    for pid in ("us.f35", "us.virginia", "us.pac3", "us.javelin"):
        done = t[(t.metric == "deliveries_units") & (t.entity == pid)].groupby(["seed", "year"])["value"].sum()
        plan = t[(t.metric == "planned_units") & (t.entity == pid)].groupby(["seed", "year"])["value"].sum()
        ratio = done / plan
        assert ratio.min() > 0.25, pid                          # no year in any seed near a stop
        assert (ratio >= 0.5).mean() >= 0.95, pid               # at least half of plan in 95% of seed-years
        assert ratio.groupby("year").median().min() >= 0.5, pid  # and in the median seed every year


def test_rhythm_global_south_drifts_into_circle_b(table):
    start = per_seed(table, "rhythm_embedded", "circle_b_share_gdp", "global_south", [2026])
    end = per_seed(table, "rhythm_embedded", "circle_b_share_gdp", "global_south", [2035])
    assert (end >= start).mean() >= 0.8     # rises in most seeds
    assert end.median() > start.median() + 0.1


@pytest.mark.xfail(strict=True, reason=(
    "article 004's 'two production cycles behind' does not emerge as a generation lag: the median over "
    "20 seeds of the 2030-35 mean generation_lag_cycles of country:US is 1.00 (every seed 1.00). China's "
    "frontier steps to its top level only in 2031-07 (2027-07 + 48-month cadence), when Block 4, Virginia "
    "Block VI and the PAC-3 increment cut in at level 2 from jp_magnet (docs/ODD.md, the F-35 worked "
    "example). Discovery (preset=two_behind, n=512, months=120): 19 of 512 points reach a mean of 2; "
    "PRIM box coverage 1.00, density 1.00, mass 0.04: frontier_cadence <= 30 months, incumbent "
    "(JP, VAC, eVAC) development lag >= 33 months and defense_downgrade = true (significant; the defaults "
    "48, 12-24 and false lie outside each), development lag >= 33 and defense qualification >= 20 months "
    "(not significant)"))
def test_rhythm_us_high_end_lag_is_about_two_cycles(table):
    lag = median(table, "rhythm_embedded", "generation_lag_cycles", "country:US", LATE)
    assert 1.5 <= lag <= 2.5


# ---- collision ------------------------------------------------------------------------------

def test_collision_builds_more_capacity_outside_china(table):
    for stage, margin in (("separation", 0.05), ("magnet", 0.01)):
        base = median(table, "rhythm_embedded", "nonchina_capacity_share", stage, [2035])
        coll = median(table, "collision", "nonchina_capacity_share", stage, [2035])
        assert coll >= base + margin, stage   # absolute points of world capacity
        assert coll >= 1.15 * base, stage     # and at least 15% more than the baseline's share


def test_collision_us_lag_falls_below_the_baselines_once_new_capacity_qualifies(table):
    """US plants decided under collision's subsidies and floors qualify from about 2030 (S20):
    US lag is then well below the baseline's, and never above it afterwards."""
    early = range(2030, 2032)
    assert (median(table, "collision", "delivery_lag_cycles", "country:US", early)
            < 0.5 * median(table, "rhythm_embedded", "delivery_lag_cycles", "country:US", early))
    assert (median(table, "collision", "delivery_lag_cycles", "country:US", range(2032, 2036))
            <= median(table, "rhythm_embedded", "delivery_lag_cycles", "country:US", range(2032, 2036)) + 1e-9)


def test_collision_is_a_costly_stalemate(table):
    base = median(table, "rhythm_embedded", "fiscal_cost_usd", "US", [2035], "max")
    coll = median(table, "collision", "fiscal_cost_usd", "US", [2035], "max")
    assert coll >= 3.0 * base            # "several times" the baseline's cumulative cost
    for stage in ("separation", "metal", "magnet"):   # China's cost per kg stays lowest
        cn = median(table, "collision", "production_cost_usd_per_kg", f"{stage}:CN", LATE)
        row = median(table, "collision", "production_cost_usd_per_kg", f"{stage}:ROW", LATE)
        assert cn < row, stage


def test_collision_draws_the_allies_in_and_china_answers(table):
    assert median(table, "collision", "club_members", "club", [2030]) > median(
        table, "rhythm_embedded", "club_members", "club", [2030])
    assert median(table, "collision", "regime_pressure", "CN", LATE) > median(
        table, "rhythm_embedded", "regime_pressure", "CN", LATE)


# ---- bifurcation --------------------------------------------------------------------------

def test_bifurcation_us_falls_below_five_percent_of_chinas_exports_before_2035(table):
    assert (per_seed(table, "bifurcation", "china_export_share", "US", [2034], "max") < 0.05).all()


def test_bifurcation_most_of_the_global_south_ends_in_circle_b(table):
    assert median(table, "bifurcation", "circle_b_share_gdp", "global_south", [2035]) > 0.5


def test_bifurcation_circle_prices_diverge(table):
    def ratio(scenario, material):
        row = median(table, scenario, "price_usd_per_kg", f"{material}:ROW", [2035])
        return row / median(table, scenario, "price_usd_per_kg", f"{material}:CN", [2035])
    for material in ("heavy_oxide", "magnet"):
        assert ratio("bifurcation", material) > 1.25 * ratio("rhythm_embedded", material), material


def test_bifurcation_circle_a_lag_is_the_highest(table):
    lags = {s: median(table, s, "delivery_lag_cycles", "circle:A", LATE) for s in SCENARIOS}
    assert lags["bifurcation"] > max(lags["rhythm_embedded"], lags["collision"])
