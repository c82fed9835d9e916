"""S24 Generations and cut-in, S25 the lags they give (pure functions).

A buyer (a defense program, or a civil sector of one country) plans a ladder of generations,
each with a cut-in month and a technology level it needs. The generation now due cuts in when
(a) a supplier the buyer may legally use has the level, (b) the buyer has qualified that
supplier at it, and (c) the buyer holds the new need for a stated number of months. Until
then the previous generation goes on (the old variant serves longer, U23); where the buyer's
rule allows, it cuts in at the best level it can use after a stated slip (a downgrade).
The rule runs in Python for the few buyers with a generation due (it reads their stocks);
the monthly array steps are kernels (:mod:`sim.mechanisms.jit`).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel

REASONS = ("ready", "access", "qualification", "supply")


def cutin_check(legal_level: int, usable: int, required: int, cover_months: float, secure_months: float) -> str:
    """Which condition of the cut-in rule fails first, or ``"ready"``.

    Args:
        legal_level: highest level some legal supplier has (qualification aside), -1 for none.
        usable: highest level the buyer has qualified at a legal supplier (<= ``legal_level``).
        required: level the generation needs.
        cover_months: months of the new generation's need the buyer holds.
        secure_months: months it must hold.

    Returns:
        ``"access"`` (a), ``"qualification"`` (b), ``"supply"`` (c) or ``"ready"``.
    """
    if legal_level < required:
        return "access"
    if usable < required:
        return "qualification"
    if cover_months < secure_months:
        return "supply"
    return "ready"


@kernel
def first_levels(level: np.ndarray, usable: np.ndarray, frontier: int) -> np.ndarray:
    """``[N]`` levels with each unset one (-1: a first generation without a ladder) set to what
    its buyer can use now (``usable`` ``[N]``, -1: none, counted as 0), at most the frontier."""
    out = level.copy()
    for i in range(out.size):
        if out[i] < 0:
            out[i] = min(max(usable[i], 0), frontier)
    return out


@kernel
def due_generations(t: int, effective: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Indices of the buyers whose next generation is due by month ``t`` (``effective`` ``[N, G]``
    cut-in months with other-cause slip, NEVER-padded; ``current`` ``[N]`` generation in production)."""
    due = np.empty(current.size, dtype=np.int64)
    n = 0
    for i in range(current.size):
        if effective[i, current[i] + 1] <= t:
            due[n] = i
            n += 1
    return due[:n]


@kernel
def units_made(magnet_use: np.ndarray, delivered: np.ndarray, country: np.ndarray, program: np.ndarray,
               share: np.ndarray) -> np.ndarray:
    """``[N]`` what each buyer made this month: units delivered (a program), t of magnet used (a sector).

    Args:
        magnet_use: ``[C]`` t of magnet each country used this month.
        delivered: ``[P]`` units each program delivered.
        country: ``[N]`` each buyer's country index.
        program: ``[N]`` its program index (-1: a civil sector).
        share: ``[N]`` a sector's share of its country's civil magnet use.
    """
    out = np.empty(country.size)
    for i in range(country.size):
        out[i] = delivered[program[i]] if program[i] >= 0 else magnet_use[country[i]] * share[i]
    return out


@kernel
def lags(t: int, frontier: int, level: np.ndarray, current: np.ndarray, planned: np.ndarray, effective: np.ndarray,
         units: np.ndarray, downgraded: np.ndarray) -> np.ndarray:
    """This month's outputs for every buyer, ``[6, N]`` (S25).

    Rows: generation lag (frontier steps behind China's frontier), plan lag (generations behind
    the buyer's plan), cut-in slip (months past the planned cut-in of the generation due),
    material slip (the part of that slip after other-cause slip), old-generation units
    (``units`` while behind the plan), downgraded units (``units`` while downgraded).

    Args:
        t: month index.
        frontier: China's frontier level.
        level: ``[N]`` level each buyer's generation in production embodies.
        current: ``[N]`` index of that generation.
        planned: ``[N, G]`` planned cut-in months, padded with NEVER.
        effective: ``[N, G]`` the same plus other-cause slip.
        units: ``[N]`` what each buyer made this month.
        downgraded: ``[N]`` bool.
    """
    out = np.zeros((6, current.size))
    for i in range(current.size):
        passed = 0   # planned cut-ins by month t; the plan has the last of them in production
        for g in range(planned.shape[1]):
            if planned[i, g] <= t:
                passed += 1
        behind = max(passed - 1, 0) - current[i]
        due_plan, due_eff = planned[i, current[i] + 1], effective[i, current[i] + 1]
        out[0, i] = max(frontier - level[i], 0)   # ahead of the frontier counts as level with it
        out[1, i] = max(behind, 0)
        out[2, i] = t - due_plan if due_plan <= t else 0
        out[3, i] = t - due_eff if due_eff <= t else 0
        out[4, i] = units[i] if behind > 0 else 0.0
        out[5, i] = units[i] if downgraded[i] else 0.0
    return out
