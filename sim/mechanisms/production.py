"""Conversion by recipe, and kitting of defense units, as pure functions.

Origin classes (0 = Chinese content, 1 = non-China unqualified, 2 = non-China qualified):
an output's class is the lowest of its plant's class and its inputs' classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def _take_lowest_first(avail: Sequence[float], amount: float, classes: Iterable[int]) -> list[float]:
    """Take ``amount`` from ``avail[K]`` over the allowed ``classes``, lowest class first.

    Works on plain floats: the arrays are 3 long, where numpy's per-call cost dwarfs the
    arithmetic (the operations, and so the results, are the same).
    """
    used = [0.0] * len(avail)
    left = amount
    for k in classes:
        step = min(avail[k], left)
        used[k] = step
        left -= step
        if left <= 1e-15:
            break
    return used


def convert(capacity: float, recipe: np.ndarray, avail: np.ndarray,
            plant_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Make up to ``capacity`` tonnes of output from inputs in ``avail``.

    Args:
        capacity: most output this month, t.
        recipe: t of each input material per t of output, ``[M]``.
        avail: input stock per material and class, ``[M, K]``.
        plant_class: the best class this plant can give (0 for Chinese plants).

    Returns:
        ``(output[K], used[M, K])``: output by class and inputs consumed.
    """
    need = [(m, q) for m, q in enumerate(recipe.tolist()) if q > 0]
    out, used = convert_floats(capacity, need, np.asarray(avail, dtype=float).tolist(), plant_class)
    return np.array(out), np.array(used)


def convert_floats(capacity: float, need: list[tuple[int, float]], avail: list[list[float]],
                   plant_class: int) -> tuple[list[float], list[list[float]]]:
    """:func:`convert` on plain lists, for the monthly loop (the same operations).

    Args:
        capacity: most output this month, t.
        need: ``(material, t per t of output)`` for each input of the recipe.
        avail: input stock per material and class, ``[M][K]`` (not changed).
        plant_class: the best class this plant can give.

    Returns:
        ``(output[K], used[M][K])``.
    """
    n_classes = len(avail[0])
    out = [0.0] * n_classes
    used = [[0.0] * n_classes for _ in avail]
    left = capacity
    for k in range(plant_class, -1, -1):
        if left <= 0:
            break
        amount = left
        if need:   # the scarcest input, counting classes k and above, bounds the batch
            amount = min(left, min(_sum_from(avail[m], used[m], k) / q for m, q in need))
        if amount <= 0:
            continue
        for m, q in need:
            row, taken = avail[m], used[m]
            step = _take_lowest_first([a - u for a, u in zip(row, taken)], amount * q, range(k, n_classes))
            used[m] = [u + s for u, s in zip(taken, step)]
        out[k] += amount
        left -= amount
    return out, used


def _sum_from(avail: list[float], used: list[float], k: int) -> float:
    """``sum(avail[k:] - used[k:])``, added left to right as numpy does for so few terms."""
    total = avail[k] - used[k]
    for j in range(k + 1, len(avail)):
        total += avail[j] - used[j]
    return total


def kit_units(wanted: float, bom: np.ndarray, avail: np.ndarray,
              eligible: np.ndarray) -> tuple[float, np.ndarray]:
    """Start as many of ``wanted`` units as the eligible inventory allows.

    Args:
        wanted: units to start.
        bom: t of each material per unit, ``[M]``.
        avail: inventory per material and class, ``[M, K]``.
        eligible: classes this program may use, ``[K]`` of bool.

    Returns:
        ``(units, used[M, K])``.
    """
    stock = np.asarray(avail, dtype=float).tolist()
    classes = [k for k, ok in enumerate(np.asarray(eligible).tolist()) if ok]
    need = [(m, q) for m, q in enumerate(bom.tolist()) if q > 0]
    units = wanted
    if need:
        units = max(0.0, min(wanted, min(_sum_of(stock[m], classes) / q for m, q in need)))
    used = [[0.0] * len(row) for row in stock]
    for m, q in need:
        used[m] = _take_lowest_first(stock[m], units * q, classes)
    return units, np.array(used)


def _sum_of(row: list[float], classes: list[int]) -> float:
    """``row[classes].sum()``, left to right (numpy's order for fewer than 8 terms)."""
    total = 0.0
    for k in classes:
        total += row[k]
    return total


def planned_rate(t: np.ndarray | int, rate: float, target: float, ramp_months: int) -> np.ndarray:
    """Planned deliveries per month: linear ramp from ``rate`` to ``target`` (if set)."""
    t = np.asarray(t, dtype=float)
    if target <= 0 or target == rate:
        return np.full_like(t, rate)
    frac = np.clip(t / max(ramp_months, 1), 0.0, 1.0)
    return rate + (target - rate) * frac


def planned_rate_at(t: int, rate: float, target: float, ramp_months: int) -> float:
    """:func:`planned_rate` for one month, as a plain float (the same arithmetic)."""
    if target <= 0 or target == rate:
        return float(rate)
    frac = min(max(float(t) / max(ramp_months, 1), 0.0), 1.0)
    return float(rate + (target - rate) * frac)
