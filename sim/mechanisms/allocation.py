"""Allocating a program's finished units among its customers' orders, month by month.

``fcfs`` serves orders by order date (the contract schedule); ``america_first`` (D55, the
2026 arms-transfer strategy) serves partners by a priority score. An order can be closed
until a month (Taiwan's orders wait for their special budget, D57). The producer's own
forces take whatever no open order wants.
"""

from __future__ import annotations

import numpy as np


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
    n_orders, months = units.size, delivered.size
    own = np.isinf(units)
    fcfs = np.lexsort((np.arange(n_orders), order_month, own))
    ranked = np.lexsort((np.arange(n_orders), order_month, -score, own))
    got = np.zeros(n_orders)
    cum = np.zeros((n_orders, months))
    for t in range(months):
        left = float(delivered[t])
        for j in (ranked if priority_rule[t] else fcfs):
            if left <= 0:
                break
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
