"""Scenario colours and labels, entity display names, and the figure style (the rc keys of
``sim/outputs/rhythm.mplstyle``): the one place they are defined."""

from __future__ import annotations

from pathlib import Path

SCENARIO_STYLE = {
    "rhythm_embedded": {"label": "Rhythm embedded (baseline)", "color": "#1f5fa8"},
    "collision": {"label": "Collision", "color": "#c2410c"},
    "bifurcation": {"label": "Bifurcation", "color": "#6d28d9"},
}
FALLBACK = {"label": None, "color": "#444444"}

STYLE_FILE = Path(__file__).with_name("rhythm.mplstyle")   # the figure style (rc keys), one file


def _typed(text: str) -> bool | int | float | str:
    if text in ("True", "False"):
        return text == "True"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _read_style(path: Path) -> dict[str, bool | int | float | str]:
    """The ``key: value`` lines of a matplotlib style file (comments and blank lines skipped).

    Read by hand so importing this module does not import matplotlib. Values are typed here
    (numbers, booleans), since not every rcParams holder validates text (Solara's per-session
    copy does not).
    """
    rc = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.split("#", 1)[0].partition(":")
        if sep:
            rc[key.strip()] = _typed(value.strip())
    return rc


RC = _read_style(STYLE_FILE)

SOURCE_NOTE = "Source: rhythm-sim; median and 50%/90% bands over replicate seeds."


def scenario_style(name: str) -> dict:
    """Colour and label of a scenario (a neutral style for unknown names)."""
    style = SCENARIO_STYLE.get(name, FALLBACK)
    return {"label": style["label"] or name, "color": style["color"]}


# Display names of the tidy table's entities (SPEC §7), and colours of series that are not
# scenarios (the interactive page's lines, circles).
CIRCLE_STYLE = {
    "A": {"label": "Circle A (USD, high-tech)", "color": "#2563eb"},
    "B": {"label": "Circle B (RMB, materials)", "color": "#b91c1c"},
    "U": {"label": "Unaligned", "color": "#6b7280"},
}
COUNTRY_LABELS = {
    "CN": "China", "US": "United States", "JP": "Japan", "KR": "South Korea", "TW": "Taiwan",
    "EU": "European Union", "GB": "United Kingdom", "AU": "Australia", "CA": "Canada", "IN": "India",
    "ASEAN": "ASEAN", "AFRICA": "Africa", "LATAM": "Latin America", "GULF": "Gulf states",
}
MATERIAL_LABELS = {"light_oxide": "NdPr oxide", "heavy_oxide": "Dy/Tb oxide", "metal": "NdPr metal/alloy",
                   "magnet": "NdFeB magnet"}
STAGE_LABELS = {"separation": "Separation and refining", "metal": "Metal and alloy", "magnet": "Magnet making"}
MARKET_LABELS = {"CN": "China domestic", "ROW": "Rest of world"}
MARKET_LINESTYLE = {"CN": ":", "ROW": "-"}
OTHER_LABELS = {"world": "World", "global_south": "Global South", "total": "Total", "club": "Allied club"}
# Upgrade cadence: civil buyers' sectors (``ev:US``) and the technology frontiers (``frontier:CN``).
SECTOR_LABELS = {"ev": "EV traction motors", "motors": "Industrial motors"}
FRONTIER_LABELS = {"frontier:CN": "frontier (China)", "best:ROW": "best outside China"}
SERIES_COLORS = ("#1f5fa8", "#c2410c", "#15803d", "#6d28d9", "#a16207", "#0e7490", "#be185d", "#4b5563")


def entity_label(entity: str, names: dict[str, str] | None = None) -> str:
    """A readable name for an entity of the tidy table.

    Args:
        entity: e.g. ``us.f35``, ``country:US``, ``circle:A``, ``high_end:TW``, ``magnet:JP``,
            ``separation``, ``US``, ``world``, ``ev:US`` (a civil sector's buyers), ``frontier:CN``.
        names: program id -> display name (e.g. from a run's manifest), optional.
    """
    names = names or {}
    kind, sep, rest = entity.partition(":")
    if not sep:
        return names.get(entity) or COUNTRY_LABELS.get(entity) or STAGE_LABELS.get(entity) or \
            OTHER_LABELS.get(entity, entity)
    if kind == "country":
        return f"{COUNTRY_LABELS.get(rest, rest)} (as customer)"
    if kind == "circle":
        return CIRCLE_STYLE.get(rest, {"label": f"Circle {rest}"})["label"]
    if entity in FRONTIER_LABELS:
        return FRONTIER_LABELS[entity]
    if kind in SECTOR_LABELS:
        return f"{SECTOR_LABELS[kind]} ({rest})"
    if kind == "high_end":
        return f"{COUNTRY_LABELS.get(rest, rest)}, high-end programs"
    if kind in MATERIAL_LABELS:
        return f"{MATERIAL_LABELS[kind]}, {COUNTRY_LABELS.get(rest) or MARKET_LABELS.get(rest, rest)}"
    if kind in STAGE_LABELS:
        return f"{STAGE_LABELS[kind]}, {MARKET_LABELS.get(rest, rest)}"
    return entity
