"""The allied minerals club, as pure functions over arrays (docs/ODD.md S21).

The leader (the US) offers members a pooled share of the uncontracted output of ex-China
plants sited in member countries, and access to members' stockpiles. Each candidate weighs
that offer against the premium it pays for non-China material and its own dependence on
China (exposure to China answering in kind), with its trust in the leader.
"""

from __future__ import annotations

import numpy as np

TERMS = ("trust", "offer", "cost", "dependence")   # utility terms, in the order of the weights


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
    pooled = (capacity * site_member[:, None]).sum(axis=0) * pool_share
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(member_use > 0, np.minimum(pooled / member_use, 1.0), 0.0)


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


def uncontracted(base: np.ndarray) -> np.ndarray:
    """Share of each plant's output not under contract, ``[S]`` in [0, 1], from ``base[S, C]``."""
    return np.clip(1.0 - base.sum(axis=1), 0.0, 1.0)


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
    free = uncontracted(base) * site_member * pool_share
    weight = use * member
    total = weight.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        split = np.where(total > 0, weight / total, 0.0)
    return base + free[:, None] * split
