"""Outcomes: named scalar reductions of the tidy table, per run, then per design point.

Replicate seeds (``replicates > 1``) are averaged per design point before any analysis: the
indices then describe the seed-averaged model. Replicate ``r`` has the same seed at every
point (common random numbers, :mod:`sim.study.design`), so with one replicate the indices
describe the model at one fixed draw of its random streams. :func:`noise_share` says how much
of an outcome's spread over runs is seed noise rather than inputs.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from sim.config.errors import ConfigError
from sim.sensitivity.xlrm import Outcome


def read_outcome_rows(path: str | os.PathLike, outcomes: dict[str, Outcome]) -> pd.DataFrame:
    """The rows of a study's ``results.parquet`` that the outcomes need (not the whole table)."""
    import pyarrow.parquet as pq

    pairs = sorted({(o.metric, o.entity) for o in outcomes.values()})
    filters = [[("metric", "==", m), ("entity", "==", e)] for m, e in pairs]
    table = pq.read_table(path, columns=["month", "scenario", "seed", "metric", "entity", "value", "run"],
                          filters=filters).to_pandas()
    for column in ("scenario", "metric", "entity", "run"):
        table[column] = table[column].astype(str)
    return table


def reduce_outcomes(table: pd.DataFrame, outcomes: dict[str, Outcome], by: str = "run") -> pd.DataFrame:
    """Each outcome per run: one row per distinct ``by`` value, one column per outcome.

    Args:
        table: tidy rows (``month, metric, entity, value`` and the ``by`` column).
        outcomes: the declared outcomes.
        by: the column naming a run (``run`` in a study's table, ``seed`` in a scenario's).

    Raises:
        ConfigError: an outcome whose series has no rows in its window (e.g. a run too short).
    """
    runs = pd.Index(sorted(table[by].unique()), name=by)
    month = pd.to_datetime(table["month"])
    out = {}
    for name, o in outcomes.items():
        inside = ((table["metric"] == o.metric) & (table["entity"] == o.entity)
                  & (month >= pd.Timestamp(o.start)) & (month <= pd.Timestamp(o.end) + pd.offsets.MonthEnd(0)))
        rows = table.loc[inside, [by, "value"]].assign(month=month[inside]).sort_values([by, "month"])
        if rows.empty:
            raise ConfigError(f"outcome {name}: no rows of {o.metric} / {o.entity} in {o.start}..{o.end} "
                              "(check the metric, entity and that the runs cover the window)")
        reduced = rows.groupby(by)["value"].agg(o.reduce)
        out[name] = reduced.reindex(runs)
    return pd.DataFrame(out, index=runs)


def point_means(per_run: pd.DataFrame, points: pd.Series, n_points: int) -> pd.DataFrame:
    """Outcomes per design point: the mean over its replicate runs.

    Args:
        per_run: outcomes per run (index: run id).
        points: run id -> design point index.
        n_points: number of design points (every point must have a finished run).

    Raises:
        ValueError: a design point with no finished run, or an outcome that is NaN there.
    """
    frame = per_run.join(points.rename("point"), how="inner")
    means = frame.groupby("point").mean().reindex(range(n_points))
    missing = means.index[means.isna().any(axis=1)]
    if len(missing):
        raise ValueError(f"{len(missing)} design points lack an outcome (first: point {missing[0]}); "
                         "every point needs a finished run with every outcome's series")
    return means


def noise_share(per_run: pd.DataFrame, points: pd.Series) -> pd.Series:
    """Per outcome: mean variance over replicates within a point / variance over all runs.

    Near 0: the inputs explain the spread; near 1: seed noise dominates. NaN with one
    replicate per point or no spread at all.
    """
    frame = per_run.join(points.rename("point"), how="inner")
    counts = frame.groupby("point").size()
    total = frame.drop(columns="point").var(ddof=1)
    if counts.min() < 2:
        return pd.Series(np.nan, index=per_run.columns)
    within = frame.groupby("point").var(ddof=1).mean()
    return (within / total.where(total > 0)).rename("noise_share")
