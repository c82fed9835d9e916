"""A defense firm: kits units of its programs from component inventory and delivers them."""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms.production import kit_units, planned_rate, planned_rate_at


class DefenseProducer(mesa.Agent):
    """A defense producer with one or more programs.

    State per program: a work-in-progress pipeline (units finishing in each coming month)
    and a backlog of planned starts not yet kitted.

    Args:
        model: the model.
        programs: indices into the world's program list owned by this firm.
    """

    def __init__(self, model: mesa.Model, programs: list[int]):
        super().__init__(model)
        self.programs = programs
        self.horizon = max(model.world.programs[p].cycle for p in programs) + 1
        self.wip = np.zeros((len(programs), self.horizon))
        self.backlog = np.zeros(len(programs))
        for j, p in enumerate(programs):
            prog = model.world.programs[p]
            # Units due in the first cycle were kitted before the run: the line starts full.
            for s in range(prog.cycle):
                self.wip[j, s % self.horizon] = planned_rate(s, prog.rate, prog.target, prog.ramp)

    def planned_starts(self, j: int, t: int) -> float:
        """Units the plan wants kitted in month ``t`` (those due one cycle later)."""
        prog = self.model.world.programs[self.programs[j]]
        return planned_rate_at(t + prog.cycle, prog.rate, prog.target, prog.ramp)

    def kit_and_deliver(self, t: int, inventory: np.ndarray, eligible: np.ndarray) -> tuple:
        """Kit what inventory allows (catching up on backlog up to the surge cap), then deliver.

        Args:
            t: month index.
            inventory: component inventory per program, ``[n_programs, M, K]`` (updated in place).
            eligible: origin classes each program may use, ``[n_programs, K]``.

        Returns:
            ``(delivered[n], used[n, M], unmet[n, M])``: units, tonnes consumed, tonnes missing.
        """
        w = self.model.world
        n = len(self.programs)
        delivered = np.zeros(n)
        used = np.zeros((n, inventory.shape[1]))
        unmet = np.zeros((n, inventory.shape[1]))
        for j, p in enumerate(self.programs):
            prog = w.programs[p]
            plan = self.planned_starts(j, t)
            wanted = min(plan + self.backlog[j], prog.surge * plan) if plan > 0 else self.backlog[j]
            bom = prog.bom * self.model.bom_scale[p]   # the generation in production's need (S24)
            units, taken = kit_units(wanted, bom, inventory[j], eligible[j])
            inventory[j] -= taken
            used[j] = taken.sum(axis=1)
            unmet[j] = (wanted - units) * bom
            self.backlog[j] = max(0.0, self.backlog[j] + plan - units)
            self.wip[j, (t + prog.cycle) % self.horizon] += units
            slot = t % self.horizon
            delivered[j] = self.wip[j, slot]
            self.wip[j, slot] = 0.0
        return delivered, used, unmet

    def inventory_target(self, j: int, t: int) -> np.ndarray:
        """Component inventory the program aims to hold, t per material."""
        prog = self.model.world.programs[self.programs[j]]
        starts = self.planned_starts(j, t) + self.backlog[j] / max(prog.inventory_months, 1.0)
        return prog.inventory_months * prog.bom * self.model.bom_scale[self.programs[j]] * starts

