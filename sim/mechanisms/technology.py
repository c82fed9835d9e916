"""S23 Technology levels of magnet making: China's frontier, plants' levels, and access to a level.

A level is a property of what a plant can make (standard sintered NdFeB, grain-boundary-
diffused high-coercivity grades, heavy-REE-free grades, ...; U8, U9), not a new material.
China's plants sit at a frontier that steps up on its own cadence; a plant outside China
reaches a level by its own development some months after the frontier did, or sooner with
licensed Chinese technology where China allows it (U1, U3, U4). A buyer can use a level once
a supplier it may legally buy from has it and the buyer has qualified that supplier at it.
Months are month indices of the run (0 = its start). The monthly functions are kernels
(:mod:`sim.mechanisms.jit`): a month's plants and access for every buyer are one call each.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel
from sim.mechanisms.production import plant_class

BEFORE = -(10**6)   # reached long before the run
NEVER = 10**6       # not reached


def frontier_reach(level0: int, next_month: int, cadence: int, n_levels: int) -> np.ndarray:
    """Month the frontier reaches each level ``[L]``: before the start up to ``level0``, then
    ``next_month``, then one level every ``cadence`` months up to the ladder's top."""
    k = np.arange(n_levels)
    return np.where(k <= level0, BEFORE, next_month + (k - level0 - 1) * cadence).astype(np.int64)


@kernel
def frontier_at(reach: np.ndarray, t: int) -> int:
    """The frontier's level in month ``t`` (the highest level reached by then; ``reach`` ``[L]``
    in months, rising)."""
    level = -1
    for k in range(reach.size):
        if reach[k] <= t:
            level += 1
    return level


@kernel
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


@kernel
def advance_plants(t: int, reach: np.ndarray, frontier: int, cn_plants: np.ndarray, ex_plants: np.ndarray,
                   start: np.ndarray, development_lag: np.ndarray, licence_lag: float, licence_allowed: bool,
                   extra_delay: float, level: np.ndarray, reached: np.ndarray,
                   licensed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plants' levels after month ``t``: China's at the frontier, others up one level at most.

    Args:
        t: month index.
        reach: ``[L]`` month China's frontier reaches each level.
        frontier: the frontier's level in month ``t``.
        cn_plants: indices of China's magnet plants; ex_plants: of the others.
        start: ``[R]`` month of each plant's first output (a plant develops only from then on).
        development_lag: ``[R]`` months behind the frontier by each plant's own development.
        licence_lag, licence_allowed, extra_delay: as in :func:`next_level_month`.
        level: ``[R]`` each plant's level.
        reached: ``[R, L]`` month each plant reached each level (NEVER: not yet).
        licensed: ``[R, L]`` bool, reached with licensed Chinese technology.

    Returns:
        New ``(level, reached, licensed)``; the inputs are left as they were.
    """
    level, reached, licensed = level.copy(), reached.copy(), licensed.copy()
    for r in cn_plants:
        level[r] = frontier
        reached[r, :] = reach
    top = reach.size - 1
    for r in ex_plants:
        k = level[r] + 1
        if k > top or t < start[r]:
            continue
        month, by_licence = next_level_month(reach[k], development_lag[r], licence_lag, licence_allowed, extra_delay)
        if t >= month:
            level[r] = k
            reached[r, k] = t
            licensed[r, k] = by_licence
    return level, reached, licensed


@kernel
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
    n_l, n_x = reach.size, on.size
    civil, defense = np.full(n_l, float(NEVER)), np.full(n_l, float(NEVER))   # earliest plant per level
    for x in range(n_x):
        for k in range(n_l):
            if on[x]:
                civil[k] = min(civil[k], reached[x, k])
                if qualified[x]:
                    defense[k] = min(defense[k], reached[x, k])
    out = np.empty((cn_ok.size, n_l))
    for i in range(cn_ok.size):
        for k in range(n_l):
            if not military[i]:
                plant = civil[k]
            elif not extraterritorial:
                plant = defense[k]
            else:   # a plant in another country that got the level by licence is closed to it
                plant = float(NEVER)
                for x in range(n_x):
                    if on[x] and qualified[x] and not (licensed[x, k] and sites[x] != country[i]):
                        plant = min(plant, reached[x, k])
            out[i, k] = min(reach[k] + holdback[i], plant) if cn_ok[i] and reach[k] < NEVER else plant
    return out


@kernel
def _top_levels(avail: np.ndarray, t: int, qualification: np.ndarray) -> np.ndarray:
    """:func:`highest_level` with ``qualification`` ``[N]``."""
    out = np.full(avail.shape[0], -1, dtype=np.int64)
    for i in range(avail.shape[0]):
        for k in range(avail.shape[1] - 1, -1, -1):
            if avail[i, k] + qualification[i] <= t:
                out[i] = k
                break
    return out


def highest_level(avail: np.ndarray, t: int, qualification) -> np.ndarray:
    """``[N]`` the highest level each buyer can use in month ``t``: available (``avail`` ``[N, L]``,
    months) and qualified for ``qualification`` months (scalar or ``[N]``); -1 where none is."""
    return _top_levels(avail, t, np.broadcast_to(np.asarray(qualification, dtype=float), avail.shape[:1]))


@kernel
def access_levels(t: int, reach: np.ndarray, plants: np.ndarray, start: np.ndarray, qual_months: np.ndarray,
                  chinese: np.ndarray, site: np.ndarray, plant_reached: np.ndarray, plant_licensed: np.ndarray,
                  buyer: np.ndarray, country: np.ndarray, domestic: np.ndarray, military: np.ndarray,
                  qualification: np.ndarray, eligible: np.ndarray, licence_needed: bool, approve_prob: np.ndarray,
                  deny_military: bool, holdback: np.ndarray, tier: np.ndarray,
                  extraterritorial: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per buyer, the highest level a legal supplier has and the highest it has also qualified.

    Args:
        t: month index.
        reach: ``[L]`` month China's frontier reached each level.
        plants: indices of the magnet plants outside China.
        start, qual_months, chinese, site: ``[R]`` each plant's first month of output, months to
            defense qualification after it, Chinese or not, and country index.
        plant_reached: ``[R, L]`` month each plant reached each level; plant_licensed: ``[R, L]``
            bool, by licence.
        buyer: ``[N]`` each ladder's buyer index (rows of ``eligible``, ``approve_prob``).
        country: ``[N]`` its country index; domestic, military: ``[N]`` bool, in China, a defense buyer.
        qualification: ``[N]`` months to qualify a supplier at a new level.
        eligible: ``[B, K]`` bool, origin classes each buyer accepts (class 0: Chinese).
        licence_needed: China's magnet exports need a licence.
        approve_prob: ``[B]`` chance China approves a licence for each buyer.
        deny_military: China denies military end users.
        holdback: ``[tiers]`` months China holds its newest level back from each tier.
        tier: ``[C]`` each country's tier.
        extraterritorial: as in :func:`available`.

    Returns:
        ``(legal, usable)``, each ``[N]`` levels, -1: none (S23).
    """
    n = buyer.size
    cn_ok = np.empty(n, dtype=np.bool_)
    hold = np.empty(n)
    for i in range(n):
        b = buyer[i]
        licences = not licence_needed or approve_prob[b] > 0
        cn_ok[i] = domestic[i] or (eligible[b, 0] and licences and not (military[i] and deny_military))
        hold[i] = 0.0 if domestic[i] else holdback[tier[country[i]]]
    made = plant_class(t, start, qual_months, chinese)
    n_x, n_l = plants.size, reach.size
    on, qualified = np.empty(n_x, dtype=np.bool_), np.empty(n_x, dtype=np.bool_)
    reached, licensed = np.empty((n_x, n_l), dtype=np.int64), np.empty((n_x, n_l), dtype=np.bool_)
    for x in range(n_x):
        r = plants[x]
        on[x], qualified[x] = t >= start[r], made[r] == 2
        for k in range(n_l):
            reached[x, k] = max(plant_reached[r, k], start[r])   # not before it started
            licensed[x, k] = plant_licensed[r, k]
    avail = available(reach, hold, cn_ok, reached, on, qualified, licensed, site[plants], country, military,
                      extraterritorial)
    return _top_levels(avail, t, np.zeros(n)), _top_levels(avail, t, qualification)   # legal: qualification aside
