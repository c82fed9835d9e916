"""A study's levers against one outcome: one number per run, scatter per lever, rank correlation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outputs.aggregate import RUN_COLUMNS
from sim.outputs.figures.common import finish, pyplot, scenarios_of
from sim.outputs.style import RC, SOURCE_NOTE, entity_label, scenario_style

REDUCTIONS = ("mean", "max", "last")


def swept_keys(runs: pd.DataFrame) -> list[str]:
    """The run table's swept config keys (its columns beyond the fixed ones and diagnostics)."""
    return [c for c in runs.columns if c not in RUN_COLUMNS and "." in c]


def run_outcomes(table: pd.DataFrame, runs: pd.DataFrame, metric: str = "delivery_lag_cycles",
                 entity: str = "country:US", reduce: str = "mean") -> pd.DataFrame:
    """One outcome per finished run, joined to the run table's swept keys.

    Args:
        table: a study's tidy table (with ``run``).
        runs: its run table (:func:`sim.outputs.aggregate.load_runs`).
        metric, entity: the series reduced.
        reduce: ``mean`` or ``max`` over the months, or the ``last`` month's value.

    Returns:
        ``run, scenario, seed, <swept keys>..., outcome``.
    """
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce={reduce!r}: choose one of {', '.join(REDUCTIONS)}")
    rows = table[(table["metric"] == metric) & (table["entity"] == entity)]
    rows = rows.assign(run=rows["run"].astype(str)).sort_values("month")
    by = rows.groupby("run", observed=True)["value"]
    outcome = by.last() if reduce == "last" else by.agg(reduce)
    done = runs[runs["status"] == "done"].assign(run=runs["run"].astype(str))
    frame = done[["run", "scenario", "seed", *swept_keys(runs)]].merge(
        outcome.rename("outcome").reset_index(), on="run", how="inner")
    return frame.reset_index(drop=True)


def rank_correlations(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Spearman rank correlation of ``outcome`` with each key (NaN where a key does not vary)."""
    out = {}
    for key in keys:
        x, y = frame[key].rank(), frame["outcome"].rank()
        out[key] = float(np.corrcoef(x, y)[0, 1]) if x.nunique() > 1 and y.nunique() > 1 else float("nan")
    return pd.Series(out, name="spearman").sort_values(key=lambda s: -s.abs())


def plot_lever_scatter(frame: pd.DataFrame, keys: list[str], outcome_label: str, note: str = SOURCE_NOTE,
                       ncols: int = 3):
    """The outcome against each swept key, one dot per run, coloured by scenario.

    Args:
        frame: from :func:`run_outcomes`.
        keys: swept keys, one panel each (ordered as given).
        outcome_label: y-axis label with its unit.
        note: the caption.
        ncols: panels per row.

    Returns:
        ``(fig, axes)``; each panel's title gives the rank correlation.
    """
    plt = pyplot()
    rho = rank_correlations(frame, keys)
    ncols = max(1, min(ncols, len(keys)))
    nrows = -(-len(keys) // ncols)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(max(3.1 * ncols, 6.0), 2.4 * nrows + 1.1), sharey=True, squeeze=False)
        for ax in axes.flat[len(keys):]:
            ax.set_visible(False)
        for i, (ax, key) in enumerate(zip(axes.flat, keys)):
            for s in scenarios_of(frame):
                sel = frame[frame["scenario"] == s]
                ax.scatter(sel[key], sel["outcome"], s=12, alpha=0.7, color=scenario_style(s)["color"],
                           label=scenario_style(s)["label"], linewidths=0)
            short = key if len(key) <= 34 else "..." + key[-31:]   # long keys would run into the next panel
            ax.set_title(f"{short}\nSpearman rho = {rho[key]:+.2f}")
            ax.set_xlabel(key.rsplit(".", 1)[-1])
            if i % ncols == 0:
                ax.set_ylabel(outcome_label)
        handles, _ = axes.flat[0].get_legend_handles_labels()
        finish(fig, "Which lever moves the outcome: one dot per run", note, handles)
    return fig, axes


def outcome_label(metric: str, entity: str, reduce: str) -> str:
    """An axis label such as 'United States (as customer): mean lag (production cycles)'."""
    unit = {"delivery_lag_cycles": "lag (production cycles)", "delivery_lag_months": "lag (months)"}.get(metric, metric)
    what = {"mean": "mean", "max": "peak", "last": "final"}[reduce]
    return f"{entity_label(entity)}:\n{what} {unit}"
