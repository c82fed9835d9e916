"""Sensitivity: the XLRM declaration, SALib's Sobol and Morris on known functions, outcome
reductions, and a tiny real Sobol study through the study runner end to end."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from experiments.sensitivity import main
from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.sensitivity import (
    config_values,
    input_values,
    load_xlrm,
    morris_indices,
    morris_sample,
    noise_share,
    point_means,
    reduce_outcomes,
    salib_problem,
    sobol_indices,
    sobol_runs,
    sobol_sample,
)
from sim.sensitivity.xlrm import Input, Outcome, parse_xlrm
from sim.study.configs import apply
from sim.vocab import SCENARIOS

PI = math.pi


def ranges(bounds: dict[str, tuple[float, float]]) -> dict:
    """A declaration with the given uniform inputs and one dummy outcome."""
    return {"uncertainties": {n: {"key": f"k.{n}", "range": list(b), "source": "assumption: test"}
                              for n, b in bounds.items()},
            "outcomes": {"y": {"metric": "m", "entity": "e", "window": ["2026-01", "2026-12"]}}}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic first- and total-order indices of the Ishigami function on [-pi, pi]^3."""
    d1 = b * PI**4 / 5 + b**2 * PI**8 / 50 + 0.5
    d2 = a**2 / 8
    d13 = b**2 * PI**8 / 18 - b**2 * PI**8 / 50
    total = d1 + d2 + d13
    return np.array([d1, d2, 0.0]) / total, np.array([d1 + d13, d2, d13]) / total


def test_sobol_reproduces_the_ishigami_indices():
    from SALib.test_functions import Ishigami

    xlrm = parse_xlrm(ranges({"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}))
    problem = salib_problem(xlrm)
    unit = sobol_sample(problem, 1024, second_order=True, seed=3)
    assert unit.shape == (sobol_runs(1024, 3, True), 3) == (8192, 3)
    y = Ishigami.evaluate(input_values(xlrm, unit).to_numpy())
    first, second = sobol_indices(problem, y, second_order=True, resamples=200, seed=3)
    s1, st = ishigami_indices()
    assert np.allclose(first["S1"], s1, atol=0.04)
    assert np.allclose(first["ST"], st, atol=0.04)
    assert (first["ST_conf"] > 0).all() and (first["ST_conf"] < 0.15).all()
    pair = second.set_index(["input_1", "input_2"])["S2"]
    assert pair["x1", "x3"] == pytest.approx(st[2], abs=0.1)   # x3 acts only with x1
    assert abs(pair["x1", "x2"]) < 0.1 and abs(pair["x2", "x3"]) < 0.1


def test_sobol_of_a_constant_outcome_is_nan_not_a_crash():
    problem = salib_problem(parse_xlrm(ranges({"a": (0, 1), "b": (0, 1)})))
    first, second = sobol_indices(problem, np.ones(sobol_runs(8, 2, False)))
    assert first["ST"].isna().all() and second is None
    rounding = 0.25 + np.tile([0.0, 5.55e-17], sobol_runs(8, 2, False) // 2)   # a share that moves in the last bit
    assert sobol_indices(problem, rounding)[0]["S1"].isna().all()


def test_sobol_base_sample_must_be_a_power_of_two():
    problem = salib_problem(parse_xlrm(ranges({"a": (0, 1)})))
    with pytest.raises(ConfigError, match="power of 2"):
        sobol_sample(problem, 48)


def test_morris_ranks_a_linear_function_and_measures_each_effect_exactly():
    coef = {"a": 10.0, "b": 5.0, "c": 1.0, "d": 0.0}
    bounds = {"a": (0.0, 1.0), "b": (0.0, 4.0), "c": (-1.0, 1.0), "d": (0.0, 100.0)}
    xlrm = parse_xlrm(ranges(bounds))
    problem = salib_problem(xlrm)
    unit = morris_sample(problem, 30, levels=4, seed=5)
    x = input_values(xlrm, unit)
    y = sum(coef[n] * x[n].to_numpy() for n in coef)
    idx = morris_indices(problem, unit, y, levels=4, seed=5).set_index("input")
    per_range = {n: coef[n] * (bounds[n][1] - bounds[n][0]) for n in coef}   # 10, 20, 2, 0
    assert list(idx["mu_star"].sort_values(ascending=False).index) == ["b", "a", "c", "d"]
    for n, effect in per_range.items():
        assert idx.loc[n, "mu_star"] == pytest.approx(effect, abs=1e-9)
        assert idx.loc[n, "mu"] == pytest.approx(effect, abs=1e-9)
        assert idx.loc[n, "sigma"] == pytest.approx(0.0, abs=1e-9)   # linear: no interaction


def test_inputs_map_the_unit_cube_onto_ranges_integers_and_levels():
    real = Input("r", "lever", ("k",), low=2.0, high=6.0)
    whole = Input("i", "lever", ("k",), low=12, high=14, integer=True)
    levels = Input("l", "lever", ("k",), levels=("2027-01", "2028-01", "2029-01"))
    assert [real.value(u) for u in (0.0, 0.25, 1.0)] == [2.0, 3.0, 6.0]
    assert [whole.value(u) for u in (0.0, 0.33, 0.34, 0.67, 0.999, 1.0)] == [12, 12, 13, 14, 14, 14]
    assert [levels.value(u) for u in (0.0, 0.34, 0.67, 1.0)] == ["2027-01", "2028-01", "2029-01", "2029-01"]
    u = np.linspace(0, 1, 3000, endpoint=False)
    assert np.bincount([whole.value(v) - 12 for v in u]).tolist() == [1000, 1000, 1000]   # equally likely


def test_default_declaration_cites_sources_and_every_key_is_a_valid_override_in_every_scenario():
    xlrm = load_xlrm()
    assert 12 <= len(xlrm.inputs) <= 20
    assert {"us_lag", "magnet_nonchina_share_2035", "circle_b_gdp_2035", "us_fiscal_cost"} <= set(xlrm.outcomes)
    assert xlrm.outcomes["us_lag"] == Outcome("us_lag", "delivery_lag_cycles", "country:US", "2030-01", "2035-12",
                                              "mean", "production cycles", "US delivery lag, mean 2030-35")
    corners = np.array([[0.0] * len(xlrm.inputs), [1.0] * len(xlrm.inputs)])
    for scenario in SCENARIOS:
        base = compose_config(scenario, [])
        for _, row in config_values(xlrm, corners).iterrows():
            apply(base, [(k, v.item() if isinstance(v, np.generic) else v) for k, v in row.items()])


def setting(cfg, key: str):
    """The value of a dotted config key in a composed config (dataclasses and maps)."""
    for part in key.split("."):
        cfg = cfg[part] if isinstance(cfg, dict) else getattr(cfg, part)
    return cfg


UPGRADE_INPUTS = {   # name: (keys, range or levels, integer, kind)
    "frontier_cadence": (("tech.frontier_cadence_months",), (24, 72), True, "uncertainty"),
    "development_lag": (("tech.development_lag_months",), (24.0, 84.0), False, "uncertainty"),
    "incumbent_development_lag": (tuple(f"world.refiners.{p}.development_lag_months"
                                        for p in ("jp_magnet", "vac_hanau", "evac_sumter")), (12.0, 60.0), False,
                                  "uncertainty"),
    "holdback_restricted": (("tech.holdback_months.restricted",), (12.0, 60.0), False, "uncertainty"),
    "holdback_standard": (("tech.holdback_months.standard",), (0.0, 36.0), False, "uncertainty"),
    "defense_qualification": (("tech.defense_qualification_months",), (18.0, 36.0), False, "uncertainty"),
    "defense_downgrade": (("tech.defense_downgrade",), (False, True), False, "lever"),
}


def test_the_upgrade_cadence_inputs_load_bracket_their_defaults_and_cite_a_source():
    xlrm = load_xlrm()
    inputs = {i.name: i for i in xlrm.inputs}
    base = compose_config("rhythm_embedded", [])
    for name, (keys, bounds, integer, kind) in UPGRADE_INPUTS.items():
        i = inputs[name]
        assert (i.keys, i.integer, i.kind) == (keys, integer, kind), name
        assert i.source.startswith("assumption:") or "D1" in i.source, name   # D1nn: UPGRADES.md's Unn
        if i.levels:
            assert i.levels == bounds and all(setting(base, k) in i.levels for k in keys), name
            continue
        assert (i.low, i.high) == bounds, name
        for key in keys:   # each range brackets the baseline's value
            assert i.low <= setting(base, key) <= i.high, (name, key)
    assert "D115" in inputs["defense_qualification"].source   # UPGRADES table H's 18-36 months
    values = input_values(xlrm, np.array([[0.0] * len(xlrm.inputs), [0.999] * len(xlrm.inputs)]))
    assert values["frontier_cadence"].tolist() == [24, 72] and values["defense_downgrade"].tolist() == [False, True]
    design = config_values(xlrm, np.full((1, len(xlrm.inputs)), 0.5))
    assert design.loc[0, "world.refiners.evac_sumter.development_lag_months"] == 36.0   # every key of the input


def test_the_generation_lag_outcomes_reduce_2030_35():
    outcomes = load_xlrm().outcomes
    for name, entity in (("us_generation_lag", "country:US"), ("circle_a_generation_lag", "circle:A"),
                         ("ev_us_generation_lag", "ev:US")):
        o = outcomes[name]
        assert (o.metric, o.entity, o.start, o.end, o.reduce) == (
            "generation_lag_cycles", entity, "2030-01", "2035-12", "mean"), name


@pytest.mark.parametrize("change, message", [
    ({"source": "from a hunch"}, "cite a DATA.md fact"),
    ({"range": [1.0, 0.5]}, "lo < hi"),
    ({"colour": "red"}, "unknown field 'colour'"),
    ({"levels": ["a", "b"]}, "range: \\[lo, hi\\] or levels"),
    ({"levels": ["a", "a"], "range": None}, "at least two distinct values"),
    ({"range": [0.5, 2.5], "integer": True}, "integer bounds"),
])
def test_bad_declarations_fail_with_one_line_naming_the_input(change, message):
    doc = ranges({"a": (0.0, 1.0)})
    doc["uncertainties"]["a"].update(change)
    doc["uncertainties"]["a"] = {k: v for k, v in doc["uncertainties"]["a"].items() if v is not None}
    with pytest.raises(ConfigError, match=message):
        parse_xlrm(doc)


def test_a_key_may_belong_to_one_input_only_and_outcomes_need_a_known_reduction():
    doc = ranges({"a": (0.0, 1.0), "b": (0.0, 1.0)})
    doc["uncertainties"]["b"]["key"] = "k.a"
    with pytest.raises(ConfigError, match="'k.a' belongs to two inputs"):
        parse_xlrm(doc)
    doc = ranges({"a": (0.0, 1.0)})
    doc["outcomes"]["y"]["reduce"] = "median"
    with pytest.raises(ConfigError, match="outcomes.y.reduce"):
        parse_xlrm(doc)


def tidy(values: dict[str, list[float]], metric: str = "m", entity: str = "e") -> pd.DataFrame:
    """A tidy table: each run's series from 2026-01, one value per month."""
    rows = []
    for run, series in values.items():
        for i, v in enumerate(series):
            rows.append({"month": pd.Timestamp(2026, 1 + i, 1), "metric": metric, "entity": entity,
                         "value": v, "run": run})
    return pd.DataFrame(rows)


def test_outcomes_reduce_a_window_of_each_run_exactly():
    table = pd.concat([tidy({"0": [1, 2, 3, 4], "1": [10, 20, 30, 40]}), tidy({"0": [9, 9, 9, 9]}, entity="f")])
    outcomes = {"mean": Outcome("mean", "m", "e", "2026-02", "2026-03"),
                "last": Outcome("last", "m", "e", "2026-01", "2026-04", "last"),
                "max": Outcome("max", "m", "e", "2026-01", "2026-02", "max")}
    got = reduce_outcomes(table, outcomes)
    assert got.loc["0"].tolist() == [2.5, 4.0, 2.0] and got.loc["1"].tolist() == [25.0, 40.0, 20.0]
    with pytest.raises(ConfigError, match="outcome late: no rows"):
        reduce_outcomes(table, {"late": Outcome("late", "m", "e", "2030-01", "2030-12")})


def test_replicates_are_averaged_per_point_and_their_noise_measured():
    per_run = pd.DataFrame({"y": [1.0, 3.0, 5.0, 7.0]}, index=["a", "b", "c", "d"])
    points = pd.Series([0, 0, 1, 1], index=per_run.index)
    assert point_means(per_run, points, 2)["y"].tolist() == [2.0, 6.0]
    # within-point variance 2 (each pair), total variance 20/3
    assert noise_share(per_run, points)["y"] == pytest.approx(2.0 / (20.0 / 3.0))
    assert noise_share(per_run, pd.Series([0, 1, 2, 3], index=per_run.index)).isna().all()
    with pytest.raises(ValueError, match="1 design points lack an outcome"):
        point_means(per_run, points, 3)


TINY = """
uncertainties:
  rated_order_share: {key: us.rated_order_share, range: [0.1, 1.0], unit: share, source: "assumption: test"}
levers:
  vault_budget: {key: us.vault_budget_usd, range: [0.0, 6.0e9], unit: USD, source: "D60"}
outcomes:
  us_lag: {metric: delivery_lag_cycles, entity: "country:US", window: ["2026-07", "2027-12"], unit: cycles}
  us_cost: {metric: fiscal_cost_usd, entity: US, window: ["2026-01", "2027-12"], reduce: last, unit: USD}
"""


def test_a_tiny_sobol_study_runs_end_to_end_and_resumes(tmp_path, capsys):
    decl = tmp_path / "tiny.yaml"
    decl.write_text(TINY)
    args = ["method=sobol", "scenario=rhythm_embedded", "n=2", f"xlrm={decl}", "months=24", "workers=2",
            f"out={tmp_path / 'out'}", "progress=false", "resamples=50"]
    assert main(args) == 0
    root = tmp_path / "out" / "rhythm_embedded"
    summary = json.loads((root / "summary.json").read_text())
    assert summary["runs"] == sobol_runs(2, 2, False) == 8 and summary["ran_now"] == 8
    indices = pd.read_csv(root / "indices.csv")
    assert sorted(indices["outcome"].unique()) == ["us_cost", "us_lag"] and len(indices) == 4
    sample = pd.read_parquet(root / "sample.parquet")
    runs = pd.read_parquet(root / "runs" / "runs.parquet")
    assert (runs["status"] == "done").all()
    assert runs["us.rated_order_share"].tolist() == sample["rated_order_share"].tolist()
    assert (root / "figures" / "sobol_us_lag.png").is_file() and (tmp_path / "out" / "top_inputs.csv").is_file()
    assert "top five by ST for us_lag" in capsys.readouterr().out
    assert main(args) == 0   # the same command resumes: nothing left to run, the same indices
    assert json.loads((root / "summary.json").read_text())["ran_now"] == 0
    pd.testing.assert_frame_equal(pd.read_csv(root / "indices.csv"), indices)


def test_bad_input_is_refused_before_anything_runs(tmp_path, capsys):
    assert main(["method=sobol", "scenario=nowhere", f"out={tmp_path}"]) == 2
    assert main(["method=sobol", "n=48", f"out={tmp_path}"]) == 2
    assert main(["method=anneal", f"out={tmp_path}"]) == 2
    err = capsys.readouterr().err
    assert "scenario='nowhere'" in err and "power of 2" in err and "method='anneal'" in err
    assert not any(tmp_path.iterdir())
