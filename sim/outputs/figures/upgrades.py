"""Upgrade-cadence figures: how many technology generations the buyers' current products are
behind China's frontier (``generation_lag_cycles``), per defense program, customer country,
circle and civil sector."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.outputs.figures.common import NoData, fan_figure
from sim.outputs.style import SECTOR_LABELS, SOURCE_NOTE, entity_label

METRIC = "generation_lag_cycles"
YLABEL = "generations behind\nChina's frontier"   # two lines: one overruns a 2.2-inch panel
ZERO_NOTE = "Level with China's frontier throughout (not drawn)"


def _rank(entity: str) -> tuple:
    """Sort key: programs (US first, China's last), countries, circles, then civil sectors."""
    kind, sep, rest = entity.partition(":")
    if not sep:
        return (0, not entity.startswith("us."), entity.startswith("cn."), entity)
    if kind == "country":
        return (1, 0, False, rest)
    if kind == "circle":
        return (2, 0, False, rest)
    sector = list(SECTOR_LABELS).index(kind) if kind in SECTOR_LABELS else len(SECTOR_LABELS)
    return (3, sector, kind, rest != "US", rest == "CN", rest)   # per sector: US first, China last


def upgrade_entities(table: pd.DataFrame, metric: str = METRIC) -> list[str]:
    """Entities of ``metric`` in ``table``: defense programs (US first, China's last), then
    ``country:`` aggregates, ``circle:`` aggregates, and civil sectors (``ev:US``, ``motors:JP``)."""
    found = table.loc[table["metric"] == metric, "entity"].astype(str).unique()
    return sorted(found, key=_rank)


HEADLINE_COUNTRIES = ("US", "EU", "JP", "KR", "TW", "CN")   # civil sectors a run's own figure shows


def headline_entities(table: pd.DataFrame, countries: Sequence[str] = HEADLINE_COUNTRIES) -> list[str]:
    """:func:`upgrade_entities` with the civil sectors of ``countries`` only (a run's own figure;
    every country has sectors, and all of them make a sheet of 40 panels)."""
    def keep(entity: str) -> bool:
        kind, _, who = entity.partition(":")
        return not who or kind in ("country", "circle") or who in countries

    return [e for e in upgrade_entities(table) if keep(e)]


def plot_generation_lag(table: pd.DataFrame, entities: Sequence[str] | None = None, ncols: int = 4,
                        names: dict[str, str] | None = None, note: str = SOURCE_NOTE):
    """Generations behind China's frontier: median and 50%/90% bands over runs, one panel per series.

    Series that are zero in every run and month (level with the frontier throughout) are not
    drawn; the caption lists them (if all are, one panel says so). Several scenarios in
    ``table`` draw one fan each.

    Args:
        table: tidy results, one or more scenarios.
        entities: series to draw; default every one in ``table`` (:func:`upgrade_entities` order).
        ncols: panels per row.
        names: program id -> display name (panel titles), e.g. from the config.
        note: the caption.

    Returns:
        ``(fig, axes)``: one panel per series behind the frontier in some run.

    Raises:
        NoData: the table has no ``generation_lag_cycles`` rows (results made before the
            upgrade-cadence layer), or none of ``entities``.
    """
    present = upgrade_entities(table)
    if not present:
        raise NoData(f"nothing to draw: the table has no {METRIC} rows (results from a model without "
                     "the upgrade-cadence layer)")
    entities = list(entities or present)
    if not set(entities) & set(present):
        raise NoData(f"nothing to draw: the table has no {METRIC} series of {', '.join(entities)}")
    panels = [(entity_label(e, names), [(e, "-")]) for e in entities]
    return fan_figure(table, METRIC, panels, ylabel=YLABEL, ncols=ncols, note=note, zero_note=ZERO_NOTE,
                      title="Upgrade cadence: generations behind China's frontier, per program, customer "
                            "country, circle and civil sector")
