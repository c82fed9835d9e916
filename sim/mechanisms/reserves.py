"""Government reserves (Project Vault, JOGMEC-style stockpiles): what they buy each month.

A reserve buys from its country's commercial stock, which its industry then re-orders, so a
purchase is extra demand on the markets. It buys only under its price cap, up to its target
days of cover, within its monthly budget, and never takes the commercial stock below a floor.
"""

from __future__ import annotations

import numpy as np


def reserve_purchases(budget: float, price_usd_per_kg: np.ndarray, cap_usd_per_kg: np.ndarray,
                      target_days: np.ndarray, daily_use: np.ndarray, held: np.ndarray,
                      available: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Tonnes of each material a reserve buys this month.

    Args:
        budget: USD it may spend this month.
        price_usd_per_kg: market price per material, ``[M]``.
        cap_usd_per_kg: most it pays per material, ``[M]``.
        target_days: days of the country's use it aims to hold, ``[M]``.
        daily_use: the country's use per day, t, ``[M]``.
        held: tonnes it holds, ``[M]``.
        available: tonnes it may take from commercial stock, ``[M]``.
        order: materials in the order it buys them (most critical first).

    Returns:
        Tonnes bought per material, ``[M]``.
    """
    bought = np.zeros(held.size)
    left = budget
    for m in order:
        if left <= 0:
            break
        if price_usd_per_kg[m] <= 0 or price_usd_per_kg[m] > cap_usd_per_kg[m]:
            continue
        gap = max(target_days[m] * daily_use[m] - held[m], 0.0)
        qty = min(gap, max(available[m], 0.0), left / (price_usd_per_kg[m] * 1000.0))
        bought[m] = qty
        left -= qty * price_usd_per_kg[m] * 1000.0
    return bought
