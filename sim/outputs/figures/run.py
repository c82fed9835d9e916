"""Figures from the tidy table. Each function takes data and returns ``(fig, axes)``;
only entry points save."""

from __future__ import annotations

import math

import pandas as pd

from sim.outputs.style import RC, SOURCE_NOTE, scenario_style


def _plt():
    import sys

    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if "ipykernel" in sys.modules and not plt.isinteractive():
        # A notebook keeps its inline backend, resolved here, outside the rc_context the figures
        # are drawn in: resolved inside it, its interactive switch would be undone on exit and
        # later figures would not show.
        plt.switch_backend(matplotlib.get_backend())
    return plt


def bands(table: pd.DataFrame, metric: str, entity: str, scenario: str | None = None) -> pd.DataFrame:
    """Median and 5/25/75/95% quantiles over seeds per month for one series."""
    rows = table[(table["metric"] == metric) & (table["entity"] == entity)]
    if scenario is not None:
        rows = rows[rows["scenario"] == scenario]
    by = rows.groupby("month", observed=True)["value"]
    return pd.DataFrame({q: by.quantile(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)})


def _draw_band(ax, b: pd.DataFrame, color: str, label: str | None) -> None:
    x = pd.to_datetime(b.index)
    ax.fill_between(x, b[0.05], b[0.95], color=color, alpha=0.15, linewidth=0)
    ax.fill_between(x, b[0.25], b[0.75], color=color, alpha=0.3, linewidth=0)
    ax.plot(x, b[0.5], color=color, linewidth=1.4, label=label)


def _grid(n: int, ncols: int, plt, width: float = 3.0, height: float = 2.1):
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows + 0.6),
                             sharex=True, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def lag_entities(table: pd.DataFrame) -> list[str]:
    """Programs first, then customer countries, then circles, as found in the table."""
    ents = table.loc[table["metric"] == "delivery_lag_months", "entity"].astype(str).unique()
    order = lambda e: (e.startswith("country:"), e.startswith("circle:"), e)  # noqa: E731
    return sorted(ents, key=order)


def plot_delivery_lag(table: pd.DataFrame, entities: list[str] | None = None, ncols: int = 4):
    """Delivery lag (months) per program and customer: median and 50/90% bands over seeds.

    Args:
        table: tidy results, one or more scenarios.
        entities: series to draw; default every program and customer country.
        ncols: panels per row.

    Returns:
        ``(fig, axes)``.
    """
    plt = _plt()
    entities = entities or [e for e in lag_entities(table) if not e.startswith(("circle:", "high_end:"))]
    scenarios = [str(s) for s in table["scenario"].unique()]
    with plt.rc_context(RC):
        fig, axes = _grid(len(entities), ncols, plt)
        for ax, entity in zip(axes.flat, entities):
            for scen in scenarios:
                style = scenario_style(scen)
                _draw_band(ax, bands(table, "delivery_lag_months", entity, scen), style["color"], style["label"])
            ax.set_title(entity)
            ax.set_ylim(bottom=0)
            ax.set_ylabel("lag (months)")
        for ax in axes[-1]:
            ax.tick_params(axis="x", labelrotation=45)
        axes.flat[0].legend(loc="upper left", frameon=False)
        fig.suptitle("Delivery lag behind plan, per program and per customer country")
        fig.text(0.01, 0.0, SOURCE_NOTE, fontsize=7, color="#555555")
        fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig, axes


def plot_scenario_panel(table: pd.DataFrame, entities: tuple[str, ...] = ("country:US", "circle:A"),
                        metric: str = "delivery_lag_cycles"):
    """Scenarios side by side (columns), one row per lag entity with a shared y axis per row.

    Args:
        table: tidy results holding one or more scenarios.
        entities: lag entities to show, one row each (those absent from ``table`` are skipped).
        metric: ``delivery_lag_cycles`` or ``delivery_lag_months``.

    Returns:
        ``(fig, axes)``; ``axes`` is ``[rows, scenarios]``.
    """
    plt = _plt()
    scenarios = [str(s) for s in table["scenario"].unique()]
    present = set(table.loc[table["metric"] == metric, "entity"].astype(str))
    rows = [e for e in entities if e in present] or [entities[0]]
    unit = "production cycles" if metric.endswith("cycles") else "months"
    with plt.rc_context(RC):
        fig, axes = plt.subplots(len(rows), len(scenarios), figsize=(3.4 * len(scenarios), 2.5 * len(rows) + 0.4),
                                 sharey="row", squeeze=False)
        for i, entity in enumerate(rows):
            for ax, scen in zip(axes[i], scenarios):
                style = scenario_style(scen)
                _draw_band(ax, bands(table, metric, entity, scen), style["color"], None)
                if i == 0:
                    ax.set_title(style["label"])
                ax.tick_params(axis="x", labelrotation=45)
            axes[i, 0].set_ylim(bottom=0)   # after every panel of the row is drawn: the row shares it
            axes[i, 0].set_ylabel(f"{entity}\nlag ({unit})")
        fig.suptitle("Delivery lag by scenario: median and 50%/90% bands over seeds")
        fig.text(0.01, 0.0, SOURCE_NOTE, fontsize=7, color="#555555")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig, axes


def save(fig, path_stem, formats=("png", "svg")) -> list:
    """Save ``fig`` as ``<stem>.<fmt>`` for each format (used by entry points only)."""
    from pathlib import Path

    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with _plt().rc_context(RC):   # savefig.* keys (dpi, tight bbox) apply when saving, not drawing
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path)
            paths.append(path)
    _plt().close(fig)
    return paths


