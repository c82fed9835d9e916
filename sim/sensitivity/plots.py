"""Figures of sensitivity and discovery results. Each takes tables and returns ``(fig, ax)``;
only entry points save (:func:`sim.outputs.figures.save`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outputs.figures.common import pyplot
from sim.outputs.style import RC, SERIES_COLORS, scenario_style


def _note(fig, text: str) -> None:
    fig.text(0.01, 0.005, text, fontsize=6.5, color="#555555", ha="left", va="bottom", wrap=True)


def plot_sobol(indices: pd.DataFrame, title: str, scenario: str | None = None, note: str = ""):
    """First-order (S1) and total-order (ST) Sobol indices per input, with confidence bars.

    Args:
        indices: ``input, S1, S1_conf, ST, ST_conf`` (one outcome), drawn in descending ST.
        title: the outcome's label; scenario: its name (for the title and the ST colour).
        note: a caption (sample size, interval level).
    """
    plt = pyplot()
    data = indices.sort_values("ST", ascending=True, na_position="first")
    y = np.arange(len(data))
    st_color = scenario_style(scenario)["color"] if scenario else SERIES_COLORS[0]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(data) + 1.4))
        ax.barh(y + 0.2, data["ST"], height=0.38, xerr=data["ST_conf"], color=st_color,
                error_kw={"elinewidth": 0.8, "capsize": 2}, label="Total order (ST)")
        ax.barh(y - 0.2, data["S1"], height=0.38, xerr=data["S1_conf"], color="#9ca3af",
                error_kw={"elinewidth": 0.8, "capsize": 2}, label="First order (S1)")
        ax.set_yticks(y, data["input"])
        ax.axvline(0, color="#333333", linewidth=0.6)
        ends = pd.concat([data["S1"] - data["S1_conf"], data["ST"] + data["ST_conf"]]).dropna()
        # Keep [0, 1] readable: intervals of a small sample can run far outside it.
        ax.set_xlim(max(-0.5, min(-0.05, ends.min() if len(ends) else 0.0)),
                    min(1.5, max(1.05, ends.max() if len(ends) else 1.0)))
        ax.set_xlabel("Share of outcome variance")
        where = f" ({scenario_style(scenario)['label']})" if scenario else ""
        ax.set_title(f"Sobol indices: {title}{where}")
        ax.legend(loc="lower right")
        if note:
            _note(fig, note)
        fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    return fig, ax


def plot_morris(indices: pd.DataFrame, title: str, unit: str = "", scenario: str | None = None, note: str = ""):
    """Morris screening: mu* (mean absolute elementary effect) against sigma, one point per input.

    Args:
        indices: ``input, mu_star, mu_star_conf, sigma`` (one outcome).
        title: the outcome's label; unit: its unit; scenario: its name.
        note: a caption.
    """
    plt = pyplot()
    color = scenario_style(scenario)["color"] if scenario else SERIES_COLORS[0]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.0, 4.6))
        ax.errorbar(indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"], fmt="o",
                    color=color, markersize=4, elinewidth=0.8, capsize=2)
        for row in indices.itertuples():
            ax.annotate(row.input, (row.mu_star, row.sigma), xytext=(4, 3), textcoords="offset points",
                        fontsize=7)
        top = float(np.nanmax([indices["mu_star"].max(), indices["sigma"].max(), 0.0])) or 1.0
        ax.plot([0, top], [0, top], color="#9ca3af", linewidth=0.7, linestyle="--", label="sigma = mu*")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        per = f" ({unit} per full range)" if unit else " (per full range)"
        ax.set_xlabel("mu*: mean absolute elementary effect" + per)
        ax.set_ylabel("sigma: spread of elementary effects")
        where = f" ({scenario_style(scenario)['label']})" if scenario else ""
        ax.set_title(f"Morris screening: {title}{where}")
        ax.legend(loc="upper left")
        if note:
            _note(fig, note)
        fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    return fig, ax


def plot_prim_tradeoff(trajectory: pd.DataFrame, title: str, note: str = ""):
    """PRIM's peeling trajectory: density against coverage, coloured by restricted inputs.

    Args:
        trajectory: ``coverage, density, res_dim`` and ``chosen`` per box.
        title: the case of interest; note: a caption.
    """
    plt = pyplot()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(5.8, 4.4))
        ax.plot(trajectory["coverage"], trajectory["density"], color="#9ca3af", linewidth=0.7, zorder=1)
        dims = sorted(trajectory["res_dim"].unique())
        for i, d in enumerate(dims):
            part = trajectory[trajectory["res_dim"] == d]
            ax.scatter(part["coverage"], part["density"], s=14, color=SERIES_COLORS[i % len(SERIES_COLORS)],
                       label=f"{d} restricted", zorder=2)
        chosen = trajectory[trajectory["chosen"]]
        ax.scatter(chosen["coverage"], chosen["density"], s=90, facecolors="none", edgecolors="#111111",
                   linewidths=1.2, label="chosen box", zorder=3)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("Coverage (share of cases inside the box)")
        ax.set_ylabel("Density (share of the box that are cases)")
        ax.set_title(f"PRIM trade-off: {title}")
        ax.legend(loc="lower left", fontsize=6.5)
        if note:
            _note(fig, note)
        fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    return fig, ax


def plot_box_limits(limits: pd.DataFrame, title: str, note: str = ""):
    """The chosen box's limits on each restricted input, as a share of its sampled range.

    Args:
        limits: ``input, low, high, levels, significant, full_low, full_high`` (from
            :func:`~sim.sensitivity.prim.find_box`); limits that are not significant are grey.
        title: the case and the box's coverage and density; note: a caption.
    """
    plt = pyplot()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 0.5 * max(len(limits), 1) + 1.4))
        for y, row in enumerate(limits.itertuples()):
            ax.barh(y, 1.0, left=0.0, height=0.5, color="#e5e7eb")
            if row.levels:
                ax.text(0.5, y, f"levels: {row.levels}", ha="center", va="center", fontsize=7)
                continue
            span = row.full_high - row.full_low
            lo, hi = (row.low - row.full_low) / span, (row.high - row.full_low) / span
            strong = bool(getattr(row, "significant", True))   # grey: quasi-p-value >= 0.05
            ax.barh(y, hi - lo, left=lo, height=0.5, color=SERIES_COLORS[0] if strong else "#9ca3af")
            ax.text(lo, y + 0.32, f"{row.low:.3g}", ha="left", va="bottom", fontsize=6.5)
            ax.text(hi, y + 0.32, f"{row.high:.3g}", ha="right", va="bottom", fontsize=6.5)
        ax.set_yticks(range(len(limits)), limits["input"])
        ax.set_ylim(-0.6, max(len(limits), 1) - 0.2)
        ax.set_xlim(0, 1)
        ax.set_xlabel("Position in the sampled range (0 = low end, 1 = high end)")
        ax.set_title(f"PRIM box: {title}")
        if note:
            _note(fig, note)
        fig.tight_layout(rect=(0, 0.05 if note else 0, 1, 1))
    return fig, ax
