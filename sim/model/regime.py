"""The live policy state: China's regime terms and the US levers that dated events change.

The model reads these arrays every month; an event assigns one value and the per-buyer
terms are recomputed, so a tier move or a tighter approval rate acts from its month on.
"""

from __future__ import annotations

import numpy as np

from sim.config.events import Event
from sim.mechanisms.reaction import buyer_terms
from sim.model.policy import Policy
from sim.model.world import World
from sim.vocab import MATERIALS

TIER_FIELDS = {"approval_prob": "prob", "review_days_mean": "days", "review_days_cv": "cv",
               "price_gradient": "gradient", "priority": "priority_of_tier"}


class PolicyState:
    """Mutable copies of the run-time policy values, and the terms they give each buyer.

    Args:
        world: the indexed world.
        policy: the run's scalar settings.
        buyer_country: country index of each buyer (countries first, then programs).
        n_countries: number of countries (buyers below it are civil, above it military).
    """

    def __init__(self, world: World, policy: Policy, buyer_country: np.ndarray, n_countries: int):
        self.world, self.policy = world, policy
        self.buyer_country = buyer_country
        self.foreign = buyer_country != world.cn
        self.military = np.arange(buyer_country.size) >= n_countries
        self.country_tier = np.where(world.tier >= 0, world.tier, 0)
        self.prob, self.days, self.cv = world.tier_prob.copy(), world.tier_days.copy(), world.tier_cv.copy()
        self.gradient, self.priority_of_tier = world.tier_gradient.copy(), world.tier_priority.copy()
        self.deny_military = policy.deny_military
        self.controlled = policy.controlled.copy()   # [M] licence needed to export (D12 made it so)
        self.quota = policy.quota.copy()
        self.rated_share = policy.rated_share
        self.america_first = policy.america_first
        self.tariff_rise = world.tariff_rise.copy()
        self.pressure = 0.0            # China's reaction to others' moves, 0-1 (sim.mechanisms.reaction)
        self.extraterritorial = False  # de minimis rule on foreign-made goods in force (D13)
        tech = world.tech
        self.tech_ban = tech.tech_ban            # China forbids licensing magnet-making technology (D101)
        self.upgrade_rule = tech.upgrade_rule    # China's rule on line-upgrade services abroad in force (D103)
        self.holdback = tech.holdback.copy()     # [tiers] months China holds its newest level back from each tier
        self._transit_cn = world.transit_cn[buyer_country]   # [B] months of shipping from China (constant)
        self.refresh()

    def refresh(self) -> None:
        """Recompute each buyer's licence terms, priority, price gradient and expected lead."""
        # Each buyer's tier and denial, kept for China's monthly reaction (_refresh_reacting).
        tier = self._tier = self.country_tier[self.buyer_country]
        self._denied = self.military & self.deny_military
        self.review_cv = self.cv[tier]
        self.priority = np.where(self.foreign, self.priority_of_tier[tier], -1)
        self.buyer_gradient = np.where(self.foreign, self.gradient[tier], 1.0)
        self._refresh_reacting()

    def _refresh_reacting(self) -> None:
        """Recompute the terms China's pressure moves: approval odds, review days and the expected
        months from order to arrival from China. Every change of a tier or of the military denial
        goes through :meth:`refresh`, so what it kept is current."""
        r = self.policy.reaction
        self.approve_prob, self.review_days, self.lead = buyer_terms(
            self.prob, self.days, r.reacting, self.pressure, r.tighten, r.slow, self._tier, self._denied,
            self.foreign, self._transit_cn, self.policy.working_days)

    def react(self, pressure: float, t: int) -> None:
        """Set China's reaction to ``pressure`` (0-1) at month ``t``: reacting tiers tighten, and
        the de minimis rule returns at the threshold once its suspension has ended (D13, D14)
        and then stays: only a deal suspended it, and none is modelled after 2026."""
        r = self.policy.reaction
        self.extraterritorial = self.extraterritorial or (
            t >= self.policy.extraterritorial_from and pressure >= r.extraterritorial_at)
        if pressure != self.pressure:   # monthly; the terms change only with the pressure
            self.pressure = pressure
            self._refresh_reacting()

    def apply(self, event: Event) -> None:
        """Fire one event (its key was checked at compose time)."""
        w, kind, parts, value = self.world, event.kind, event.parts, event.value
        if kind == "destination_tier":
            self.country_tier[w.countries.index(parts[0])] = w.tier_names.index(value)
        elif kind == "tier":
            getattr(self, TIER_FIELDS[parts[1]])[w.tier_names.index(parts[0])] = value
        elif kind == "deny_military":
            self.deny_military = bool(value)
        elif kind == "controlled":
            self.controlled[MATERIALS.index(parts[0])] = bool(value)
        elif kind == "quota":
            self.quota[MATERIALS.index(parts[0])] = value
        elif kind == "rated_share":
            self.rated_share = float(value)
        elif kind == "transfer_rule":
            self.america_first = value == "america_first"
        elif kind == "tariff":
            self.tariff_rise[w.countries.index(parts[0])] = value
        elif kind == "tech_ban":
            self.tech_ban = bool(value)
        elif kind == "upgrade_rule":
            self.upgrade_rule = bool(value)
        elif kind == "holdback":
            self.holdback[w.tier_names.index(parts[0])] = value
        self.refresh()
