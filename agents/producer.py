"""A defense firm: kits units of its programs from component inventory and delivers them."""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms.production import inventory_targets, kit_programs, planned_rate


class DefenseProducer(mesa.Agent):
    """A defense producer with one or more programs.

    State per program: a work-in-progress pipeline (units finishing in each coming month)
    and a backlog of planned starts not yet kitted. The month's kitting of all its programs is
    one call of :func:`sim.mechanisms.production.kit_programs`.

    Args:
        model: the model.
        programs: indices into the world's program list owned by this firm.
    """

    def __init__(self, model: mesa.Model, programs: list[int]):
        super().__init__(model)
        progs = [model.world.programs[p] for p in programs]
        self.programs = np.array(programs, dtype=np.int64)            # indices into the world's programs
        self.rate = np.array([p.rate for p in progs], dtype=float)           # units/month at the start
        self.target = np.array([p.target for p in progs], dtype=float)       # units/month after the ramp (0: none)
        self.ramp_months = np.array([p.ramp for p in progs], dtype=np.int64)
        self.cycle = np.array([p.cycle for p in progs], dtype=np.int64)      # months from kit to delivery
        self.surge = np.array([p.surge for p in progs], dtype=float)         # most starts per month / plan
        self.bom = np.array([p.bom for p in progs], dtype=float)             # t per unit, [n, M]
        self.inventory_months = np.array([p.inventory_months for p in progs], dtype=float)
        self.horizon = int(self.cycle.max()) + 1
        self.wip = np.zeros((len(programs), self.horizon))
        self.backlog = np.zeros(len(programs))
        for j, p in enumerate(progs):
            # Units due in the first cycle were kitted before the run: the line starts full.
            self.wip[j, np.arange(p.cycle) % self.horizon] = planned_rate(np.arange(p.cycle), p.rate, p.target, p.ramp)

    def kit_and_deliver(self, t: int, hold: np.ndarray, eligible: np.ndarray, delivered: np.ndarray,
                        used: np.ndarray, unmet: np.ndarray) -> None:
        """Kit what inventory allows (catching up on backlog up to the surge cap), then deliver.

        Args:
            t: month index.
            hold: every buyer's stock ``[B, M, K]``; the programs' rows are used (in place).
            eligible: origin classes each buyer may use, ``[B, K]``.
            delivered, used, unmet: out, at the programs' indices: units delivered ``[P]``,
                tonnes consumed and tonnes missing ``[P, M]``.
        """
        kit_programs(t, self.programs, self.model.n_c, self.rate, self.target, self.ramp_months, self.cycle, self.surge,
                     self.bom, self.model.bom_scale, hold, eligible, self.backlog, self.wip, delivered, used, unmet)

    def inventory_targets(self, t: int, out: np.ndarray) -> None:
        """Component inventory each program aims to hold, t per material, into ``out[p]`` ``[P, M]``."""
        inventory_targets(t, self.programs, self.rate, self.target, self.ramp_months, self.cycle, self.backlog,
                          self.inventory_months, self.bom, self.model.bom_scale, out)
