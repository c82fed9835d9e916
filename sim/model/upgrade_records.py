"""The upgrade-cadence outputs of a run (S25): per-month records and their series.

Metrics (names fixed, SPEC §7): ``generation_lag_cycles`` and ``plan_lag_cycles`` per program,
``country:<ID>`` (mean over the high-end programs it builds or buys), ``circle:A`` and civil
sector (``ev:US``); ``cutin_slip_months`` (past the plan), ``cutin_material_slip_months`` (past
the plan and the other-cause slip: the slip the cut-in rule causes), ``old_generation_units``
and ``downgraded_units`` per program and sector (programs count units delivered, sectors t of
magnet used); ``tech_level``
per magnet plant, ``frontier:CN`` and ``best:ROW`` (the best level of a plant outside China
that has started).
"""

from __future__ import annotations

import numpy as np

from sim.vocab import CIRCLES

UPGRADE_METRICS = ("generation_lag_cycles", "plan_lag_cycles", "cutin_slip_months", "cutin_material_slip_months",
                   "old_generation_units", "downgraded_units")   # the rows of the model's upgrade_out
AGGREGATED = ("generation_lag_cycles", "plan_lag_cycles")


class UpgradeRecords:
    """Preallocated per-month upgrade records of one run.

    Args:
        model: the model being recorded.
        months: number of months to record.
    """

    def __init__(self, model, months: int):
        self.model = model
        n_g, n_r = len(model.world.tech.ladders), len(model.plant_level)
        self.out = np.zeros((months, len(UPGRADE_METRICS), n_g))
        # Each month's raw rows, for every plant: the magnet plants' levels and the best of
        # those outside China that had started are picked out once, in :meth:`series`.
        self.plant_level = np.zeros((months, n_r), dtype=np.int64)
        self.plant_start = np.zeros((months, n_r), dtype=np.int64)
        self.frontier = np.zeros(months)
        self.groups = model.upgrade_groups()

    def record(self, t: int) -> None:
        """Store month ``t``."""
        m = self.model
        self.out[t] = m.upgrade_out
        self.plant_level[t] = m.plant_level
        self.plant_start[t] = m.plant_start
        self.frontier[t] = m.frontier

    def best_row(self) -> np.ndarray:
        """``[T]`` the best level of a magnet plant outside China that had started each month (0: none had)."""
        ex = self.model._ex_magnet
        started = np.arange(len(self.frontier))[:, None] >= self.plant_start[:, ex]   # [T, X]
        lowest = np.iinfo(np.int64).min
        best = np.where(started, self.plant_level[:, ex], lowest).max(axis=1, initial=lowest)
        return np.where(started.any(axis=1), best, 0).astype(float)

    def series(self, circle: np.ndarray) -> list[tuple[str, str, np.ndarray]]:
        """Every upgrade series as ``(metric, entity, values[T])``; ``circle`` is the recorder's [T, C]."""
        m = self.model
        ladders = m.world.tech.ladders
        out = []
        for k, metric in enumerate(UPGRADE_METRICS):
            for i, ladder in enumerate(ladders):
                out.append((metric, ladder.name, self.out[:, k, i]))
        # circle A, each month: the high-end programs built or bought by countries in circle A then
        in_a = circle == CIRCLES.index("A")                  # [T, C]
        mask = np.zeros((len(circle), len(ladders)), dtype=bool)
        for name, idx in self.groups.items():
            mask[:, idx] |= in_a[:, m.world.countries.index(name.split(":", 1)[1])][:, None]
        n = np.maximum(mask.sum(axis=1), 1)
        for metric in AGGREGATED:
            k = UPGRADE_METRICS.index(metric)
            for name, idx in sorted(self.groups.items()):
                out.append((metric, name, self.out[:, k, idx].mean(axis=1)))
            if self.groups:
                out.append((metric, "circle:A", (self.out[:, k, :] * mask).sum(axis=1) / n))
        for idx in m.magnet_plants:
            out.append(("tech_level", m.world.refiners[idx], self.plant_level[:, idx].astype(float)))
        out.append(("tech_level", "frontier:CN", self.frontier))
        out.append(("tech_level", "best:ROW", self.best_row()))
        return out
