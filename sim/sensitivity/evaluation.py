"""Evaluate a sampled design on the model through the study runner (parallel, resumable).

The unit sample becomes a design table of config keys (:func:`~sim.sensitivity.xlrm.config_values`),
handed to :func:`sim.study.run_study` as a ``sample`` design for one scenario with
``replicates`` seeds per point. The runner validates every point before anything runs, writes
Parquet parts as chunks finish and resumes an interrupted study: rerunning the same
evaluation into the same directory runs only what is missing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.outputs.io import RESULTS
from sim.sensitivity.outcomes import noise_share, point_means, read_outcome_rows, reduce_outcomes
from sim.sensitivity.xlrm import XLRM, config_values
from sim.study import Study, StudyError, expand, run_study


@dataclass
class Evaluation:
    """Outcomes of a design.

    Attributes:
        path: the study directory.
        per_run: one row per run: ``run, point, replicate, seed`` and one column per outcome.
        per_point: one row per design point (mean over replicates), one column per outcome.
        noise: per outcome, the share of run-to-run variance that is seed noise (NaN with one
            replicate; :func:`sim.sensitivity.outcomes.noise_share`).
        runs: run count; ran: runs run in this call (the rest were resumed).
        runner_wall_s: the study runner's wall time; wall_s: this call's, with outcomes.
    """

    path: Path
    per_run: pd.DataFrame
    per_point: pd.DataFrame
    noise: pd.Series
    runs: int
    ran: int
    runner_wall_s: float
    wall_s: float


def design_study(xlrm: XLRM, unit: np.ndarray, scenario: str, name: str, replicates: int = 1, seed: int = 0,
                 overrides: Sequence[str] = (), chunk: int | None = None) -> Study:
    """The study of a unit sample in one scenario (figures of each run off unless asked)."""
    extra = list(overrides)
    if not any(o.lstrip("+").startswith("figures=") for o in extra):
        extra.append("figures=false")
    return Study(name=name, scenarios=(scenario,), replicates=replicates, seed=seed, overrides=tuple(extra),
                 design={"sample": config_values(xlrm, unit)}, chunk=chunk)


def evaluate(xlrm: XLRM, unit: np.ndarray, scenario: str, out: str | os.PathLike, *, name: str = "sensitivity",
             replicates: int = 1, seed: int = 0, overrides: Sequence[str] = (), workers: int | None = None,
             chunk: int | None = None, progress: bool = True, executor=None) -> Evaluation:
    """Run every point of ``unit`` in ``scenario`` and reduce each run to the declared outcomes.

    Args:
        xlrm: the declaration (its inputs match ``unit``'s columns).
        unit: the sample in the unit cube, one row per design point.
        scenario: a scenario name (``conf/scenario``).
        out: the study directory (rerun into it to resume).
        name: the study's label; replicates: seeds per point; seed: the study seed.
        overrides: Hydra overrides of the scenario's base config (``months=24``).
        workers: worker processes (default: all cores); chunk: runs per part.
        progress: show the runner's progress; executor: hand in an executor (tests).

    Raises:
        sim.config.validate.ConfigError: a bad key or value in the design or overrides (nothing runs).
        StudyError: some runs failed (listed in ``<out>/runs.parquet``); or a different study
            is already in ``out``.
    """
    start = time.perf_counter()
    study = design_study(xlrm, unit, scenario, name, replicates, seed, overrides, chunk)
    specs = expand(study)
    result = run_study(study, out=out, executor=executor, workers=workers, progress=progress)
    if len(result.failed):
        first = result.failed.iloc[0]
        raise StudyError(f"{len(result.failed)} of {len(result.runs)} runs failed (first: run {first['run']}: "
                         f"{first['error']}); see {Path(out) / 'runs.parquet'}")
    table = read_outcome_rows(Path(result.path) / RESULTS, xlrm.outcomes)
    outcomes = reduce_outcomes(table, xlrm.outcomes, by="run")
    meta = pd.DataFrame([(s.run, s.point, s.replicate, s.seed) for s in specs],
                        columns=["run", "point", "replicate", "seed"]).set_index("run")
    per_run = meta.join(outcomes, how="left")
    points = per_run["point"]
    values = per_run[list(xlrm.outcomes)]
    per_point = point_means(values, points, len(unit))
    return Evaluation(Path(result.path), per_run.reset_index(), per_point, noise_share(values, points),
                      len(specs), result.ran, result.wall_s, time.perf_counter() - start)
