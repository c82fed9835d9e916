"""A plant at one stage of the chain: separation, metal/alloy or magnet making."""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms.investment import expected_price, lead_months, project_npv
from sim.vocab import HEAVY, OUTPUT, SEPARATION

NEVER = 10**6                     # start month of a plant nobody has decided to build


class Refiner(mesa.Agent):
    """A firm's plant. It decides its schedule (its slip, an investor's commitment); its monthly
    output is made for all plants at once by :func:`sim.mechanisms.production.produce_plants`.

    A plant draws its own schedule slip from the model's ``plants`` stream: every plant one
    draw when it is created (kept only by a planned plant not yet started, but drawn by all so
    each plant's draw is the same whichever plants slip), a candidate one more when an investor
    commits to it.

    Args:
        model: the model; its ``streams["plants"]`` gives the slip.
        index: position in the world's refiner arrays.
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        w = model.world
        self.index = index
        self.rid = w.refiners[index]
        self.stage = int(w.r_stage[index])
        self.site = int(w.r_site[index])
        self.chinese = self.site == w.cn or int(w.r_owner[index]) == w.cn
        self.slip_mean = float(w.r_slip_mean[index])   # months, mean of the exponential slip (D33, D36)
        self.candidate = bool(w.r_candidate[index])
        slip = self.draw_slip(model.streams["plants"])
        # Plants not yet started slip (D33, D36: slips are the norm); candidates slip when decided.
        late = w.r_start[index] >= 0 and self.slip_mean > 0 and not self.candidate
        self.start = int(w.r_start[index] + (np.round(slip) if late else 0))   # month index of first output
        self.decided_at: int | None = None    # month an investor committed to a candidate plant
        if self.candidate:                    # a candidate exists only once someone builds it
            self.earliest, self.start = self.start, NEVER
        self.output = OUTPUT[self.stage]

    # The schedule lives in the model's plant arrays, so the monthly kernels read every plant's
    # at once (sim.mechanisms.production); the plant decides it.
    @property
    def start(self) -> int:
        """Month index of the plant's first output (:data:`NEVER` while nobody has decided to build it)."""
        return int(self.model.plant_start[self.index])

    @start.setter
    def start(self, month: int) -> None:
        self.model.plant_start[self.index] = month

    @property
    def inventory(self) -> np.ndarray:
        """Unsold output, t per material and origin class ``[M, K]`` (a view of the model's ``plant_stock``)."""
        return self.model.plant_stock[self.index]

    def consider(self, t: int, price_cn: np.ndarray, price_row: np.ndarray) -> float:
        """An investor's NPV (USD) of building this candidate plant now (sim.mechanisms.investment)."""
        w, pol, model = self.model.world, self.model.policy, self.model
        i, m_out = self.index, self.output
        exp = np.array([expected_price(price_cn[m], price_row[m], pol.persistence) for m in range(price_cn.size)])
        margin = max(exp[m_out], w.r_floor[i]) + model.subsidy[self.site] - w.r_cost[i]
        if self.stage == SEPARATION and w.r_cap[i] > 0:   # heavy oxide: a by-product, subsidised too
            margin += w.r_heavy[i] / w.r_cap[i] * (exp[HEAVY] + model.subsidy[self.site])
        lead = lead_months(w.r_permit[i], w.r_construct[i], w.opposition[self.site])
        return project_npv(margin, w.r_cap[i] * 12.0, w.r_capex[i], model.grant[self.site],
                           pol.hurdle, pol.horizon_years, lead)

    def draw_slip(self, stream: np.random.Generator) -> float:
        """Months this plant's schedule slips: one exponential draw with its mean from ``stream``."""
        return float(stream.exponential(max(self.slip_mean, 1e-9)))

    def commit(self, t: int) -> float:
        """Decide to build: first output after permitting, construction and a slip drawn now.

        Returns:
            The host government's capex grant, USD (a fiscal cost).
        """
        w, model = self.model.world, self.model
        slip = self.draw_slip(model.streams["plants"])
        lead = lead_months(w.r_permit[self.index], w.r_construct[self.index], w.opposition[self.site])
        self.decided_at, self.start = t, t + int(round(lead + slip))
        return float(w.r_capex[self.index] * model.grant[self.site])
