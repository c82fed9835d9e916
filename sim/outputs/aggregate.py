"""The aggregated table of a sweep or study: one format for Hydra multirun and the study runner.

A sweep directory holds, beside its runs' own files:

- ``results.parquet``: the tidy table of every run (``month, scenario, seed, metric, entity,
  value``) plus ``run``, the run's id (text);
- ``runs.parquet``: the run table, one row per run: ``run``, ``scenario``, ``seed``,
  ``status`` (``done`` or ``failed``), ``error`` (empty when done), ``wall_s``, and one column
  per swept key, named by its dotted path (``us.vault_budget_usd``); a study's also has
  ``worker_rss_mib``, its worker's peak resident memory after the run;
- ``figures/scenario_panel.{png,svg}`` when the runs hold at least one finished scenario.

:func:`sim.outputs.load.load_results` reads ``results.parquet``; :func:`load_runs` the run table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.outputs.io import COLUMNS, RESULTS, ResultsError, atomic_write

RUNS = "runs.parquet"
RUN_COLUMNS = ["run", "scenario", "seed", "status", "error", "wall_s"]
STATUSES = ("done", "failed")


def check_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Validate a run table (columns, unique ids, known statuses) and return it."""
    missing = [c for c in RUN_COLUMNS if c not in runs.columns]
    if missing:
        raise ResultsError(f"run table: missing columns {', '.join(missing)}; expected {', '.join(RUN_COLUMNS)}")
    if runs["run"].duplicated().any():
        raise ResultsError(f"run table: duplicate run ids {', '.join(map(str, runs.loc[runs['run'].duplicated(), 'run'][:5]))}")
    bad = sorted(set(runs["status"]) - set(STATUSES))
    if bad:
        raise ResultsError(f"run table: unknown status {', '.join(map(str, bad))}; allowed {', '.join(STATUSES)}")
    return runs


def write_sweep(out_dir: str | os.PathLike, table: pd.DataFrame, runs: pd.DataFrame,
                figures: bool = True) -> list[Path]:
    """Write the aggregated ``results.parquet``, ``runs.parquet`` and comparison figures.

    Args:
        out_dir: the sweep or study directory.
        table: tidy rows of every finished run, with a ``run`` column.
        runs: the run table (see the module docstring).
        figures: also draw ``figures/scenario_panel``.

    Returns:
        The paths written. Files are replaced atomically: an interrupted write leaves the
        previous aggregate in place.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = check_runs(runs.reset_index(drop=True))
    if "run" not in table.columns:
        raise ResultsError("aggregated table: missing the 'run' column")
    table = table[COLUMNS + ["run"]].copy()
    table["run"] = table["run"].astype(str)
    runs = runs.assign(run=runs["run"].astype(str), error=runs["error"].fillna("").astype(str))
    written = []
    for name, frame in ((RESULTS, table), (RUNS, runs)):
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        path = out / name
        atomic_write(path, lambda p, a=arrow: pq.write_table(a, p, compression="zstd"))
        written.append(path)
    if figures and len(table):
        from sim.outputs.figures import plot_scenario_panel, save

        fig, _ = plot_scenario_panel(table)
        written += save(fig, out / "figures" / "scenario_panel")
    return written


def load_runs(path: str | os.PathLike) -> pd.DataFrame:
    """The run table of a sweep or study directory (or of a ``runs.parquet`` file)."""
    p = Path(path)
    p = p if p.is_file() else p / RUNS
    try:
        runs = pq.read_table(p).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(f"{p}: not a readable run table ({' '.join(str(exc).split())[:160]})") from None
    return check_runs(runs)
