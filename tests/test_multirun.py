"""Hydra multirun: the aggregate written when a sweep ends, the launchers, and up-front validation."""

import os
import subprocess
import sys

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim import load_results, run_scenario
from sim.config.errors import ConfigError
from sim.outputs.aggregate import load_runs
from sim.outputs.io import COLUMNS
from sim.runs.cli import expand_sweep, validate_sweep

SWEEP = ["+scenario=rhythm_embedded,collision", "us.vault_budget_usd=1e10,2e10"]
TINY = ["replicates=1", "months=12", "figures=false"]
RUNS = ["0_rhythm_embedded", "1_rhythm_embedded", "2_collision", "3_collision"]


def multirun(*args, sweep_dir, cwd):
    return subprocess.run([sys.executable, "-m", "sim", "-m", *args, *TINY, f"hydra.sweep.dir={sweep_dir}"],
                          check=False, capture_output=True, text=True, cwd=cwd, timeout=600)


def plain(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy columns with plain dtypes, in a fixed order (for comparing tables)."""
    out = table[COLUMNS].astype({"month": "datetime64[s]", "scenario": str, "metric": str, "entity": str})
    return out.sort_values(["month", "metric", "entity"]).reset_index(drop=True)


def assert_clean(proc, status=0):
    assert proc.returncode == status, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout and "Warning" not in proc.stderr, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("basic")
    proc = multirun(*SWEEP, sweep_dir=cwd / "sweep", cwd=cwd)
    assert_clean(proc)
    return cwd / "sweep"


def test_the_sweep_ends_with_one_aggregated_table_run_table_and_figure(basic_sweep):
    runs = load_runs(basic_sweep)
    assert runs["run"].tolist() == RUNS and set(runs["status"]) == {"done"} and set(runs["error"]) == {""}
    assert runs["scenario"].tolist() == ["rhythm_embedded"] * 2 + ["collision"] * 2
    assert runs["us.vault_budget_usd"].tolist() == [1e10, 2e10, 1e10, 2e10]
    assert runs["seed"].tolist() == [0] * 4 and (runs["wall_s"] > 0).all()
    table = load_results(basic_sweep)
    assert sorted(table["run"].unique()) == RUNS
    for run, scenario in zip(runs["run"], runs["scenario"]):
        own = table[table["run"] == run]
        assert set(own["scenario"]) == {scenario}
        pd.testing.assert_frame_equal(plain(own), plain(load_results(basic_sweep / run)))
    for fmt in ("png", "svg"):
        assert (basic_sweep / "figures" / f"scenario_panel.{fmt}").stat().st_size > 10_000


def test_a_job_late_in_the_sweep_equals_a_fresh_run(basic_sweep):
    # the four jobs ran in one process: nothing carried over from the earlier ones
    fresh = run_scenario("collision", seed=0, replicates=1, overrides=["months=12", "us.vault_budget_usd=2e10"])
    pd.testing.assert_frame_equal(plain(load_results(basic_sweep / "3_collision")), plain(fresh))


@pytest.mark.slow
def test_the_joblib_launcher_gives_the_same_aggregate(basic_sweep, tmp_path):
    proc = multirun("hydra/launcher=joblib", "hydra.launcher.n_jobs=2", *SWEEP, sweep_dir=tmp_path / "sweep",
                    cwd=tmp_path)
    assert_clean(proc)
    assert "Joblib.Parallel(n_jobs=2" in proc.stdout
    pd.testing.assert_frame_equal(load_results(tmp_path / "sweep"), load_results(basic_sweep))
    ours, basic = (load_runs(d).drop(columns="wall_s") for d in (tmp_path / "sweep", basic_sweep))
    pd.testing.assert_frame_equal(ours, basic)


@pytest.mark.parametrize("bad,expect", [
    ("us.rated_order_share=0.5,1.5", "us.rated_order_share=1.5 is out of range: allowed [0.0, 1.0] (job #1 of 2"),
    ("+scenario=collision,colision", "unknown scenario: 'colision'; choose one of"),
])
def test_a_bad_swept_value_stops_the_sweep_before_it_starts(tmp_path, bad, expect):
    proc = multirun(bad, sweep_dir=tmp_path / "sweep", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failing_job_is_recorded_and_the_others_aggregated(tmp_path):
    # a Hydra flag (--config-name) skips the up-front check: the job itself meets the bad value
    proc = multirun("--config-name=config", "us.rated_order_share=0.5,1.5", sweep_dir=tmp_path / "sweep",
                    cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "error: us.rated_order_share=1.5 is out of range" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1].startswith("error: 1 of 2 runs failed")
    runs = load_runs(tmp_path / "sweep")
    assert runs["status"].tolist() == ["done", "failed"]
    assert runs["error"].tolist() == ["", "us.rated_order_share=1.5 is out of range: allowed [0.0, 1.0]"]
    assert runs["us.rated_order_share"].tolist() == [0.5, 1.5]
    assert set(load_results(tmp_path / "sweep")["run"]) == {"0_rhythm_embedded"}


def test_sweeps_expand_like_hydras_basic_sweeper():
    jobs = expand_sweep(["+scenario=glob([b*,c*])", "seed=range(0,2)", "us.vault_budget_usd=choice(1e10)",
                         "figures=false", "hydra/launcher=joblib"])
    assert jobs == [[f"+scenario={s}", f"seed={n}", "us.vault_budget_usd=10000000000.0", "figures=False",
                     "hydra/launcher=joblib"] for s in ("bifurcation", "collision") for n in (0, 1)]
    assert expand_sweep(["seed=1", "seed=2,3"]) == [["seed=2"], ["seed=3"]]  # the last value of a key wins
    with pytest.raises(ConfigError, match=r"^us.rated_order_share=0.5,: mismatched input"):
        expand_sweep(["us.rated_order_share=0.5,"])


def test_a_range_sweep_is_checked_value_by_value():
    with pytest.raises(ConfigError, match=r"us.rated_order_share=2.0 is out of range.*\(job #2 of 3"):
        validate_sweep(expand_sweep(["us.rated_order_share=range(0,3)"]))


def test_the_slurm_preset_renders_the_documented_sbatch_flags(tmp_path, monkeypatch):
    import submitit
    from hydra import compose, initialize_config_dir
    from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
    from submitit.slurm.slurm import _make_sbatch_string

    from sim.config.compose import CONF_DIR

    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["hydra/launcher=slurm", "hydra.launcher.partition=short"],
                      return_hydra_config=True)
    launcher = OmegaConf.to_container(cfg.hydra.launcher, resolve=False)
    assert launcher.pop("_target_").endswith("SlurmLauncher")
    # the parameter mapping of hydra_submitit_launcher's BaseSubmititLauncher.launch
    launcher.pop("submitit_folder")
    generic = set(OmegaConf.structured(BaseQueueConf).keys())
    params = {k if k in generic else f"slurm_{k}": v for k, v in launcher.items() if k != "max_num_timeout"}
    (tmp_path / "srun").write_text("#!/bin/sh\n")  # submitit only checks that srun exists
    (tmp_path / "srun").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    executor = submitit.AutoExecutor(cluster="slurm", folder=tmp_path / "log",
                                     slurm_max_num_timeout=launcher["max_num_timeout"])
    executor.update_parameters(**params)  # submitit rejects unknown keys here
    text = _make_sbatch_string(command="run", folder=tmp_path / "log", map_count=200,
                               **executor._executor.parameters)
    for flag in ("--job-name=rhythm-sim", "--time=60", "--cpus-per-task=1", "--mem=2GB", "--partition=short",
                 "--array=0-199%64", "--signal=USR2@60"):
        assert f"#SBATCH {flag}" in text, text


@pytest.mark.slow
def test_submitit_local_runs_each_job_in_its_own_process(tmp_path):
    proc = multirun("hydra/launcher=submitit_local", "+scenario=rhythm_embedded,collision",
                    sweep_dir=tmp_path / "sweep", cwd=tmp_path)
    assert_clean(proc)
    runs = load_runs(tmp_path / "sweep")
    assert runs["run"].tolist() == ["0_rhythm_embedded", "1_collision"] and set(runs["status"]) == {"done"}
    assert set(load_results(tmp_path / "sweep")["scenario"]) == {"rhythm_embedded", "collision"}
    logs = sorted((tmp_path / "sweep" / ".submitit").glob("*/*_log.out"))
    assert len({log.parent for log in logs}) == 2  # one Submitit job (process) per sweep job
    text = "".join(log.read_text() for log in logs)
    assert "scenario rhythm_embedded: 1 replicates" in text and "scenario collision: 1 replicates" in text


def test_the_aggregate_can_be_rewritten_by_hand(basic_sweep, tmp_path, capsys):
    import shutil

    from sim.runs.callbacks import main

    copy = tmp_path / "copy"
    shutil.copytree(basic_sweep, copy)
    (copy / "runs.parquet").unlink()
    assert main([str(copy)]) == 0
    assert load_runs(copy)["run"].tolist() == RUNS
    assert main([str(tmp_path)]) == 2   # not a sweep directory: one line, nothing written
    assert capsys.readouterr().err.strip().endswith("not a multirun sweep directory (no multirun.yaml)")
    assert not (tmp_path / "runs.parquet").exists()
