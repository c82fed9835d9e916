"""Structured-config schema: the typed shape of every key in ``conf/``.

Hydra merges the YAML files onto these dataclasses, so an unknown key or a wrong type
fails at compose time. Range, choice and cross-reference rules live in each field's
metadata and are checked by :func:`sim.config.validate.validate` with the key's full path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from hydra.core.config_store import ConfigStore

from sim.config.schema_tech import TechCfg
from sim.config.schema_world import (  # noqa: F401  (re-exported: the schema's public names)
    INF,
    CountryCfg,
    OrderCfg,
    ProducerCfg,
    ProgramCfg,
    RecipeCfg,
    RefinerCfg,
    WorldCfg,
    nonneg,
    setting,
    share,
)
from sim.vocab import RUNNABLE


@dataclass
class TierCfg:
    """How China treats a destination tier."""

    approval_prob: float = share(1.0)
    review_days_mean: float = setting(45.0, lo=0.0, hi=720.0)
    review_days_cv: float = setting(0.5, lo=0.0, hi=5.0)
    price_gradient: float = setting(1.0, lo=0.0, hi=100.0)
    priority: int = setting(0, lo=0, hi=10)


@dataclass
class ReactionWeightsCfg:
    """Pressure on China's regime per unit of each move (sim.mechanisms.reaction.pressure)."""

    club: float = nonneg(1.0)
    tariff: float = nonneg(0.5)
    stockpile: float = nonneg(0.0)


@dataclass
class ReactionCfg:
    """How China's regime answers others' moves (docs/ODD.md S22)."""

    weights: ReactionWeightsCfg = field(default_factory=ReactionWeightsCfg)
    tariff_reference: float = setting(0.0, lo=-0.5, hi=10.0)
    tighten: float = share(0.0)
    slow: float = setting(0.0, lo=0.0, hi=10.0)
    reacting_tiers: List[str] = setting(ref="tier", factory=list)
    club_tier: str = setting("", ref="tier")
    lag_months: int = setting(6, lo=0, hi=120)
    extraterritorial_at: float = setting(1.0, lo=0.0, hi=1.0)


@dataclass
class RegimeCfg:
    """China's export regime."""

    tiers: Dict[str, TierCfg] = field(default_factory=dict)
    destination_tier: Dict[str, str] = setting(keys="country", ref="tier", factory=dict)
    controlled: Dict[str, bool] = setting(keys="material", factory=dict)
    deny_military: bool = True
    export_quota_tpy: Dict[str, float] = setting(keys="material", lo=0.0, factory=dict, unlimited=True)
    domestic_cover_months: float = setting(1.0, lo=0.0, hi=36.0)
    lots_per_application: int = setting(4, lo=1, hi=100)
    working_days_per_month: float = setting(21.7, lo=1.0, hi=31.0)
    extraterritorial_from: str = setting("2026-11", month=True)
    approval_at: str = setting("filing", choices=("filing", "decision"))   # when a lot's approval is drawn
    reaction: ReactionCfg = field(default_factory=ReactionCfg)


@dataclass
class PriorityWeightsCfg:
    """Weights of the america-first priority score (D55's criteria)."""

    defense: float = share(0.4)
    geography: float = share(0.3)
    operations: float = share(0.2)
    investment: float = share(0.1)


@dataclass
class USPolicyCfg:
    """US defense-supply policy levers."""

    rated_order_share: float = share(0.5)
    dfars_from: str = setting("2027-01", month=True)
    arms_transfer_rule: str = setting("fcfs", choices=("fcfs", "america_first"))
    vault_budget_usd: float = nonneg()
    vault_start: str = setting("2026-02", month=True)
    vault_spend_months: int = setting(36, lo=1, hi=600)
    priority_weights: PriorityWeightsCfg = field(default_factory=lambda: PriorityWeightsCfg())


@dataclass
class TaiwanCfg:
    """Taiwan's special defense budget (D57): votes at the end of each legislative session."""

    special_budget_pass_prob: float = share(0.35)
    session_end_months: List[int] = setting(lo=1, hi=12, factory=lambda: [5, 12])


@dataclass
class MarketCfg:
    """Prices and logistics."""

    base_price_usd_per_kg: Dict[str, float] = setting(keys="material", lo=0.0, factory=dict)
    scarcity_premium: Dict[str, float] = setting(keys="material", lo=0.0, factory=dict)
    price_adjust_per_month: float = share(0.33)
    ex_cn_transit_months: int = setting(1, lo=0, hi=12)
    refiner_inventory_months: float = setting(3.0, lo=0.0, hi=36.0)
    cn_export_rest_share_2024: float = share(0.19)
    cn_export_rest_growth: float = setting(0.03, lo=-0.5, hi=0.5)
    cn_export_tariff_elasticity: float = setting(1.2, lo=0.0, hi=10.0)
    cn_export_circle_b_uplift: float = setting(0.0, lo=0.0, hi=1.0)
    reserve_target_days: Dict[str, float] = setting(keys="material", lo=0.0, hi=3650.0, factory=dict)
    reserve_price_cap_usd_per_kg: Dict[str, float] = setting(keys="material", lo=0.0, factory=dict)
    reserve_floor_months: float = setting(1.0, lo=0.0, hi=36.0)


@dataclass
class AlignmentWeightsCfg:
    """Weights of the alignment utilities (utility units per unit of each term)."""

    concrete: float = nonneg(1.0)
    supply: float = nonneg(1.0)
    security: float = nonneg(1.0)
    peer: float = nonneg(1.0)
    hedge: float = nonneg(1.0)
    inertia: float = nonneg(1.0)


@dataclass
class AlignmentCfg:
    """Global South alignment: who chooses, when, how, and the supply tier each circle gets."""

    choosers: List[str] = setting(ref="country", factory=list)
    decision_month: int = setting(1, lo=1, hi=12)
    weights: AlignmentWeightsCfg = field(default_factory=AlignmentWeightsCfg)
    tier_for_circle: Dict[str, str] = setting(keys="circle", ref="tier", factory=dict)


@dataclass
class InvestmentCfg:
    """How firms outside China decide on candidate plants, and US subsidy politics."""

    hurdle_rate: float = setting(0.12, lo=0.0, hi=1.0)
    horizon_years: float = setting(10.0, lo=1.0, hi=50.0)
    premium_persistence: float = share(0.3)
    review_month: int = setting(1, lo=1, hi=12)
    us_election_months: List[str] = setting(month=True, factory=list)
    us_subsidy_reversal_prob: float = share(0.0)


@dataclass
class ClubWeightsCfg:
    """Utility per unit of each membership term (sim.mechanisms.club.join_utilities)."""

    trust: float = nonneg(1.0)
    offer: float = nonneg(1.0)
    cost: float = nonneg(1.0)
    dependence: float = nonneg(1.0)


@dataclass
class ClubCfg:
    """The allied minerals club led by the US (docs/ODD.md S21)."""

    leader: str = setting("US", ref="country")
    start: str = setting("2026-02", month=True)
    candidates: List[str] = setting(ref="country", factory=list)
    pool_share: float = share(0.0)
    share_stockpiles: bool = False
    review_month: int = setting(1, lo=1, hi=12)
    weights: ClubWeightsCfg = field(default_factory=ClubWeightsCfg)
    leave_margin: float = nonneg(0.0)
    trust_loss_on_reversal: float = share(0.0)


@dataclass
class EventCfg:
    """A dated change of one run-time key (see :mod:`sim.config.events` for the keys allowed)."""

    month: str = setting("2026-01", month=True)
    key: str = ""
    value: Any = None
    note: str = ""


@dataclass
class Config:
    """The whole run: world, regime, policy, market, and run settings."""

    scenario_name: str = setting("rhythm_embedded", choices=RUNNABLE)
    seed: int = setting(0, lo=0)
    replicates: int = setting(20, lo=1, hi=100000)
    start: str = setting("2026-01", month=True)
    months: int = setting(120, lo=1, hi=600)
    check_conservation: bool = True
    figures: bool = True
    world: WorldCfg = field(default_factory=WorldCfg)
    regime: RegimeCfg = field(default_factory=RegimeCfg)
    us: USPolicyCfg = field(default_factory=USPolicyCfg)
    taiwan: TaiwanCfg = field(default_factory=TaiwanCfg)
    alignment: AlignmentCfg = field(default_factory=AlignmentCfg)
    investment: InvestmentCfg = field(default_factory=InvestmentCfg)
    club: ClubCfg = field(default_factory=ClubCfg)
    tech: TechCfg = field(default_factory=TechCfg)
    attribution: bool = False
    market: MarketCfg = field(default_factory=MarketCfg)
    events: Dict[str, EventCfg] = field(default_factory=dict)


def register() -> None:
    """Register the schema so ``conf/config.yaml`` can name it in its defaults list."""
    ConfigStore.instance().store(name="rhythm_schema", node=Config)


register()
