"""China's export-licence queue, as ring buffers indexed by decision month.

An application is split into lots; each lot draws its review time (working days, gamma
distributed around the tier's mean) and its approval when filed, and waits in the queue
until its decision month. Approved lots then ship; denied lots go back to the exporter's
stock. The queue holds material, so it counts in the conservation ledger.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


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
    random = (cv > 0) & (mean_days > 0)
    if random.all():   # the usual case: one draw per lot, no masks
        shape = 1.0 / cv**2
        days = rng.gamma(shape, mean_days / shape)
    else:
        days = mean_days.copy()
        if random.any():
            shape = 1.0 / cv[random] ** 2
            days[random] = rng.gamma(shape, mean_days[random] / shape)
    return np.minimum(np.ceil(days / working_days_per_month - 1e-9), horizon).astype(int)


@kernel
def _ration(available: float, requests: np.ndarray, priority: np.ndarray, granted: np.ndarray) -> None:
    """:func:`ration_by_priority` into zeroed ``granted[N]``."""
    left = max(available, 0.0)
    levels = np.unique(priority)
    for i in range(levels.size - 1, -1, -1):
        level = levels[i]
        want = 0.0
        for n in range(requests.size):
            if priority[n] == level and requests[n] > 0:
                want += requests[n]
        if want <= 0 or left <= 0:
            continue
        fraction = min(1.0, left / want)
        given = 0.0
        for n in range(requests.size):
            if priority[n] == level and requests[n] > 0:
                granted[n] = requests[n] * fraction
                given += granted[n]
        left -= given


def ration_by_priority(available: float, requests: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Grant requests from ``available``, higher priority first, pro rata within a level.

    Returns:
        Granted amounts, each between 0 and its request; their sum is at most ``available``.
    """
    requests = np.asarray(requests, dtype=float)
    granted = np.zeros(requests.size)
    _ration(float(available), requests.ravel(), np.asarray(priority).ravel(), granted)
    return granted.reshape(requests.shape)


@kernel
def grant_exports(pool: np.ndarray, denied: np.ndarray, keep: np.ndarray, quota_left: np.ndarray,
                  requests: np.ndarray, priority: np.ndarray, controlled: np.ndarray, quota_used: np.ndarray,
                  shipped: np.ndarray, filed: np.ndarray) -> np.ndarray:
    """One month of China's export regime after the due licences are decided (S6).

    Denied lots go back to China's pool; what the pool holds above its domestic cover, within
    the year's quota, is rationed among the requests by tier priority (:func:`ration_by_priority`
    per material); uncontrolled material ships at once, controlled material is filed for a licence.

    Args:
        pool: China's pool of each material, class 0, t ``[M]`` (in place).
        denied: lots denied this month ``[B, M]`` (t).
        keep: t China keeps for its own use ``[M]``.
        quota_left: t of this year's export quota left ``[M]``.
        requests: t each foreign buyer asks for ``[B, M]`` (0 for China's own).
        priority: each buyer's tier priority ``[B]`` (higher first).
        controlled: materials that need a licence ``[M]``.
        quota_used: t of this year's quota granted ``[M]`` (added to).
        shipped: t shipping this month ``[B, M]`` (the approved lots; granted uncontrolled added).
        filed: out, zeroed: t filed for a licence ``[B, M]``.

    Returns:
        Granted tonnes per material ``[M]``.
    """
    n_b, n_m = requests.shape
    total = np.zeros(n_m)
    out = np.zeros(n_b)
    for m in range(n_m):
        pool[m] += denied[:, m].sum()
        out[:] = 0.0
        _ration(min(max(pool[m] - keep[m], 0.0), quota_left[m]), requests[:, m].copy(), priority, out)
        for b in range(n_b):
            if controlled[m]:   # live: an event may license a material (D12)
                filed[b, m] = out[b]
            else:
                shipped[b, m] += out[b]
            total[m] += out[b]
        pool[m] -= total[m]
        quota_used[m] += total[m]
    return total


@kernel
def split_lots(qty: np.ndarray, lots: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each positive application ``qty[b, m]`` split into ``lots`` equal lots: ``(buyer, material, t)`` per lot."""
    n = 0
    for b in range(qty.shape[0]):
        for m in range(qty.shape[1]):
            if qty[b, m] > 0:
                n += lots
    buyers, mats, size = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n)
    i = 0
    for b in range(qty.shape[0]):
        for m in range(qty.shape[1]):
            if qty[b, m] > 0:
                for _ in range(lots):
                    buyers[i], mats[i], size[i] = b, m, qty[b, m] / lots
                    i += 1
    return buyers, mats, size


@kernel
def _enqueue(approve: np.ndarray, deny: np.ndarray, waiting: np.ndarray, t: int, wait: np.ndarray,
             ok: np.ndarray, buyers: np.ndarray, mats: np.ndarray, size: np.ndarray) -> None:
    """Put each lot in its decision month's slot (at the earliest the month after filing)."""
    slots = approve.shape[0]
    for i in range(buyers.size):
        slot = (t + max(wait[i], 1)) % slots
        if ok[i]:
            approve[slot, buyers[i], mats[i]] += size[i]
        else:
            deny[slot, buyers[i], mats[i]] += size[i]
        waiting[buyers[i], mats[i]] += size[i]


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
        self.waiting = np.zeros((n_buyers, n_materials))   # the slots' sum, kept as lots are filed and decided

    def file(self, t: int, qty: np.ndarray, approve_prob: np.ndarray, mean_days: np.ndarray,
             cv: np.ndarray, lots: int, working_days: float, rng: np.random.Generator) -> None:
        """File applications ``qty[b, m]`` in month ``t``; per-buyer tier terms ``[b]``."""
        b, m, lot_qty = split_lots(qty, lots)
        if b.size == 0:
            return
        # Decisions come at the earliest the month after filing (this month's slot is popped).
        wait = review_months(rng, mean_days[b], cv[b], working_days, self.horizon)
        ok = rng.random(b.size) < approve_prob[b]
        _enqueue(self.approve, self.deny, self.waiting, t, wait, ok, b, m, lot_qty)

    def decide(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Pop the lots due in month ``t``: ``(approved[b, m], denied[b, m])``."""
        slot = t % (self.horizon + 1)
        approved, denied = self.approve[slot].copy(), self.deny[slot].copy()
        self.approve[slot] = 0.0
        self.deny[slot] = 0.0
        self.waiting -= approved + denied
        return approved, denied

    def queued(self) -> np.ndarray:
        """Tonnes waiting per buyer and material (a running total, clipped at zero against round-off)."""
        return np.maximum(self.waiting, 0.0)


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
        # Every waiting lot, in filing order: decision month, buyer, material, tonnes.
        self.pending = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

    def file(self, t: int, qty: np.ndarray, approve_prob: np.ndarray, mean_days: np.ndarray,
             cv: np.ndarray, lots: int, working_days: float, rng: np.random.Generator) -> None:
        """File applications ``qty[b, m]`` in month ``t``; ``approve_prob`` is not used here."""
        b, m, lot_qty = split_lots(qty, lots)
        if b.size == 0:
            return
        wait = np.maximum(review_months(rng, mean_days[b], cv[b], working_days, self.horizon), 1)
        due = t + wait
        self.pending = tuple(np.concatenate(pair) for pair in zip(self.pending, (due, b, m, lot_qty)))
        _settle(self.waiting, b, m, lot_qty, np.ones(b.size, np.bool_), self.waiting, 1.0)

    def decide(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Pop the lots due in month ``t`` and draw each one's approval at today's terms."""
        approved, denied = np.zeros_like(self.waiting), np.zeros_like(self.waiting)
        due, b, m, q = self.pending
        now = due == t
        if now.any():
            b_now, m_now, q_now = b[now], m[now], q[now]
            ok = self.rng.random(b_now.size) < self.approval()[b_now]
            _settle(approved, b_now, m_now, q_now, ok, denied, 1.0)
            _settle(self.waiting, b_now, m_now, q_now, ok, self.waiting, -1.0)
            keep = ~now
            self.pending = (due[keep], b[keep], m[keep], q[keep])
        return approved, denied


@kernel
def _settle(yes: np.ndarray, buyers: np.ndarray, mats: np.ndarray, size: np.ndarray, ok: np.ndarray,
            no: np.ndarray, sign: float) -> None:
    """Add ``sign * size`` of each lot to ``yes[b, m]`` where ``ok``, else to ``no[b, m]``."""
    for i in range(buyers.size):
        if ok[i]:
            yes[buyers[i], mats[i]] += sign * size[i]
        else:
            no[buyers[i], mats[i]] += sign * size[i]
