"""Report figures from the tidy table. Every function takes data and returns ``(fig, axes)``;
only entry points (``python -m experiments.report``) save them.

Modules: :mod:`~sim.outputs.figures.common` (fans, layout, caption), :mod:`~sim.outputs.figures.lag`
(delivery lag), :mod:`~sim.outputs.figures.supply` (capacity, prices, stockpiles),
:mod:`~sim.outputs.figures.world` (circles, exports, fiscal cost), :mod:`~sim.outputs.figures.levers`
(a study's levers against an outcome). The style is ``sim/outputs/rhythm.mplstyle``; scenario colours
and labels are in :mod:`sim.outputs.style`.
"""

from sim.outputs.figures.common import runs_per_scenario, scenarios_of, source_note
from sim.outputs.figures.lag import plot_lag_circles, plot_lag_programs, plot_scenario_grid
from sim.outputs.figures.levers import outcome_label, plot_lever_scatter, rank_correlations, run_outcomes, swept_keys
from sim.outputs.figures.supply import plot_capacity_share, plot_prices, plot_stockpile_cover
from sim.outputs.figures.world import plot_circles_and_exports, plot_fiscal_cost

__all__ = [
    "outcome_label", "plot_capacity_share", "plot_circles_and_exports", "plot_fiscal_cost", "plot_lag_circles",
    "plot_lag_programs", "plot_lever_scatter", "plot_prices", "plot_scenario_grid", "plot_stockpile_cover",
    "rank_correlations", "run_outcomes", "runs_per_scenario", "scenarios_of", "source_note", "swept_keys",
]
