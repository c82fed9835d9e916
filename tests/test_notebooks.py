"""The notebooks in notebooks/: jupytext percent files in git (no outputs, diff-friendly),
executed here through nbmake on small settings.

The slow test converts each ``.py`` to ``.ipynb`` with jupytext in a tmp dir and runs
``pytest --nbmake`` on it in a subprocess (its own kernel, small settings from environment
variables); the executed notebooks are kept there (and copied to ``$RHYTHM_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
SMALL = {"RHYTHM_REPLICATES": "2", "RHYTHM_MONTHS": "36", "RHYTHM_POINTS": "6", "RHYTHM_WORKERS": "2"}


def test_the_three_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= {"quickstart", "scenario_comparison", "sensitivity"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_a_paired_percent_file_over_the_package_api(path):
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.read(path)
    assert nb.metadata["jupytext"]["formats"] == "py:percent"
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and nb.cells[0].source.startswith("# ")   # a title first
    assert kinds.count("code") >= 3 and kinds.count("markdown") >= 2
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # They drive the package's API and load saved results; they never rebuild the model.
    assert "load_results(" in code
    assert not re.search(r"\b(RhythmModel|build_world|build_policy)\b|^from agents|^import agents", code, re.M)
    for key in re.findall(r"os\.environ\.get\(\"(RHYTHM_[A-Z]+)\"", code):
        assert key in SMALL or key in ("RHYTHM_OUT", "RHYTHM_RESULTS"), f"{path.name}: {key} has no small CI value"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_under_nbmake(path, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    pytest.importorskip("nbmake")
    ipynb = tmp_path / f"{path.stem}.ipynb"
    jupytext.write(jupytext.read(path), ipynb)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")   # not the project's addopts and markers
    env = {**os.environ, **SMALL, "RHYTHM_OUT": str(tmp_path / "outputs")}
    env.pop("RHYTHM_RESULTS", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
                           "--nbmake", "--nbmake-timeout=600", "--overwrite", str(ipynb)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    artifacts = os.environ.get("RHYTHM_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(ipynb, Path(artifacts) / ipynb.name)


@pytest.mark.slow
def test_the_sensitivity_notebook_runs_as_a_plain_script(tmp_path):
    """It calls the study runner at top level, with no ``if __name__ == "__main__":`` guard."""
    env = {**os.environ, **SMALL, "RHYTHM_OUT": str(tmp_path / "outputs"), "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(ROOT / "notebooks" / "sensitivity.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "worker process died" not in proc.stderr
    assert list((tmp_path / "outputs").glob("lhs_levers_*/results.parquet"))
