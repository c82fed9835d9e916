"""Stage 6b of the monthly schedule: technology levels, generations and cut-in (S23-S25).

After the month's material has been used, China's frontier and the levels of plants outside
China move on; then each buyer (a defense program, or a civil sector of one country) checks
whether the generation now due can cut in: a legal supplier has the level it needs, the buyer
has qualified that supplier there, and it holds the new need for ``secure_months``. The stage
reads the material state and the regime; it writes only the upgrade state (and the programs'
``bom_scale``, which the next month's kitting uses), so the material flows stay as they were
whenever every generation keeps its program's bill of materials. Access and the lags are
computed for every buyer at once (one kernel call each per month); only buyers with a
generation due (about one a month) go through the cut-in rule one by one.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.generations import cutin_check, due_generations, first_levels, lags, units_made
from sim.mechanisms.technology import NEVER, access_levels, advance_plants, frontier_at
from sim.model.state import ModelState
from sim.vocab import MAGNET


class Upgrades(ModelState):
    """The upgrade stage and its builder; state declared in :class:`~sim.model.state.ModelState`."""

    def _build_upgrades(self) -> None:
        """Plants' levels at the start, each ladder's first generation, other-cause slips drawn."""
        tech, w = self.world.tech, self.world
        ladders = tech.ladders
        n_r, n_l, n_g = len(self.refiners), len(tech.levels), len(ladders)
        self.magnet_plants = np.array([r.index for r in self.by_stage[2]], dtype=int)
        self._ex_magnet = np.array([i for i in self.magnet_plants if not self.refiners[i].chinese], dtype=int)
        self._cn_magnet = np.array([i for i in self.magnet_plants if self.refiners[i].chinese], dtype=int)
        self.plant_level = tech.plant_level0.copy()
        self.plant_reached = np.full((n_r, n_l), NEVER, dtype=np.int64)
        for r in range(n_r):
            self.plant_reached[r, : self.plant_level[r] + 1] = tech.reach[0]   # had them before the start
        self.plant_licensed = np.zeros((n_r, n_l), dtype=bool)
        self.frontier = frontier_at(tech.reach, 0)
        # Other causes (software, integration) delay each planned cut-in; drawn once per
        # generation, in ladder order, from the upgrades stream (0 when the mean is 0).
        stream, width = self.streams["upgrades"], max(ladder.cut_in.size for ladder in ladders) + 1
        self.plan_pad = np.full((n_g, width), NEVER, dtype=np.int64)   # planned cut-ins, padded with NEVER
        self.cut_in = np.full((n_g, width), NEVER, dtype=np.int64)     # the same plus other-cause slip
        for i, ladder in enumerate(ladders):
            g = ladder.cut_in.size
            slip = np.round(stream.exponential(tech.other_slip_mean, g)) if tech.other_slip_mean > 0 else np.zeros(g)
            slip[0] = 0.0   # the first generation is in service already
            self.plan_pad[i, :g] = ladder.cut_in
            self.cut_in[i, :g] = ladder.cut_in + slip.astype(np.int64)
        self._ladder_country = np.array([ladder.country for ladder in ladders], dtype=int)
        self._ladder_military = np.array([ladder.military for ladder in ladders], dtype=bool)
        self._ladder_buyer = np.array([ladder.country if ladder.program < 0 else self.n_c + ladder.program
                                       for ladder in ladders], dtype=int)
        self._ladder_domestic = self._ladder_country == w.cn
        self._ladder_q = np.where(self._ladder_domestic, tech.domestic_qualification,
                                  [ladder.qualification for ladder in ladders])
        self._ladder_program = np.array([ladder.program for ladder in ladders], dtype=int)
        self._ladder_share = np.array([ladder.share for ladder in ladders])
        self.gen_current = np.zeros(n_g, dtype=int)
        self.gen_level = np.array([ladder.level[0] for ladder in ladders])   # -1: set at month 0
        self.gen_downgraded = np.zeros(n_g, dtype=bool)
        self.gen_reason = ["ready"] * n_g
        self.bom_scale = np.ones(len(w.programs))
        self._owner = {p: (k, j) for k, producer in enumerate(self.producers) for j, p in enumerate(producer.programs)}
        self.upgrade_out = np.zeros((6, n_g))

    def _upgrade(self, t: int) -> None:
        """Move the frontier and plants' levels, cut in the generations that are ready, record lags."""
        self.frontier = frontier_at(self.world.tech.reach, t)
        self._advance_plants(t)
        legal, usable = self.access_levels(t)
        # the first generation of a buyer without a ladder: what it could get
        self.gen_level = first_levels(self.gen_level, usable, self.frontier)
        self.gen_reason = ["ready"] * legal.size
        for i in due_generations(t, self.cut_in, self.gen_current):
            self._try_cut_in(t, int(i), int(legal[i]), int(usable[i]))
        self.upgrade_out = lags(t, self.frontier, self.gen_level, self.gen_current, self.plan_pad, self.cut_in,
                                self.units_made(), self.gen_downgraded)

    def access_levels(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """``([N], [N])``: per ladder, the highest level a legal supplier has, and the highest the
        buyer has also qualified (-1: none) (S23)."""
        terms, p = self.terms, self._plants
        return access_levels(t, self.world.tech.reach, self._ex_magnet, self.plant_start, p.qual_months, p.chinese,
                             p.site, self.plant_reached, self.plant_licensed, self._ladder_buyer,
                             self._ladder_country, self._ladder_domestic, self._ladder_military, self._ladder_q,
                             self.eligible, bool(terms.controlled[MAGNET]), terms.approve_prob, terms.deny_military,
                             terms.holdback, terms.country_tier, terms.extraterritorial)

    def units_made(self) -> np.ndarray:
        """``[N]`` what each buyer made this month: units delivered (programs), t of magnet used (sectors)."""
        return units_made(self.use[:, MAGNET], self.delivered, self._ladder_country, self._ladder_program,
                          self._ladder_share)

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

    def _advance_plants(self, t: int) -> None:
        """China's plants sit at the frontier; others step up by development or licence (S23)."""
        tech, terms = self.world.tech, self.terms
        delay = tech.upgrade_rule_delay if terms.upgrade_rule else 0.0
        self.plant_level, self.plant_reached, self.plant_licensed = advance_plants(
            t, tech.reach, self.frontier, self._cn_magnet, self._ex_magnet, self.plant_start, tech.development_lag,
            tech.licence_lag, not terms.tech_ban, delay, self.plant_level, self.plant_reached, self.plant_licensed)

    def _try_cut_in(self, t: int, i: int, legal: int, usable: int) -> None:
        """Cut in the generation now due if the rule allows, or a downgrade where the rule says."""
        tech = self.world.tech
        ladder = tech.ladders[i]
        nxt = int(self.gen_current[i]) + 1
        required = int(ladder.level[nxt])
        if required < 0:   # the frontier's level at the planned cut-in
            required = frontier_at(tech.reach, int(ladder.cut_in[nxt]))
        # Condition (c) counts only once (a) and (b) pass: the cover is worked out only then.
        cover = self._cover(ladder, nxt) if min(legal, usable) >= required else 0.0
        reason = cutin_check(legal, usable, required, cover, tech.secure_months)
        self.gen_reason[i] = reason
        if reason == "ready":
            self._cut_in(i, ladder, nxt, required, downgraded=False)
        elif (ladder.downgrade and reason != "supply" and usable >= self.gen_level[i]
              and t - self.cut_in[i, nxt] >= ladder.downgrade_after):
            # A downgrade is a cut-in too: the new need is secured (the check got past (c) only when
            # (a) or (b) failed first, so it is checked here), and it never embodies less than the
            # generation it replaces.
            if self._cover(ladder, nxt) >= self.world.tech.secure_months:
                self._cut_in(i, ladder, nxt, usable, downgraded=True)

    def _cut_in(self, i: int, ladder, gen: int, level: int, downgraded: bool) -> None:
        self.gen_current[i], self.gen_level[i], self.gen_downgraded[i] = gen, level, downgraded
        if ladder.program >= 0:
            self.bom_scale[ladder.program] = ladder.bom_scale[gen]

    def _cover(self, ladder, gen: int) -> float:
        """Months of generation ``gen``'s magnet need the buyer has secured (S24 condition c).

        Stock on hand and on the way that the buyer may use, over its monthly need; unlimited
        when its supply meets the whole need now (a program kitting on plan, a country with no
        unmet magnet need this month: contracted offtake, rated orders and licences flow) and
        for China's buyers, who draw on the domestic pool first.
        """
        if ladder.country == self.world.cn:
            return float("inf")
        b = ladder.country if ladder.program < 0 else self.n_c + ladder.program
        ok = self.eligible[b]
        held = float(self.hold[b, MAGNET][ok].sum() + self.transit.in_transit()[b, MAGNET][ok].sum())
        if ladder.program >= 0:
            prog = self.world.programs[ladder.program]
            k, j = self._owner[ladder.program]
            flowing = self.producers[k].backlog[j] <= 0.0
            need = prog.rate * prog.bom[MAGNET] * ladder.bom_scale[gen]
        else:
            flowing = self.shortfall[b, MAGNET] <= 0.0
            need = float(self.use[b, MAGNET])
        if flowing:
            return float("inf")
        return held / need if need > 0 else float("inf")
