"""Stage 6b of the monthly schedule: technology levels, generations and cut-in (S23-S25).

After the month's material has been used, China's frontier and the levels of plants outside
China move on; then each buyer (a defense program, or a civil sector of one country) checks
whether the generation now due can cut in: a legal supplier has the level it needs, the buyer
has qualified that supplier there, and it holds the new need for ``secure_months``. The stage
reads the material state and the regime; it writes only the upgrade state (and the programs'
``bom_scale``, which the next month's kitting uses), so the material flows stay as they were
whenever every generation keeps its program's bill of materials.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.generations import cutin_check, cutin_slip, generation_lag, planned_index
from sim.mechanisms.technology import NEVER, frontier_at, next_level_month, usable_level
from sim.model.state import ModelState
from sim.vocab import MAGNET


class Upgrades(ModelState):
    """The upgrade stage and its builder; state declared in :class:`~sim.model.state.ModelState`."""

    def _build_upgrades(self) -> None:
        """Plants' levels at the start, each ladder's first generation, other-cause slips drawn."""
        tech, w = self.world.tech, self.world
        n_r, n_l, n_g = len(self.refiners), len(tech.levels), len(tech.ladders)
        self.magnet_plants = np.array([r.index for r in self.by_stage[2]], dtype=int)
        self.plant_level = tech.plant_level0.copy()
        self.plant_reached = np.full((n_r, n_l), NEVER, dtype=np.int64)
        for r in range(n_r):
            self.plant_reached[r, : self.plant_level[r] + 1] = tech.reach[0]   # had them before the start
        self.plant_licensed = np.zeros((n_r, n_l), dtype=bool)
        self.frontier = frontier_at(tech.reach, 0)
        # Other causes (software, integration) delay each planned cut-in; drawn once per
        # generation, in ladder order, from the upgrades stream (0 when the mean is 0).
        stream = self.streams["upgrades"]
        self.cut_in = []
        for ladder in tech.ladders:
            slip = np.round(stream.exponential(tech.other_slip_mean, ladder.cut_in.size)) if tech.other_slip_mean > 0 \
                else np.zeros(ladder.cut_in.size)
            slip[0] = 0.0   # the first generation is in service already
            self.cut_in.append(ladder.cut_in + slip.astype(np.int64))
        self.gen_current = np.zeros(n_g, dtype=int)
        self.gen_level = np.array([ladder.level[0] for ladder in tech.ladders])   # -1: set at month 0
        self.gen_downgraded = np.zeros(n_g, dtype=bool)
        self.gen_reason = ["ready"] * n_g
        self.bom_scale = np.ones(len(w.programs))
        self.upgrade_out = np.zeros((5, n_g))   # generation lag, plan lag, slip, old units, downgraded units

    def _upgrade(self, t: int) -> None:
        """Move the frontier and plants' levels, cut in the generations that are ready, record lags."""
        tech = self.world.tech
        self.frontier = frontier_at(tech.reach, t)
        self._advance_plants(t)
        for i, ladder in enumerate(tech.ladders):
            legal, usable = self._access(t, ladder)
            if self.gen_level[i] < 0:   # the first generation of a buyer without a ladder: what it could get
                self.gen_level[i] = min(max(usable, 0), self.frontier)
            self._try_cut_in(t, i, ladder, legal, usable)
            current = int(self.gen_current[i])
            behind = planned_index(self.cut_in[i], t) > current
            done = self._units(ladder)
            self.upgrade_out[:, i] = (generation_lag(self.frontier, int(self.gen_level[i])),
                                      planned_index(self.cut_in[i], t) - current if behind else 0,
                                      cutin_slip(t, ladder.cut_in, current),
                                      done if behind else 0.0, done if self.gen_downgraded[i] else 0.0)

    def _advance_plants(self, t: int) -> None:
        """China's plants sit at the frontier; others step up by development or licence (S23)."""
        tech, terms = self.world.tech, self.terms
        top = len(tech.levels) - 1
        for idx in self.magnet_plants:
            r = self.refiners[idx]
            if r.chinese:
                self.plant_level[idx] = self.frontier
                self.plant_reached[idx] = np.minimum(tech.reach, NEVER)
                continue
            k = int(self.plant_level[idx]) + 1
            if k > top or t < r.start:
                continue
            delay = tech.upgrade_rule_delay if terms.upgrade_rule else 0.0
            month, licensed = next_level_month(int(tech.reach[k]), float(tech.development_lag[idx]),
                                               tech.licence_lag, not terms.tech_ban, delay)
            if t >= month:
                self.plant_level[idx] = k
                self.plant_reached[idx, k] = t
                self.plant_licensed[idx, k] = licensed

    def _access(self, t: int, ladder) -> tuple[int, int]:
        """(highest level a legal supplier has, highest the buyer has also qualified) (S23)."""
        tech, terms, w = self.world.tech, self.terms, self.world
        b = ladder.country if ladder.program < 0 else self.n_c + ladder.program
        domestic = ladder.country == w.cn
        rows, legal = [], []
        # China: its frontier, the newest level held back from the buyer's tier for some months.
        hold = 0.0 if domestic else terms.holdback[terms.country_tier[ladder.country]]
        rows.append(np.where(tech.reach < NEVER, tech.reach + hold, NEVER))
        licences = not terms.controlled[MAGNET] or terms.approve_prob[b] > 0
        legal.append(domestic or (bool(self.eligible[b, 0]) and licences
                                  and not (ladder.military and terms.deny_military)))
        for idx in self.magnet_plants:
            r = self.refiners[idx]
            if r.chinese:
                continue
            started = np.maximum(self.plant_reached[idx], r.start)
            if ladder.military and terms.extraterritorial and ladder.country != r.site:
                # D103: goods made abroad with Chinese-origin technology are controlled, and military
                # end users abroad are denied: a licensed level is out of their reach.
                started = np.where(self.plant_licensed[idx], NEVER, started)
            rows.append(started)
            legal.append(t >= r.start and (not ladder.military or r.quality(t) == 2))
        reached, legal = np.array(rows), np.array(legal)
        q = tech.domestic_qualification if domestic else ladder.qualification
        return usable_level(t, reached, legal, 0.0), usable_level(t, reached, legal, q)

    def _try_cut_in(self, t: int, i: int, ladder, legal: int, usable: int) -> None:
        """Cut in the generation now due if the rule allows, or a downgrade where the rule says."""
        nxt = int(self.gen_current[i]) + 1
        if nxt >= ladder.cut_in.size or t < self.cut_in[i][nxt]:
            self.gen_reason[i] = "ready"
            return
        required = int(ladder.level[nxt]) if ladder.level[nxt] >= 0 else frontier_at(self.world.tech.reach,
                                                                                        int(ladder.cut_in[nxt]))
        reason = cutin_check(legal, usable, required, self._cover(ladder, nxt), self.world.tech.secure_months)
        self.gen_reason[i] = reason
        if reason == "ready":
            self._cut_in(i, ladder, nxt, required, downgraded=False)
        elif (ladder.downgrade and reason != "supply" and usable >= 0
              and t - self.cut_in[i][nxt] >= ladder.downgrade_after):
            self._cut_in(i, ladder, nxt, usable, downgraded=True)

    def _cut_in(self, i: int, ladder, gen: int, level: int, downgraded: bool) -> None:
        self.gen_current[i], self.gen_level[i], self.gen_downgraded[i] = gen, level, downgraded
        if ladder.program >= 0:
            self.bom_scale[ladder.program] = ladder.bom_scale[gen]

    def _cover(self, ladder, gen: int) -> float:
        """Months of generation ``gen``'s magnet need the buyer holds (S24 condition c)."""
        if ladder.program >= 0:
            prog, b = self.world.programs[ladder.program], self.n_c + ladder.program
            need = prog.rate * prog.bom[MAGNET] * ladder.bom_scale[gen]
            held = float(self.hold[b, MAGNET][self.eligible[b]].sum())
        elif ladder.country == self.world.cn:
            return float("inf")   # China's buyers draw on the domestic pool first: no export licence to wait for
        else:
            need = float(self.use[ladder.country, MAGNET])
            held = float(self.hold[ladder.country, MAGNET].sum())
        return held / need if need > 0 else float("inf")

    def _units(self, ladder) -> float:
        """What the buyer made this month: units delivered (programs), t of magnet used (sectors)."""
        if ladder.program >= 0:
            return float(self.delivered[ladder.program])
        return float(self.use[ladder.country, MAGNET]) * ladder.share

    def upgrade_groups(self) -> dict[str, list[int]]:
        """Ladders averaged into each aggregate: the high-end programs each country builds or buys
        (``country:<ID>``); ``circle:A`` takes those of the countries in circle A each month."""
        w = self.world
        groups: dict[str, list[int]] = {}
        for i, ladder in enumerate(w.tech.ladders):
            if ladder.program < 0 or not w.programs[ladder.program].high_end:
                continue
            prog = w.programs[ladder.program]
            for c in sorted({int(prog.country), *(int(x) for x in prog.order_country)}):
                groups.setdefault(f"country:{w.countries[c]}", []).append(i)
        return groups
