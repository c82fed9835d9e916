"""Delivery-lag figures: fans per program, per circle, and the scenarios side by side (with the
generation lag behind China's frontier where the results have it)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.outputs.figures.common import date_axis, draw_fan, fan_figure, finish, pyplot, scenarios_of
from sim.outputs.figures.upgrades import METRIC as GENERATION_LAG
from sim.outputs.figures.upgrades import YLABEL as GENERATION_UNITS
from sim.outputs.style import RC, SOURCE_NOTE, entity_label, scenario_style

UNITS = {"delivery_lag_months": "lag (months)", "delivery_lag_cycles": "lag (production cycles)",
         GENERATION_LAG: GENERATION_UNITS}
ZERO_NOTE = "Zero lag throughout (not drawn)"


def lag_entities(table: pd.DataFrame, metric: str = "delivery_lag_months") -> list[str]:
    """Lag series in ``table``: programs first, then customer countries, then circles."""
    ents = table.loc[table["metric"] == metric, "entity"].astype(str).unique()
    return sorted(ents, key=lambda e: (e.startswith("country:"), e.startswith("circle:"), e))


def programs_of(table: pd.DataFrame, metric: str = "delivery_lag_months") -> list[str]:
    """Program ids with a lag series (not the aggregates): US programs first, China's last."""
    ids = [e for e in lag_entities(table, metric) if ":" not in e]
    return sorted(ids, key=lambda e: (not e.startswith("us."), e.startswith("cn."), e))


def plot_lag_programs(table: pd.DataFrame, programs: Sequence[str] | None = None,
                      metric: str = "delivery_lag_months", names: dict[str, str] | None = None,
                      note: str = SOURCE_NOTE, ncols: int = 4):
    """Delivery lag behind plan per program: fans over runs, one panel per program that lags in
    some run (the others are listed in the caption).

    Args:
        table: tidy results, one or more scenarios.
        programs: program ids (default: every program in ``table``).
        metric: ``delivery_lag_months`` or ``delivery_lag_cycles``.
        names: program id -> display name (panel titles).
        note: the caption.
        ncols: panels per row.

    Returns:
        ``(fig, axes)``.
    """
    programs = list(programs or programs_of(table, metric))
    panels = [(f"{names[p]} ({p})" if names and p in names else p, [(p, "-")]) for p in programs]
    return fan_figure(table, metric, panels, ylabel=UNITS[metric], ncols=ncols, note=note, zero_note=ZERO_NOTE,
                      title="Delivery lag behind plan, per program")


def plot_lag_circles(table: pd.DataFrame, metric: str = "delivery_lag_cycles", note: str = SOURCE_NOTE):
    """Delivery lag of each circle's customer countries (mean over the circle's members each month).

    Returns:
        ``(fig, axes)``, one panel per circle of ``table`` that lags in some run (the others are
        listed in the caption).
    """
    circles = [e for e in lag_entities(table, metric) if e.startswith("circle:")]
    panels = [(entity_label(c), [(c, "-")]) for c in circles]
    return fan_figure(table, metric, panels, ylabel=UNITS[metric], ncols=3, note=note, sharey=True, zero_note=ZERO_NOTE,
                      title="Delivery lag behind plan, per circle (mean over its customer countries)")


def plot_scenario_grid(table: pd.DataFrame, entities: Sequence[str] = ("country:US", "high_end:US", "circle:A"),
                       metric: str = "delivery_lag_cycles", note: str = SOURCE_NOTE,
                       upgrades: Sequence[str] = ("country:US", "circle:A")):
    """The scenarios side by side (columns), one row per series with one y scale per row: the lag
    series, then the generation-lag series (generations behind China's frontier) of ``upgrades``
    where the table has them.

    Args:
        table: tidy results with one or more scenarios.
        entities: lag series, one row each (those absent from ``table`` are skipped).
        metric: ``delivery_lag_cycles`` or ``delivery_lag_months``.
        note: the caption.
        upgrades: ``generation_lag_cycles`` series, one row each after the lag rows (those
            absent from ``table`` are skipped: no row, and none at all in results without the
            upgrade-cadence layer).

    Returns:
        ``(fig, axes)``; ``axes`` is ``[rows, scenarios]``.
    """
    plt = pyplot()
    scen = scenarios_of(table)
    present = set(table.loc[table["metric"] == metric, "entity"].astype(str))
    rows = [(metric, e) for e in entities if e in present] or [(metric, e) for e in entities[:1]]
    behind = set(table.loc[table["metric"] == GENERATION_LAG, "entity"].astype(str))
    rows += [(GENERATION_LAG, e) for e in upgrades if e in behind]
    with plt.rc_context(RC):
        fig, axes = plt.subplots(len(rows), len(scen), figsize=(3.3 * len(scen), 2.3 * len(rows) + 1.1),
                                 sharex=True, sharey="row", squeeze=False)
        for i, (row_metric, entity) in enumerate(rows):
            drawn = table[table["metric"] == row_metric]
            for j, s in enumerate(scen):
                ax = axes[i, j]
                draw_fan(ax, drawn, row_metric, entity, s)
                date_axis(ax)
                if i == 0:
                    ax.set_title(scenario_style(s)["label"], color=scenario_style(s)["color"], fontweight="bold")
                if i == len(rows) - 1:
                    ax.set_xlabel("year (monthly steps)")
            axes[i, 0].set_ylim(bottom=0)   # after the row is drawn: the row shares it
            axes[i, 0].set_ylabel(f"{entity_label(entity)}\n{UNITS[row_metric]}")
        upgraded = any(m == GENERATION_LAG for m, _ in rows)
        finish(fig, "Delivery lag and generations behind China's frontier, by scenario" if upgraded
               else "Delivery lag by scenario", note)
    return fig, axes
