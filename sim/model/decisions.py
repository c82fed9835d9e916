"""Stages 2 and 7 of the monthly schedule: countries' and firms' decisions.

China reads others' moves and sets its reaction; allies review club membership and the
Global South its circle once a year; US elections may reverse subsidies; investors weigh
candidate plants; public funds of plants being built accrue. A mixin of
:class:`sim.model.model.RhythmModel`, kept apart from the physical stages (production, markets,
use) that it steers.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.alignment import choice_probabilities, draw, peer_shares, utilities
from sim.mechanisms.club import club_offer, join_utilities, pooled_offtake, uncontracted
from sim.mechanisms.investment import is_election
from sim.mechanisms.reaction import pressure
from sim.model.state import ModelState
from sim.model.world import gdp_at
from sim.vocab import CIRCLES, HEAVY


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
        plants' uncontracted capacity over the members' use (0-1, :func:`sim.mechanisms.club.club_offer`).
        Cost: capacity-weighted relative premium of those plants' unit cost over the China
        price of their output mix (main output and, at separation, heavy oxide).
        """
        k, w = self.policy.club, self.world
        joining = self.member.copy()
        joining[k.candidates] = True
        site = joining[w.r_site[self._ex_idx]]
        free = uncontracted(w.r_offtake[self._ex_idx])
        ramp = np.array([r.ramp(t) for r in self.ex_china])
        cap = np.zeros((len(self.ex_china), self.use.shape[1]))
        cap[np.arange(len(self.ex_china)), self._ex_output] = ramp * w.r_cap[self._ex_idx]
        cap[:, HEAVY] += ramp * w.r_heavy[self._ex_idx]
        use = self.use[joining].sum(axis=0)
        offer = club_offer(cap * free[:, None], site, use, k.pool_share)
        made = cap.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(made > 0, (cap * self.price[:, 0]).sum(axis=1) / made, 1.0)   # USD/kg of output
        premium = np.maximum(w.r_cost[self._ex_idx] / np.maximum(value, 1e-9) - 1.0, 0.0)
        weight = made * free * site
        cost = float((premium * weight).sum() / weight.sum()) if weight.sum() > 0 else 0.0
        return float(offer[use > 0].mean()) if np.any(use > 0) else 0.0, cost

    def _refresh_offtake(self) -> None:
        """Contracted offtake plus the club's pool for the current members."""
        w, k = self.world, self.policy.club
        base = w.r_offtake[self._ex_idx]
        site = self.member[w.r_site[self._ex_idx]]
        use = self.use[:, self._ex_output].T
        self.offtake[:, : self.n_c] = pooled_offtake(base, site, self.member, use, k.pool_share)

    def _china_reacts(self, t: int) -> None:
        """China's pressure from the club, US tariffs and circle-A stockpiling (S22)."""
        w, k, r = self.world, self.policy.club, self.policy.reaction
        gdp = gdp_at(w, self.policy.start_abs, t)
        cand = k.candidates
        club_share = gdp[cand][self.member[cand]].sum() / max(gdp[cand].sum(), 1e-12)
        in_a = self.circle == CIRCLES.index("A")
        held = sum(c.stockpile[HEAVY].sum() for c in self.countries if in_a[c.index])
        cover_years = held / max(self.use[in_a, HEAVY].sum() * 12.0, 1e-12)
        tariff = self.terms.tariff_rise[self.us] if self.us >= 0 else 0.0
        p = pressure(club_share, tariff, cover_years, r.weights, r.tariff_reference)
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
        self.months_in_b = (self.months_in_b + 1) * (self.circle == CIRCLES.index("B"))

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
        for r in self.refiners:
            if r.candidate and r.decided_at is None and t >= r.earliest:
                if r.consider(t, self.price[:, 0], self.price[:, 1]) > 0:
                    self.fiscal[r.site] += r.commit(t)

    def _accrue_fiscal(self, t: int) -> None:
        """Public funds of plants being built are spent evenly from the run's start (or the
        investment decision, for a candidate) until first output; undecided candidates draw none."""
        w = self.world
        for r in self.refiners:
            funds = w.r_funds[r.index]
            if funds <= 0 or (r.candidate and r.decided_at is None):
                continue
            begin = r.decided_at if r.candidate else 0
            if begin <= t < r.start:
                self.fiscal[w.r_site[r.index]] += funds / (r.start - begin)

