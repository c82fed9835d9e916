"""Figures from the tidy table. Every plot function takes data and returns ``(fig, axes)``; only
entry points save them, with :func:`save` (a run's writer, ``python -m experiments.report``).

Modules: :mod:`~sim.outputs.figures.common` (pyplot, fans, panel grids, date axes, the caption,
:func:`save`, :class:`NoData`), :mod:`~sim.outputs.figures.run` (a run's own figures: delivery
lag, the scenarios side by side), :mod:`~sim.outputs.figures.lag` (delivery lag per program and
circle), :mod:`~sim.outputs.figures.supply` (capacity, prices, stockpiles),
:mod:`~sim.outputs.figures.world` (circles, exports, fiscal cost), :mod:`~sim.outputs.figures.levers`
(a study's levers against an outcome), :mod:`~sim.outputs.figures.upgrades` (generations behind
China's frontier). The style is ``sim/outputs/rhythm.mplstyle``; scenario colours and labels are
in :mod:`sim.outputs.style`.
"""

from sim.outputs.figures.common import (
    NoData,
    date_axis,
    draw_bands,
    pyplot,
    runs_per_scenario,
    save,
    scenarios_of,
    source_note,
)
from sim.outputs.figures.lag import plot_lag_circles, plot_lag_programs, plot_scenario_grid
from sim.outputs.figures.levers import outcome_label, plot_lever_scatter, rank_correlations, run_outcomes, swept_keys
from sim.outputs.figures.run import plot_delivery_lag, plot_scenario_panel
from sim.outputs.figures.supply import plot_capacity_share, plot_prices, plot_stockpile_cover
from sim.outputs.figures.upgrades import plot_generation_lag, upgrade_entities
from sim.outputs.figures.world import plot_circles_and_exports, plot_fiscal_cost

__all__ = [
    "NoData", "date_axis", "draw_bands", "outcome_label", "plot_capacity_share", "plot_circles_and_exports",
    "plot_delivery_lag", "plot_fiscal_cost", "plot_generation_lag", "plot_lag_circles", "plot_lag_programs",
    "plot_lever_scatter", "plot_prices", "plot_scenario_grid", "plot_scenario_panel", "plot_stockpile_cover",
    "pyplot", "rank_correlations", "run_outcomes", "runs_per_scenario", "save", "scenarios_of", "source_note",
    "swept_keys", "upgrade_entities",
]
