"""A state actor: its civil demand, its stockpile and (for China) its export regime."""

from __future__ import annotations

import mesa
import numpy as np

from sim.mechanisms.club import update_membership
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

    def civil_demand(self, t: int) -> float:
        """Civil magnet use this month (t), growing at the country's rate."""
        w = self.model.world
        return float(w.civil0[self.index] * (1.0 + w.civil_growth[self.index]) ** (t / 12.0))

    def consume_civil(self, t: int, stock: np.ndarray) -> tuple[float, float]:
        """Consume civil magnets from ``stock[M, K]`` (in place), Chinese-origin first.

        Returns:
            ``(consumed, unmet)`` in tonnes of magnet.
        """
        want = self.civil_demand(t)
        left = want
        magnets = stock[MAGNET].tolist()   # plain floats: three classes, the same arithmetic
        for k, held in enumerate(magnets):
            take = min(held, left)
            magnets[k] = held - take
            left -= take
        stock[MAGNET] = magnets
        return want - left, left

    def release_stockpile(self, material: int, amount: float,
                          classes: np.ndarray | None = None) -> np.ndarray:
        """Release up to ``amount`` t of ``material`` from the allowed origin ``classes``.

        Returns:
            The released tonnes by class (taken pro rata from what is held).
        """
        held = self.stockpile[material] * (1.0 if classes is None else classes)
        total = held.sum()
        if total <= 0 or amount <= 0:
            return np.zeros_like(held)
        out = held * min(1.0, amount / total)
        self.stockpile[material] -= out
        return out

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
        now = bool(update_membership(np.array([was]), np.array([utility]),
                                     model.policy.club.leave_margin)[0])
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
        due = model.member & (model.member_since >= 0) & (t - model.member_since >= r.lag_months)
        due[[model.world.cn, model.policy.club.leader]] = False   # the leader keeps its own tier
        changed = False
        for c in np.nonzero(due & (model.tier_before_club < 0))[0]:
            model.tier_before_club[c] = terms.country_tier[c]
            terms.country_tier[c] = r.club_tier
            changed = True
        for c in np.nonzero(~model.member & (model.tier_before_club >= 0))[0]:
            terms.country_tier[c] = model.tier_before_club[c]
            model.tier_before_club[c] = -1
            changed = True
        if changed:
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
        for m in np.nonzero(bought > 0)[0]:
            take = stock[m] * (bought[m] / stock[m].sum())   # every origin class pro rata
            stock[m] -= take
            self.stockpile[m] += take
        spent = float((bought * price).sum() * 1000.0)
        self.reserve_left -= spent
        return spent
