"""Scenario discovery: PRIM finds a planted box, the box choice rule, the case threshold, and
a tiny real discovery study end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.discovery import main
from sim.config.errors import ConfigError
from sim.sensitivity import case_threshold, find_box
from sim.sensitivity.prim import choose_box


@pytest.fixture(scope="module")
def planted():
    """1,000 uniform points; the case holds in a box a in [0.2, 0.5], b > 0.6, level != 'r'."""
    rng = np.random.default_rng(11)
    x = pd.DataFrame(rng.random((1000, 4)), columns=["a", "b", "c", "d"])
    x["level"] = rng.choice(["p", "q", "r"], 1000)
    x["whole"] = rng.integers(0, 10, 1000)
    cases = ((x["a"] > 0.2) & (x["a"] < 0.5) & (x["b"] > 0.6) & (x["level"] != "r")).to_numpy()
    return x, cases, find_box(x, cases)


def test_prim_finds_the_planted_box(planted):
    x, cases, result = planted
    limits = result.limits.set_index("input")
    assert set(limits.index) == {"a", "b", "level"}   # no noise input restricted
    assert limits.loc["a", "low"] == pytest.approx(0.2, abs=0.03)
    assert limits.loc["a", "high"] == pytest.approx(0.5, abs=0.05)
    assert limits.loc["b", "low"] == pytest.approx(0.6, abs=0.03)
    assert sorted(limits.loc["level", "levels"].split(" | ")) == ["p", "q"]
    assert limits.loc[["a", "b"], "significant"].all()
    stats = result.stats
    assert stats["density"] > 0.9 and stats["coverage"] > 0.8
    assert stats["cases"] == int(cases.sum()) and stats["points"] == 1000
    # the stats are those of the points inside the limits
    inside = ((x["a"] >= limits.loc["a", "low"]) & (x["a"] <= limits.loc["a", "high"])
              & (x["b"] >= limits.loc["b", "low"]) & (x["b"] <= limits.loc["b", "high"]) & (x["level"] != "r"))
    assert stats["density"] == pytest.approx(cases[inside].mean())
    assert stats["coverage"] == pytest.approx(cases[inside].sum() / cases.sum())


def test_the_peeling_trajectory_trades_coverage_for_density(planted):
    _, _, result = planted
    traj = result.trajectory
    assert traj["coverage"].iloc[0] == 1.0 and traj["mass"].iloc[0] == 1.0
    assert traj["density"].iloc[-1] > traj["density"].iloc[0]
    assert traj["chosen"].sum() == 1 and int(traj.loc[traj["chosen"], "id"].iloc[0]) == result.chosen


def test_the_chosen_box_is_the_densest_with_enough_coverage():
    traj = pd.DataFrame({"id": [0, 1, 2, 3, 4], "coverage": [1.0, 0.9, 0.7, 0.5, 0.3],
                         "density": [0.2, 0.5, 0.8, 0.8, 1.0], "res_dim": [0, 1, 2, 3, 3]})
    assert choose_box(traj, 0.5) == 2   # 2 and 3 tie on density: more coverage wins
    assert choose_box(traj, 0.2) == 4
    assert choose_box(traj, 0.95) == 0


def test_the_case_threshold_is_a_value_or_a_quantile():
    y = np.arange(11.0)
    assert case_threshold(y, threshold=0.5) == 0.5
    assert case_threshold(y, quantile=0.8) == 8.0
    with pytest.raises(ConfigError, match="not both"):
        case_threshold(y, threshold=0.5, quantile=0.8)
    with pytest.raises(ConfigError, match="quantile=1.5"):
        case_threshold(y, quantile=1.5)


def test_a_case_nobody_meets_is_refused():
    x = pd.DataFrame({"a": np.linspace(0, 1, 20)})
    with pytest.raises(ConfigError, match="0 of 20 points are cases"):
        find_box(x, np.zeros(20, bool))


TINY = """
uncertainties:
  restricted_approval: {key: regime.tiers.restricted.approval_prob, range: [0.25, 0.95], unit: p, source: "D12"}
levers:
  dfars_from: {key: us.dfars_from, levels: ["2026-06", "2027-01"], unit: month, source: "D51"}
outcomes:
  us_lag: {metric: delivery_lag_cycles, entity: "country:US", window: ["2026-07", "2027-12"], unit: cycles}
"""


def test_a_tiny_discovery_runs_end_to_end(tmp_path, capsys):
    decl = tmp_path / "tiny.yaml"
    decl.write_text(TINY)
    out = tmp_path / "out"
    args = [f"xlrm={decl}", "n=8", "outcome=us_lag", "quantile=0.5", "mass_min=0.1", "months=24", "workers=2",
            f"out={out}", "progress=false"]
    assert main(args) == 0
    root = out / "rhythm_embedded"
    summary = json.loads((root / "summary.json").read_text())
    sample = pd.read_parquet(root / "sample.parquet")
    assert summary["runs"] == 8 and len(sample) == 8
    assert sample["case"].sum() == summary["box"]["cases"] == int((sample["us_lag"] > summary["threshold"]).sum())
    assert set(sample["dfars_from"]) <= {"2026-06", "2027-01"}
    trajectory = pd.read_csv(root / "trajectory.csv")
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["chosen"].sum() == 1
    assert (root / "box.csv").is_file() and (root / "figures" / "prim_tradeoff.png").is_file()
    assert (root / "figures" / "prim_box.png").is_file()
    printed = capsys.readouterr().out
    assert f"box {summary['box']['box']}: coverage" in printed and "case: us_lag above the 50% quantile" in printed


def test_a_fixed_threshold_replaces_the_quantile_and_a_bad_outcome_is_refused(tmp_path, capsys):
    assert main(["outcome=no_such", f"out={tmp_path / 'a'}", "n=4", "months=24"]) == 2
    assert "outcome='no_such'" in capsys.readouterr().err and not (tmp_path / "a").exists()
    assert main(["quantile=0.5", "threshold=0.2", f"out={tmp_path / 'b'}"]) == 2
    assert "threshold=<value> with quantile=null" in capsys.readouterr().err


def test_the_two_behind_preset_asks_whether_us_defense_is_two_generations_behind_in_2030_35():
    from experiments.discovery import apply_case
    from experiments.sensitivity import parse
    from sim.sensitivity import load_xlrm

    settings, overrides = parse([], preset="discovery")
    overrides = apply_case(settings, overrides, "two_behind", set())
    assert (settings["outcome"], settings["threshold"], settings["quantile"], settings["inclusive"]) == (
        "us_generation_lag", 2.0, None, True)
    o = load_xlrm().outcomes[settings["outcome"]]
    assert (o.metric, o.entity, o.start, o.end, o.reduce) == (
        "generation_lag_cycles", "country:US", "2030-01", "2035-12", "mean")
    settings, _ = parse(["threshold=1.5"], preset="discovery")
    apply_case(settings, [], "two_behind", {"threshold"})
    assert settings["threshold"] == 1.5   # the command line wins over the stored case


GENERATIONS = """
uncertainties:
  frontier_cadence: {key: tech.frontier_cadence_months, range: [6, 30], integer: true, unit: months,
                     source: "assumption: test"}
levers:
  defense_downgrade: {key: tech.defense_downgrade, levels: [false, true], unit: bool, source: "D124"}
outcomes:
  us_generation_lag: {metric: generation_lag_cycles, entity: "country:US", window: ["2027-01", "2028-12"],
                      unit: frontier steps, label: US generation lag}
"""


def test_the_two_behind_case_runs_end_to_end_and_says_when_no_point_meets_it(tmp_path, capsys):
    """A run to 2028 cannot be two steps behind: exit 2 with the range reached, the sample kept;
    the same study then answers a quantile case without running again."""
    decl = tmp_path / "generations.yaml"
    decl.write_text(GENERATIONS)
    out = tmp_path / "out"
    args = ["preset=two_behind", f"xlrm={decl}", "n=6", "months=36", "workers=2", f"out={out}", "progress=false",
            "mass_min=0.1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "US generation lag at or above 2 frontier steps': 0 of 6 points" in err and "us_generation_lag ranges" in err
    root = out / "rhythm_embedded"
    sample = pd.read_parquet(root / "sample.parquet")
    assert len(sample) == 6 and not sample["case"].any() and sample["us_generation_lag"].max() < 2
    assert sample["us_generation_lag"].min() >= 0 and not (root / "box.csv").exists()
    assert main([*args, "quantile=0.5", "inclusive=false"]) == 0
    summary = json.loads((root / "summary.json").read_text())
    assert summary["ran_now"] == 0 and summary["settings"]["preset"] == "two_behind"
    sample = pd.read_parquet(root / "sample.parquet")
    above = int((sample["us_generation_lag"] > summary["threshold"]).sum())
    assert sample["case"].sum() == summary["box"]["cases"] == above
    assert "case: US generation lag above the 50% quantile" in capsys.readouterr().out


def test_an_unknown_preset_is_refused_naming_the_stored_cases(tmp_path, capsys):
    assert main(["preset=nowhere", f"out={tmp_path / 'a'}"]) == 2
    assert "preset='nowhere'" in capsys.readouterr().err and not (tmp_path / "a").exists()
