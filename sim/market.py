"""Ex-China allocation and price formation, as pure functions over arrays.

Origin classes index the last axis: 0 = Chinese-origin content, 1 = non-China but not
defense-qualified, 2 = non-China and qualified. Buyers take the lowest class they accept
first, which keeps qualified material for the buyers that can use nothing else.
"""

from __future__ import annotations

import numpy as np


def pro_rata_by_class(supply: np.ndarray, demand: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Share each class's supply pro rata among the buyers that accept it.

    Args:
        supply: tonnes available per class, shape ``[K]``.
        demand: tonnes wanted per buyer, shape ``[N]``.
        eligible: whether buyer ``n`` accepts class ``k``, shape ``[N, K]``.

    Returns:
        Allocation ``[N, K]``; each buyer gets at most its demand, each class at most its supply.
    """
    supply = np.asarray(supply, dtype=float).copy()
    remaining = np.asarray(demand, dtype=float).copy()
    alloc = np.zeros((remaining.size, supply.size))
    for k in range(supply.size):
        takers = eligible[:, k] & (remaining > 0)
        want = remaining[takers].sum()
        if want <= 0 or supply[k] <= 0:
            continue
        give = np.where(takers, remaining, 0.0) * min(1.0, supply[k] / want)
        alloc[:, k] = give
        remaining -= give
        supply[k] -= give.sum()
    return alloc


def draw_from_sellers(inventory: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Split class totals ``taken[K]`` over sellers pro rata to their ``inventory[S, K]``.

    Returns:
        Tonnes taken from each seller, ``[S, K]``.
    """
    total = inventory.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(total > 0, taken / total, 0.0)
    return inventory * np.minimum(frac, 1.0)


def allocate_ex_china(inventory: np.ndarray, rated: np.ndarray, offtake: np.ndarray,
                      market: np.ndarray, eligible: np.ndarray,
                      rated_sellers: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Allocate one material from ex-China sellers: rated orders, then offtake, then pro rata.

    Args:
        inventory: sellers' stock per class, ``[S, K]`` (t).
        rated: rated defense demand per buyer, ``[N]`` (t).
        offtake: contracted share of each seller's supply per buyer, ``[S, N]`` (fraction).
        market: the rest of each buyer's demand, ``[N]`` (t); offtake is served from it.
        eligible: classes each buyer accepts, ``[N, K]``.
        rated_sellers: sellers bound to serve rated orders first, ``[S]`` of bool (default
            all). Priority ratings bind only sellers under the rating country's law; a rated
            order a seller need not honour competes with the rest of the market.

    Returns:
        ``(received[N, K], sold[S, K])`` in tonnes.
    """
    inv = inventory.astype(float).copy()
    bound = np.ones(inv.shape[0], bool) if rated_sellers is None else np.asarray(rated_sellers, bool)
    received = np.zeros((rated.size, inv.shape[1]))
    # 1. Rated (priority-rated defense) orders come first at the sellers bound by the rating.
    got = pro_rata_by_class(inv[bound].sum(axis=0), rated, eligible)
    inv[bound] -= draw_from_sellers(inv[bound], got.sum(axis=0))
    received += got
    # 2. Offtake contracts: a buyer takes its share of a named seller's supply.
    want = np.asarray(market, dtype=float) + rated - got.sum(axis=1)
    for s in np.nonzero(offtake.sum(axis=1) > 0)[0]:
        seller_total = inv[s].sum()
        if seller_total <= 0:
            continue
        entitled = np.minimum(offtake[s] * seller_total, want)
        for n in np.nonzero(entitled > 0)[0]:
            avail = inv[s] * eligible[n]
            amount = min(entitled[n], avail.sum())
            if amount <= 0:
                continue
            part = avail * (amount / avail.sum())
            inv[s] -= part
            received[n] += part
            want[n] -= amount
    # 3. What is left goes pro rata to the remaining demand.
    got = pro_rata_by_class(inv.sum(axis=0), want, eligible)
    inv -= draw_from_sellers(inv, got.sum(axis=0))
    received += got
    return received, inventory - inv


def update_price(price: np.ndarray, anchor: np.ndarray, premium: np.ndarray,
                 fill: np.ndarray, speed: float, floor: np.ndarray | float = 0.0) -> np.ndarray:
    """Move prices part of the way to cost-plus-scarcity targets.

    target = max(floor, anchor * (1 + premium * (1 - fill))); the price closes ``speed`` of
    the gap each month (partial adjustment: ~3 months to react, D42).
    """
    target = np.maximum(anchor * (1.0 + premium * (1.0 - np.clip(fill, 0.0, 1.0))), floor)
    return price + speed * (target - price)
