"""A plant at one stage of the chain: separation, metal/alloy or magnet making."""

from __future__ import annotations

import mesa
import numpy as np

from sim.investment import expected_price, lead_months, project_npv
from sim.production import convert
from sim.world import HEAVY, LIGHT, N_CLASSES

SEPARATION = 0
OUTPUT = {0: LIGHT, 1: 2, 2: 3}  # stage -> main output material (light oxide, metal, magnet)
NEVER = 10**6                     # start month of a plant nobody has decided to build


class Refiner(mesa.Agent):
    """A firm's plant. State: its schedule (after slip) and unsold output inventory.

    Args:
        model: the model.
        index: position in the world's refiner arrays.
        start: month index of first output after this run's schedule slip.
    """

    def __init__(self, model: mesa.Model, index: int, start: int):
        super().__init__(model)
        w = model.world
        self.index = index
        self.rid = w.refiners[index]
        self.stage = int(w.r_stage[index])
        self.site = int(w.r_site[index])
        self.chinese = self.site == w.cn or int(w.r_owner[index]) == w.cn
        self.start = start
        self.candidate = bool(w.r_candidate[index])
        self.decided_at: int | None = None    # month an investor committed to a candidate plant
        if self.candidate:                    # a candidate exists only once someone builds it
            self.earliest, self.start = start, NEVER
        self.inventory = np.zeros((len(w.recipe[0]), N_CLASSES))

    def ramp(self, t: int) -> float:
        """Share of nameplate available in month ``t`` (0 before start, linear ramp)."""
        ramp = int(self.model.world.r_ramp[self.index])
        if t < self.start:
            return 0.0
        return 1.0 if ramp == 0 else min(1.0, (t - self.start + 1) / ramp)

    def quality(self, t: int) -> int:
        """Origin class of this plant's output: 0 Chinese, 1 unqualified, 2 qualified."""
        if self.chinese:
            return 0
        return 2 if t >= self.start + int(self.model.world.r_qual[self.index]) else 1

    def wanted(self, t: int, utilisation: np.ndarray | float) -> np.ndarray:
        """Output this plant wants to make this month, per material (t).

        Args:
            t: month index.
            utilisation: share of available capacity to run, per output material or scalar.
        """
        w, i = self.model.world, self.index
        out = np.zeros(self.inventory.shape[0])
        ramp = self.ramp(t)
        if ramp == 0.0:                 # not started (or never decided): nothing to make
            return out
        scalar = np.ndim(utilisation) == 0
        if self.stage == SEPARATION:
            u_light, u_heavy = (utilisation, utilisation) if scalar else (utilisation[LIGHT], utilisation[HEAVY])
            out[LIGHT] = min(w.r_cap[i] * ramp * u_light, w.r_feed[i])
            out[HEAVY] = w.r_heavy[i] * ramp * u_heavy
        else:
            m_out = OUTPUT[self.stage]
            out[m_out] = w.r_cap[i] * ramp * (utilisation if scalar else utilisation[m_out])
        if not self.chinese:
            room = self.model.refiner_inventory_months * (w.r_cap[i] + w.r_heavy[i])
            out = np.minimum(out, np.maximum(room - self.inventory.sum(axis=1), 0.0))
        return out

    def produce(self, t: int, wanted: np.ndarray, site_stock: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Make ``wanted`` output from ``site_stock`` inputs (updated in place).

        Returns:
            ``(made[M], used[M])`` in tonnes, for the material ledger.
        """
        made = np.zeros(wanted.size)
        used = np.zeros(wanted.size)
        k = self.quality(t)
        if self.stage == SEPARATION:
            self.inventory[:, k] += wanted  # feed is mined concentrate, outside the ledger
            return wanted.copy(), used
        m_out = OUTPUT[self.stage]
        out, taken = convert(wanted[m_out], self.model.world.recipe[self.stage], site_stock, k)
        site_stock -= taken
        self.inventory[m_out] += out
        made[m_out] = out.sum()
        return made, taken.sum(axis=1)

    def consider(self, t: int, price_cn: np.ndarray, price_row: np.ndarray) -> float:
        """An investor's NPV (USD) of building this candidate plant now (sim.investment)."""
        w, pol, model = self.model.world, self.model.policy, self.model
        i, m_out = self.index, OUTPUT[self.stage]
        exp = np.array([expected_price(price_cn[m], price_row[m], pol.persistence) for m in range(price_cn.size)])
        margin = max(exp[m_out], w.r_floor[i]) + model.subsidy[self.site] - w.r_cost[i]
        if self.stage == SEPARATION and w.r_cap[i] > 0:   # heavy oxide: a by-product, subsidised too
            margin += w.r_heavy[i] / w.r_cap[i] * (exp[HEAVY] + model.subsidy[self.site])
        lead = lead_months(w.r_permit[i], w.r_construct[i], w.opposition[self.site])
        return project_npv(margin, w.r_cap[i] * 12.0, w.r_capex[i], model.grant[self.site],
                           pol.hurdle, pol.horizon_years, lead)

    def commit(self, t: int, slip: float) -> float:
        """Decide to build: first output after permitting, construction and a drawn slip.

        Returns:
            The host government's capex grant, USD (a fiscal cost).
        """
        w, model = self.model.world, self.model
        lead = lead_months(w.r_permit[self.index], w.r_construct[self.index], w.opposition[self.site])
        self.decided_at, self.start = t, t + int(round(lead + slip))
        return float(w.r_capex[self.index] * model.grant[self.site])
