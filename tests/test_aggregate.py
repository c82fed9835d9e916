"""The aggregated sweep format: written atomically, read back, bad run tables rejected."""

import pandas as pd
import pytest

from sim import load_results
from sim.outputs.aggregate import load_runs, write_sweep
from sim.outputs.io import ResultsError


def tiny(run, seed):
    return pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"]), "scenario": "collision",
                         "seed": seed, "metric": "delivery_lag_cycles", "entity": "country:US",
                         "value": [0.0, 0.5], "run": run})


def runs_table():
    return pd.DataFrame({"run": ["0", "1"], "scenario": ["collision"] * 2, "seed": [11, 12],
                         "status": ["done", "failed"], "error": ["", "ValueError: boom"],
                         "wall_s": [0.5, 0.1], "us.vault_budget_usd": [1e10, 2e10]})


def test_sweep_round_trip(tmp_path):
    written = write_sweep(tmp_path, tiny("0", 11), runs_table())
    assert (tmp_path / "figures" / "scenario_panel.png") in written
    table = load_results(tmp_path)
    assert list(table["run"].astype(str).unique()) == ["0"] and table["value"].tolist() == [0.0, 0.5]
    runs = load_runs(tmp_path)
    assert runs.loc[runs.run == "1", "error"].item() == "ValueError: boom"
    assert runs["us.vault_budget_usd"].tolist() == [1e10, 2e10]


@pytest.mark.parametrize("change,message", [
    (lambda r: r.drop(columns="status"), "missing columns status"),
    (lambda r: r.assign(run=["0", "0"]), "duplicate run ids 0"),
    (lambda r: r.assign(status=["done", "lost"]), "unknown status lost"),
])
def test_bad_run_tables_are_rejected_and_nothing_is_overwritten(tmp_path, change, message):
    write_sweep(tmp_path, tiny("0", 11), runs_table(), figures=False)
    before = (tmp_path / "runs.parquet").read_bytes()
    with pytest.raises(ResultsError, match=message):
        write_sweep(tmp_path, tiny("0", 11), change(runs_table()), figures=False)
    assert (tmp_path / "runs.parquet").read_bytes() == before


def test_a_corrupt_run_table_is_one_line(tmp_path):
    (tmp_path / "runs.parquet").write_text("not parquet")
    with pytest.raises(ResultsError, match="not a readable run table") as err:
        load_runs(tmp_path)
    assert "\n" not in str(err.value)
