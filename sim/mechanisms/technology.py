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


def available(reach: np.ndarray, holdback: np.ndarray, cn_ok: np.ndarray, reached: np.ndarray, on: np.ndarray,
              qualified: np.ndarray, licensed: np.ndarray, sites: np.ndarray, country: np.ndarray,
              military: np.ndarray, extraterritorial: bool) -> np.ndarray:
    """Month from which each buyer can buy each level from some supplier it may use, ``[N, L]``.

    Args:
        reach: ``[L]`` month China's frontier reached each level.
        holdback: ``[N]`` months China holds its newest level back from each buyer (its tier's).
        cn_ok: ``[N]`` bool, the buyer may buy from China this month (licences, end use, origin rule).
        reached: ``[X, L]`` month each plant outside China has had each level (not before it started).
        on: ``[X]`` bool, the plant makes magnets this month.
        qualified: ``[X]`` bool, the plant is qualified for defense buyers.
        licensed: ``[X, L]`` bool, the plant reached the level with licensed Chinese technology.
        sites: ``[X]`` country index of each plant.
        country: ``[N]`` country index of each buyer.
        military: ``[N]`` bool, a defense buyer.
        extraterritorial: China's rule on goods made abroad with its technology is in force: a
            licensed level is out of reach of military buyers in other countries (D103).

    Returns:
        NEVER where no legal supplier has the level.
    """
    cn = np.where(cn_ok[:, None] & (reach < NEVER)[None, :], reach[None, :] + holdback[:, None], NEVER)
    civil = np.where(on[:, None], reached, NEVER).min(axis=0) if reached.size else np.full(reach.size, NEVER)
    defense = np.where((on & qualified)[:, None], reached, NEVER)
    best = np.where(military[:, None], defense.min(axis=0)[None, :] if reached.size else NEVER, civil[None, :])
    if extraterritorial and military.any() and reached.size:
        for c in np.unique(country[military]):   # per buyer country: its own plants stay open to it
            blocked = licensed & (sites != c)[:, None]
            best[military & (country == c)] = np.where(blocked, NEVER, defense).min(axis=0)
    return np.minimum(cn, best)


def highest_level(avail: np.ndarray, t: int, qualification) -> np.ndarray:
    """``[N]`` the highest level each buyer can use in month ``t``: available and qualified for
    ``qualification`` months (scalar or ``[N]``); -1 where none is."""
    q = np.broadcast_to(np.asarray(qualification, dtype=float), avail.shape[:1])[:, None]
    ok = avail + q <= t
    top = avail.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    return np.where(ok.any(axis=1), top, -1)
