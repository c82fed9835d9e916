"""Ex-China allocation and price formation, as pure functions over arrays.

Origin classes index the last axis: 0 = Chinese-origin content, 1 = non-China but not
defense-qualified, 2 = non-China and qualified. Buyers take the lowest class they accept
first, which keeps qualified material for the buyers that can use nothing else.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


@kernel
def _pro_rata(supply: np.ndarray, remaining: np.ndarray, eligible: np.ndarray, into: np.ndarray,
              given: np.ndarray) -> None:
    """Share each class's ``supply[K]`` pro rata among the buyers that accept it and still want.

    Adds to ``into[N, K]`` and ``given[K]``; takes what it gives from ``remaining[N]`` (in place).
    """
    n_k = supply.size
    for k in range(n_k):
        want = 0.0
        for n in range(remaining.size):
            if eligible[n, k] and remaining[n] > 0:
                want += remaining[n]
        if want <= 0 or supply[k] <= 0:
            continue
        fraction = min(1.0, supply[k] / want)
        for n in range(remaining.size):
            if eligible[n, k] and remaining[n] > 0:
                give = remaining[n] * fraction
                into[n, k] += give
                remaining[n] -= give
                given[k] += give


@kernel
def _draw(inventory: np.ndarray, sellers: np.ndarray, supply: np.ndarray, taken: np.ndarray) -> None:
    """Take class totals ``taken[K]`` from the ``sellers`` rows of ``inventory[S, K]`` (in place),
    pro rata to their stock; ``supply[K]`` is those sellers' total per class."""
    for k in range(supply.size):
        if supply[k] > 0:
            fraction = min(taken[k] / supply[k], 1.0)
            for s in range(inventory.shape[0]):
                if sellers[s]:
                    inventory[s, k] -= inventory[s, k] * fraction


def pro_rata_by_class(supply: np.ndarray, demand: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Share each class's supply pro rata among the buyers that accept it.

    Args:
        supply: tonnes available per class, shape ``[K]``.
        demand: tonnes wanted per buyer, shape ``[N]``.
        eligible: whether buyer ``n`` accepts class ``k``, shape ``[N, K]``.

    Returns:
        Allocation ``[N, K]``; each buyer gets at most its demand, each class at most its supply.
    """
    supply = np.asarray(supply, dtype=float)
    demand = np.array(demand, dtype=float)
    alloc = np.zeros((demand.size, supply.size))
    _pro_rata(supply, demand, np.asarray(eligible, dtype=np.bool_), alloc, np.zeros(supply.size))
    return alloc


def draw_from_sellers(inventory: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Split class totals ``taken[K]`` over sellers pro rata to their ``inventory[S, K]``.

    Returns:
        Tonnes taken from each seller, ``[S, K]``.
    """
    inventory = np.asarray(inventory, dtype=float)
    left = inventory.copy()
    _draw(left, np.ones(inventory.shape[0], np.bool_), inventory.sum(axis=0), np.asarray(taken, dtype=float))
    return inventory - left


@kernel
def _allocate(inv: np.ndarray, rated: np.ndarray, offtake: np.ndarray, market: np.ndarray, eligible: np.ndarray,
              bound: np.ndarray, received: np.ndarray) -> None:
    """:func:`allocate_ex_china` on ``inv[S, K]`` (drawn in place) into zeroed ``received[N, K]``."""
    n_s, n_k = inv.shape
    want = market + rated
    given = np.zeros(n_k)
    # 1. Rated (priority-rated defense) orders come first at the sellers bound by the rating.
    if (rated > 0).any():
        supply = np.zeros(n_k)
        for s in range(n_s):
            if bound[s]:
                supply += inv[s]
        _pro_rata(supply, rated.copy(), eligible, received, given)
        _draw(inv, bound, supply, given)
        for n in range(want.size):
            want[n] -= received[n].sum()
    # 2. Offtake contracts: a buyer takes its share of a named seller's supply (each seller's
    # total before its buyers draw), sellers in order, each one's buyers in order.
    for s in range(n_s):
        total = inv[s].sum()
        if total <= 0:
            continue
        for n in range(want.size):
            share = offtake[s, n]
            if share <= 0 or not want[n] > 0:   # a zero share entitles to nothing
                continue
            avail_total = 0.0
            for k in range(n_k):
                if eligible[n, k]:
                    avail_total += inv[s, k]
            amount = min(share * total, want[n], avail_total)
            if amount <= 0:
                continue
            for k in range(n_k):
                if eligible[n, k]:
                    part = inv[s, k] * (amount / avail_total)
                    inv[s, k] -= part
                    received[n, k] += part
            want[n] -= amount
    # 3. What is left goes pro rata to the remaining demand.
    if (want > 0).any():
        supply = np.zeros(n_k)
        for s in range(n_s):
            supply += inv[s]
        given[:] = 0.0
        _pro_rata(supply, want, eligible, received, given)
        _draw(inv, np.ones(n_s, np.bool_), supply, given)


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
    inv = np.array(inventory, dtype=float)
    bound = np.ones(inv.shape[0], np.bool_) if rated_sellers is None else np.asarray(rated_sellers, np.bool_)
    rated = np.asarray(rated, dtype=float)
    received = np.zeros((rated.size, inv.shape[1]))
    _allocate(inv, rated, np.asarray(offtake, dtype=float), np.asarray(market, dtype=float),
              np.asarray(eligible, dtype=np.bool_), bound, received)
    return received, inventory - inv


@kernel
def clear_ex_china(stock: np.ndarray, need: np.ndarray, rated_share: np.ndarray, offtake: np.ndarray,
                   eligible: np.ndarray, bound: np.ndarray, received: np.ndarray) -> None:
    """Every material's ex-China market in one call: :func:`allocate_ex_china` per material.

    Args:
        stock: ex-China sellers' unsold output ``[S, M, K]`` (t; drawn in place).
        need: t each buyer wants per material ``[N, M]``.
        rated_share: share of each buyer's need that is a rated order ``[N]`` (0-1).
        offtake: contracted share of each seller's supply per buyer ``[S, N]``.
        eligible: classes each buyer may take ``[N, K]``.
        bound: sellers bound to serve rated orders first ``[S]``.
        received: out, zeroed: t each buyer receives ``[N, M, K]``.
    """
    for m in range(stock.shape[1]):
        inv = stock[:, m, :].copy()
        if inv.sum() <= 0:
            continue
        rated = need[:, m] * rated_share
        _allocate(inv, rated, offtake, need[:, m] - rated, eligible, bound, received[:, m, :])
        stock[:, m, :] = inv


@kernel
def update_price(price: np.ndarray, anchor: np.ndarray, premium: np.ndarray,
                 fill: np.ndarray, speed: float, floor: np.ndarray | float = 0.0) -> np.ndarray:
    """Move prices part of the way to cost-plus-scarcity targets.

    target = max(floor, anchor * (1 + premium * (1 - fill))); the price closes ``speed`` of
    the gap each month (partial adjustment: ~3 months to react, D42).
    """
    target = np.maximum(anchor * (1.0 + premium * (1.0 - np.clip(fill, 0.0, 1.0))), floor)
    return price + speed * (target - price)
