"""Stages 2 and 7 of the monthly schedule: countries' and firms' decisions.

China reads others' moves and sets its reaction; allies review club membership and the
Global South its circle once a year; US elections may reverse subsidies; investors weigh
candidate plants; public funds of plants being built accrue. A mixin of
:class:`sim.model.model.RhythmModel`, kept apart from the physical stages (production, markets,
use) that it steers.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.alignment import choice_probabilities, draw, months_in_circle, peer_shares, utilities
from sim.mechanisms.club import club_terms, join_utilities, pooled_offtake
from sim.mechanisms.investment import is_election
from sim.mechanisms.production import ramp_share
from sim.mechanisms.reaction import club_share, pressure, reserve_cover
from sim.model.state import ModelState
from sim.model.world import gdp_at
from sim.vocab import CIRCLES, HEAVY

A, B = CIRCLES.index("A"), CIRCLES.index("B")


class Decisions(ModelState):
    """The decision stages; read and write the state declared in :class:`ModelState`."""

    # ---- the allied club (S21) and China's reaction (S22) -----------------------------------
    def _club_month(self, t: int) -> None:
        """Candidates review membership in the review month; China meters members after a lag."""
        k = self.policy.club
        if t < k.start:
            return
        if not self.member[k.leader]:
            self.member[k.leader] = True
            self.member_since[k.leader] = t
        if (self.policy.start_abs + t) % 12 + 1 == k.review_month:
            offer, cost = self.club_terms(t)
            idx = k.candidates
            u = join_utilities(self.trust[idx], offer, cost, self.cn_dependence[idx], k.weights)
            for c, utility in zip(idx, u):
                self.countries[c].review_club(t, float(utility))
            self._refresh_offtake()
        self.countries[self.world.cn].meter_club(t)

    def club_terms(self, t: int) -> tuple[float, float]:
        """The club's offer if every candidate joined, and its cost.

        Offer: mean over the materials the members use of the pooled share of member-sited
        plants' uncontracted capacity over the members' use (0-1); cost: capacity-weighted
        relative premium of those plants' unit cost over the China price of their output mix
        (:func:`sim.mechanisms.club.club_terms`).
        """
        k, w = self.policy.club, self.world
        joining = self.member.copy()
        joining[k.candidates] = True
        ramp = ramp_share(t, self.plant_start, self._plants.ramp_months)
        return club_terms(ramp, self._ex_idx, self._ex_output, w.r_cap, w.r_heavy, w.r_offtake, w.r_cost,
                          w.r_site, joining, self.use, self.price[:, 0], k.pool_share, HEAVY)

    def _refresh_offtake(self) -> None:
        """Contracted offtake plus the club's pool for the current members."""
        w, k = self.world, self.policy.club
        base = w.r_offtake[self._ex_idx]
        site = self.member[w.r_site[self._ex_idx]]
        use = self.use[:, self._ex_output].T
        self.offtake[:, : self.n_c] = pooled_offtake(base, site, self.member, use, k.pool_share)

    def _china_reacts(self, t: int) -> None:
        """China's pressure from the club, US tariffs and circle-A stockpiling (S22)."""
        r = self.policy.reaction
        gdp = gdp_at(self.world, self.policy.start_abs, t)
        share = club_share(gdp, self.policy.club.candidates, self.member)
        cover_years = reserve_cover(self.stockpiles[:, HEAVY], self.use[:, HEAVY], self.circle, A)
        tariff = self.terms.tariff_rise[self.us] if self.us >= 0 else 0.0
        p = pressure(share, tariff, cover_years, r.weights, r.tariff_reference)
        self.terms.react(p, t)

    # ---- Global South alignment (S18) -----------------------------------------------------
    def _align(self, t: int) -> None:
        """In the decision month each chooser draws its circle from the logit over this year's
        utilities (D70)."""
        idx = self.policy.choosers
        if (self.policy.start_abs + t) % 12 + 1 != self.policy.decision_month or idx.size == 0:
            return
        w, gdp = self.world, gdp_at(self.world, self.policy.start_abs, t)[idx]
        peer_a, peer_b = peer_shares(self.circle[idx], gdp)
        v = utilities(w.package_a[idx], w.package_b[idx], w.security_a[idx], self.fill[idx],
                      peer_a, peer_b, self.circle[idx], dict(self.policy.alignment_weights))
        chosen = draw(choice_probabilities(v), self.streams["alignment"].random(idx.size))
        for c, circle in zip(idx, chosen):
            self.countries[c].join_circle(int(circle))

    def _count_months_in_b(self, t: int) -> None:
        """One more month in circle B for its members; 0 for every other country (S13)."""
        self.months_in_b = months_in_circle(self.months_in_b, self.circle, B)

    # ---- investment and politics (S20) ----------------------------------------------------
    def _invest(self, t: int) -> None:
        """US elections may reverse subsidies; once a year investors weigh candidate plants."""
        pol, us = self.policy, self.us
        month = pol.start_abs + t
        supported = us >= 0 and (self.subsidy[us] > 0 or self.grant[us] > 0)
        if supported and is_election(month, pol.elections) and self.streams["politics"].random() < pol.reversal_prob:
            self.subsidy[us], self.grant[us] = 0.0, 0.0     # a new majority ends the support
            self.reversals += 1
            # Allies read a reversal as unreliability of the club's leader (article 004).
            self.trust = np.maximum(self.trust - pol.club.trust_loss, 0.0)
        if month % 12 + 1 != pol.review_month:
            return
        for i in self.world.r_candidate.nonzero()[0].tolist():   # in refiner order: commits draw slips
            r = self.refiners[i]
            if r.decided_at is None and t >= r.earliest:
                if r.consider(t, self.price[:, 0], self.price[:, 1]) > 0:
                    self.fiscal[r.site] += r.commit(t)

    def _accrue_fiscal(self, t: int) -> None:
        """Public funds of plants being built are spent evenly from the run's start (or the
        investment decision, for a candidate) until first output; undecided candidates draw none."""
        funds = self.world.r_funds
        for i in (funds > 0).nonzero()[0].tolist():   # the few plants with public funds
            r = self.refiners[i]
            if r.candidate and r.decided_at is None:
                continue
            begin, start = (r.decided_at if r.candidate else 0), r.start
            if begin <= t < start:
                self.fiscal[r.site] += funds[i] / (start - begin)

