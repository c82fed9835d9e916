"""Sensitivity (SALib: Sobol, Morris) and scenario discovery (EMA Workbench: PRIM) on the study runner.

    from sim.sensitivity import load_xlrm, salib_problem, sobol_sample, evaluate, sobol_indices
    xlrm = load_xlrm()                                  # conf/sensitivity/xlrm.yaml
    problem = salib_problem(xlrm)
    unit = sobol_sample(problem, 64, seed=1)
    ev = evaluate(xlrm, unit, "collision", out="outputs/sensitivity/sobol/collision/runs")
    first, _ = sobol_indices(problem, ev.per_point["us_lag"].to_numpy())

Modules: :mod:`~sim.sensitivity.xlrm` (the declaration, the unit cube and its config values),
:mod:`~sim.sensitivity.methods` (SALib samplers and analyses, a Latin hypercube),
:mod:`~sim.sensitivity.outcomes` (reductions of the tidy table, replicate averaging),
:mod:`~sim.sensitivity.evaluation` (a design through the study runner),
:mod:`~sim.sensitivity.prim` (PRIM and the box choice), :mod:`~sim.sensitivity.plots`
(figures returning ``(fig, ax)``). Entry points: ``python -m experiments.sensitivity`` and
``python -m experiments.discovery``.
"""

from sim.sensitivity.evaluation import Evaluation, evaluate
from sim.sensitivity.methods import (
                                     lhs_sample,
                                     morris_indices,
                                     morris_sample,
                                     sobol_indices,
                                     sobol_runs,
                                     sobol_sample,
                                     top_inputs,
)
from sim.sensitivity.outcomes import noise_share, point_means, reduce_outcomes
from sim.sensitivity.prim import PrimResult, case_threshold, find_box
from sim.sensitivity.xlrm import XLRM, Input, Outcome, config_values, input_values, load_xlrm, salib_problem

__all__ = ["XLRM", "Evaluation", "Input", "Outcome", "PrimResult", "case_threshold", "config_values", "evaluate",
           "find_box", "input_values", "lhs_sample", "load_xlrm", "morris_indices", "morris_sample",
           "noise_share", "point_means", "reduce_outcomes", "salib_problem", "sobol_indices", "sobol_runs",
           "sobol_sample", "top_inputs"]
