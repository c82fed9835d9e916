"""Allocating a program's finished units among its customers' orders, month by month.

``fcfs`` serves orders by order date (the contract schedule); ``america_first`` (D55, the
2026 arms-transfer strategy) serves partners by a priority score. An order can be closed
until a month (Taiwan's orders wait for their special budget, D57). The producer's own
forces take whatever no open order wants.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


def allocate_orders(delivered: np.ndarray, units: np.ndarray, order_month: np.ndarray,
                    score: np.ndarray, priority_rule: np.ndarray, open_from: np.ndarray) -> np.ndarray:
    """Cumulative units received by each order at the end of each month.

    Args:
        delivered: units finished per month, ``[T]``.
        units: units per order, ``[J]``; the own-forces order is ``inf`` and always served last.
        order_month: month index each order was placed (FCFS key), ``[J]``.
        score: priority score per order (higher first under ``america_first``), ``[J]``.
        priority_rule: True in the months ``america_first`` applies, ``[T]``.
        open_from: first month an order may receive units, ``[J]``.

    Returns:
        ``[J, T]`` cumulative units per order; each month's deliveries are fully allocated.
    """
    units = np.asarray(units, dtype=float)
    n_orders = units.size
    own = np.isinf(units)
    fcfs = np.lexsort((np.arange(n_orders), order_month, own))
    ranked = np.lexsort((np.arange(n_orders), order_month, -np.asarray(score), own))
    # One dtype and layout per argument: the kernel compiles once (a program's deliveries are a
    # column of the recorder's table).
    return _allocate(np.ascontiguousarray(delivered, dtype=float), units, fcfs.astype(np.int64),
                     ranked.astype(np.int64), np.ascontiguousarray(priority_rule, dtype=np.bool_),
                     np.ascontiguousarray(open_from, dtype=np.int64))


@kernel
def _allocate(delivered: np.ndarray, units: np.ndarray, fcfs: np.ndarray, ranked: np.ndarray,
              priority_rule: np.ndarray, open_from: np.ndarray) -> np.ndarray:
    """:func:`allocate_orders` month by month, given the orders in FCFS and in priority order ``[J]``."""
    n_orders, months = units.size, delivered.size
    got = np.zeros(n_orders)
    cum = np.zeros((n_orders, months))
    for t in range(months):
        left = delivered[t]
        order = ranked if priority_rule[t] else fcfs
        for k in range(n_orders):
            if left <= 0:
                break
            j = order[k]
            if open_from[j] > t:
                continue
            take = min(left, units[j] - got[j])
            got[j] += take
            left -= take
        cum[:, t] = got
    return cum


def priority_scores(defense_share: np.ndarray, geography: np.ndarray, operations: np.ndarray,
                    investment: np.ndarray, weights: tuple[float, float, float, float],
                    defense_target: float = 0.05) -> np.ndarray:
    """America-first priority score per country (D55's four criteria, each scaled to [0, 1]).

    Defense spending counts against NATO's 5% of GDP target (D55), capped at 1.
    """
    spend = np.minimum(np.asarray(defense_share, float) / defense_target, 1.0)
    w = np.asarray(weights, float)
    return w[0] * spend + w[1] * geography + w[2] * operations + w[3] * investment
