"""A run's own figures, written beside its results: delivery lag per series, and the scenarios
side by side when several run together (a run's generations behind China's frontier is
:func:`~sim.outputs.figures.upgrades.plot_generation_lag`). Each takes the tidy table and returns
``(fig, axes)``; the run's writer saves them (:func:`sim.outputs.figures.common.save`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.outputs.figures.common import NoData, fan_figure
from sim.outputs.figures.lag import UNITS, ZERO_NOTE, lag_entities, plot_scenario_grid, programs_of
from sim.outputs.style import SOURCE_NOTE, entity_label

METRIC = "delivery_lag_months"


def plot_delivery_lag(table: pd.DataFrame, entities: Sequence[str] | None = None, ncols: int = 4,
                      names: dict[str, str] | None = None, note: str = SOURCE_NOTE):
    """Delivery lag (months) per program and customer country: median and 50/90% bands over seeds.

    Series that are zero in every seed and month are not drawn; the caption lists them (if all
    are, one panel says so).

    Args:
        table: tidy results, one or more scenarios.
        entities: series to draw; default every program and customer country.
        ncols: panels per row.
        names: program id -> display name (panel titles), e.g. from the config.
        note: the caption.

    Returns:
        ``(fig, axes)``: one panel per series that lags in some seed.

    Raises:
        NoData: no program has a lag series (a world without defense producers), or none of
            ``entities`` is in the table.
    """
    programs = programs_of(table, METRIC)
    if not programs and not entities:
        raise NoData(f"nothing to draw: no defense program has a {METRIC} series (a world without "
                     "defense producers owes no deliveries, so no lag)")
    entities = list(entities or programs + [e for e in lag_entities(table, METRIC) if e.startswith("country:")])
    if not set(entities) & set(lag_entities(table, METRIC)):
        raise NoData(f"nothing to draw: the table has no {METRIC} series of {', '.join(entities)}")
    panels = [(entity_label(e, names), [(e, "-")]) for e in entities]
    return fan_figure(table, METRIC, panels, ylabel=UNITS[METRIC], ncols=ncols, note=note, zero_note=ZERO_NOTE,
                      title="Delivery lag behind plan, per program and per customer country")


def plot_scenario_panel(table: pd.DataFrame, entities: Sequence[str] = ("country:US", "circle:A"),
                        metric: str = "delivery_lag_cycles", note: str = SOURCE_NOTE,
                        upgrades: Sequence[str] = ("country:US", "circle:A")):
    """The scenarios side by side (columns), one row per lag series (US and circle A by default),
    then one per generation-lag series of ``upgrades`` where the table has them.

    Returns:
        ``(fig, axes)``; ``axes`` is ``[rows, scenarios]`` (see :func:`~sim.outputs.figures.lag.plot_scenario_grid`).
    """
    return plot_scenario_grid(table, entities, metric, note, upgrades)
