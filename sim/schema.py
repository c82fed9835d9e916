"""Structured-config schema: the typed shape of every key in ``conf/``.

Hydra merges the YAML files onto these dataclasses, so an unknown key or a wrong type
fails at compose time. Range, choice and cross-reference rules live in each field's
metadata and are checked by :func:`sim.validate.validate` with the key's full path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from hydra.core.config_store import ConfigStore

MATERIALS = ("light_oxide", "heavy_oxide", "metal", "magnet")
STAGES = ("separation", "metal", "magnet")
CIRCLES = ("A", "B", "U")
SCENARIOS = ("rhythm_embedded", "collision", "bifurcation")
INF = float("inf")


def _f(default: Any = None, *, lo: float | None = None, hi: float | None = None,
       ref: str | None = None, keys: str | None = None, choices: tuple | None = None,
       month: bool = False, factory: Any = None) -> Any:
    """A dataclass field carrying its validation rule in metadata."""
    meta = {"lo": lo, "hi": hi, "ref": ref, "keys": keys, "choices": choices, "month": month}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def share(default: float = 0.0) -> Any:
    """A fraction in [0, 1]."""
    return _f(default, lo=0.0, hi=1.0)


def nonneg(default: float = 0.0) -> Any:
    """A quantity that cannot be negative."""
    return _f(default, lo=0.0)


@dataclass
class CountryCfg:
    """A state actor. Units: t/yr, USD bn, fractions per year."""

    name: str = ""
    circle: str = _f("U", choices=CIRCLES)
    gdp_usd_bn: float = nonneg()
    gdp_growth: float = _f(0.02, lo=-0.5, hi=0.5)
    civil_magnet_tpy: float = nonneg()
    civil_growth: float = _f(0.0, lo=-0.5, hi=0.5)
    cover_months: float = _f(2.0, lo=0.0, hi=36.0)
    stockpile_t: Dict[str, float] = _f(keys="material", lo=0.0, factory=dict)
    stockpile_release_months: float = _f(1.0, lo=0.0, hi=36.0)
    defense_gdp_share: float = share(0.02)
    tariff_rise_on_cn: float = _f(0.0, lo=-0.5, hi=10.0)
    cn_export_share_2024: float = share(0.0)
    cn_export_growth: float = _f(0.0, lo=-0.5, hi=0.5)
    transit_from_cn_months: int = _f(2, lo=0, hi=12)
    strategic_geography: float = share(0.0)
    us_ops_contribution: float = share(0.0)
    us_production_investment: float = share(0.0)
    package_b_pct_gdp: float = _f(0.0, lo=0.0, hi=100.0)
    package_a_pct_gdp: float = _f(0.0, lo=0.0, hi=100.0)
    security_value_a: float = share(0.0)
    reserve_budget_usd: float = nonneg()
    reserve_start: str = _f("2026-01", month=True)
    reserve_spend_months: int = _f(36, lo=1, hi=600)
    production_subsidy_usd_per_kg: float = nonneg()
    capex_grant_share: float = share(0.0)
    environmental_opposition: float = share(0.0)
    club_trust: float = share(0.5)


@dataclass
class RefinerCfg:
    """A plant at one stage. Capacities in t of output per year."""

    name: str = ""
    owner: str = _f("", ref="country")
    site: str = _f("", ref="country")
    stage: str = _f("separation", choices=STAGES)
    capacity_tpy: float = nonneg()
    heavy_tpy: float = nonneg()
    feed_tpy: float = nonneg(INF)
    start: str = _f("2020-01", month=True)
    ramp_months: int = _f(0, lo=0, hi=120)
    qualification_months: int = _f(0, lo=0, hi=120)
    slip_mean_months: float = _f(0.0, lo=0.0, hi=120.0)
    unit_cost_usd_per_kg: float = nonneg(50.0)
    offtake: Dict[str, float] = _f(keys="country", lo=0.0, hi=1.0, factory=dict)
    public_funds_usd: float = nonneg()
    price_floor_usd_per_kg: float = nonneg()
    candidate: bool = False
    capex_usd: float = nonneg()
    permitting_months: int = _f(0, lo=0, hi=240)
    construction_months: int = _f(0, lo=0, hi=240)


@dataclass
class OrderCfg:
    """A foreign customer's order for units of a program."""

    country: str = _f("", ref="country")
    order_month: str = _f("2020-01", month=True)
    units: float = nonneg()
    special_budget: bool = False


@dataclass
class ProgramCfg:
    """A weapons program: BOM in kg per unit, rates in units per month."""

    name: str = ""
    magnet_kg: float = nonneg()
    heavy_kg: float = nonneg()
    cycle_months: int = _f(12, lo=1, hi=120)
    rate_per_month: float = nonneg()
    target_rate_per_month: float = nonneg()
    ramp_months: int = _f(0, lo=0, hi=240)
    surge_factor: float = _f(1.2, lo=1.0, hi=5.0)
    inventory_months: float = _f(6.0, lo=0.0, hi=60.0)
    high_end: bool = False
    orders: List[OrderCfg] = field(default_factory=list)


@dataclass
class ProducerCfg:
    """A defense firm and its programs; units not ordered by others go to its own forces."""

    name: str = ""
    country: str = _f("", ref="country")
    programs: Dict[str, ProgramCfg] = field(default_factory=dict)


@dataclass
class RecipeCfg:
    """Inputs in t per t of output."""

    metal_light_oxide: float = nonneg(1.12)
    metal_heavy_oxide: float = nonneg(0.038)
    magnet_metal: float = nonneg(0.27)


@dataclass
class WorldCfg:
    countries: Dict[str, CountryCfg] = field(default_factory=dict)
    refiners: Dict[str, RefinerCfg] = field(default_factory=dict)
    producers: Dict[str, ProducerCfg] = field(default_factory=dict)
    recipe: RecipeCfg = field(default_factory=RecipeCfg)


@dataclass
class TierCfg:
    """How China treats a destination tier."""

    approval_prob: float = share(1.0)
    review_days_mean: float = _f(45.0, lo=0.0, hi=720.0)
    review_days_cv: float = _f(0.5, lo=0.0, hi=5.0)
    price_gradient: float = _f(1.0, lo=0.0, hi=100.0)
    priority: int = _f(0, lo=0, hi=10)


@dataclass
class ReactionWeightsCfg:
    """Pressure on China's regime per unit of each move (sim.reaction.pressure)."""

    club: float = nonneg(1.0)
    tariff: float = nonneg(0.5)
    stockpile: float = nonneg(0.0)


@dataclass
class ReactionCfg:
    """How China's regime answers others' moves (docs/ODD.md S22)."""

    weights: ReactionWeightsCfg = field(default_factory=ReactionWeightsCfg)
    tariff_reference: float = _f(0.0, lo=-0.5, hi=10.0)
    tighten: float = share(0.0)
    slow: float = _f(0.0, lo=0.0, hi=10.0)
    reacting_tiers: List[str] = _f(ref="tier", factory=list)
    club_tier: str = _f("", ref="tier")
    lag_months: int = _f(6, lo=0, hi=120)
    extraterritorial_at: float = _f(1.0, lo=0.0, hi=1.0)


@dataclass
class RegimeCfg:
    """China's export regime."""

    tiers: Dict[str, TierCfg] = field(default_factory=dict)
    destination_tier: Dict[str, str] = _f(keys="country", ref="tier", factory=dict)
    controlled: Dict[str, bool] = _f(keys="material", factory=dict)
    deny_military: bool = True
    export_quota_tpy: Dict[str, float] = _f(keys="material", lo=0.0, factory=dict)
    domestic_cover_months: float = _f(1.0, lo=0.0, hi=36.0)
    lots_per_application: int = _f(4, lo=1, hi=100)
    working_days_per_month: float = _f(21.7, lo=1.0, hi=31.0)
    extraterritorial_from: str = _f("2026-11", month=True)
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
    dfars_from: str = _f("2027-01", month=True)
    arms_transfer_rule: str = _f("fcfs", choices=("fcfs", "america_first"))
    vault_budget_usd: float = nonneg()
    vault_start: str = _f("2026-02", month=True)
    vault_spend_months: int = _f(36, lo=1, hi=600)
    priority_weights: PriorityWeightsCfg = field(default_factory=lambda: PriorityWeightsCfg())


@dataclass
class TaiwanCfg:
    """Taiwan's special defense budget (D57): votes at the end of each legislative session."""

    special_budget_pass_prob: float = share(0.35)
    session_end_months: List[int] = _f(lo=1, hi=12, factory=lambda: [5, 12])


@dataclass
class MarketCfg:
    """Prices and logistics."""

    base_price_usd_per_kg: Dict[str, float] = _f(keys="material", lo=0.0, factory=dict)
    scarcity_premium: Dict[str, float] = _f(keys="material", lo=0.0, factory=dict)
    price_adjust_per_month: float = share(0.33)
    ex_cn_transit_months: int = _f(1, lo=0, hi=12)
    refiner_inventory_months: float = _f(3.0, lo=0.0, hi=36.0)
    cn_export_rest_share_2024: float = share(0.19)
    cn_export_rest_growth: float = _f(0.03, lo=-0.5, hi=0.5)
    cn_export_tariff_elasticity: float = _f(1.2, lo=0.0, hi=10.0)
    cn_export_circle_b_uplift: float = _f(0.0, lo=0.0, hi=1.0)
    reserve_target_days: Dict[str, float] = _f(keys="material", lo=0.0, hi=3650.0, factory=dict)
    reserve_price_cap_usd_per_kg: Dict[str, float] = _f(keys="material", lo=0.0, factory=dict)
    reserve_floor_months: float = _f(1.0, lo=0.0, hi=36.0)


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

    choosers: List[str] = _f(ref="country", factory=list)
    decision_month: int = _f(1, lo=1, hi=12)
    weights: AlignmentWeightsCfg = field(default_factory=AlignmentWeightsCfg)
    tier_for_circle: Dict[str, str] = _f(keys="circle", ref="tier", factory=dict)


@dataclass
class InvestmentCfg:
    """How firms outside China decide on candidate plants, and US subsidy politics."""

    hurdle_rate: float = _f(0.12, lo=0.0, hi=1.0)
    horizon_years: float = _f(10.0, lo=1.0, hi=50.0)
    premium_persistence: float = share(0.3)
    review_month: int = _f(1, lo=1, hi=12)
    us_election_months: List[str] = _f(month=True, factory=list)
    us_subsidy_reversal_prob: float = share(0.0)


@dataclass
class ClubWeightsCfg:
    """Utility per unit of each membership term (sim.club.join_utilities)."""

    trust: float = nonneg(1.0)
    offer: float = nonneg(1.0)
    cost: float = nonneg(1.0)
    dependence: float = nonneg(1.0)


@dataclass
class ClubCfg:
    """The allied minerals club led by the US (docs/ODD.md S21)."""

    leader: str = _f("US", ref="country")
    start: str = _f("2026-02", month=True)
    candidates: List[str] = _f(ref="country", factory=list)
    pool_share: float = share(0.0)
    share_stockpiles: bool = False
    review_month: int = _f(1, lo=1, hi=12)
    weights: ClubWeightsCfg = field(default_factory=ClubWeightsCfg)
    leave_margin: float = nonneg(0.0)
    trust_loss_on_reversal: float = share(0.0)


@dataclass
class EventCfg:
    """A dated change of one run-time key (see :mod:`sim.events` for the keys allowed)."""

    month: str = _f("2026-01", month=True)
    key: str = ""
    value: Any = None
    note: str = ""


@dataclass
class Config:
    """The whole run: world, regime, policy, market, and run settings."""

    scenario_name: str = _f("rhythm_embedded", choices=SCENARIOS)
    seed: int = _f(0, lo=0)
    replicates: int = _f(20, lo=1, hi=100000)
    start: str = _f("2026-01", month=True)
    months: int = _f(120, lo=1, hi=600)
    check_conservation: bool = True
    figures: bool = True
    world: WorldCfg = field(default_factory=WorldCfg)
    regime: RegimeCfg = field(default_factory=RegimeCfg)
    us: USPolicyCfg = field(default_factory=USPolicyCfg)
    taiwan: TaiwanCfg = field(default_factory=TaiwanCfg)
    alignment: AlignmentCfg = field(default_factory=AlignmentCfg)
    investment: InvestmentCfg = field(default_factory=InvestmentCfg)
    club: ClubCfg = field(default_factory=ClubCfg)
    market: MarketCfg = field(default_factory=MarketCfg)
    events: Dict[str, EventCfg] = field(default_factory=dict)


def register() -> None:
    """Register the schema so ``conf/config.yaml`` can name it in its defaults list."""
    ConfigStore.instance().store(name="rhythm_schema", node=Config)


register()
