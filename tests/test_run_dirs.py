"""Run directories that never mix, and bad input that never reaches the results (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from sim import ConfigError, load_results, run_scenario
from sim.config.compose import compose_config
from sim.model.ledger import ConservationError, Ledger
from sim.outputs.io import ResultsError, check_dir_path, prepare_dir, write_results
from sim.runs import api
from sim.runs.entry import RunFailed, command

TINY = ["replicates=1", "months=2", "figures=false"]
NO_PRODUCERS = [f"~world.producers.{p}" for p in ("lockheed_martin", "general_dynamics", "hanwha_aerospace", "avic")]


def cli(*args, cwd, wait=True):
    cmd = [sys.executable, "-m", "sim", *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=300)


def test_two_runs_started_at_once_get_their_own_directories(tmp_path):
    procs = [cli("+scenario=collision", *TINY, f"seed={seed}", cwd=tmp_path, wait=False) for seed in (11, 22)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    runs = sorted((tmp_path / "outputs" / "collision").iterdir())
    assert len(runs) == 2
    seeds = set()
    for run in runs:
        manifest = json.loads((run / "manifest.json").read_text())
        table = load_results(run)
        assert manifest["base_seed"] in (11, 22)
        assert set(table["seed"]) == set(manifest["replicate_seeds"])   # results and manifest of one run
        seeds.add(manifest["base_seed"])
    assert seeds == {11, 22}


@pytest.mark.parametrize("key", [
    "world.refiners.lynas_malaysia.capacity_tpy", "world.countries.US.civil_magnet_tpy",
    "market.base_price_usd_per_kg.magnet"])
def test_infinity_is_refused_where_it_is_not_a_limit(key):
    with pytest.raises(ConfigError, match=rf"^{key}=inf is not allowed: give a finite number"):
        compose_config("collision", [f"{key}=inf"])


def test_infinity_is_kept_where_it_means_unlimited():
    cfg = compose_config(None, ["regime.export_quota_tpy.magnet=inf",
                                "world.refiners.lynas_malaysia.feed_tpy=inf"])
    assert cfg.regime.export_quota_tpy["magnet"] == float("inf")


def test_the_ledger_raises_on_nan():
    ledger = Ledger("2026-01")
    ledger.open(np.ones(4))
    hold = np.ones((2, 4, 3))
    hold[1, 3, 0] = np.nan
    with pytest.raises(ConservationError, match="non-finite stock of magnet held by program #0 in 2026-01"):
        ledger.check(0, np.full(4, 1.0), hold, ("US",))
    with pytest.raises(ConservationError, match="magnet not conserved"):   # NaN totals fail the balance too
        ledger.check(0, np.array([1.0, 1.0, 1.0, np.nan]), np.zeros((2, 4, 3)), ("US",))


@pytest.mark.parametrize("override,expect", [
    ("start=9999-12", "start='9999-12' is out of range: allowed 2000-01 .. 2099-12"),
    ("start=1990-01", "start='1990-01' is out of range"),
    ("start=2091-01", "months=120: the run from start=2091-01 would end after 2099-12"),
    ("replicates=100000", "replicates=100000 is too many for one run: its table would need ~89.4 GiB"),
])
def test_calendar_and_memory_bounds(override, expect):
    with pytest.raises(ConfigError, match="run a study" if "replicates" in override else None) as err:
        compose_config("collision", [override])
    assert str(err.value).startswith(expect)


def test_a_run_that_fails_after_simulating_leaves_the_earlier_run_intact(tmp_path, monkeypatch):
    out = tmp_path / "run"
    run_scenario("collision", seed=1, overrides=TINY, output_dir=out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(api, "write_manifest", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        run_scenario("collision", seed=2, overrides=TINY, output_dir=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before   # no staging left, nothing mixed
    assert set(load_results(out)["seed"]) == set(json.loads((out / "manifest.json").read_text())["replicate_seeds"])


def test_load_results_refuses_a_run_without_its_manifest(tmp_path):
    table = run_scenario("collision", seed=1, overrides=TINY)
    write_results(table, tmp_path / "half")
    with pytest.raises(ResultsError, match=r"half: results.parquet without manifest.json"):
        load_results(tmp_path / "half")
    with pytest.raises(ResultsError, match="without manifest.json"):   # also below a sweep directory
        load_results(tmp_path)
    assert len(load_results(tmp_path / "half" / "results.parquet")) == len(table)   # a file is read as given


def test_load_results_refuses_non_numeric_values(tmp_path):
    table = pd.DataFrame({"month": pd.to_datetime(["2026-01-01"]), "scenario": ["x"], "seed": [1],
                          "metric": ["m"], "entity": ["e"], "value": ["high"]})
    table.to_parquet(tmp_path / "results.parquet")
    with pytest.raises(ResultsError, match=r"column 'value' holds \w+ values, expected numbers"):
        load_results(tmp_path / "results.parquet")


def test_an_output_path_under_a_file_is_one_line(tmp_path):
    (tmp_path / "somefile").write_text("keep me")
    proc = cli("+scenario=collision", *TINY, "hydra.run.dir=somefile/x", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("error: hydra.run.dir=somefile/x: 'somefile' is a file, not a directory; "
                                   "choose another path")
    assert (tmp_path / "somefile").read_text() == "keep me"
    with pytest.raises(ResultsError, match="'.*somefile' is a file"):
        prepare_dir(tmp_path / "somefile" / "a" / "b")
    assert check_dir_path(tmp_path / "new" / "dir") == tmp_path / "new" / "dir"


def test_a_study_out_under_a_file_is_refused_before_anything_runs(tmp_path):
    from sim.study import load_study, run_study

    (tmp_path / "f").write_text("")
    with pytest.raises(ConfigError, match="out=.*'.*f' is a file, not a directory"):
        run_study(load_study("smoke", replicates=1), out=tmp_path / "f" / "study", workers=1, progress=False)


def test_a_world_without_producers_warns_and_draws_no_lag_figure(tmp_path):
    with pytest.warns(UserWarning) as caught:
        table = run_scenario(None, overrides=[*NO_PRODUCERS, "replicates=1", "months=3"], output_dir=tmp_path)
    assert "delivery_lag_months" not in set(table["metric"])
    messages = [str(w.message) for w in caught]
    assert any("holds no defense programs" in m for m in messages), messages
    assert any("no delivery-lag figure" in m for m in messages), messages
    assert not (tmp_path / "figures" / "delivery_lag.png").exists()
    assert (tmp_path / "manifest.json").is_file()


def test_a_study_runs_from_a_script_without_a_main_guard(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        from sim.study import load_study, run_study
        result = run_study(load_study("smoke", replicates=1), out={str(tmp_path / "out")!r}, workers=1,
                           progress=False, overrides=["months=2"])
        print("runs", len(result.runs), "failed", len(result.failed))
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "runs 4 failed 0" in proc.stdout


@pytest.mark.parametrize("raised,status", [
    (ConfigError("x: bad"), 2), (ResultsError("r: bad"), 2), (RunFailed("2 of 4 runs failed"), 1),
    (KeyboardInterrupt(), 130)])
def test_the_entry_convention_maps_errors_to_statuses(raised, status, capsys):
    @command("usage text")
    def main(argv):
        raise raised

    assert main([]) == status
    err = capsys.readouterr().err
    assert err.startswith("interrupted") if status == 130 else err == f"error: {raised}\n"
    assert main(["--help"]) == 0 and capsys.readouterr().out == "usage text\n"


def test_an_empty_map_on_the_command_line_says_how_to_remove_entries(tmp_path):
    proc = cli("world.producers={}", *TINY, cwd=tmp_path)
    assert proc.returncode == 2 and not (tmp_path / "outputs").exists()
    assert proc.stderr.strip() == ("error: world.producers={} changes nothing: a map is merged key by key, not "
                                   "replaced; remove its entries one by one: " + " ".join(NO_PRODUCERS))
    proc = cli(*NO_PRODUCERS, *TINY, "hydra.run.dir=run", cwd=tmp_path)   # the way it names works end to end
    assert proc.returncode == 0, proc.stderr
    assert "holds no defense programs" in proc.stderr
    assert "delivery_lag_months" not in set(load_results(tmp_path / "run")["metric"])
