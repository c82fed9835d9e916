"""Scenario colours and labels, and the figure style: the one place they are defined."""

from __future__ import annotations

SCENARIO_STYLE = {
    "rhythm_embedded": {"label": "Rhythm embedded (baseline)", "color": "#1f5fa8"},
    "collision": {"label": "Collision", "color": "#c2410c"},
    "bifurcation": {"label": "Bifurcation", "color": "#6d28d9"},
}
FALLBACK = {"label": None, "color": "#444444"}

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}

SOURCE_NOTE = "Source: rhythm-sim; median and 50%/90% bands over replicate seeds."


def scenario_style(name: str) -> dict:
    """Colour and label of a scenario (a neutral style for unknown names)."""
    style = SCENARIO_STYLE.get(name, FALLBACK)
    return {"label": style["label"] or name, "color": style["color"]}
