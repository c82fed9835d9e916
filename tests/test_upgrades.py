"""Upgrade cadence (docs/ODD.md S23-S25): exact cases of the mechanisms and of the model's stage.

Month indices count from the run's start (2026-01 = 0). With the defaults China's frontier is at
level 1 (gbd) before the start, reaches level 2 (hre_free) in 2027-07 = month 18 and level 3 48
months later, at month 66; conf/config.yaml's event brings the upgrade rule back in 2026-11 =
month 10, adding 12 development months to every plant outside China from then on.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_model

from sim.mechanisms.generations import cutin_check, lags
from sim.mechanisms.technology import BEFORE, NEVER, frontier_at, frontier_reach, highest_level, next_level_month
from sim.model.upgrade_records import UPGRADE_METRICS
from sim.vocab import SCENARIOS

GEN_LAG, PLAN_LAG, SLIP, MATERIAL_SLIP, OLD, DOWN = range(len(UPGRADE_METRICS))


# One buyer through the model's array functions (highest_level, lags), as the stage calls them.
def usable_level(t, reached, legal, qualification):
    best = np.where(legal[:, None], reached, NEVER).min(axis=0)   # earliest legal supplier per level
    return int(highest_level(best[None, :], t, qualification)[0])


def _one(t, frontier=0, level=0, current=0, cut_in=(BEFORE,)):
    planned = np.append(np.asarray(cut_in, dtype=np.int64), [NEVER] * 2)[None, :]
    return lags(t, frontier, np.array([level]), np.array([current]), planned, planned, np.zeros(1),
                np.zeros(1, dtype=bool))[:, 0]


def planned_index(cut_in, t):
    return int(_one(t, cut_in=cut_in)[PLAN_LAG])   # the plan lag of a buyer still on its first generation


def generation_lag(frontier, embodied):
    return int(_one(0, frontier=frontier, level=embodied)[GEN_LAG])


def cutin_slip(t, cut_in, current):
    return int(_one(t, current=current, cut_in=cut_in)[SLIP])
F35 = "world.producers.lockheed_martin.programs.f35"
# Plants outside China that develop nothing within a run: China's row alone decides access.
SLOW = ("tech.development_lag_months=240", "world.refiners.jp_magnet.development_lag_months=240",
        "world.refiners.vac_hanau.development_lag_months=240",
        "world.refiners.evac_sumter.development_lag_months=240")


def ladder_index(model, name: str) -> int:
    return [ladder.name for ladder in model.world.tech.ladders].index(name)


def plant_index(model, name: str) -> int:
    return model.world.refiners.index(name)


def trace(model, months: int, *names: str) -> dict[str, list]:
    """Step ``months`` months; per ladder and month: (legal level, qualified level, reason,
    current generation, its level, upgrade_out column, units made)."""
    idx = {name: ladder_index(model, name) for name in names}
    out = {name: [] for name in names}
    for _ in range(months):
        model.step()
        t = model.t - 1
        legal, usable = model.access_levels(t)
        units = model.units_made()
        for name, i in idx.items():
            out[name].append((int(legal[i]), int(usable[i]), model.gen_reason[i], int(model.gen_current[i]),
                              int(model.gen_level[i]), model.upgrade_out[:, i].copy(), float(units[i])))
    return out


def first_month(rows, pred) -> int:
    return next(t for t, row in enumerate(rows) if pred(row))


# ---- mechanisms -------------------------------------------------------------------------------
@pytest.mark.parametrize("legal,usable,cover,expect", [
    (1, 1, 3.0, "access"),          # (a): no legal supplier has level 2; cover passes (usable <= legal)
    (2, 1, 3.0, "qualification"),   # (b) alone: a legal supplier has it, not yet qualified
    (2, 2, 1.4, "supply"),          # (c) alone: 1.4 months held, 1.5 needed
    (2, 2, 1.5, "ready"),           # all three met, cover exactly at the bar
    (3, 3, 9.0, "ready"),           # a better level than required is fine
    (-1, -1, 0.0, "access"),        # nothing legal: access is reported first
])
def test_cutin_rule_names_the_condition_that_fails(legal, usable, cover, expect):
    assert cutin_check(legal, usable, required=2, cover_months=cover, secure_months=1.5) == expect


def test_frontier_reach_and_level_by_month():
    reach = frontier_reach(level0=1, next_month=18, cadence=48, n_levels=4)
    assert reach.tolist() == [BEFORE, BEFORE, 18, 66]
    assert [frontier_at(reach, t) for t in (-500, 0, 17, 18, 65, 66, 10**5)] == [1, 1, 1, 2, 2, 3, 3]
    top = frontier_reach(level0=3, next_month=18, cadence=48, n_levels=4)
    assert top.tolist() == [BEFORE] * 4 and frontier_at(top, 0) == 3
    assert frontier_reach(0, 5, 12, 4).tolist() == [BEFORE, 5, 17, 29]


@pytest.mark.parametrize("args,expect", [
    ((18, 48.0, 12.0, False, 0.0), (66.0, False)),    # ban: own development, 48 months after the frontier
    ((18, 48.0, 12.0, True, 0.0), (30.0, True)),      # licence allowed and earlier
    ((18, 12.0, 12.0, True, 0.0), (30.0, False)),     # a tie goes to own development
    ((18, 6.0, 12.0, True, 0.0), (24.0, False)),      # own development earlier than a licence
    ((18, 12.0, 12.0, False, 12.0), (42.0, False)),   # the upgrade rule adds its 12 months
    ((18, 12.0, 12.0, True, 12.0), (30.0, True)),     # ... and then a licence is the earlier path
    ((NEVER, 12.0, 12.0, True, 0.0), (float(NEVER), False)),   # the frontier has no such level
])
def test_next_level_month_by_development_and_licence(args, expect):
    assert next_level_month(*args) == expect


def test_usable_level_needs_a_legal_supplier_and_qualification():
    reached = np.array([[BEFORE, BEFORE, 18, 66],           # China's frontier
                        [BEFORE, 30, NEVER, NEVER]])        # a plant that reached level 1 at 30
    both, plant = np.array([True, True]), np.array([False, True])
    assert [usable_level(t, reached, both, 6.0) for t in (23, 24, 71, 72)] == [1, 2, 2, 3]
    assert [usable_level(t, reached, plant, 6.0) for t in (35, 36, 500)] == [0, 1, 1]
    assert usable_level(0, reached, np.array([False, False]), 0.0) == -1
    assert usable_level(0, np.full((1, 4), NEVER), np.array([True]), 0.0) == -1


def test_planned_generation_lag_and_slip():
    cut_in = np.array([BEFORE, 36, 96])
    assert [planned_index(cut_in, t) for t in (0, 35, 36, 95, 96)] == [0, 0, 1, 1, 2]
    assert planned_index(np.array([40, 80]), 0) == 0   # before the first: the first
    assert generation_lag(2, 1) == 1 and generation_lag(3, 3) == 0
    assert generation_lag(1, 3) == 0   # ahead of the frontier counts as level with it, never negative
    assert [cutin_slip(t, cut_in, 0) for t in (35, 36, 50)] == [0, 0, 14]
    assert cutin_slip(100, cut_in, 1) == 4 and cutin_slip(100, cut_in, 2) == 0


# ---- levels in the model ----------------------------------------------------------------------
def test_plants_outside_china_reach_the_next_level_by_development():
    """jp_magnet: 18 + 12 (its lag) + 12 (the upgrade rule, back at month 10) = 42; vac_hanau and
    eVAC: 18 + 24 + 12 = 54; kr_magnet: 18 + 48 + 12 = 78. China's plants: 18."""
    model = make_model()
    names = ("jp_magnet", "vac_hanau", "evac_sumter", "kr_magnet", "cn_magnet_ningbo")
    rows = {n: [] for n in names}
    for _ in range(80):
        model.step()
        for n in names:
            rows[n].append(int(model.plant_level[plant_index(model, n)]))
    firsts = {n: rows[n].index(2) for n in names}
    assert firsts == {"jp_magnet": 42, "vac_hanau": 54, "evac_sumter": 54, "kr_magnet": 78, "cn_magnet_ningbo": 18}
    assert rows["jp_magnet"][:42] == [1] * 42
    jp = plant_index(model, "jp_magnet")
    assert model.plant_reached[jp, 2] == 42 and not model.plant_licensed[jp].any()
    assert model.plant_level[jp] == 2   # level 3: 66 + 12 + 12 = 90, after month 79


def test_without_the_upgrade_rule_development_is_12_months_sooner():
    model = make_model(overrides=("~events.upgrade_rule_returns",))
    jp = plant_index(model, "jp_magnet")
    levels = []
    for _ in range(31):
        model.step()
        levels.append(int(model.plant_level[jp]))
    assert levels.index(2) == 30 and not model.plant_licensed[jp, 2]


def test_a_licence_brings_the_level_forward_when_china_allows_it():
    """tech_ban=false: the licence path, 18 + 12 = 30, beats development (42) for jp_magnet."""
    model = make_model(overrides=("tech.tech_ban=false",))
    jp, kr = plant_index(model, "jp_magnet"), plant_index(model, "kr_magnet")
    levels = []
    for _ in range(31):
        model.step()
        levels.append(int(model.plant_level[jp]))
    assert levels.index(2) == 30
    assert model.plant_reached[jp, 2] == 30 and model.plant_licensed[jp, 2] and not model.plant_licensed[jp, 1]
    assert model.plant_level[kr] == 2 and model.plant_licensed[kr, 2]


# ---- access by tier and end use ---------------------------------------------------------------
@pytest.mark.parametrize("tier,legal_from,usable_from", [
    ("preferred", 18, 24),     # no holdback; 6 months to qualify (tech.sectors.ev)
    ("standard", 30, 36),      # 12 months held back
    ("restricted", 54, 60),    # 36 months held back: 36 months later than a preferred buyer
])
def test_china_holds_its_newest_level_back_by_tier(tier, legal_from, usable_from):
    model = make_model(overrides=(*SLOW, f"regime.destination_tier.KR={tier}"))
    rows = trace(model, 61, "ev:KR")["ev:KR"]
    assert first_month(rows, lambda r: r[0] >= 2) == legal_from
    assert first_month(rows, lambda r: r[1] >= 2) == usable_from
    assert rows[legal_from - 1][:2] == (1, 1)


@pytest.mark.parametrize("deny,f35_legal2,k9_legal2", [
    ("true", [], []),                                 # military end users denied: never China's level
    ("false", list(range(18, 24)), list(range(30, 61))),   # US programs until DFARS (2028-01 = 24); KR's go on
])
def test_military_denial_and_dfars_keep_china_level_from_us_programs(deny, f35_legal2, k9_legal2):
    """US preferred (no holdback) and defense qualification 0, so China's level 2 is open to a US
    program from month 18 when military end users are not denied; DFARS closes it at month 24.
    Korea's K9 (standard tier: 18 + 12 = 30) is not bound by DFARS."""
    model = make_model(overrides=(*SLOW, f"regime.deny_military={deny}", "regime.destination_tier.US=preferred",
                                  "tech.defense_qualification_months=0"))
    rows = trace(model, 61, "us.f35", "kr.k9")
    assert [t for t, r in enumerate(rows["us.f35"]) if r[0] >= 2] == f35_legal2
    assert [t for t, r in enumerate(rows["kr.k9"]) if r[0] >= 2] == k9_legal2
    assert all(r[0] == 1 for t, r in enumerate(rows["us.f35"]) if t not in f35_legal2)   # plants outside China


# ---- generations, old units, downgrades -------------------------------------------------------
def test_virginia_builds_block_v_until_block_vi_can_cut_in():
    """Block VI is due 2029-01 = month 36 and needs level 2. No legal supplier has it until
    jp_magnet reaches it at 42 (a: access); then 24 months of defense qualification (b) to 66.
    Until then every boat delivered is an old-generation unit and the plan is one generation ahead."""
    model = make_model()
    rows = trace(model, 70, "us.virginia")["us.virginia"]
    reasons = [r[2] for r in rows]
    assert reasons[:42] == ["ready"] * 36 + ["access"] * 6 and reasons[42:66] == ["qualification"] * 24
    assert [r[3] for r in rows] == [0] * 66 + [1] * 4 and [r[4] for r in rows] == [1] * 66 + [2] * 4
    out = np.array([r[5] for r in rows])
    units = np.array([r[6] for r in rows])
    assert units[36:66].sum() > 0   # boats delivered (units of a program, fractional per month)
    assert out[:36, OLD].tolist() == [0.0] * 36 and out[66:, OLD].tolist() == [0.0] * 4
    assert out[36:66, OLD].tolist() == units[36:66].tolist()
    assert out[:, PLAN_LAG].tolist() == [0] * 36 + [1] * 30 + [0] * 4
    assert out[:, SLIP].tolist() == [0] * 36 + list(range(30)) + [0] * 4
    # Level 1 trails the frontier by one step from month 18; level 2 trails level 3 from month 66.
    assert out[:, GEN_LAG].tolist() == [0] * 18 + [1] * 52
    assert out[:, DOWN].tolist() == [0.0] * 70


# China reaches level 2 at month 2 (2026-03); plants outside China never do (SLOW).
EARLY = (*SLOW, "tech.frontier_next=2026-03")


def test_a_civil_sector_cuts_in_at_a_lower_level_after_its_downgrade_months():
    """ev model years every 12 months; the one due at 12 needs level 2, which the US (restricted:
    2 + 36 = 38, +6 qualification) cannot use before 44. After 6 months of slip, at 18, ev:US cuts
    in at level 1 instead; its later model years do likewise at 30 and 42 (at 42 qualification is
    what is missing), and 48's cuts in on time at level 2. secure_months=0 leaves condition (c) out:
    the US's civil magnet stock swings between about 0.5 and 3 months of use from month to month."""
    model = make_model(overrides=(*EARLY, "tech.sectors.ev.cadence_months=12", "tech.sectors.ev.downgrade_after_months=6",
                                  "tech.secure_months=0"))
    rows = trace(model, 50, "ev:US")["ev:US"]
    assert [r[3] for r in rows] == [0] * 18 + [1] * 12 + [2] * 12 + [3] * 6 + [4] * 2
    assert [r[4] for r in rows] == [1] * 48 + [2] * 2
    out, units = np.array([r[5] for r in rows]), np.array([r[6] for r in rows])
    downgraded = (np.arange(50) >= 18) & (np.arange(50) < 48)
    assert out[:, DOWN].tolist() == np.where(downgraded, units, 0.0).tolist()
    behind = np.zeros(50, bool)
    behind[[*range(12, 18), *range(24, 30), *range(36, 42)]] = True
    assert out[:, OLD].tolist() == np.where(behind, units, 0.0).tolist()
    assert out[:, SLIP].tolist() == np.where(behind, np.arange(50) % 12, 0).tolist()
    assert [r[2] for r in rows][36:43] == ["access"] * 2 + ["qualification"] * 5   # China's level 2 legal from 38
    assert out[:, GEN_LAG].tolist() == [0] * 2 + [1] * 46 + [0] * 2   # frontier at 2 from month 2


@pytest.mark.parametrize("downgrade,current", [("false", [0] * 24), ("true", [0] * 12 + [1] * 12)])
def test_a_defense_program_downgrades_only_when_its_rule_allows(downgrade, current):
    """Block 4 moved to 2026-07 (month 6) at level 2: China denies military end users and no plant
    outside China reaches level 2, so it can never cut in as planned. With tech.defense_downgrade
    it cuts in at level 1 after 6 months, at 12; without it the F-35 stays on TR-3."""
    model = make_model(overrides=(*EARLY, f"{F35}.generations.1.cut_in=2026-07", f"{F35}.generations.1.level=2",
                                  f"tech.defense_downgrade={downgrade}", "tech.defense_downgrade_after_months=6"))
    rows = trace(model, 24, "us.f35")["us.f35"]
    assert [r[3] for r in rows] == current
    assert all(r[0] == 1 and r[4] == 1 for r in rows)   # level 1 either way
    out, units = np.array([r[5] for r in rows]), np.array([r[6] for r in rows])
    moved = np.array(current) == 1
    assert out[:, DOWN].tolist() == np.where(moved, units, 0.0).tolist()
    assert out[:, OLD].tolist() == np.where(~moved & (np.arange(24) >= 6), units, 0.0).tolist()


def test_a_downgrade_still_needs_the_new_need_secured():
    """Condition (c) holds for a downgraded cut-in too: with 36 months of the new need to hold
    (Block 4 at 1.5x the magnets), the F-35 does not cut in at level 1 either."""
    model = make_model(overrides=(*EARLY, f"{F35}.generations.1.cut_in=2026-07", f"{F35}.generations.1.level=2",
                                  f"{F35}.generations.1.bom_scale=1.5", "tech.secure_months=36",
                                  "tech.defense_downgrade=true", "tech.defense_downgrade_after_months=6"))
    rows = trace(model, 24, "us.f35")["us.f35"]
    assert [r[3] for r in rows] == [0] * 24 and {r[2] for r in rows[6:]} == {"access"}
    assert model.bom_scale[[p.pid for p in model.world.programs].index("us.f35")] == 1.0


def test_supply_alone_holds_a_generation_back():
    """Block 4 at 2027-01 (month 12) and level 1, which qualified plants outside China have: access and
    qualification pass, so only condition (c) decides: 1.5 months held cuts it in at 12, 36 never."""
    level1 = (f"{F35}.generations.1.cut_in=2027-01", f"{F35}.generations.1.level=1")
    rows = trace(make_model(overrides=level1), 14, "us.f35")["us.f35"]
    assert [r[3] for r in rows] == [0] * 12 + [1] * 2
    rows = trace(make_model(overrides=(*level1, "tech.secure_months=36")), 14, "us.f35")["us.f35"]
    assert [r[3] for r in rows] == [0] * 14 and [r[2] for r in rows][12:] == ["supply"] * 2
    assert all(r[1] >= 1 for r in rows)


# ---- whole runs -------------------------------------------------------------------------------
def test_lags_are_never_negative_in_any_scenario(full_runs):
    for name, model in full_runs.items():
        table = model.recorder.frame(name, 7)
        for metric in ("generation_lag_cycles", "plan_lag_cycles", "cutin_slip_months", "old_generation_units",
                       "downgraded_units"):
            values = table.loc[table["metric"] == metric]
            assert len(values) and (values["value"] >= 0).all(), (name, metric)
        lag = table.loc[table["metric"] == "generation_lag_cycles"]
        assert {"us.f35", "country:US", "circle:A", "ev:US", "motors:JP", "cn.j20"} <= set(lag["entity"])


def test_china_buyers_keep_level_with_the_frontier(full_runs):
    """The J-20 follows the frontier: lag 0 every month. China's civil sectors plan a generation each
    model year (ev 48 months, motors 60) and cut it in on time at the frontier's level then, so they
    are at lag 0 from each model year until the frontier's next step (18, 66) and one step behind
    after it: never behind their own plan."""
    for name, model in full_runs.items():
        out = model.recorder.upgrades.out   # [T, metric, ladder]
        j20, ev, motors = (ladder_index(model, n) for n in ("cn.j20", "ev:CN", "motors:CN"))
        assert out[:, GEN_LAG, j20].tolist() == [0] * 120, name
        assert out[:, GEN_LAG, ev].tolist() == [0] * 18 + [1] * 30 + [0] * 18 + [1] * 30 + [0] * 24, name
        assert out[:, GEN_LAG, motors].tolist() == [0] * 18 + [1] * 42 + [0] * 6 + [1] * 54, name
        for i in (j20, ev, motors):
            assert not out[:, (PLAN_LAG, SLIP, OLD, DOWN), i].any(), name
        assert model.recorder.upgrades.frontier.tolist() == [1] * 18 + [2] * 48 + [3] * 54
        assert model.gen_level[j20] == 3 and model.gen_level[ev] == 3 and model.gen_level[motors] == 2


BLOCK4_15 = (f"{F35}.generations.1.cut_in=2027-01", f"{F35}.generations.1.level=1", f"{F35}.generations.1.bom_scale=1.5")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_conservation_holds_with_a_heavier_bill_of_materials(scenario):
    """Block 4 from 2027-01 at level 1 needs 1.5x the F-35's magnets; the ledger raises on any
    imbalance in any month, so a completed 60-month run is the check."""
    model = make_model(scenario, seed=3, overrides=(*BLOCK4_15, "months=60"))
    f35 = [p.pid for p in model.world.programs].index("us.f35")
    assert model.bom_scale[f35] == 1.0
    model.run()
    assert model.t == 60 and model.policy.check_conservation
    assert model.bom_scale[f35] == 1.5 and model.gen_current[ladder_index(model, "us.f35")] == 1


def test_the_j20_starts_in_service_at_the_frontier():
    """The J-20's first generation is the frontier's level at the start (1), in service before it;
    its next are due at the frontier's steps (18, 66). Nothing is due before month 18, so even with
    a supply bar no buyer meets (36 months held) it is level with the frontier and not slipping."""
    model = make_model(overrides=("tech.secure_months=36",))
    j20 = ladder_index(model, "cn.j20")
    ladder = model.world.tech.ladders[j20]
    assert ladder.cut_in.tolist() == [BEFORE, 18, 66] and ladder.level.tolist() == [1, 2, 3]
    assert model.gen_level[j20] == 1 and model.gen_current[j20] == 0
    out = np.array([r[5] for r in trace(model, 18, "cn.j20")["cn.j20"]])
    assert not out.any()   # no lag, no plan lag, no slip, no old or downgraded units
