"""Shared pieces of every figure: pyplot, fans over runs, panel grids, date axes, the caption, saving.

A *fan* is the median of one series over runs (seeds, and design points in a study) with its
50% and 90% bands, drawn in the scenario's colour (:mod:`sim.outputs.style`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.outputs.style import RC, SCENARIO_STYLE, SOURCE_NOTE, scenario_style

Panel = tuple[str, Sequence[tuple[str, str]]] | None   # (title, [(entity, linestyle), ...]); None: a gap
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


class NoData(ValueError):
    """The table holds nothing the figure could draw (the message says what is missing and why)."""


def pyplot():
    """``matplotlib.pyplot``, on the Agg backend outside a notebook (imported on first use)."""
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


def save(fig, path_stem: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``<stem>.<fmt>`` for each format, then close it (entry points only)."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    plt = pyplot()
    paths = []
    with plt.rc_context(RC):   # savefig.* keys (dpi, tight bbox) apply when saving, not drawing
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path)
            paths.append(path)
    plt.close(fig)
    return paths


def line_width(i: int, n: int) -> float:
    """Median line width of the ``i``-th of ``n`` scenarios: earlier ones wider, so a scenario
    that coincides with another still shows (as a thin line inside a wide one)."""
    return 1.0 + 0.8 * (n - 1 - i)


def scenarios_of(table: pd.DataFrame) -> list[str]:
    """Scenarios in ``table``: the known ones in their usual order, then any others."""
    found = {str(s) for s in table["scenario"].unique()}
    return [s for s in SCENARIO_STYLE if s in found] + sorted(found - set(SCENARIO_STYLE))


def runs_per_scenario(table: pd.DataFrame) -> dict[str, int]:
    """Distinct runs (``run`` and ``seed`` pairs, or seeds) behind each scenario's fan."""
    keys = ["run", "seed"] if "run" in table.columns else ["seed"]
    firsts = table.drop_duplicates(["scenario", *keys])
    counts = firsts.groupby("scenario", observed=True).size()
    return {s: int(counts.get(s, 0)) for s in scenarios_of(table)}


def source_note(table: pd.DataFrame, commit: str | None = None, what: str = "runs", fans: bool = True,
                unknown: str = "commit unknown") -> str:
    """The caption: model version, runs per scenario, what line and bands show, data sources.

    Args:
        table: the tidy table drawn.
        commit: git commit of the model that made the results (None: not known).
        what: what the runs are (``"seeds"``, ``"runs (seeds x design points)"``).
        fans: the figure draws fans (median and bands); False: one mark per run.
        unknown: said instead of the commit when ``commit`` is None (e.g. ``"manifest unreadable"``).
    """
    counts = runs_per_scenario(table)
    per = ", ".join(f"{scenario_style(s)['label']} {n}" for s, n in counts.items())
    version = f"rhythm-sim {commit[:10]}" if commit else f"rhythm-sim ({unknown})"
    shown = (f"Line: median; shaded: 50% and 90% bands over {what.split(' ')[0]}." if fans
             else "One mark per run.")
    return (f"Source: {version}; {what} per scenario: {per}. {shown} "
            "Inputs trace to DATA.md facts (docs/data_sources.md).")


def bands(table: pd.DataFrame, metric: str, entity: str, scenario: str | None = None) -> pd.DataFrame:
    """The quantiles :data:`QUANTILES` over runs, per month, of one series (columns: the quantiles)."""
    rows = table[(table["metric"] == metric) & (table["entity"] == entity)]
    if scenario is not None:
        rows = rows[rows["scenario"] == scenario]
    by = rows.groupby("month", observed=True)["value"]
    return pd.DataFrame({q: by.quantile(q) for q in QUANTILES})


def draw_bands(ax, b: pd.DataFrame, color: str, label: str | None = None, *, linestyle: str = "-",
               linewidth: float = 1.4, shade: float = 1.0) -> None:
    """Draw a median line with its 50% and 90% bands from a frame of :data:`QUANTILES` per month."""
    x = pd.to_datetime(b.index)
    ax.fill_between(x, b[0.05], b[0.95], color=color, alpha=0.12 * shade, linewidth=0)
    ax.fill_between(x, b[0.25], b[0.75], color=color, alpha=0.28 * shade, linewidth=0)
    ax.plot(x, b[0.5], color=color, linewidth=linewidth, linestyle=linestyle, label=label)


def draw_fan(ax, table: pd.DataFrame, metric: str, entity: str, scenario: str, scale: float = 1.0,
             linestyle: str = "-", shade: float = 1.0, linewidth: float = 1.4) -> bool:
    """Draw one scenario's fan of ``metric``/``entity`` times ``scale``; False if nothing non-zero."""
    b = bands(table, metric, entity, scenario) * scale
    if b.empty:
        return False
    draw_bands(ax, b, scenario_style(scenario)["color"], linestyle=linestyle, linewidth=linewidth, shade=shade)
    return bool((b.abs() > 0).any().any())


def date_axis(ax) -> None:
    """Calendar years on the x axis, shown on this panel even where panels share it (call after
    drawing): a label every year, every two beyond five years."""
    import matplotlib.dates as mdates

    lo, hi = ax.get_xlim()   # days
    ax.xaxis.set_major_locator(mdates.YearLocator(2 if hi - lo > 5 * 365 else 1))
    ax.xaxis.set_minor_locator(mdates.YearLocator(1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_tick_params(labelbottom=True)


def panel_grid(n: int, ncols: int, width: float, height: float, sharey: bool | str = False, extra_in: float = 1.1):
    """``plt.subplots`` for ``n`` panels, ``ncols`` a row, sharing x; panels beyond ``n`` hidden.

    Args:
        n: panels.
        ncols: panels per row.
        width, height: inches per panel.
        sharey: as ``plt.subplots``.
        extra_in: inches added to the height for the title, legend and caption.
    """
    plt = pyplot()
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows + extra_in), sharex=True,
                             sharey=sharey, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def entities_with_data(table: pd.DataFrame, metric: str) -> list[str]:
    """Entities of ``metric`` whose median over runs is non-zero in some month and scenario."""
    rows = table[table["metric"] == metric]
    med = rows.groupby(["entity", "scenario", "month"], observed=True)["value"].median()
    live = set(med[med.abs() > 0].index.get_level_values("entity").astype(str))
    return [e for e in dict.fromkeys(rows["entity"].astype(str)) if e in live]


def nonzero_entities(table: pd.DataFrame, metric: str) -> set[str]:
    """Entities of ``metric`` with a non-zero value in some run and month (the rest are zero throughout)."""
    rows = table[table["metric"] == metric]
    return set(rows.loc[rows["value"].abs() > 0, "entity"].astype(str))


def _legend_handles(scenarios: list[str], styles: dict[str, str] | None):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=scenario_style(s)["color"], linewidth=line_width(i, len(scenarios)),
                      label=scenario_style(s)["label"]) for i, s in enumerate(scenarios)]
    for label, ls in (styles or {}).items():
        handles.append(Line2D([], [], color="#333333", linestyle=ls, linewidth=1.4, label=label))
    return handles


def finish(fig, title: str, note: str, handles=None, bottom_in: float = 0.4) -> None:
    """Title, legend (below the panels) and the source note (the caption area), then lay out."""
    width, height = fig.get_size_inches()
    legend_in = 0.3 if handles else 0.0
    caption = textwrap.fill(note, width=int(width * 19))
    caption_in = 0.13 * (caption.count("\n") + 1) + 0.1
    bottom = legend_in + caption_in + bottom_in - 0.35
    fig.suptitle(title, y=1 - 0.07 / height)   # a fixed distance from the top: 0.98 of a tall figure is inches
    fig.tight_layout(rect=(0, bottom / height, 1, 1 - 0.15 / height))
    if handles:
        fig.legend(handles=handles, loc="center", ncol=min(len(handles), 6),
                   bbox_to_anchor=(0.5, (caption_in + legend_in / 2) / height))
    fig.text(0.01, 0.02 / height, caption, fontsize=7, color="#555555", va="bottom", ha="left")


def fan_figure(table: pd.DataFrame, metric: str, panels: Sequence[Panel], *, ylabel: str, title: str,
               note: str = SOURCE_NOTE, scale: float = 1.0, ncols: int = 3, linestyles: dict[str, str] | None = None,
               ylim0: bool = True, width: float = 3.1, height: float = 2.2, sharey: bool = False,
               zero_note: str | None = None):
    """Panels of fans, every scenario of ``table`` overlaid in each, calendar years on every panel.

    Args:
        table: tidy results, one or more scenarios.
        metric: the metric drawn.
        panels: ``(title, [(entity, linestyle), ...])`` per panel; None leaves a gap.
        ylabel: y-axis label with its unit.
        title: figure title.
        note: the caption (source note).
        scale: factor applied to values (e.g. 100 for percent, 1e-9 for USD bn).
        ncols: panels per row.
        linestyles: legend entries for line styles (label -> style), when panels mix entities.
        ylim0: start the y axis at zero.
        width, height: inches per panel.
        sharey: one y scale for every panel.
        zero_note: leave out the panels that are zero in every run and month, and list their
            titles in the caption after this text (e.g. ``"Zero lag throughout (not drawn)"``);
            None: draw them, marked "zero in every run". When every panel is zero, one panel
            says so.

    Returns:
        ``(fig, axes)``; ``axes`` is a 2-D array, unused panels hidden.

    Raises:
        NoData: no panels, or ``metric`` is not in ``table``.
    """
    table = table[table["metric"] == metric]   # once, not per fan
    if table.empty or not [p for p in panels if p is not None]:
        raise NoData(f"nothing to draw for '{title}': the table has no {metric} series of its panels")
    if zero_note is not None:
        live = nonzero_entities(table, metric)
        zero = [p[0] for p in panels if p is not None and not any(e in live for e, _ in p[1])]
        panels = [p for p in panels if p is None or any(e in live for e, _ in p[1])]
        if zero:
            note = f"{note} {zero_note}: {', '.join(zero)}."
        if not [p for p in panels if p is not None]:
            panels = [("Every series", [])]
    plt = pyplot()
    scen = scenarios_of(table)
    months = pd.to_datetime(table["month"])
    with plt.rc_context(RC):
        fig, axes = panel_grid(len(panels), ncols, width, height, sharey)
        ncols = axes.shape[1]
        for i, (ax, panel) in enumerate(zip(axes.flat, panels)):
            if panel is None:
                ax.set_visible(False)
                continue
            panel_title, lines = panel
            drawn = False
            for k, s in enumerate(scen):
                for entity, ls in lines:
                    drawn |= draw_fan(ax, table, metric, entity, s, scale, ls, shade=1.0 if len(lines) == 1 else 0.6,
                                      linewidth=line_width(k, len(scen)))
            ax.set_title(panel_title)
            ax.set_xlim(months.min(), months.max())
            if ylim0:
                ax.set_ylim(bottom=0)
            if not drawn:   # all zero: say so rather than show an empty scale
                if not sharey:
                    ax.set_ylim(0, 1)
                ax.text(0.5, 0.5, "zero in every run", transform=ax.transAxes, ha="center", color="#777777")
            if i % ncols == 0 or not sharey:
                ax.set_ylabel(ylabel)
            date_axis(ax)
            if i + ncols >= len(panels):   # the lowest panel of its column
                ax.set_xlabel("year (monthly steps)")
        finish(fig, title, note, _legend_handles(scen, linestyles))
    return fig, axes
