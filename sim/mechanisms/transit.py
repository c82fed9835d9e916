"""Shipments in transit, as a ring buffer indexed by arrival month."""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


@kernel
def _ship_rows(slots: np.ndarray, total: np.ndarray, t: int, lead: np.ndarray, qty: np.ndarray, k: int) -> bool:
    """Add row ``b`` of ``qty[B, M]`` (class ``k``) to the slot ``lead[b]`` months on; False (and
    nothing shipped) if a lead is outside the ring."""
    for b in range(lead.size):
        if lead[b] < 0 or lead[b] >= slots.shape[0]:
            return False
    for b in range(lead.size):
        slot = (t + lead[b]) % slots.shape[0]
        for m in range(qty.shape[1]):
            slots[slot, b, m, k] += qty[b, m]
            total[b, m, k] += qty[b, m]
    return True


class Pipeline:
    """Tonnes on their way to each buyer, by arrival month.

    Args:
        shape: shape of one month's shipments, e.g. ``(buyers, materials, classes)``.
        horizon: longest transit, months; the buffer holds ``horizon + 1`` months.
    """

    def __init__(self, shape: tuple[int, ...], horizon: int = 24):
        self.horizon = horizon
        self.slots = np.zeros((horizon + 1, *shape))
        self.total = np.zeros(shape)   # the slots' sum, kept as they change: read every month

    def ship(self, t: int, lead: int, qty: np.ndarray, index=slice(None)) -> None:
        """Send ``qty`` in month ``t`` to arrive ``lead`` months later (0 = this month).

        Raises:
            ValueError: if ``lead`` is negative or beyond the horizon.
        """
        if not 0 <= lead <= self.horizon:
            raise ValueError(f"transit lead {lead} months is outside [0, {self.horizon}]")
        self.slots[(t + lead) % (self.horizon + 1)][index] += qty
        self.total[index] += qty

    def ship_each(self, t: int, lead: np.ndarray, qty: np.ndarray, k: int) -> None:
        """Send ``qty[B, M]`` of class ``k`` in month ``t``, row ``b`` to arrive ``lead[b]`` months later.

        Raises:
            ValueError: if a lead is negative or beyond the horizon.
        """
        if not _ship_rows(self.slots, self.total, t, lead, qty, k):
            raise ValueError(f"transit leads {lead.min()}-{lead.max()} months are outside [0, {self.horizon}]")

    def arrive(self, t: int) -> np.ndarray:
        """Remove and return everything arriving in month ``t``."""
        slot = t % (self.horizon + 1)
        landed = self.slots[slot].copy()
        self.slots[slot] = 0.0
        self.total -= landed
        return landed

    def in_transit(self) -> np.ndarray:
        """Tonnes on the way, summed over arrival months (a running total: round-off below
        1e-9 t of what has landed may remain, so it is clipped at zero)."""
        return np.maximum(self.total, 0.0)
