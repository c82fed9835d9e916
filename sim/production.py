"""Conversion by recipe, and kitting of defense units, as pure functions.

Origin classes (0 = Chinese content, 1 = non-China unqualified, 2 = non-China qualified):
an output's class is the lowest of its plant's class and its inputs' classes.
"""

from __future__ import annotations

import numpy as np


def _take_lowest_first(avail: np.ndarray, amount: float, classes: np.ndarray) -> np.ndarray:
    """Take ``amount`` from ``avail[K]`` over the allowed ``classes``, lowest class first."""
    used = np.zeros_like(avail)
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
    n_classes = avail.shape[1]
    out = np.zeros(n_classes)
    used = np.zeros_like(avail, dtype=float)
    need = np.nonzero(recipe > 0)[0]
    left = capacity
    for k in range(plant_class, -1, -1):
        if left <= 0:
            break
        usable = (avail[need] - used[need])[:, k:].sum(axis=1)
        amount = min(left, float(np.min(usable / recipe[need]))) if need.size else left
        if amount <= 0:
            continue
        for m in need:
            used[m] += _take_lowest_first(avail[m] - used[m], amount * recipe[m],
                                          np.arange(k, n_classes))
        out[k] += amount
        left -= amount
    return out, used


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
    classes = np.nonzero(eligible)[0]
    need = np.nonzero(bom > 0)[0]
    units = wanted
    if need.size:
        usable = avail[need][:, classes].sum(axis=1)
        units = max(0.0, min(wanted, float(np.min(usable / bom[need]))))
    used = np.zeros_like(avail, dtype=float)
    for m in need:
        used[m] = _take_lowest_first(avail[m], units * bom[m], classes)
    return units, used


def planned_rate(t: np.ndarray | int, rate: float, target: float, ramp_months: int) -> np.ndarray:
    """Planned deliveries per month: linear ramp from ``rate`` to ``target`` (if set)."""
    t = np.asarray(t, dtype=float)
    if target <= 0 or target == rate:
        return np.full_like(t, rate)
    frac = np.clip(t / max(ramp_months, 1), 0.0, 1.0)
    return rate + (target - rate) * frac
