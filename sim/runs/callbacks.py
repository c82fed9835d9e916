"""The Hydra callback that ends a multirun: every job's results in one aggregated table.

Registered in ``conf/config.yaml`` under ``hydra.callbacks``. When the sweep ends (in the
launching process, whichever launcher ran the jobs: basic, joblib, Submitit) it reads each
job directory below the sweep directory and writes the format of :mod:`sim.outputs.aggregate`:
``results.parquet`` with a ``run`` column (the job's directory, e.g. ``2_collision``),
``runs.parquet`` with one column per swept key, and ``figures/scenario_panel.{png,svg}``.

A job that raised leaves ``error.txt`` (one line) instead of a complete run; a job that left no
``results.parquet`` (killed, timed out) is recorded as failed too. If any run failed, the
command exits with status 1 after the aggregate is written, as a plain Hydra multirun does.
``python -m sim.runs.callbacks <sweep_dir>`` aggregates a sweep directory again by hand (for a
SLURM sweep cut short, after the missing jobs were rerun).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.runs.entry import FAILED, OK, command, run

log = logging.getLogger(__name__)
ERROR = "error.txt"
_SCALARS = (bool, int, float, str, type(None))


def record_failure(job_dir: str | Path, message: str, details: str = "") -> None:
    """Leave ``message`` as the first line of the job's ``error.txt`` (``details`` below it)."""
    Path(job_dir).mkdir(parents=True, exist_ok=True)
    (Path(job_dir) / ERROR).write_text(" ".join(message.split()) + "\n" + (f"\n{details}" if details else ""))


def read_failure(job_dir: str | Path) -> str:
    """The one-line message of a job's ``error.txt``."""
    text = (Path(job_dir) / ERROR).read_text().strip()
    return text.splitlines()[0] if text else "failed (empty error.txt)"


def _parse(overrides: list[str]) -> dict[str, Any]:
    """``{key: value}`` of Hydra override strings (group overrides keep the option's name)."""
    found = {}
    for o in OverridesParser.create().parse_overrides(overrides):
        value = o.value()
        found[o.key_or_group] = value if isinstance(value, _SCALARS) else o.get_value_element_as_str()
    return found


def swept_keys(task_overrides: list[str]) -> list[str]:
    """The keys a sweep varies (``x=a,b``, ``range()``, ``choice()``, ``glob()``), Hydra's own aside."""
    parsed = OverridesParser.create().parse_overrides(task_overrides)
    return [o.key_or_group for o in parsed if o.is_sweep_override() and not o.is_hydra_override()]


def _job_dirs(sweep_dir: Path) -> list[Path]:
    """Every job directory below the sweep (any ``hydra.sweep.subdir``), by job number first."""
    def order(p: Path):
        rel = p.relative_to(sweep_dir).as_posix()
        num = rel.split("_", 1)[0].split("/", 1)[0]
        return (int(num) if num.isdigit() else sys.maxsize, rel)

    return sorted((p.parent.parent for p in sweep_dir.rglob(".hydra/overrides.yaml")), key=order)


def _run_row(job: Path, run: str, keys: list[str]):
    from sim.outputs.io import MANIFEST, RESULTS, ResultsError
    from sim.outputs.load import load_results

    cfg = yaml.safe_load((job / ".hydra" / "config.yaml").read_text()) or {}
    values = _parse(yaml.safe_load((job / ".hydra" / "overrides.yaml").read_text()) or [])
    row = {"run": run, "scenario": cfg.get("scenario_name"), "seed": cfg.get("seed"),
           "status": "failed", "error": "", "wall_s": float("nan")}
    table = None
    if (job / ERROR).is_file():
        row["error"] = read_failure(job)
    elif not (job / RESULTS).is_file():
        row["error"] = f"no {RESULTS}: the job did not finish (see its log)"
    else:
        try:
            table = load_results(job).assign(run=run)
            row.update(status="done", wall_s=json.loads((job / MANIFEST).read_text())["wall_time_s"])
        except (ResultsError, OSError, ValueError, KeyError) as exc:
            table, row["error"] = None, f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    row.update({k: values.get(k) for k in keys})
    return row, table


def aggregate(sweep_dir: str | Path, keys: list[str] | None = None, figures: bool = True):
    """Write the aggregated results, run table and scenario panel of a sweep directory.

    Args:
        sweep_dir: the multirun's ``hydra.sweep.dir``.
        keys: swept keys, one run-table column each (default: read from ``multirun.yaml``).
        figures: also draw ``figures/scenario_panel``.

    Returns:
        The run table (``runs.parquet``).
    """
    import pandas as pd

    from sim.outputs.aggregate import RUN_COLUMNS, write_sweep
    from sim.outputs.io import COLUMNS

    sweep = Path(sweep_dir)
    if keys is None:
        multirun = yaml.safe_load((sweep / "multirun.yaml").read_text())
        keys = swept_keys(multirun["hydra"]["overrides"]["task"])
    keys = [k for k in dict.fromkeys(keys) if k not in RUN_COLUMNS and k != "scenario_name"]
    rows, tables = [], []
    for job in _job_dirs(sweep):
        row, table = _run_row(job, job.relative_to(sweep).as_posix(), keys)
        rows.append(row)
        if table is not None:
            tables.append(table)
    runs = pd.DataFrame(rows, columns=RUN_COLUMNS + keys)
    for key in keys:  # a column mixing text and numbers is stored as text
        if runs[key].dtype == object and runs[key].map(type).nunique() > 1:
            runs[key] = runs[key].map(lambda v: None if v is None else str(v))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS + ["run"])
    write_sweep(sweep, table, runs, figures=figures)
    return runs


class AggregateSweep(Callback):
    """On multirun end, aggregate the sweep directory (see the module docstring)."""

    def __init__(self, figures: bool = True) -> None:
        self.figures = figures

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep = Path(str(config.hydra.sweep.dir))
        runs = aggregate(sweep, swept_keys(list(config.hydra.overrides.task)), figures=self.figures)
        failed = runs[runs["status"] == "failed"]
        log.info("aggregated %d runs (%d failed) into %s", len(runs), len(failed), sweep)
        if len(failed):
            first = failed.iloc[0]
            print(f"error: {len(failed)} of {len(runs)} runs failed (see {sweep / 'runs.parquet'}); "
                  f"{first['run']}: {first['error']}", file=sys.stderr)
            raise SystemExit(1)  # Hydra turns a callback's exceptions into warnings, not a status


@command(__doc__)
def main(argv: list[str]) -> int:
    """``python -m sim.runs.callbacks <sweep_dir>``: aggregate a sweep directory again by hand."""
    from sim.config.errors import ConfigError
    from sim.outputs.io import ResultsError

    if len(argv) != 1:
        raise ConfigError("give the sweep directory: python -m sim.runs.callbacks <sweep_dir>")
    sweep = Path(argv[0])
    if not (sweep / "multirun.yaml").is_file():
        raise ResultsError(f"{sweep}: not a multirun sweep directory (no multirun.yaml)")
    done = aggregate(sweep)
    print(f"{(done['status'] == 'done').sum()} of {len(done)} runs done; wrote {sweep / 'runs.parquet'}")
    return FAILED if (done["status"] == "failed").any() else OK


if __name__ == "__main__":
    run(main)
