"""Stages 3 and 6 of the monthly schedule: plants produce, and buyers use material.

The physical stages around the markets: production fills plants' inventories and China's
pool from their sites' stocks; use kits defense units from programs' component inventories
and consumes civil magnets. A mixin of :class:`sim.model.model.RhythmModel`.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.production import consume_civil, produce_plants
from sim.model.state import ModelState
from sim.vocab import MAGNET


class Production(ModelState):
    """Production and use; reads and writes the state declared in :class:`ModelState`."""

    def civil_demand(self, t: int) -> np.ndarray:
        """Civil magnet use of each country in month ``t``, t, growing at its rate ``[C]``."""
        w = self.world
        return w.civil0 * (1.0 + w.civil_growth) ** (t / 12.0)

    def _produce(self, t: int, dry_run: bool = False) -> None:
        """Every plant makes what it wants and its inputs allow, stage by stage (S2, S3).

        ``dry_run``: only the month's need, for the stocks at construction; nothing is made.
        """
        w, cn, p = self.world, self.world.cn, self._plants
        n_m = self.use.shape[1]
        req, short = np.zeros((self.n_c, n_m)), np.zeros((self.n_c, n_m))
        req[:, MAGNET] = self.civil_demand(t)
        cost, flows = np.zeros(self.cost.shape), np.zeros((2, n_m))
        cn_target = w.cover[cn] * (self.use[cn] + self.export_ema)   # China's pool target, t
        produce_plants(t, dry_run, p.stage, p.output, p.site, p.chinese, self.plant_start, p.ramp_months,
                       p.qual_months, p.cap, p.heavy, p.feed, p.room, p.unit_cost, w.recipe, cn, cn_target,
                       self.subsidy, self.hold, self.plant_stock, req, short, cost, flows, self.fiscal)
        if dry_run:
            self.use = req
            return
        self.ledger.flow(flows[0], flows[1])
        self.cost[:] = cost
        self.use = 0.5 * self.use + 0.5 * req
        self.shortfall = short

    def _use_material(self, t: int) -> None:
        """Programs kit and deliver units (from month 0: the warm-up only fills pipelines);
        countries consume civil magnets, Chinese-origin first (S9)."""
        n_c, eligible = self.n_c, self.eligible
        # Components a program may no longer use (DFARS) go back to its country's industry.
        stranded = self.hold[n_c:] * ~eligible[n_c:, None, :]
        if stranded.any():
            self.hold[n_c:] -= stranded
            np.add.at(self.hold, self.buyer_country[n_c:], stranded)
        delivered = np.zeros(self.n_p)
        if t >= 0:
            used, unmet = np.zeros((self.n_p, self.use.shape[1])), np.zeros((self.n_p, self.use.shape[1]))
            for producer in self.producers:
                producer.kit_and_deliver(t, self.hold, eligible, delivered, used, unmet)
            self.ledger.flow(0.0, used.sum(axis=0))
            self.shortfall += self._to_country[:, n_c:] @ unmet
        self.delivered = delivered
        civil = np.zeros(self.use.shape[1])
        civil[MAGNET] = consume_civil(self.civil_demand(t), self.hold[:n_c, MAGNET], self.fill,
                                      self.shortfall[:, MAGNET])
        self.ledger.flow(0.0, civil)
