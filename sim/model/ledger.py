"""The material ledger: proves every month that no tonne appears or vanishes.

For each material: stocks + stockpiles + plant inventories + in transit + queued for a
licence = opening total + produced - consumed. Consumption is conversion inputs, civil use
and kitting. Exports are shipments inside the system, so they stay in transit until they land.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import month_dates
from sim.vocab import MATERIALS

NEGATIVE_TOL = 1e-6   # t; float round-off below this is clipped to zero
RELATIVE_TOL = 1e-9   # imbalance allowed per tonne of throughput


class ConservationError(RuntimeError):
    """Material was created or lost: names the material, the month and the imbalance."""


class NegativeStockError(RuntimeError):
    """A stock went below zero: names the material, the holder and the month."""


class Ledger:
    """Running totals of production and consumption per material (t).

    Args:
        start: the run's first month, ``YYYY-MM`` (for messages).
        enabled: whether to check the balance (non-negativity is always checked).
    """

    def __init__(self, start: str, enabled: bool = True):
        self.start, self.enabled = start, enabled
        self.produced = np.zeros(len(MATERIALS))
        self.consumed = np.zeros(len(MATERIALS))
        self.opening: np.ndarray | None = None

    def flow(self, made, used) -> None:
        """Add tonnes made and used this month, per material."""
        self.produced += made
        self.consumed += used

    def open(self, totals: np.ndarray) -> None:
        """Start the books at ``totals`` (after the warm-up)."""
        self.opening = totals.copy()
        self.produced[:] = 0.0
        self.consumed[:] = 0.0

    def _month(self, t: int) -> str:
        if t < 0:
            return f"warm-up month {t}"
        return str(month_dates(self.start, t + 1)[-1])[:7]

    def check(self, t: int, totals: np.ndarray | None, hold: np.ndarray, holders: tuple[str, ...]) -> None:
        """Raise if any stock is negative or any material is out of balance in month ``t``.

        ``totals`` (tonnes of each material in the system) may be None when the balance
        check is disabled: only non-negativity is then checked.
        """
        if not np.isfinite(hold).all():   # NaN fails every comparison below: catch it here
            worst = np.unravel_index(np.argmax(~np.isfinite(hold)), hold.shape)
            who = holders[worst[0]] if worst[0] < len(holders) else f"program #{worst[0] - len(holders)}"
            raise ConservationError(f"non-finite stock of {MATERIALS[worst[1]]} held by {who} in "
                                    f"{self._month(t)}: {hold[worst]} t")
        low = hold < 0
        if low.any():
            worst = np.unravel_index(np.argmin(hold), hold.shape)
            if hold[worst] < -NEGATIVE_TOL:
                who = holders[worst[0]] if worst[0] < len(holders) else f"program #{worst[0] - len(holders)}"
                raise NegativeStockError(
                    f"negative stock of {MATERIALS[worst[1]]} held by {who} in {self._month(t)}: "
                    f"{hold[worst]:.6g} t")
            # Book the clipped round-off so the balance below stays exact.
            self.produced -= np.where(low, hold, 0.0).sum(axis=tuple(i for i in range(hold.ndim) if i != 1))
            hold[low] = 0.0
        if not self.enabled or self.opening is None or totals is None:
            return
        expected = self.opening + self.produced - self.consumed
        scale = np.maximum(1.0, self.opening + self.produced)
        bad = ~(np.abs(totals - expected) <= RELATIVE_TOL * scale + NEGATIVE_TOL)   # NaN is bad too
        if bad.any():
            m = int(np.argmax(bad))
            raise ConservationError(
                f"{MATERIALS[m]} not conserved in {self._month(t)}: stocks, transit and queues hold "
                f"{totals[m]:.6f} t, opening + produced - consumed is {expected[m]:.6f} t "
                f"(imbalance {totals[m] - expected[m]:+.3g} t)")
