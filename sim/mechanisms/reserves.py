"""Government reserves (Project Vault, JOGMEC-style stockpiles): what they buy each month.

A reserve buys from its country's commercial stock, which its industry then re-orders, so a
purchase is extra demand on the markets. It buys only under its price cap, up to its target
days of cover, within its monthly budget, and never takes the commercial stock below a floor.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


@kernel
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
    for i in range(order.size):
        m = order[i]
        if left <= 0:
            break
        if price_usd_per_kg[m] <= 0 or price_usd_per_kg[m] > cap_usd_per_kg[m]:
            continue
        gap = max(target_days[m] * daily_use[m] - held[m], 0.0)
        qty = min(gap, max(available[m], 0.0), left / (price_usd_per_kg[m] * 1000.0))
        bought[m] = qty
        left -= qty * price_usd_per_kg[m] * 1000.0
    return bought


@kernel
def _release(stock: np.ndarray, amount: float, classes: np.ndarray, into: np.ndarray) -> float:
    """Move up to ``amount`` t from ``stock[K]``'s allowed ``classes``, pro rata to what is held,
    into ``into[K]`` (both in place); returns the tonnes moved."""
    total = 0.0
    for k in range(stock.size):
        if classes[k]:
            total += stock[k]
    if total <= 0 or amount <= 0:
        return 0.0
    fraction = min(1.0, amount / total)
    moved = 0.0
    for k in range(stock.size):
        if classes[k]:
            out = stock[k] * fraction
            stock[k] -= out
            into[k] += out
            moved += out
    return moved


@kernel
def release_stockpiles(stockpiles: np.ndarray, hold: np.ndarray, residual: np.ndarray, eligible: np.ndarray,
                       short: np.ndarray, buyer_country: np.ndarray, member: np.ndarray, share: bool,
                       extraterritorial: bool, release_months: np.ndarray, use: np.ndarray) -> None:
    """Strategic stocks released on shortage (a country's commercial cover below its release level).

    Each country with stock releases, material by material: to its defense programs first, then,
    where the club shares stockpiles (``share``) and it is a member, to other members' programs,
    each while the program's country is short and the program has an unmet ``residual``; then to
    its own industry, up to its release level. Releases are pro rata over the origin classes the
    receiver may take; across a border under China's extraterritorial rule not Chinese content (D13).

    Args:
        stockpiles: t per country, material and class ``[C, M, K]`` (in place).
        hold: buyers' stocks ``[B, M, K]`` (in place); rows ``C..B`` are the programs.
        residual: t each buyer still lacks this month ``[B, M]`` (in place).
        eligible: classes each buyer may use ``[B, K]``.
        short: country's commercial cover below its release level ``[C, M]``.
        buyer_country: country of each buyer ``[B]``.
        member: club members ``[C]``.
        share: the club shares stockpiles among members.
        extraterritorial: China's rule on foreign goods with Chinese content is in force.
        release_months: months of use each country releases up to ``[C]``.
        use: t/month each country uses ``[C, M]``.
    """
    n_c, n_m, n_k = stockpiles.shape
    every = np.ones(n_k, dtype=np.bool_)
    classes = np.empty(n_k, dtype=np.bool_)
    for c in range(n_c):
        if stockpiles[c].sum() <= 0:
            continue
        for m in range(n_m):
            if stockpiles[c, m].sum() <= 0:
                continue
            for own in (True, False):   # its own programs, then other members' (a shared stockpile)
                if not own and not (share and member[c]):
                    continue
                for b in range(n_c, hold.shape[0]):
                    bc = buyer_country[b]
                    if (bc == c) != own or (not own and not member[bc]):
                        continue
                    if short[bc, m] and residual[b, m] > 0:
                        classes[:] = eligible[b]
                        if extraterritorial and bc != c:
                            classes[0] = False   # a cross-border transfer of Chinese content (D13)
                        residual[b, m] -= _release(stockpiles[c, m], residual[b, m], classes, hold[b, m])
            if short[c, m]:
                held = 0.0
                for k in range(n_k):
                    held += hold[c, m, k]
                _release(stockpiles[c, m], release_months[c] * use[c, m] - held, every, hold[c, m])
