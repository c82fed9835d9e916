"""A plant at one stage of the chain: separation, metal/alloy or magnet making."""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms.investment import expected_price, lead_months, project_npv
from sim.mechanisms.market import sum_like_numpy
from sim.mechanisms.production import convert_floats
from sim.vocab import HEAVY, LIGHT, N_CLASSES, OUTPUT, SEPARATION

NEVER = 10**6                     # start month of a plant nobody has decided to build


class Refiner(mesa.Agent):
    """A firm's plant. State: its schedule (after slip) and unsold output inventory.

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
        self.inventory = np.zeros((len(w.recipe[0]), N_CLASSES))
        # Constants read every month, as plain numbers: numpy scalars are slow to index and
        # the arithmetic on them is the same.
        self.output = OUTPUT[self.stage]
        self.capacity, self.heavy = float(w.r_cap[index]), float(w.r_heavy[index])
        self.feed = float(w.r_feed[index])
        self.inputs = [(m, q) for m, q in enumerate(w.recipe[self.stage].tolist()) if q > 0]   # (material, t per t)
        self.ramp_months, self.qual_months = int(w.r_ramp[index]), int(w.r_qual[index])
        # Unsold output a non-Chinese plant keeps before it cuts output, t of each material.
        self.room = model.policy.refiner_inventory_months * (self.capacity + self.heavy)

    def ramp(self, t: int) -> float:
        """Share of nameplate available in month ``t`` (0 before start, linear ramp)."""
        if t < self.start:
            return 0.0
        ramp = self.ramp_months
        return 1.0 if ramp == 0 else min(1.0, (t - self.start + 1) / ramp)

    def quality(self, t: int) -> int:
        """Origin class of this plant's output: 0 Chinese, 1 unqualified, 2 qualified."""
        if self.chinese:
            return 0
        return 2 if t >= self.start + self.qual_months else 1

    def wanted(self, t: int, utilisation: np.ndarray | float) -> np.ndarray:
        """Output this plant wants to make this month, per material (t).

        Args:
            t: month index.
            utilisation: share of available capacity to run, per output material or scalar.
        """
        return np.array(self.wanted_list(t, utilisation))

    def wanted_list(self, t: int, utilisation: np.ndarray | float) -> list[float]:
        """:meth:`wanted` as a list of floats, for the monthly loop."""
        n_m = self.inventory.shape[0]
        ramp = self.ramp(t)
        if ramp == 0.0:                 # not started (or never decided): nothing to make
            return [0.0] * n_m
        out = [0.0] * n_m
        scalar = not isinstance(utilisation, np.ndarray) or utilisation.ndim == 0
        if self.stage == SEPARATION:
            u_light, u_heavy = (utilisation, utilisation) if scalar else (utilisation[LIGHT], utilisation[HEAVY])
            out[LIGHT] = min(self.capacity * ramp * u_light, self.feed)
            out[HEAVY] = self.heavy * ramp * u_heavy
        else:
            m_out = self.output
            out[m_out] = self.capacity * ramp * (utilisation if scalar else utilisation[m_out])
        if not self.chinese:
            for m, held in enumerate(self.inventory.sum(axis=1).tolist()):
                out[m] = min(out[m], max(self.room - held, 0.0))
        return out

    def produce(self, t: int, wanted: list[float], site_stock: np.ndarray) -> tuple[list[float], list[float]]:
        """Make ``wanted`` output (per material, t) from ``site_stock`` inputs (updated in place).

        Returns:
            ``(made[M], used[M])`` in tonnes, for the material ledger.
        """
        k = self.quality(t)
        if self.stage == SEPARATION:
            self.inventory[:, k] += wanted  # feed is mined concentrate, outside the ledger
            return list(wanted), [0.0] * len(wanted)
        out, taken = convert_floats(wanted[self.output], self.inputs, site_stock.tolist(), k)
        made = [0.0] * len(wanted)
        used = [0.0] * len(wanted)
        if any(out):   # else nothing was made and nothing taken
            site_stock -= taken
            self.inventory[self.output] += out
            made[self.output] = sum_like_numpy(out)
            used = [sum_like_numpy(row) for row in taken]
        return made, used

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
