"""SALib's Sobol and Morris methods and a Latin hypercube, over the unit cube of an XLRM.

Samplers return ``unit[n, k]`` (see :mod:`sim.sensitivity.xlrm`); analyses return tidy
tables, one row per input (and outcome, when the caller stacks them). SALib is imported
inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.errors import ConfigError


def _power_of_two(n: int, what: str) -> None:
    if not isinstance(n, int) or n < 2 or n & (n - 1):
        raise ConfigError(f"{what}={n!r}: the Sobol base sample must be a power of 2 (>= 2)")


def sobol_runs(n: int, k: int, second_order: bool) -> int:
    """Model evaluations of a Sobol design: ``n (k + 2)``, or ``n (2k + 2)`` with second order."""
    return n * (2 * k + 2 if second_order else k + 2)


def sobol_sample(problem: dict, n: int, second_order: bool = False, seed: int = 0) -> np.ndarray:
    """Saltelli's scheme on a scrambled Sobol' sequence (``SALib.sample.sobol``), seeded.

    Args:
        problem: the SALib problem (:func:`sim.sensitivity.xlrm.salib_problem`).
        n: base sample, a power of 2.
        second_order: also sample for second-order indices.
        seed: the sequence's scrambling seed.

    Returns:
        ``sobol_runs(n, k, second_order)`` rows.
    """
    from SALib.sample import sobol

    _power_of_two(n, "n")
    return sobol.sample(problem, n, calc_second_order=second_order, seed=seed)


def sobol_indices(problem: dict, y: np.ndarray, second_order: bool = False, resamples: int = 1000,
                  conf_level: float = 0.95, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First- and total-order Sobol indices with bootstrap confidence half-widths.

    Args:
        problem: the SALib problem the sample was drawn for.
        y: one outcome per sample row, in sample order.
        second_order: the sample was drawn with second order; also return S2.
        resamples: bootstrap resamples for the intervals.
        conf_level: level of the intervals (``*_conf`` is the half-width).
        seed: the bootstrap's seed.

    Returns:
        ``(first_total, second)``: ``input, S1, S1_conf, ST, ST_conf`` per input, and
        ``input_1, input_2, S2, S2_conf`` per pair (None without second order). A constant
        outcome (up to rounding) has no variance to share out: every index is NaN.
    """
    from SALib.analyze import sobol

    names = list(problem["names"])
    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        raise ValueError("sobol_indices: y holds NaN or infinite values")
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):   # constant up to rounding
        nan = np.full(len(names), np.nan)
        first = pd.DataFrame({"input": names, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan})
        second = (pd.DataFrame({"input_1": [a for a, _ in pairs], "input_2": [b for _, b in pairs],
                                "S2": np.nan, "S2_conf": np.nan}) if second_order else None)
        return first, second
    si = sobol.analyze(problem, y, calc_second_order=second_order, num_resamples=resamples,
                       conf_level=conf_level, seed=seed)
    first = pd.DataFrame({"input": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    second = None
    if second_order:
        index = {n: i for i, n in enumerate(names)}
        second = pd.DataFrame({"input_1": [a for a, _ in pairs], "input_2": [b for _, b in pairs],
                               "S2": [si["S2"][index[a], index[b]] for a, b in pairs],
                               "S2_conf": [si["S2_conf"][index[a], index[b]] for a, b in pairs]})
    return first, second


def morris_sample(problem: dict, trajectories: int, levels: int = 4, seed: int = 0) -> np.ndarray:
    """Morris one-at-a-time trajectories (``SALib.sample.morris``): ``trajectories (k + 1)`` rows."""
    from SALib.sample import morris

    if not isinstance(trajectories, int) or trajectories < 2:
        raise ConfigError(f"n={trajectories!r}: Morris needs at least 2 trajectories")
    if not isinstance(levels, int) or levels < 2 or levels % 2:
        raise ConfigError(f"levels={levels!r}: Morris needs an even number of grid levels (>= 2)")
    return morris.sample(problem, trajectories, num_levels=levels, seed=seed)


def morris_indices(problem: dict, unit: np.ndarray, y: np.ndarray, levels: int = 4, resamples: int = 1000,
                   conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Morris screening: ``input, mu, mu_star, mu_star_conf, sigma`` per input.

    On the unit cube an elementary effect is the outcome's change per full range of the
    input (per full spread of its levels), so ``mu_star`` is in outcome units and comparable
    across inputs; ``sigma`` large against ``mu_star`` signals interactions or curvature.
    """
    from SALib.analyze import morris

    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        raise ValueError("morris_indices: y holds NaN or infinite values")
    si = morris.analyze(problem, np.asarray(unit, dtype=float), y, num_resamples=resamples,
                        conf_level=conf_level, num_levels=levels, seed=seed)
    return pd.DataFrame({"input": list(problem["names"]), "mu": np.asarray(si["mu"], float),
                         "mu_star": np.asarray(si["mu_star"], float),
                         "mu_star_conf": np.asarray(si["mu_star_conf"], float),
                         "sigma": np.asarray(si["sigma"], float)})


def lhs_sample(k: int, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points of a scrambled Latin hypercube in ``[0, 1)^k`` (``scipy.stats.qmc``), seeded."""
    from scipy.stats import qmc

    if not isinstance(n, int) or n < 2:
        raise ConfigError(f"n={n!r}: a Latin hypercube needs at least 2 points")
    return qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(n)


def top_inputs(indices: pd.DataFrame, by: str = "ST", n: int = 5) -> pd.DataFrame:
    """The ``n`` inputs with the largest ``by`` (NaN last), in descending order."""
    return indices.sort_values(by, ascending=False, na_position="last").head(n).reset_index(drop=True)
