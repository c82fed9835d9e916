"""Shipments in transit, as a ring buffer indexed by arrival month."""

from __future__ import annotations

import numpy as np


class Pipeline:
    """Tonnes on their way to each buyer, by arrival month.

    Args:
        shape: shape of one month's shipments, e.g. ``(buyers, materials, classes)``.
        horizon: longest transit, months; the buffer holds ``horizon + 1`` months.
    """

    def __init__(self, shape: tuple[int, ...], horizon: int = 24):
        self.horizon = horizon
        self.slots = np.zeros((horizon + 1, *shape))

    def ship(self, t: int, lead: int, qty: np.ndarray, index=slice(None)) -> None:
        """Send ``qty`` in month ``t`` to arrive ``lead`` months later (0 = this month).

        Raises:
            ValueError: if ``lead`` is negative or beyond the horizon.
        """
        if not 0 <= lead <= self.horizon:
            raise ValueError(f"transit lead {lead} months is outside [0, {self.horizon}]")
        self.slots[(t + lead) % (self.horizon + 1)][index] += qty

    def arrive(self, t: int) -> np.ndarray:
        """Remove and return everything arriving in month ``t``."""
        slot = t % (self.horizon + 1)
        landed = self.slots[slot].copy()
        self.slots[slot] = 0.0
        return landed

    def in_transit(self) -> np.ndarray:
        """Tonnes on the way, summed over arrival months."""
        return self.slots.sum(axis=0)
