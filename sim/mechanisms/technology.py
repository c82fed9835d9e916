"""S23 Technology levels of magnet making: China's frontier, plants' levels, and access to a level.

A level is a property of what a plant can make (standard sintered NdFeB, grain-boundary-
diffused high-coercivity grades, heavy-REE-free grades, ...; U8, U9), not a new material.
China's plants sit at a frontier that steps up on its own cadence; a plant outside China
reaches a level by its own development some months after the frontier did, or sooner with
licensed Chinese technology where China allows it (U1, U3, U4). A buyer can use a level once
a supplier it may legally buy from has it and the buyer has qualified that supplier at it.
Months are month indices of the run (0 = its start).
"""

from __future__ import annotations

import numpy as np

BEFORE = -(10**6)   # reached long before the run
NEVER = 10**6       # not reached


def frontier_reach(level0: int, next_month: int, cadence: int, n_levels: int) -> np.ndarray:
    """Month the frontier reaches each level ``[L]``: before the start up to ``level0``, then
    ``next_month``, then one level every ``cadence`` months up to the ladder's top."""
    k = np.arange(n_levels)
    return np.where(k <= level0, BEFORE, next_month + (k - level0 - 1) * cadence).astype(np.int64)


def frontier_at(reach: np.ndarray, t: int) -> int:
    """The frontier's level in month ``t`` (the highest level reached by then)."""
    return int(np.count_nonzero(reach <= t)) - 1


def next_level_month(reach_next: int, development_lag: float, licence_lag: float, licence_allowed: bool,
                     extra_delay: float) -> tuple[float, bool]:
    """When a plant outside China can reach the frontier's next level, and whether by licence.

    Args:
        reach_next: month China's frontier reached that level (NEVER: not yet planned).
        development_lag: months behind the frontier by its own development.
        licence_lag: months behind the frontier with licensed Chinese technology.
        licence_allowed: China licenses the technology (no export ban in force).
        extra_delay: extra development months (China's rule on line-upgrade services in force).

    Returns:
        ``(month, licensed)``: the earliest month, and True when the licence path is the earlier.
    """
    if reach_next >= NEVER:
        return float(NEVER), False
    own = reach_next + development_lag + extra_delay
    if licence_allowed and reach_next + licence_lag < own:
        return reach_next + licence_lag, True
    return own, False


def usable_level(t: int, reached: np.ndarray, legal: np.ndarray, qualification: float) -> int:
    """The highest level a buyer can use in month ``t``: some supplier it may legally buy from
    reached it and the buyer has had ``qualification`` months since to qualify it there.

    Args:
        t: month index.
        reached: ``[S, L]`` month each supplier reached each level (NEVER: not reached).
        legal: ``[S]`` bool, suppliers the buyer may buy from this month.
        qualification: months to qualify a supplier at a level.

    Returns:
        The level index, or -1 when no legal supplier has any qualified level.
    """
    if not legal.any():
        return -1
    ok = (reached[legal] + qualification <= t).any(axis=0)
    return int(np.nonzero(ok)[0][-1]) if ok.any() else -1
