"""China's export-licence queue, as ring buffers indexed by decision month.

An application is split into lots; each lot draws its review time (working days, gamma
distributed around the tier's mean) and its approval when filed, and waits in the queue
until its decision month. Approved lots then ship; denied lots go back to the exporter's
stock. The queue holds material, so it counts in the conservation ledger.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.market import sum_like_numpy


def review_months(rng: np.random.Generator, mean_days: np.ndarray, cv: np.ndarray,
                  working_days_per_month: float, horizon: int) -> np.ndarray:
    """Whole months until a decision, per lot.

    Args:
        rng: the model's generator.
        mean_days: mean review time per lot, working days.
        cv: coefficient of variation of the review time per lot (0 = fixed).
        working_days_per_month: working days in a month (21.7).
        horizon: longest wait the queue can hold, months.

    Returns:
        Integer months in ``[0, horizon]``; 0 means decided in the month of filing.
    """
    mean_days = np.asarray(mean_days, dtype=float)
    cv = np.asarray(cv, dtype=float)
    days = mean_days.copy()
    random = (cv > 0) & (mean_days > 0)
    if random.any():
        shape = 1.0 / cv[random] ** 2
        days[random] = rng.gamma(shape, mean_days[random] / shape)
    return np.minimum(np.ceil(days / working_days_per_month - 1e-9), horizon).astype(int)


def ration_by_priority(available: float, requests: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Grant requests from ``available``, higher priority first, pro rata within a level.

    Returns:
        Granted amounts, each between 0 and its request; their sum is at most ``available``.
    """
    # Plain lists: a few dozen buyers in a handful of levels, where numpy's per-call cost
    # dominates; the sums add in numpy's order, so grants are the same to the bit.
    requests = np.asarray(requests, dtype=float)
    req, levels = requests.tolist(), np.asarray(priority).tolist()
    granted = [0.0] * len(req)
    left = max(float(available), 0.0)
    for level in sorted(set(levels), reverse=True):
        members = [i for i, (p, r) in enumerate(zip(levels, req)) if p == level and r > 0]
        want = sum_like_numpy([req[i] for i in members])
        if want <= 0 or left <= 0:
            continue
        fraction = min(1.0, left / want)
        given = [req[i] * fraction for i in members]
        for i, g in zip(members, given):
            granted[i] = g
        left -= sum_like_numpy(given)
    return np.array(granted).reshape(requests.shape)


class LicenceQueue:
    """Pending licence lots by decision month, buyer and material (tonnes).

    Args:
        n_buyers: number of buyers (country stocks and program inventories).
        n_materials: number of materials.
        horizon: longest review, months; the buffers hold ``horizon + 1`` months.
    """

    def __init__(self, n_buyers: int, n_materials: int, horizon: int = 24):
        self.horizon = horizon
        self.approve = np.zeros((horizon + 1, n_buyers, n_materials))
        self.deny = np.zeros((horizon + 1, n_buyers, n_materials))

    def file(self, t: int, qty: np.ndarray, approve_prob: np.ndarray, mean_days: np.ndarray,
             cv: np.ndarray, lots: int, working_days: float, rng: np.random.Generator) -> None:
        """File applications ``qty[b, m]`` in month ``t``; per-buyer tier terms ``[b]``."""
        buyers, mats = np.nonzero(qty > 0)
        if buyers.size == 0:
            return
        b = np.repeat(buyers, lots)
        m = np.repeat(mats, lots)
        lot_qty = np.repeat(qty[buyers, mats] / lots, lots)
        # Decisions come at the earliest the month after filing (this month's slot is popped).
        wait = np.maximum(review_months(rng, mean_days[b], cv[b], working_days, self.horizon), 1)
        ok = rng.random(b.size) < approve_prob[b]
        slot = (t + wait) % (self.horizon + 1)
        np.add.at(self.approve, (slot[ok], b[ok], m[ok]), lot_qty[ok])
        np.add.at(self.deny, (slot[~ok], b[~ok], m[~ok]), lot_qty[~ok])

    def decide(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Pop the lots due in month ``t``: ``(approved[b, m], denied[b, m])``."""
        slot = t % (self.horizon + 1)
        approved, denied = self.approve[slot].copy(), self.deny[slot].copy()
        self.approve[slot] = 0.0
        self.deny[slot] = 0.0
        return approved, denied

    def queued(self) -> np.ndarray:
        """Tonnes waiting per buyer and material."""
        return self.approve.sum(axis=0) + self.deny.sum(axis=0)


class DecisionQueue(LicenceQueue):
    """A licence queue whose lots are approved or denied when decided, not when filed.

    Review times are still drawn at filing; the approval is drawn in the decision month at
    the probability then in force, so a change of terms (a truce, general licences) reaches
    the applications already waiting. Same interface as :class:`LicenceQueue`.

    Args:
        n_buyers: number of buyers.
        n_materials: number of materials.
        horizon: longest review, months.
        approval: returns each buyer's approval probability in force, ``[B]``.
        rng: the generator of the approval draws (the licence stream).
    """

    def __init__(self, n_buyers: int, n_materials: int, horizon: int, approval, rng: np.random.Generator):
        super().__init__(n_buyers, n_materials, horizon)
        self.approval, self.rng = approval, rng
        self.lots = [[] for _ in range(horizon + 1)]   # per decision slot: (buyers, materials, t) arrays
        self.waiting = np.zeros((n_buyers, n_materials))

    def file(self, t: int, qty: np.ndarray, approve_prob: np.ndarray, mean_days: np.ndarray,
             cv: np.ndarray, lots: int, working_days: float, rng: np.random.Generator) -> None:
        """File applications ``qty[b, m]`` in month ``t``; ``approve_prob`` is not used here."""
        buyers, mats = np.nonzero(qty > 0)
        if buyers.size == 0:
            return
        b, m = np.repeat(buyers, lots), np.repeat(mats, lots)
        lot_qty = np.repeat(qty[buyers, mats] / lots, lots)
        wait = np.maximum(review_months(rng, mean_days[b], cv[b], working_days, self.horizon), 1)
        slot = (t + wait) % (self.horizon + 1)
        for s in np.unique(slot):
            at = slot == s
            self.lots[s].append((b[at], m[at], lot_qty[at]))
        np.add.at(self.waiting, (b, m), lot_qty)

    def decide(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Pop the lots due in month ``t`` and draw each one's approval at today's terms."""
        approved, denied = np.zeros_like(self.waiting), np.zeros_like(self.waiting)
        slot = t % (self.horizon + 1)
        if self.lots[slot]:
            b, m, q = (np.concatenate(parts) for parts in zip(*self.lots[slot]))
            ok = self.rng.random(b.size) < self.approval()[b]
            np.add.at(approved, (b[ok], m[ok]), q[ok])
            np.add.at(denied, (b[~ok], m[~ok]), q[~ok])
            np.subtract.at(self.waiting, (b, m), q)
            self.lots[slot] = []
        return approved, denied

    def queued(self) -> np.ndarray:
        """Tonnes waiting per buyer and material."""
        return np.maximum(self.waiting, 0.0)
