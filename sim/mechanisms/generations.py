"""S24 Generations and cut-in, S25 the lags they give (pure functions).

A buyer (a defense program, or a civil sector of one country) plans a ladder of generations,
each with a cut-in month and a technology level it needs. The generation now due cuts in when
(a) a supplier the buyer may legally use has the level, (b) the buyer has qualified that
supplier at it, and (c) the buyer holds the new need for a stated number of months. Until
then the previous generation goes on (the old variant serves longer, U23); where the buyer's
rule allows, it cuts in at the best level it can use after a stated slip (a downgrade).
"""

from __future__ import annotations

import numpy as np

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
    rows = np.arange(current.size)
    plan_idx = np.maximum((planned <= t).sum(axis=1) - 1, 0)
    behind = np.maximum(plan_idx - current, 0)
    nxt = current + 1
    due_plan, due_eff = planned[rows, nxt], effective[rows, nxt]
    return np.stack([np.maximum(frontier - level, 0), behind,
                     np.where(due_plan <= t, t - due_plan, 0), np.where(due_eff <= t, t - due_eff, 0),
                     np.where(behind > 0, units, 0.0), np.where(downgraded, units, 0.0)]).astype(float)
