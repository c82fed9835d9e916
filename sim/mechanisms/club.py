"""The allied minerals club, as pure functions over arrays (docs/ODD.md S21).

The leader (the US) offers members a pooled share of the uncontracted output of ex-China
plants sited in member countries, and access to members' stockpiles. Each candidate weighs
that offer against the premium it pays for non-China material and its own dependence on
China (exposure to China answering in kind), with its trust in the leader.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel

TERMS = ("trust", "offer", "cost", "dependence")   # utility terms, in the order of the weights


@kernel
def club_offer(capacity: np.ndarray, site_member: np.ndarray, member_use: np.ndarray,
               pool_share: float) -> np.ndarray:
    """Supply security the club offers, per material: pooled t over members' use, capped at 1.

    Args:
        capacity: each ex-China plant's current uncontracted capacity per material, t/month ``[S, M]``.
        site_member: whether the plant is sited in a member (or joining) country ``[S]``.
        member_use: the members' combined use per material, t/month ``[M]``.
        pool_share: share of member plants' output pooled for members (0-1).

    Returns:
        ``[M]`` in [0, 1]: 1 when the pool alone covers the members' use, 0 where they use none.
    """
    pooled = np.zeros(member_use.size)
    for s in range(capacity.shape[0]):   # plant by plant, as numpy sums down a column
        for m in range(member_use.size):
            pooled[m] += capacity[s, m] * site_member[s]
    offer = np.zeros(member_use.size)
    for m in range(member_use.size):
        if member_use[m] > 0:
            offer[m] = min(pooled[m] * pool_share / member_use[m], 1.0)
    return offer


@kernel
def club_terms(ramp: np.ndarray, plants: np.ndarray, output: np.ndarray, cap: np.ndarray, heavy: np.ndarray,
               offtake: np.ndarray, unit_cost: np.ndarray, site: np.ndarray, joining: np.ndarray,
               use: np.ndarray, price: np.ndarray, pool_share: float, heavy_oxide: int) -> tuple[float, float]:
    """The club's offer if ``joining`` were its members, and its cost (S21).

    Offer: mean over the materials the members use of :func:`club_offer` from the ex-China
    plants' uncontracted capacity. Cost: capacity-weighted relative premium of member-sited
    plants' unit cost over the China price of their output mix (main output and, at
    separation, heavy oxide); 0 with no such capacity.

    Args:
        ramp: share of nameplate of every plant this month ``[R]``.
        plants: refiner index of each ex-China plant ``[X]``.
        output: main output material of each ex-China plant ``[X]``.
        cap, heavy: every plant's nameplate main output and heavy oxide, t/month ``[R]``.
        offtake: every plant's contracted offtake shares by country ``[R, C]``.
        unit_cost: every plant's unit cost, USD/kg ``[R]``.
        site: every plant's host country ``[R]``.
        joining: the countries in the club if every candidate joined ``[C]``.
        use: each country's use per material, t/month ``[C, M]``.
        price: China's price per material, USD/kg ``[M]``.
        pool_share: share of member plants' output pooled for members (0-1).
        heavy_oxide: the material index of heavy oxide.

    Returns:
        ``(offer 0-1, cost)``.
    """
    n_x, n_m = plants.size, use.shape[1]
    member_use = np.zeros(n_m)
    for c in range(joining.size):   # country by country, as numpy sums down a column
        if joining[c]:
            for m in range(n_m):
                member_use[m] += use[c, m]
    capacity, free_capacity = np.zeros((n_x, n_m)), np.zeros((n_x, n_m))
    weight, weighted = np.zeros(n_x), np.zeros(n_x)
    sited = np.zeros(n_x, dtype=np.bool_)
    free_share = uncontracted(offtake)
    for x in range(n_x):
        r = plants[x]
        capacity[x, output[x]] = ramp[r] * cap[r]
        capacity[x, heavy_oxide] += ramp[r] * heavy[r]
        free = free_share[r]
        sited[x] = joining[site[r]]
        made, worth = 0.0, 0.0
        for m in range(n_m):
            free_capacity[x, m] = capacity[x, m] * free
            made += capacity[x, m]
            worth += capacity[x, m] * price[m]
        value = worth / made if made > 0 else 1.0   # USD/kg of output
        premium = max(unit_cost[r] / max(value, 1e-9) - 1.0, 0.0)
        weight[x] = made * free * sited[x]
        weighted[x] = premium * weight[x]
    offer = club_offer(free_capacity, sited, member_use, pool_share)
    total, n_used = 0.0, 0
    for m in range(n_m):
        if member_use[m] > 0:
            total += offer[m]
            n_used += 1
    mean_offer = total / n_used if n_used > 0 else 0.0
    weights = weight.sum()
    return mean_offer, weighted.sum() / weights if weights > 0 else 0.0


def join_utilities(trust: np.ndarray, offer: float, cost: float, dependence: np.ndarray,
                   weights: dict) -> np.ndarray:
    """Utility of club membership for each candidate (0 = indifferent).

    ``u = w_trust * (trust - 0.5) + w_offer * offer - w_cost * cost - w_dependence * dependence``:
    trust is centred so a neutral ally (0.5) weighs only the offer against its costs.

    Args:
        trust: each candidate's trust in the leader, 0-1 ``[N]``.
        offer: the club's supply-security offer, 0-1 (mean of :func:`club_offer` over materials).
        cost: relative premium of non-China supply over China's price (0 = parity).
        dependence: share of each candidate's magnet supply that comes from China, 0-1 ``[N]``.
        weights: utility per unit of each term in :data:`TERMS`.
    """
    return (weights["trust"] * (np.asarray(trust) - 0.5) + weights["offer"] * offer
            - weights["cost"] * cost - weights["dependence"] * np.asarray(dependence))


def update_membership(member: np.ndarray, utility: np.ndarray, leave_margin: float) -> np.ndarray:
    """Join when the utility is positive; leave only when it falls below ``-leave_margin``.

    The margin is hysteresis: leaving a club costs contracts and face, so members stay
    through small swings.
    """
    member = np.asarray(member, dtype=bool)
    return np.where(member, utility >= -leave_margin, utility > 0.0)


@kernel
def metering_changes(t: int, member: np.ndarray, since: np.ndarray, tier_before: np.ndarray, lag: int,
                     home: int, leader: int) -> tuple[np.ndarray, np.ndarray]:
    """Countries China starts and stops metering in month ``t`` (its answer in kind, S22).

    Args:
        t: month index.
        member: whether each country is a club member ``[C]``.
        since: month index each joined (-1: not a member) ``[C]``.
        tier_before: tier each had before China metered it (-1: not metered) ``[C]``.
        lag: months in the club before China meters a member.
        home, leader: China and the club's leader, never metered.

    Returns:
        ``(start, stop)``: indices of the members due for metering and not yet metered, and of
        metered countries that have left the club.
    """
    start, stop = np.empty(member.size, np.int64), np.empty(member.size, np.int64)
    n_start, n_stop = 0, 0
    for c in range(member.size):
        metered = tier_before[c] >= 0
        if member[c] and not metered and since[c] >= 0 and t - since[c] >= lag and c != home and c != leader:
            start[n_start] = c
            n_start += 1
        elif not member[c] and metered:
            stop[n_stop] = c
            n_stop += 1
    return start[:n_start], stop[:n_stop]


@kernel
def uncontracted(base: np.ndarray) -> np.ndarray:
    """Share of each plant's output not under contract, ``[S]`` in [0, 1], from ``base[S, C]``."""
    free = np.empty(base.shape[0])
    for s in range(base.shape[0]):
        free[s] = min(max(1.0 - base[s].sum(), 0.0), 1.0)
    return free


@kernel
def pooled_offtake(base: np.ndarray, site_member: np.ndarray, member: np.ndarray,
                   use: np.ndarray, pool_share: float) -> np.ndarray:
    """Offtake shares with the club's pool added.

    Of each member-sited plant's uncontracted share, ``pool_share`` is pooled and split among
    the member countries by their use.

    Args:
        base: contracted offtake shares ``[S, C]``.
        site_member: plant sited in a member country ``[S]``.
        member: country is a member ``[C]``.
        use: each country's use of the plant's main output, t/month ``[S, C]``.
        pool_share: pooled share of the uncontracted output (0-1).

    Returns:
        ``[S, C]`` shares; each plant's row still sums to at most 1.
    """
    free = uncontracted(base)
    out = np.empty(base.shape)
    weight = np.empty(base.shape[1])
    for s in range(base.shape[0]):
        pooled = free[s] * site_member[s] * pool_share
        for c in range(weight.size):
            weight[c] = use[s, c] * member[c]
        total = weight.sum()
        for c in range(weight.size):
            out[s, c] = base[s, c] + pooled * (weight[c] / total if total > 0 else 0.0)
    return out
