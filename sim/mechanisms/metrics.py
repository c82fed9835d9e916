"""Delivery lag and its aggregation, as pure functions over cumulative curves."""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


def delivery_lag(planned_cum: np.ndarray, actual_cum: np.ndarray) -> np.ndarray:
    """Months behind plan at the end of each month: ``t - P^-1(D(t))``, never negative.

    ``P^-1(x)`` is the latest time at which the plan stood at ``x``: the planned cumulative
    curve is interpolated linearly between month ends, with ``P = 0`` at the end of month -1
    (the run's start). Taking the latest time means a stretch of the plan with nothing due
    (a customer queued behind earlier orders) adds no lag.

    Args:
        planned_cum: planned cumulative deliveries per month, non-decreasing, ``[T]``.
        actual_cum: actual cumulative deliveries per month, ``[T]``.

    Returns:
        Lag in months, ``[T]``.
    """
    return _lag(np.ascontiguousarray(planned_cum, dtype=float), np.ascontiguousarray(actual_cum, dtype=float))


@kernel
def _lag(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """:func:`delivery_lag` month by month (a run's table asks for a hundred or so of these)."""
    out = np.zeros(d.size)
    first_above = np.searchsorted(p, d, side="right")   # first month with P > D
    for t in range(d.size):
        if d[t] >= p[t] - 1e-9:   # on or ahead of plan
            continue
        i = min(first_above[t], p.size - 1)
        p_prev = p[i - 1] if i > 0 else 0.0
        span = p[i] - p_prev
        frac = (d[t] - p_prev) / span if span > 0 else 0.0
        reach = (i - 1) + min(max(frac, 0.0), 1.0)
        out[t] = max(t - reach, 0.0)
    return out


def lag_series(planned_cum: np.ndarray, actual_cum: np.ndarray, order_country: np.ndarray,
               planned_orders: np.ndarray, actual_orders: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Lag of one program overall and per customer country.

    Args:
        planned_cum, actual_cum: the program's cumulative planned and actual deliveries, ``[T]``.
        order_country: customer country index per order, ``[J]``.
        planned_orders, actual_orders: cumulative units per order, ``[J, T]``
            (from :func:`sim.mechanisms.allocation.allocate_orders`).

    Returns:
        ``(lag[T], {country: lag[T]})`` in months; a country's lag uses the sum of its orders.
    """
    per_country = {}
    for c in np.unique(order_country):
        rows = order_country == c
        per_country[int(c)] = delivery_lag(planned_orders[rows].sum(axis=0), actual_orders[rows].sum(axis=0))
    return delivery_lag(planned_cum, actual_cum), per_country


def mean_of(series: list[np.ndarray], length: int) -> np.ndarray:
    """Element-wise mean of equal-length series (zeros when there are none)."""
    return np.mean(series, axis=0) if series else np.zeros(length)
