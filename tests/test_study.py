"""The fast study runner: design expansion, up-front validation, resume, failures, engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import load_results
from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.world import build_world
from sim.outputs.aggregate import RUN_COLUMNS, load_runs, write_sweep
from sim.outputs.io import COLUMNS
from sim.study import Study, StudyError, expand, load_study, run_study
from sim.study.configs import check_specs, compose_bases
from sim.study.design import design_points, lhs_points
from sim.sweep import main

ROOT = Path(__file__).resolve().parent.parent
SHARE = "us.rated_order_share"


def seeds(base: int, n: int) -> list[int]:
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in np.random.SeedSequence(base).spawn(n)]


def smoke(**changes) -> Study:
    """conf/study/smoke.yaml: 2 points x 2 scenarios, 12 months; no figures unless asked."""
    study = load_study("smoke", **changes)
    study.overrides = (*study.overrides, "figures=false")
    return study


def test_grid_expands_into_exact_specs_and_common_seeds():
    study = Study("t", scenarios=("rhythm_embedded", "collision"), replicates=3, seed=11,
                  design={"grid": {SHARE: [0.5, 0.9], "us.vault_budget_usd": [1e9, 2e9]}})
    specs = expand(study)
    s = seeds(11, 3)
    expected = [(f"{i:04d}", p, scen, r, s[r], ((SHARE, share), ("us.vault_budget_usd", budget)))
                for i, ((p, (share, budget)), scen, r) in enumerate(
                    (pt, scen, r) for pt in enumerate([(0.5, 1e9), (0.5, 2e9), (0.9, 1e9), (0.9, 2e9)])
                    for scen in ("rhythm_embedded", "collision") for r in range(3))]
    assert [(x.run, x.point, x.scenario, x.replicate, x.seed, x.overrides) for x in specs] == expected
    assert len(specs) == 24 and len({x.seed for x in specs}) == 3   # same seeds at every point


def test_lhs_is_reproducible_and_stratified():
    ranges = {SHARE: [0.1, 1.0], "us.vault_budget_usd": [0.0, 6e9], "us.vault_spend_months": [12, 60]}
    a = lhs_points(16, ranges, seed=5, integer=["us.vault_spend_months"])
    assert a == lhs_points(16, ranges, seed=5, integer=["us.vault_spend_months"])
    assert a != lhs_points(16, ranges, seed=6, integer=["us.vault_spend_months"])
    for key in (SHARE, "us.vault_budget_usd"):
        lo, hi = ranges[key]
        strata = sorted(int((p[key] - lo) / (hi - lo) * 16) for p in a)
        assert strata == list(range(16)), key   # one point in each of the 16 strata
    months = [p["us.vault_spend_months"] for p in a]
    assert all(isinstance(m, int) and 12 <= m <= 60 for m in months)
    assert len(design_points({"lhs": {"n": 64, "seed": 1, "ranges": ranges}})) == 64


def test_a_sample_table_is_one_point_per_row(tmp_path):
    table = pd.DataFrame({SHARE: [0.2, 0.7], "us.vault_spend_months": [24, 48]})
    table.to_csv(tmp_path / "s.csv", index=False)
    expected = [{SHARE: 0.2, "us.vault_spend_months": 24}, {SHARE: 0.7, "us.vault_spend_months": 48}]
    assert design_points({"sample": table}) == expected == design_points({"sample": str(tmp_path / "s.csv")})


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "conf" / "study").glob("*.yaml")))
def test_every_study_preset_expands_and_validates(name):
    study = load_study(name)
    specs = expand(study)
    assert len(specs) == len({s.run for s in specs}) > 0
    check_specs(specs, compose_bases(study.scenarios, study.overrides))


def test_a_bad_design_value_fails_up_front_in_one_line(tmp_path, capsys):
    bad = Study("bad", design={"grid": {SHARE: [0.5, 1.5]}}, overrides=("months=12",))
    with pytest.raises(ConfigError) as err:
        run_study(bad, out=tmp_path / "out")
    assert str(err.value) == ("design point 1 (rhythm_embedded): us.rated_order_share=1.5 is out of range: "
                              "allowed [0.0, 1.0]")
    preset = tmp_path / "typo.yaml"
    preset.write_text("design:\n  grid:\n    us.rated_order_shar: [0.5]\n")
    assert main([f"study={preset}", f"out={tmp_path / 'out'}", "months=12"]) == 2
    assert main(["study=smoke", f"out={tmp_path / 'out'}", "us.dfars_from=2027-13"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == ("error: design point 0 (rhythm_embedded): unknown key 'us.rated_order_shar' in the design "
                        "(check the spelling)")
    assert lines[1].startswith("error: us.dfars_from='2027-13' is not a month") and len(lines) == 2
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The smoke study with 2 replicates (8 runs), uninterrupted, with figures."""
    study = load_study("smoke", replicates=2)
    return run_study(study, out=tmp_path_factory.mktemp("study") / "ref", workers=2, progress=False)


def test_a_study_writes_the_shared_sweep_format(reference):
    table, runs = load_results(reference.path), load_runs(reference.path)
    assert list(table.columns) == COLUMNS + ["run"] and sorted(table["run"].unique()) == list(runs["run"])
    assert list(runs.columns) == RUN_COLUMNS + ["worker_rss_mib", SHARE] and (runs["status"] == "done").all()
    assert (runs["worker_rss_mib"] > 50).all()   # a worker holds at least the imported model
    assert runs[SHARE].tolist() == [0.5] * 4 + [0.9] * 4 and runs["seed"].nunique() == 2
    assert (reference.path / "figures" / "scenario_panel.png").is_file()
    manifest = pd.read_json(reference.path / "manifest.json", typ="series")
    assert manifest["replicate_seeds"] == seeds(0, 2) and manifest["design"] == {"grid": {SHARE: [0.5, 0.9]}}
    assert {"versions", "git_commit", "wall_time_s", "configs"} <= set(manifest.index)
    # A run varied in process equals the same run composed by Hydra with the override.
    cfg = compose_config("collision", ["months=12", f"{SHARE}=0.9"])
    run = runs[(runs.scenario == "collision") & (runs[SHARE] == 0.9)].iloc[0]
    model = RhythmModel(build_world(cfg), build_policy(cfg), seed=int(run.seed))
    model.run()
    direct = model.recorder.frame("collision", int(run.seed))
    ours = table[table["run"] == run.run].reset_index(drop=True)
    np.testing.assert_array_equal(ours["value"].to_numpy(), direct["value"].to_numpy())
    for column in ("month", "scenario", "seed", "metric", "entity"):   # the workers' Arrow rows
        assert ours[column].astype(str).tolist() == direct[column].astype(str).tolist(), column


def test_resume_after_kill_gives_the_uninterrupted_table(reference, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim.sweep", "study=smoke", "replicates=2", f"out={out}", "workers=1",
           "chunk=1", "progress=false"]
    env = {**os.environ, "RHYTHM_STUDY_SLOW_S": "0.5"}   # slow runs: the kill lands mid-study
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "parts").glob("chunk-*.parquet"))) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the study ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)   # the study's own process group: driver and workers
        proc.wait()
    before = len(list((out / "parts").glob("chunk-*.parquet")))
    assert 2 <= before < 8 and not (out / "results.parquet").exists()
    (out / "parts" / ".chunk-000007.parquet.tmp-99999").write_bytes(b"PAR1 torn")   # a torn write
    resumed = run_study(load_study("smoke", replicates=2), out=out, workers=2, progress=False)
    assert resumed.ran == 8 - before
    pd.testing.assert_frame_equal(load_results(out), load_results(reference.path))
    machine = ["wall_s", "worker_rss_mib"]   # time and memory of the machine, not of the study
    pd.testing.assert_frame_equal(load_runs(out).drop(columns=machine),
                                  load_runs(reference.path).drop(columns=machine))


def test_a_different_study_is_refused_in_the_same_directory(reference):
    before = (reference.path / "results.parquet").read_bytes()
    with pytest.raises(StudyError) as err:
        run_study(load_study("smoke", replicates=2, overrides=("months=24",)), out=reference.path)
    assert "holds a different study (changed: overrides, base config)" in str(err.value) and "\n" not in str(err.value)
    assert (reference.path / "results.parquet").read_bytes() == before


def test_a_failing_run_is_recorded_and_the_study_goes_on(tmp_path, capsys):
    out = tmp_path / "failing"
    assert main(["study=smoke", f"out={out}", "workers=2", "fail_runs=0001", "progress=false", "figures=false"]) == 1
    runs = load_runs(out).set_index("run")
    assert runs.loc["0001", "status"] == "failed"
    assert runs.loc["0001", "error"] == "InjectedFailure: injected failure in run 0001 (fail_runs test hook)"
    assert (runs.drop(index="0001")["status"] == "done").all() and len(runs) == 4
    assert set(load_results(out)["run"]) == {"0000", "0002", "0003"}
    summary = capsys.readouterr().out
    assert "4 runs: 3 done, 1 failed" in summary and "failed run 0001 (collision, seed" in summary


def test_the_streamed_aggregate_equals_write_sweep(reference, tmp_path):
    """The study writes its parts straight to results.parquet; a multirun's write_sweep of the
    same rows gives the same tables."""
    parts = sorted((reference.path / "parts").glob("chunk-*.parquet"))
    table = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    for name in ("scenario", "metric", "entity"):   # the categories a multirun's table has: sorted names
        table[name] = pd.Categorical(table[name].astype(str), categories=sorted(set(table[name].astype(str))))
    write_sweep(tmp_path, table, load_runs(reference.path), figures=False)
    pd.testing.assert_frame_equal(load_results(tmp_path), load_results(reference.path))
    pd.testing.assert_frame_equal(load_runs(tmp_path), load_runs(reference.path))


def _by_run_key(path: Path) -> pd.DataFrame:
    """Results keyed by what a run is (scenario, seed, swept value), not by its id."""
    runs = load_runs(path)[["run", "seed", SHARE]]
    table = load_results(path).drop(columns="seed").merge(runs, on="run").drop(columns="run")
    table["scenario"] = table["scenario"].astype(str)
    return table.sort_values(["scenario", "seed", SHARE], kind="stable").reset_index(drop=True)


def _first_replicate(reference) -> pd.DataFrame:
    table = _by_run_key(reference.path)
    return table[table["seed"] == seeds(0, 1)[0]].reset_index(drop=True)


@pytest.mark.slow
def test_ray_engine_runs_a_tiny_study(reference, tmp_path):
    pytest.importorskip("ray", reason="Ray is the optional extra: uv sync --extra ray")
    from sim.study.engines import RayExecutor

    executor = RayExecutor(workers=2)   # a local instance, as engine=ray starts one
    try:
        assert {node["NodeManagerAddress"] for node in executor.ray.nodes()} == {"127.0.0.1"}
        result = run_study(smoke(), out=tmp_path / "ray", executor=executor, progress=False)
    finally:
        executor.shutdown()
    assert (result.runs["status"] == "done").all() and len(result.runs) == 4
    pd.testing.assert_frame_equal(_by_run_key(result.path), _first_replicate(reference))


@pytest.mark.slow
def test_submitit_local_executor_runs_a_tiny_study(reference, tmp_path):
    result = run_study(smoke(chunk=2), out=tmp_path / "sub", engine="submitit", cluster="local",
                       workers=2, progress=False)
    assert (result.runs["status"] == "done").all() and len(result.runs) == 4
    assert len(list((tmp_path / "sub" / ".submitit").rglob("*_log.out"))) == 2   # one task per chunk
    pd.testing.assert_frame_equal(_by_run_key(result.path), _first_replicate(reference))
