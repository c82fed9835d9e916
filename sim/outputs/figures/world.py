"""The world's split and its cost: circle B's GDP share, China's exports to the US, fiscal cost."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.outputs.figures.common import entities_with_data, fan_figure
from sim.outputs.style import COUNTRY_LABELS, SOURCE_NOTE

FISCAL_ORDER = ("US", "JP", "EU", "AU", "CA", "KR", "GB", "TW", "IN")


def plot_circles_and_exports(table: pd.DataFrame, destination: str = "US", note: str = SOURCE_NOTE):
    """Circle B's share of GDP (world and Global South) and China's export share to ``destination``.

    Returns:
        ``(fig, axes)``, three panels, all in percent.
    """
    both = pd.concat([table[(table["metric"] == "circle_b_share_gdp")],
                      table[(table["metric"] == "china_export_share") & (table["entity"] == destination)]])
    both = both.assign(metric="share", entity=both["metric"].astype(str) + "/" + both["entity"].astype(str))
    panels = [("Circle B's share of world GDP", [("circle_b_share_gdp/world", "-")]),
              ("Circle B's share of Global South GDP", [("circle_b_share_gdp/global_south", "-")]),
              (f"China's export share: {COUNTRY_LABELS.get(destination, destination)}",
               [(f"china_export_share/{destination}", "-")])]
    return fan_figure(both, "share", panels, ylabel="share (%)", scale=100.0, ncols=3, note=note,
                      title="Two circles: circle B's weight, and the share of China's exports to one destination")


def plot_fiscal_cost(table: pd.DataFrame, countries: Sequence[str] | None = None, note: str = SOURCE_NOTE):
    """Cumulative fiscal cost of stockpiles, subsidies, grants and price floors (USD bn).

    Args:
        table: tidy results.
        countries: payers to show (default: those with any cost, the US first).
        note: the caption.

    Returns:
        ``(fig, axes)``, one panel per country.
    """
    live = entities_with_data(table, "fiscal_cost_usd")
    countries = list(countries or sorted(live, key=lambda c: (FISCAL_ORDER.index(c) if c in FISCAL_ORDER else 99, c)))
    panels = [(COUNTRY_LABELS.get(c, c), [(c, "-")]) for c in countries]
    return fan_figure(table, "fiscal_cost_usd", panels, ylabel="cumulative cost (USD bn)", scale=1e-9,
                      ncols=min(4, max(1, len(panels))), note=note,
                      title="Fiscal cost of the US and allied measures, cumulative since the start")
