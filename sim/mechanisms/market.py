"""Ex-China allocation and price formation, as pure functions over arrays.

Origin classes index the last axis: 0 = Chinese-origin content, 1 = non-China but not
defense-qualified, 2 = non-China and qualified. Buyers take the lowest class they accept
first, which keeps qualified material for the buyers that can use nothing else.
"""

from __future__ import annotations

import numpy as np


def sum_like_numpy(values: list[float]) -> float:
    """``np.sum(values)`` bit for bit: left to right below 8 terms (numpy's order there),
    else numpy's own pairwise sum. (Python's ``sum`` of floats compensates: not the same.)"""
    if len(values) >= 8:
        return float(np.sum(np.array(values)))
    total = 0.0
    for v in values:
        total += v
    return total


def _pro_rata(supply: list[float], demand: list[float], eligible: list[list[bool]],
              into: list[list[float]]) -> list[float]:
    """:func:`pro_rata_by_class` on plain lists (a few classes, a few dozen buyers).

    Adds each buyer's allocation to ``into[N][K]`` (in place) and returns the tonnes given
    per class, summed over buyers in order (what ``alloc.sum(axis=0)`` gives).
    """
    remaining = list(demand)
    given = [0.0] * len(supply)
    for k, available in enumerate(supply):
        takers = [n for n, left in enumerate(remaining) if eligible[n][k] and left > 0]
        want = sum_like_numpy([remaining[n] for n in takers])
        if want <= 0 or available <= 0:
            continue
        fraction = min(1.0, available / want)
        for n in takers:
            give = remaining[n] * fraction
            into[n][k] += give
            remaining[n] -= give
            given[k] += give
    return given


def pro_rata_by_class(supply: np.ndarray, demand: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Share each class's supply pro rata among the buyers that accept it.

    Args:
        supply: tonnes available per class, shape ``[K]``.
        demand: tonnes wanted per buyer, shape ``[N]``.
        eligible: whether buyer ``n`` accepts class ``k``, shape ``[N, K]``.

    Returns:
        Allocation ``[N, K]``; each buyer gets at most its demand, each class at most its supply.
    """
    supply = np.asarray(supply, dtype=float).tolist()
    demand = np.asarray(demand, dtype=float).tolist()
    alloc = [[0.0] * len(supply) for _ in demand]
    _pro_rata(supply, demand, np.asarray(eligible, dtype=bool).tolist(), alloc)
    return np.array(alloc, dtype=float).reshape(len(demand), len(supply))


def _draw(inventory: np.ndarray, total: list[float], taken: list[float]) -> np.ndarray:
    """:func:`draw_from_sellers` given the sellers' class totals ``inventory.sum(axis=0)``."""
    frac = [min(t / s, 1.0) if s > 0 else 0.0 for t, s in zip(taken, total)]
    return inventory * np.array(frac)


def draw_from_sellers(inventory: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Split class totals ``taken[K]`` over sellers pro rata to their ``inventory[S, K]``.

    Returns:
        Tonnes taken from each seller, ``[S, K]``.
    """
    return _draw(inventory, inventory.sum(axis=0).tolist(), np.asarray(taken, dtype=float).tolist())


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
    # Per-buyer work runs on plain lists (a few classes, a few dozen buyers), whole-seller
    # draws in numpy; the operations are the same, one for one, as on arrays. A stage with
    # no demand gives and draws nothing, so it is skipped.
    inv = inventory.astype(float)
    n_classes = inv.shape[1]
    bound = np.ones(inv.shape[0], bool) if rated_sellers is None else np.asarray(rated_sellers, bool)
    elig = np.asarray(eligible, dtype=bool).tolist()
    rated = np.asarray(rated, dtype=float).tolist()
    want = [a + b for a, b in zip(np.asarray(market, dtype=float).tolist(), rated)]
    received = [[0.0] * n_classes for _ in rated]
    # 1. Rated (priority-rated defense) orders come first at the sellers bound by the rating.
    if any(r > 0 for r in rated):
        at_bound = inv[bound]
        supply = at_bound.sum(axis=0).tolist()
        given = _pro_rata(supply, rated, elig, received)
        inv[bound] = at_bound - _draw(at_bound, supply, given)
        want = [w - sum_like_numpy(got) for w, got in zip(want, received)]
    # 2. Offtake contracts: a buyer takes its share of a named seller's supply. Sellers in
    # order, each one's buyers in order; a zero share entitles to nothing.
    contracted = (offtake.sum(axis=1) > 0).tolist()
    stocks = inv.tolist()
    totals = inv.sum(axis=1).tolist()   # each seller's total before its buyers draw
    rows, cols = np.nonzero(offtake > 0)
    drawn = set()
    for s, n, share in zip(rows.tolist(), cols.tolist(), offtake[rows, cols].tolist()):
        if not contracted[s] or totals[s] <= 0 or not want[n] > 0:   # nothing to sell or wanted
            continue
        entitled = min(share * totals[s], want[n])
        avail = [x * ok for x, ok in zip(stocks[s], elig[n])]
        avail_total = sum_like_numpy(avail)
        amount = min(entitled, avail_total)
        if amount <= 0:
            continue
        part = [a * (amount / avail_total) for a in avail]
        stocks[s] = [x - p for x, p in zip(stocks[s], part)]
        received[n] = [r + p for r, p in zip(received[n], part)]
        want[n] -= amount
        drawn.add(s)
    for s in drawn:
        inv[s] = stocks[s]
    # 3. What is left goes pro rata to the remaining demand.
    if any(w > 0 for w in want):
        supply = inv.sum(axis=0).tolist()
        given = _pro_rata(supply, want, elig, received)
        inv -= _draw(inv, supply, given)
    return np.array(received, dtype=float).reshape(len(rated), n_classes), inventory - inv


def update_price(price: np.ndarray, anchor: np.ndarray, premium: np.ndarray,
                 fill: np.ndarray, speed: float, floor: np.ndarray | float = 0.0) -> np.ndarray:
    """Move prices part of the way to cost-plus-scarcity targets.

    target = max(floor, anchor * (1 + premium * (1 - fill))); the price closes ``speed`` of
    the gap each month (partial adjustment: ~3 months to react, D42).
    """
    target = np.maximum(anchor * (1.0 + premium * (1.0 - np.clip(fill, 0.0, 1.0))), floor)
    return price + speed * (target - price)
