"""Supply-side figures: non-China capacity share by stage, prices by market, stockpile cover."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.outputs.figures.common import entities_with_data, fan_figure
from sim.outputs.style import (
    COUNTRY_LABELS,
    MARKET_LABELS,
    MARKET_LINESTYLE,
    MATERIAL_LABELS,
    SOURCE_NOTE,
    STAGE_LABELS,
)


def plot_capacity_share(table: pd.DataFrame, note: str = SOURCE_NOTE):
    """Non-China share of operating capacity (ramp-weighted nameplate) per stage, in percent.

    Returns:
        ``(fig, axes)``, one panel per stage.
    """
    stages = [s for s in STAGE_LABELS if s in set(table.loc[table["metric"] == "nonchina_capacity_share", "entity"].astype(str))]
    panels = [(STAGE_LABELS[s], [(s, "-")]) for s in stages]
    return fan_figure(table, "nonchina_capacity_share", panels, ylabel="non-China share of capacity (%)",
                      scale=100.0, ncols=3, note=note, sharey=True,
                      title="Non-China share of world capacity, by stage")


def plot_prices(table: pd.DataFrame, materials: Sequence[str] | None = None, note: str = SOURCE_NOTE):
    """Prices per material in China's domestic market and in the rest of the world (USD/kg).

    Returns:
        ``(fig, axes)``, one panel per material; line style tells the market.
    """
    found = set(table.loc[table["metric"] == "price_usd_per_kg", "entity"].astype(str))
    materials = [m for m in (materials or MATERIAL_LABELS) if any(e.startswith(f"{m}:") for e in found)]
    panels = [(MATERIAL_LABELS.get(m, m), [(f"{m}:{mk}", ls) for mk, ls in MARKET_LINESTYLE.items() if f"{m}:{mk}" in found])
              for m in materials]
    return fan_figure(table, "price_usd_per_kg", panels, ylabel="price (USD/kg)", ncols=4, note=note,
                      linestyles={MARKET_LABELS[mk]: ls for mk, ls in MARKET_LINESTYLE.items()},
                      title="Prices by market")


def plot_stockpile_cover(table: pd.DataFrame, countries: Sequence[str] | None = None, note: str = SOURCE_NOTE):
    """Strategic stockpiles in days of the holder's own use, per country and material.

    Args:
        table: tidy results.
        countries: holders to show (default: those whose stockpile is ever non-empty).
        note: the caption.

    Returns:
        ``(fig, axes)``: a row per country, a column per material held somewhere.
    """
    live = entities_with_data(table, "stockpile_cover_days")
    pairs = [e.split(":", 1) for e in live]
    countries = list(countries or dict.fromkeys(c for _, c in pairs))
    materials = [m for m in MATERIAL_LABELS if any(mm == m and c in countries for mm, c in pairs)]
    held = {tuple(pair) for pair in pairs}
    panels = [(f"{COUNTRY_LABELS.get(c, c)}: {MATERIAL_LABELS[m]}", [(f"{m}:{c}", "-")]) if (m, c) in held else None
              for c in countries for m in materials]
    return fan_figure(table, "stockpile_cover_days", panels, ylabel="days of cover", ncols=max(1, len(materials)),
                      note=note, width=2.7, title="Strategic stockpiles, days of the holder's own use")
