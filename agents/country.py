"""A state actor: its budget vote, club membership, alignment, reserve purchases and (for China)
its metering of the club. Its civil use and stockpile releases are monthly arithmetic over all
countries at once (:mod:`sim.model.production`, :func:`sim.mechanisms.reserves.release_stockpiles`)."""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms.club import metering_changes, update_membership
from sim.mechanisms.reserves import reserve_purchases
from sim.vocab import DAYS_PER_MONTH, HEAVY, LIGHT, MAGNET, METAL

BUY_ORDER = np.array([HEAVY, MAGNET, METAL, LIGHT])  # the controlled, scarcest material first


class Country(mesa.Agent):
    """A country or Global South group.

    Args:
        model: the model.
        index: position in the world's country arrays.
    """

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        w = model.world
        self.index = index
        self.cid = w.countries[index]
        self.stockpile = np.zeros((w.stockpile0.shape[1], 3))
        self.stockpile[:, 0] = w.stockpile0[index]  # bought from China before 2026: Chinese origin
        self.budget_passed_at: int | None = None     # month Taiwan's special budget passed (D57)
        self.reserve_left = float(w.reserve_budget[index])   # USD its reserve may still spend

    def vote_special_budget(self, t: int) -> None:
        """Taiwan's legislature votes on the special defense budget at each session's end.

        The budget stalled in early 2026 (D57); each session it passes with the configured
        probability, drawn from the model's budget stream. Once passed it stays passed.
        """
        pol = self.model.policy
        if self.budget_passed_at is not None or t < 0:
            return
        if (pol.start_abs + t) % 12 + 1 in pol.session_end_months and self.model.streams["budget"].random() < pol.budget_pass_prob:
            self.budget_passed_at = t

    def join_circle(self, circle: int) -> None:
        """Move to circle ``circle`` (0 A, 1 B, 2 U); China's supply tier for it follows."""
        model = self.model
        if model.circle[self.index] == circle:
            return
        model.circle[self.index] = circle
        tier = int(model.policy.tier_for_circle[circle])
        if tier >= 0:
            model.terms.country_tier[self.index] = tier
            model.terms.refresh()

    def review_club(self, t: int, utility: float) -> None:
        """Join the allied club when membership is worth it; leave only below the margin (S21)."""
        model = self.model
        was = bool(model.member[self.index])
        now = bool(update_membership(was, utility, model.policy.club.leave_margin))
        model.member[self.index] = now
        if now and not was:
            model.member_since[self.index] = t
        elif was and not now:
            model.member_since[self.index] = -1

    def meter_club(self, t: int) -> None:
        """China's answer in kind: a member is metered in the club tier once it has been in the
        club for the reaction lag; one that leaves gets back the tier it had (S22)."""
        model = self.model
        r, terms = model.policy.reaction, model.terms
        before = model.tier_before_club
        start, stop = metering_changes(t, model.member, model.member_since, before, r.lag_months,
                                       model.world.cn, model.policy.club.leader)   # the leader keeps its tier
        if not (start.size or stop.size):   # most months: nothing to change
            return
        for c in start:
            before[c] = terms.country_tier[c]
            terms.country_tier[c] = r.club_tier
        for c in stop:
            terms.country_tier[c] = before[c]
            before[c] = -1
        terms.refresh()

    def buy_reserve(self, t: int, stock: np.ndarray, use: np.ndarray, price: np.ndarray) -> float:
        """Move this month's reserve purchases from commercial ``stock`` (in place) to the stockpile.

        Args:
            t: month index.
            stock: the country's commercial stock ``[M, K]``.
            use: the country's use per month ``[M]``.
            price: the market price per material, USD/kg ``[M]``.

        Returns:
            USD spent (a fiscal cost).
        """
        w, pol = self.model.world, self.model.policy
        if self.reserve_left <= 0 or t < w.reserve_start[self.index]:
            return 0.0
        budget = min(self.reserve_left, w.reserve_budget[self.index] / w.reserve_spend[self.index])
        available = stock.sum(axis=1) - pol.reserve_floor * use
        bought = reserve_purchases(budget, price, pol.reserve_cap, pol.reserve_days, use / DAYS_PER_MONTH,
                                   self.stockpile.sum(axis=1), available, BUY_ORDER)
        if not bought.any():
            return 0.0
        with np.errstate(invalid="ignore", divide="ignore"):   # every origin class pro rata
            take = stock * np.where(bought > 0, bought / stock.sum(axis=1), 0.0)[:, None]
        stock -= take
        self.stockpile += take
        spent = float((bought * price).sum() * 1000.0)
        self.reserve_left -= spent
        return spent
