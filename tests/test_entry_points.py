"""The experiments entry point and the quick-start notebook script run end to end."""

import runpy
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_compare_scenarios_writes_panel_and_summary(tmp_path):
    out = tmp_path / "compare"
    proc = subprocess.run([sys.executable, "-m", "experiments.compare_scenarios", "--replicates", "2",
                           "--out", str(out), "months=60"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "figures" / "scenario_panel.png").stat().st_size > 10_000
    for name in ("rhythm_embedded", "collision", "bifurcation"):
        assert (out / name / "results.parquet").is_file()
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scenario"]) == {"rhythm_embedded", "collision", "bifurcation"}
    assert set(summary["year"]) == {2030}            # a 60-month run reaches 2030, not 2035


def test_compare_scenarios_rejects_bad_override(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.compare_scenarios", "--out", str(tmp_path / "x"),
                           "us.rated_order_share=7"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and "out of range" in proc.stderr and not (tmp_path / "x").exists()


def test_quickstart_notebook_script_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("RHYTHM_REPLICATES", "2")
    monkeypatch.setenv("RHYTHM_MONTHS", "36")          # small settings, as in CI's notebook run
    monkeypatch.setenv("RHYTHM_OUT", str(tmp_path))    # not into the repository's outputs/
    ns = runpy.run_path(str(ROOT / "notebooks" / "quickstart.py"))
    assert ns["table"]["seed"].nunique() == 2
    shown = ["us.f35", "us.pac3", "us.virginia", "us.shell155"]   # the notebook's programs
    lag = ns["table"][(ns["table"]["metric"] == "delivery_lag_cycles") & ns["table"]["entity"].isin(shown)]
    moving = lag.groupby("entity", observed=True)["value"].max().gt(0).sum()   # all-zero panels are left out
    assert moving >= 1 and len([ax for ax in ns["axes"].flat if ax.has_data()]) == moving
    import matplotlib.pyplot as plt

    plt.close("all")
