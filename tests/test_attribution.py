"""Attribution (docs/ODD.md S26): the counterfactual without metering and ``rhythm_share``."""

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim import run_scenario
from sim.config.compose import compose_config
from sim.runs.attribution import rhythm_share, without_metering
from sim.runs.runner import run_config

SHORT = ["months=60", "replicates=2", "seed=5"]


@pytest.fixture(scope="module")
def baseline():
    return compose_config(None, SHORT + ["attribution=true"])


@pytest.fixture(scope="module")
def attributed(baseline):
    return run_config(baseline)


def flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict) and v:
            out.update(flat(v, key))
        else:
            out[key] = v
    return out


def lag_frame(values):
    """A one-entity table with ``generation_lag_cycles`` ``values`` over consecutive months."""
    n = len(values)
    return pd.DataFrame({"month": pd.date_range("2026-01-01", periods=n, freq="MS"), "scenario": "s",
                         "seed": np.int64(3), "metric": "generation_lag_cycles", "entity": "ev:US",
                         "value": np.asarray(values, dtype=float)})


def test_rhythm_share_is_one_minus_the_cumulative_ratio():
    got = rhythm_share(lag_frame([0, 1, 2, 1, 0]), lag_frame([0, 0, 1, 2, 2]))
    # cumulative lag 0, 1, 3, 4, 4; counterfactual 0, 0, 1, 3, 5
    assert got["value"].tolist() == [0.0, 1.0, 1 - 1 / 3, 1 - 3 / 4, 1 - 5 / 4]
    assert set(got["metric"]) == {"rhythm_share"} and set(got["entity"]) == {"ev:US"}
    assert set(got["seed"]) == {3} and got["month"].tolist() == lag_frame([0] * 5)["month"].tolist()


def test_counterfactual_switches_off_exactly_the_metering_keys():
    cfg = compose_config("hindcast_2025", [])
    before, after = flat(dataclasses.asdict(cfg)), flat(dataclasses.asdict(without_metering(cfg)))
    changed = {k: after.get(k, "<absent>") for k in before.keys() | after.keys()
               if before.get(k, "<absent>") != after.get(k, "<absent>")}
    events = {k.split(".")[1] for k in changed if k.startswith("events.")}
    assert events == {name for name, ev in cfg.events.items()
                      if ev.key.split(".")[0] == "tech" or ev.key.startswith(
                          ("regime.destination_tier.", "regime.deny_military", "regime.tiers."))}
    assert "us_tariff_145" not in events and "d12_magnet" not in events   # US side, controlled materials stay
    assert all(v == "<absent>" for k, v in changed.items() if k.startswith("events."))
    expected = {f"regime.destination_tier.{c}": "preferred" for c, t in cfg.regime.destination_tier.items()
                if t != "preferred"}
    expected |= {f"alignment.tier_for_circle.{k}": "preferred" for k, t in cfg.alignment.tier_for_circle.items()
                 if t != "preferred"}
    expected |= {"tech.holdback_months.standard": 0.0, "tech.holdback_months.restricted": 0.0,
                 "tech.tech_ban": False, "regime.reaction.tighten": 0.0, "regime.reaction.slow": 0.0,
                 "regime.reaction.club_tier": "preferred", "regime.extraterritorial_from": "2099-12"}
    if cfg.regime.deny_military:
        expected["regime.deny_military"] = False
    if cfg.tech.upgrade_rule:
        expected["tech.upgrade_rule"] = False
    assert {k: v for k, v in changed.items() if not k.startswith("events.")} == expected
    assert cfg.regime.destination_tier["US"] == "restricted"   # the original is left as it was


def test_baseline_counterfactual_values():
    cfg = compose_config(None, [])
    cf = without_metering(cfg)
    assert set(cf.regime.destination_tier.values()) == {"preferred"}
    assert set(cf.alignment.tier_for_circle.values()) == {"preferred"}
    assert set(cf.tech.holdback_months.values()) == {0.0}
    assert (cf.regime.deny_military, cf.tech.tech_ban, cf.tech.upgrade_rule) == (False, False, False)
    assert "upgrade_rule_returns" not in cf.events and "america_first" in cf.events
    assert cf.regime.controlled["magnet"] and cf.us == cfg.us and cf.club == cfg.club


def test_rhythm_share_is_zero_when_metering_is_already_off(baseline):
    table = run_config(without_metering(baseline))
    share = table[table["metric"] == "rhythm_share"]
    lag = table[table["metric"] == "generation_lag_cycles"]
    assert len(share) == len(lag) > 0 and lag["value"].sum() > 0   # there was lag to attribute
    assert (share["value"] == 0.0).all()


def test_attribution_adds_rhythm_share_and_changes_nothing_else(baseline, attributed):
    share = attributed[attributed["metric"] == "rhythm_share"]
    lag = attributed[attributed["metric"] == "generation_lag_cycles"]
    assert {"country:US", "ev:US", "circle:A", "us.f35"} <= set(share["entity"])
    assert set(share["entity"]) == set(lag["entity"]) and len(share) == len(lag)
    assert share.groupby("entity", observed=True).size().eq(60 * 2).all()
    assert (share["value"] <= 1.0).all() and share["value"].notna().all()
    assert (share["value"] != 0.0).any()
    plain = run_config(dataclasses.replace(baseline, attribution=False))
    assert "rhythm_share" not in set(plain["metric"])
    rest = attributed[attributed["metric"] != "rhythm_share"].reset_index(drop=True)
    for col in ("metric", "entity"):
        rest[col] = rest[col].astype(str)
        plain[col] = plain[col].astype(str)
    pd.testing.assert_frame_equal(rest.astype({"scenario": str}), plain.astype({"scenario": str}))


def test_api_reaches_attribution(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = run_scenario(None, seed=2, overrides=["attribution=true", "months=12"], replicates=1)
    assert (table["metric"] == "rhythm_share").any()


def test_cli_writes_rhythm_share(tmp_path):
    import json

    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "sim", "+scenario=collision", "attribution=true", "replicates=1",
                           "months=24", "figures=false", f"hydra.run.dir={out}"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_parquet(out / "results.parquet")
    share = table[table["metric"] == "rhythm_share"]
    assert {"country:US", "ev:US"} <= set(share["entity"]) and len(share) % 24 == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["attribution"] is True


def test_a_study_refuses_attribution(tmp_path):
    from sim.config.errors import ConfigError
    from sim.study import load_study, run_study

    study = load_study("smoke", replicates=1)
    study.overrides = tuple(study.overrides) + ("attribution=true",)
    with pytest.raises(ConfigError, match="attribution=true is not available in a study"):
        run_study(study, out=tmp_path / "s", workers=1, progress=False)
    assert not (tmp_path / "s").exists()
