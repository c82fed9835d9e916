"""Structured-config schema, world part: countries, plants, programs, and the field rules.

The field helpers carry each key's validation rule (range, choices, references, months) in
the dataclass metadata; :func:`sim.config.validate.validate` checks them with the key's full path.
The policy part and the root :class:`sim.config.schema.Config` are in :mod:`sim.config.schema`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from sim.vocab import CIRCLES, STAGES

INF = float("inf")


def setting(default: Any = None, *, lo: float | None = None, hi: float | None = None,
       ref: str | None = None, keys: str | None = None, choices: tuple | None = None,
       month: bool = False, factory: Any = None, unlimited: bool = False) -> Any:
    """A dataclass field carrying its validation rule in metadata.

    Numbers must be finite unless ``unlimited``: there ``inf`` means "no limit" (a quota, a feed).
    """
    meta = {"lo": lo, "hi": hi, "ref": ref, "keys": keys, "choices": choices, "month": month,
            "unlimited": unlimited}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def share(default: float = 0.0) -> Any:
    """A fraction in [0, 1]."""
    return setting(default, lo=0.0, hi=1.0)


def nonneg(default: float = 0.0) -> Any:
    """A quantity that cannot be negative."""
    return setting(default, lo=0.0)


@dataclass
class CountryCfg:
    """A state actor. Units: t/yr, USD bn, fractions per year."""

    name: str = ""
    circle: str = setting("U", choices=CIRCLES)
    gdp_usd_bn: float = nonneg()
    gdp_growth: float = setting(0.02, lo=-0.5, hi=0.5)
    civil_magnet_tpy: float = nonneg()
    civil_growth: float = setting(0.0, lo=-0.5, hi=0.5)
    cover_months: float = setting(2.0, lo=0.0, hi=36.0)
    stockpile_t: Dict[str, float] = setting(keys="material", lo=0.0, factory=dict)
    stockpile_release_months: float = setting(1.0, lo=0.0, hi=36.0)
    defense_gdp_share: float = share(0.02)
    tariff_rise_on_cn: float = setting(0.0, lo=-0.5, hi=10.0)
    cn_export_share_2024: float = share(0.0)
    cn_export_growth: float = setting(0.0, lo=-0.5, hi=0.5)
    transit_from_cn_months: int = setting(2, lo=0, hi=12)
    strategic_geography: float = share(0.0)
    us_ops_contribution: float = share(0.0)
    us_production_investment: float = share(0.0)
    package_b_pct_gdp: float = setting(0.0, lo=0.0, hi=100.0)
    package_a_pct_gdp: float = setting(0.0, lo=0.0, hi=100.0)
    security_value_a: float = share(0.0)
    reserve_budget_usd: float = nonneg()
    reserve_start: str = setting("2026-01", month=True)
    reserve_spend_months: int = setting(36, lo=1, hi=600)
    production_subsidy_usd_per_kg: float = nonneg()
    capex_grant_share: float = share(0.0)
    environmental_opposition: float = share(0.0)
    club_trust: float = share(0.5)


@dataclass
class RefinerCfg:
    """A plant at one stage. Capacities in t of output per year."""

    name: str = ""
    owner: str = setting("", ref="country")
    site: str = setting("", ref="country")
    stage: str = setting("separation", choices=STAGES)
    capacity_tpy: float = nonneg()
    heavy_tpy: float = nonneg()
    feed_tpy: float = setting(INF, lo=0.0, unlimited=True)
    start: str = setting("2020-01", month=True)
    ramp_months: int = setting(0, lo=0, hi=120)
    qualification_months: int = setting(0, lo=0, hi=120)
    slip_mean_months: float = setting(0.0, lo=0.0, hi=120.0)
    unit_cost_usd_per_kg: float = nonneg(50.0)
    offtake: Dict[str, float] = setting(keys="country", lo=0.0, hi=1.0, factory=dict)
    public_funds_usd: float = nonneg()
    price_floor_usd_per_kg: float = nonneg()
    candidate: bool = False
    capex_usd: float = nonneg()
    permitting_months: int = setting(0, lo=0, hi=240)
    construction_months: int = setting(0, lo=0, hi=240)
    tech_level: int = setting(0, lo=0, hi=9)   # magnet plants outside China: technology level at the run's start
    development_lag_months: Optional[float] = setting(None, lo=0.0, hi=240.0)   # its own; None: tech.development_lag_months


@dataclass
class OrderCfg:
    """A foreign customer's order for units of a program."""

    country: str = setting("", ref="country")
    order_month: str = setting("2020-01", month=True)
    units: float = nonneg()
    special_budget: bool = False


@dataclass
class GenerationCfg:
    """One generation (block, lot, variant) of a defense program."""

    name: str = ""
    cut_in: str = setting("2020-01", month=True)      # planned first month of production
    level: int = setting(0, lo=0, hi=9)                # technology level it needs (index into tech.levels)
    bom_scale: float = setting(1.0, lo=0.0, hi=10.0)  # its magnet and heavy-oxide need per unit, relative to the program's


@dataclass
class ProgramCfg:
    """A weapons program: BOM in kg per unit, rates in units per month."""

    name: str = ""
    magnet_kg: float = nonneg()
    heavy_kg: float = nonneg()
    cycle_months: int = setting(12, lo=1, hi=120)
    rate_per_month: float = nonneg()
    target_rate_per_month: float = nonneg()
    ramp_months: int = setting(0, lo=0, hi=240)
    surge_factor: float = setting(1.2, lo=1.0, hi=5.0)
    inventory_months: float = setting(6.0, lo=0.0, hi=60.0)
    high_end: bool = False
    orders: List[OrderCfg] = field(default_factory=list)
    generations: List[GenerationCfg] = field(default_factory=list)   # in cut-in order; the first is in service at the start
    follows_frontier: bool = False   # its generations are China's frontier steps (China's own programs)


@dataclass
class ProducerCfg:
    """A defense firm and its programs; units not ordered by others go to its own forces."""

    name: str = ""
    country: str = setting("", ref="country")
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
