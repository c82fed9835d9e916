"""The command line and the Python API, end to end in temporary directories."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim import load_results, run_scenario
from sim.outputs.io import ResultsError, write_results

FAST = ["replicates=2", "months=24"]


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_writes_results_manifest_and_figures(tmp_path):
    out = tmp_path / "run"
    proc = run_cli("+scenario=collision", *FAST, f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert list(table.columns) == ["month", "scenario", "seed", "metric", "entity", "value"]
    assert set(table["scenario"]) == {"collision"}
    assert table["seed"].nunique() == 2
    assert {"delivery_lag_months", "delivery_lag_cycles", "china_magnet_exports_t"} <= set(table["metric"])
    manifest = json.loads((out / "manifest.json").read_text(), parse_constant=pytest.fail)  # strict JSON
    assert manifest["scenario"] == "collision" and len(manifest["replicate_seeds"]) == 2
    assert {"versions", "git_commit", "wall_time_s", "config"} <= set(manifest)
    assert "+scenario=collision" in manifest["overrides"] and "replicates=2" in manifest["overrides"]
    assert manifest["config"]["regime"]["export_quota_tpy"]["magnet"] == "inf"
    for fmt in ("png", "svg"):
        assert (out / "figures" / f"delivery_lag.{fmt}").stat().st_size > 10_000


@pytest.mark.parametrize("bad,expect", [
    ("us.rated_order_share=1.5", "us.rated_order_share=1.5 is out of range"),
    ("+scenario=colision", "unknown scenario: 'colision'; choose one of rhythm_embedded, collision, bifurcation, hindcast_2025"),
    ("world.refiners.lynas_malaysia.capacity_tpy=-1", "capacity_tpy=-1.0 is out of range"),
    ("us.rated_order_shar=0.5", "unknown key 'us.rated_order_shar'"),
])
def test_bad_input_leaves_an_existing_run_untouched(tmp_path, bad, expect):
    out = tmp_path / "old_run"
    out.mkdir()
    (out / "results.parquet").write_bytes(b"earlier results")
    proc = run_cli(bad, f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["results.parquet"]
    assert (out / "results.parquet").read_bytes() == b"earlier results"


def test_api_returns_the_table_without_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = run_scenario("bifurcation", seed=3, overrides=["months=12"], replicates=2)
    assert set(table["scenario"]) == {"bifurcation"} and table["seed"].nunique() == 2
    assert list(tmp_path.iterdir()) == []


def test_load_results_reads_runs_and_sweeps(tmp_path):
    for name in ("a", "b"):
        run_scenario("rhythm_embedded", seed=1, overrides=["months=12", "figures=false"], replicates=1,
                     output_dir=tmp_path / "sweep" / name)
    one = load_results(tmp_path / "sweep" / "a")
    both = load_results(tmp_path / "sweep")
    assert len(both) == 2 * len(one) and set(both["run"]) == {"a", "b"}
    pd.testing.assert_frame_equal(one, load_results(tmp_path / "sweep" / "a" / "results.parquet"))


def test_load_results_rejects_corrupt_or_missing_files(tmp_path):
    (tmp_path / "results.parquet").write_bytes(b"not parquet")
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(ResultsError, match="not a readable results table"):
        load_results(tmp_path)
    with pytest.raises(ResultsError, match="no results.parquet found"):
        load_results(tmp_path / "empty")
    write_results(pd.DataFrame({"month": [1], "scenario": ["x"], "seed": [0], "metric": ["m"],
                                "entity": ["e"], "value": [1.0]}), tmp_path / "ok")
    assert len(load_results(tmp_path / "ok" / "results.parquet")) == 1
    with pytest.raises(ResultsError, match="without manifest.json"):
        load_results(tmp_path / "ok")
