"""Stages 3 and 6 of the monthly schedule: plants produce, and buyers use material.

The physical stages around the markets: production fills plants' inventories and China's
pool from their sites' stocks; use kits defense units from programs' component inventories
and consumes civil magnets. A mixin of :class:`sim.model.model.RhythmModel`.
"""

from __future__ import annotations

import numpy as np

from agents import Refiner
from sim.mechanisms.market import sum_like_numpy
from sim.model.state import ModelState
from sim.vocab import MAGNET


class Production(ModelState):
    """Production and use; reads and writes the state declared in :class:`ModelState`."""

    def _produce(self, t: int, dry_run: bool = False) -> None:
        """Every plant makes what it wants and its inputs allow, stage by stage (S2, S3).

        ``dry_run``: only the month's need, for the stocks at construction; nothing is made.
        """
        w, cn = self.world, self.world.cn
        n_m = self.use.shape[1]
        # Month totals build on plain lists, in the same order of additions as arrays would,
        # and become arrays at the end: each plant adds a few numbers, where numpy calls cost more.
        req = [[0.0] * n_m for _ in self.countries]
        short = [[0.0] * n_m for _ in self.countries]
        cost = [[[0.0, 0.0], [0.0, 0.0]] for _ in self.by_stage]   # [stage][CN/ROW][t, USD]
        for c in self.countries:
            req[c.index][MAGNET] = c.civil_demand(t)
        for stage, plants in enumerate(self.by_stage):
            util = 1.0 if dry_run else self._china_utilisation(t, plants)
            recipe = self._recipes[stage]
            for r in plants:
                wanted = r.wanted_list(t, util if r.chinese else 1.0)
                top = max(wanted)
                if top <= 0.0:   # not started, not decided, or full: makes and needs nothing
                    continue
                inputs = [top * q for q in recipe]
                site_req = req[r.site]
                for m, x in enumerate(inputs):
                    site_req[m] += x
                if dry_run:
                    continue
                stock = self.hold[r.site]
                site_short = short[r.site]
                for m, have in enumerate(stock.sum(axis=1).tolist()):
                    if inputs[m] - have > 0.0:   # a covered input adds nothing to the shortfall
                        site_short[m] += inputs[m] - have
                made, used = r.produce(t, wanted, stock)
                self.ledger.flow(made, used)
                total = sum_like_numpy(made)
                stage_cost = cost[stage][int(not r.chinese)]
                stage_cost[0] += total
                stage_cost[1] += total * (1000.0 * w.r_cost[r.index])
                if not r.chinese:   # host-country production subsidy (e.g. US 45X)
                    self.fiscal[r.site] += self.subsidy[r.site] * total * 1000.0
                if r.chinese:   # China's plants sell into the domestic pool at once
                    self.hold[cn] += r.inventory
                    r.inventory[:] = 0.0
        self.cost[:] = cost
        req = np.array(req)
        self.use = req if dry_run else 0.5 * self.use + 0.5 * req
        self.shortfall = np.array(short)

    def _china_utilisation(self, t: int, plants: list[Refiner]) -> np.ndarray:
        """Share of China's capacity run per output: fill the domestic pool to its target."""
        cn = self.world.cn
        cap = sum((r.wanted(t, 1.0) for r in plants if r.chinese), np.zeros(self.use.shape[1]))
        target = self.world.cover[cn] * (self.use[cn] + self.export_ema)
        gap = np.maximum(target - self.hold[cn].sum(axis=1), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(cap > 0, np.minimum(gap / cap, 1.0), 0.0)

    def _use_material(self, t: int) -> None:
        """Programs kit and deliver units (from month 0: the warm-up only fills pipelines);
        countries consume civil magnets (S9)."""
        n_c, eligible = self.n_c, self.eligible
        # Components a program may no longer use (DFARS) go back to its country's industry.
        stranded = self.hold[n_c:] * ~eligible[n_c:, None, :]
        self.hold[n_c:] -= stranded
        np.add.at(self.hold, self.buyer_country[n_c:], stranded)
        delivered = np.zeros(self.n_p)
        if t >= 0:
            for producer in self.producers:
                idx = np.array(producer.programs) + n_c
                inventory = self.hold[idx]
                done, used, unmet = producer.kit_and_deliver(t, inventory, eligible[idx])
                self.hold[idx] = inventory
                delivered[producer.programs] = done
                self.ledger.flow(0.0, used.sum(axis=0))
                np.add.at(self.shortfall, self.buyer_country[idx], unmet)
        self.delivered = delivered
        civil = np.zeros(self.use.shape[1])
        for country in self.countries:
            used, unmet = country.consume_civil(t, self.hold[country.index])
            if used + unmet > 0:
                self.fill[country.index] = 0.8 * self.fill[country.index] + 0.2 * used / (used + unmet)
            civil[MAGNET] += used
            self.shortfall[country.index, MAGNET] += unmet
        self.ledger.flow(0.0, civil)
