"""Turn a validated :class:`~sim.config.schema.Config` into indexed arrays the model steps on.

Nothing here reads a DictConfig or draws randomness; this module and :mod:`sim.model.policy`
(the run's settings, :func:`~sim.model.policy.build_policy`) are the places that map ids
(``"US"``, ``"lynas_malaysia"``, ``"us.f35"``) to array positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.calendar import month_offset
from sim.config.schema import Config
from sim.mechanisms.allocation import priority_scores
from sim.model.tech import TechTerms, build_tech
from sim.vocab import HEAVY, LIGHT, MAGNET, MATERIALS, METAL, STAGES

__all__ = ["Program", "World", "build_world", "gdp_at", "years_since_2024"]


@dataclass(frozen=True)
class Program:
    """A defense program's constants (indices refer to the world's arrays)."""

    pid: str
    name: str
    producer: str
    country: int
    bom: np.ndarray            # t per unit, [M]
    cycle: int
    rate: float
    target: float
    ramp: int
    surge: float
    inventory_months: float
    high_end: bool
    order_country: np.ndarray  # customer country per order, FCFS order, last = own forces
    order_units: np.ndarray    # units per order, last = inf
    order_month: np.ndarray    # month index each order was placed (own forces: 0)
    order_score: np.ndarray    # america-first priority score of each order's buyer
    order_special: np.ndarray  # order waits for Taiwan's special budget (D57)


@dataclass(frozen=True)
class World:
    """Index maps and constant arrays of one configured world."""

    countries: tuple[str, ...]
    country_names: tuple[str, ...]
    refiners: tuple[str, ...]
    programs: tuple[Program, ...]
    cn: int
    circle: np.ndarray          # [C] of 'A', 'B', 'U'
    gdp0: np.ndarray            # [C] USD bn, 2024
    gdp_growth: np.ndarray      # [C] per yr
    civil0: np.ndarray          # [C] t magnet per month at the start
    civil_growth: np.ndarray    # [C] per yr
    cover: np.ndarray           # [C] months of use held as stock
    stockpile0: np.ndarray      # [C, M] t
    release_months: np.ndarray  # [C] commercial cover below which stockpiles release
    transit_cn: np.ndarray      # [C] months from China
    tier: np.ndarray            # [C] tier index (-1 for CN)
    tier_names: tuple[str, ...]
    tier_prob: np.ndarray       # [tiers]
    tier_days: np.ndarray
    tier_cv: np.ndarray
    tier_gradient: np.ndarray
    tier_priority: np.ndarray
    export_share0: np.ndarray   # [C] share of China's exports, 2024
    export_growth: np.ndarray   # [C]
    tariff_rise: np.ndarray     # [C]
    package_a: np.ndarray       # [C] circle A's concrete offer, % of GDP per year
    package_b: np.ndarray       # [C] China's package, % of GDP per year
    security_a: np.ndarray      # [C] circle A's security and institutional value, [0, 1]
    reserve_budget: np.ndarray  # [C] USD a government reserve may spend (US: Project Vault)
    reserve_start: np.ndarray   # [C] month index it starts buying
    reserve_spend: np.ndarray   # [C] months over which it spreads its budget
    # refiners
    r_stage: np.ndarray         # [R] index into STAGES
    r_site: np.ndarray
    r_owner: np.ndarray
    r_cap: np.ndarray           # [R] t/month of main output at nameplate
    r_heavy: np.ndarray         # [R] t/month heavy oxide (separation)
    r_feed: np.ndarray          # [R] t/month feed limit (light-oxide equivalent)
    r_start: np.ndarray         # [R] month index of first output (before slip)
    r_ramp: np.ndarray
    r_qual: np.ndarray
    r_slip_mean: np.ndarray
    r_cost: np.ndarray
    r_offtake: np.ndarray       # [R, C]
    r_funds: np.ndarray         # [R] USD
    r_floor: np.ndarray         # [R] USD/kg
    r_candidate: np.ndarray     # [R] built only if an investor decides to (sim.mechanisms.investment)
    r_capex: np.ndarray         # [R] USD
    r_permit: np.ndarray        # [R] base permitting months
    r_construct: np.ndarray     # [R] construction months
    subsidy: np.ndarray         # [C] USD per kg of output of non-Chinese plants sited there
    grant: np.ndarray           # [C] share of a new plant's capex the host government pays
    opposition: np.ndarray      # [C] environmental opposition, 0-1 (lengthens permitting)
    club_trust: np.ndarray      # [C] trust in the club's leader, 0-1 (S21)
    recipe: np.ndarray          # [stage, M] inputs per t output
    tech: TechTerms             # the technology ladder, China's frontier, generations (sim.model.tech)


def _col(items: list, name: str, dtype=float) -> np.ndarray:
    """One config field of every item, as an array."""
    return np.array([getattr(x, name) for x in items], dtype=dtype)


def build_world(cfg: Config) -> World:
    """Index the configured world. ``cfg`` must already be validated."""
    w = cfg.world
    ids = tuple(w.countries)
    cidx = {c: i for i, c in enumerate(ids)}
    c = [w.countries[i] for i in ids]
    tiers = tuple(cfg.regime.tiers)
    tcfg = [cfg.regime.tiers[t] for t in tiers]
    tier = np.array([tiers.index(cfg.regime.destination_tier[i]) if i != "CN" else -1 for i in ids])
    stockpile = np.array([[x.stockpile_t.get(m, 0.0) for m in MATERIALS] for x in c])

    rids = tuple(w.refiners)
    r = [w.refiners[i] for i in rids]
    recipe = np.zeros((len(STAGES), len(MATERIALS)))
    recipe[STAGES.index("metal"), LIGHT] = w.recipe.metal_light_oxide
    recipe[STAGES.index("metal"), HEAVY] = w.recipe.metal_heavy_oxide
    recipe[STAGES.index("magnet"), METAL] = w.recipe.magnet_metal

    weights = cfg.us.priority_weights
    score_of = priority_scores(
        _col(c, "defense_gdp_share"), _col(c, "strategic_geography"),
        _col(c, "us_ops_contribution"), _col(c, "us_production_investment"),
        (weights.defense, weights.geography, weights.operations, weights.investment))
    programs = []
    for pkey, prod in w.producers.items():
        home = cidx[prod.country]
        for key, p in prod.programs.items():
            orders = sorted(p.orders, key=lambda o: month_offset(o.order_month, cfg.start))
            bom = np.zeros(len(MATERIALS))
            bom[MAGNET] = p.magnet_kg / 1000.0
            bom[HEAVY] = p.heavy_kg / 1000.0
            programs.append(Program(
                pid=f"{prod.country.lower()}.{key}", name=p.name, producer=pkey, country=home, bom=bom,
                cycle=p.cycle_months, rate=p.rate_per_month, target=p.target_rate_per_month,
                ramp=p.ramp_months, surge=p.surge_factor, inventory_months=p.inventory_months,
                high_end=p.high_end,
                order_country=np.array([cidx[o.country] for o in orders] + [home]),
                order_units=np.array([o.units for o in orders] + [np.inf]),
                order_month=np.array([month_offset(o.order_month, cfg.start) for o in orders] + [0]),
                order_score=np.array([score_of[cidx[o.country]] for o in orders] + [0.0]),
                order_special=np.array([o.special_budget for o in orders] + [False]),
            ))

    return World(
        countries=ids, country_names=tuple(x.name or i for x, i in zip(c, ids)),
        refiners=rids, programs=tuple(programs), cn=cidx["CN"],
        circle=_col(c, "circle", str),
        gdp0=_col(c, "gdp_usd_bn"), gdp_growth=_col(c, "gdp_growth"),
        civil0=_col(c, "civil_magnet_tpy") / 12.0,
        civil_growth=_col(c, "civil_growth"),
        cover=_col(c, "cover_months"), stockpile0=stockpile,
        release_months=_col(c, "stockpile_release_months"),
        transit_cn=_col(c, "transit_from_cn_months"),
        tier=tier, tier_names=tiers,
        tier_prob=_col(tcfg, "approval_prob"),
        tier_days=_col(tcfg, "review_days_mean"),
        tier_cv=_col(tcfg, "review_days_cv"),
        tier_gradient=_col(tcfg, "price_gradient"),
        tier_priority=_col(tcfg, "priority"),
        export_share0=_col(c, "cn_export_share_2024"),
        export_growth=_col(c, "cn_export_growth"),
        tariff_rise=_col(c, "tariff_rise_on_cn"),
        package_a=_col(c, "package_a_pct_gdp"),
        package_b=_col(c, "package_b_pct_gdp"),
        security_a=_col(c, "security_value_a"),
        reserve_budget=np.array([cfg.us.vault_budget_usd if i == "US" else x.reserve_budget_usd for x, i in zip(c, ids)]),
        reserve_start=np.array([month_offset(cfg.us.vault_start if i == "US" else x.reserve_start, cfg.start)
                                for x, i in zip(c, ids)]),
        reserve_spend=np.array([cfg.us.vault_spend_months if i == "US" else x.reserve_spend_months
                                for x, i in zip(c, ids)]),
        r_stage=np.array([STAGES.index(x.stage) for x in r], dtype=int),
        r_site=np.array([cidx[x.site] for x in r], dtype=int),
        r_owner=np.array([cidx[x.owner] for x in r], dtype=int),
        r_cap=_col(r, "capacity_tpy") / 12.0,
        r_heavy=_col(r, "heavy_tpy") / 12.0,
        r_feed=_col(r, "feed_tpy") / 12.0,
        r_start=np.array([month_offset(x.start, cfg.start) for x in r], dtype=int),
        r_ramp=_col(r, "ramp_months", int),
        r_qual=_col(r, "qualification_months", int),
        r_slip_mean=_col(r, "slip_mean_months"),
        r_cost=_col(r, "unit_cost_usd_per_kg"),
        r_offtake=np.array([[x.offtake.get(i, 0.0) for i in ids] for x in r]).reshape(len(r), len(ids)),
        r_funds=_col(r, "public_funds_usd"),
        r_floor=_col(r, "price_floor_usd_per_kg"),
        r_candidate=_col(r, "candidate", bool),
        r_capex=_col(r, "capex_usd"),
        r_permit=_col(r, "permitting_months"),
        r_construct=_col(r, "construction_months"),
        subsidy=_col(c, "production_subsidy_usd_per_kg"),
        grant=_col(c, "capex_grant_share"),
        opposition=_col(c, "environmental_opposition"),
        club_trust=_col(c, "club_trust"),
        recipe=recipe,
        tech=build_tech(cfg, tuple(programs), np.array([cidx[x.site] == cidx["CN"] or cidx[x.owner] == cidx["CN"]
                                                         for x in r], dtype=bool)),
    )


class PlantArrays(NamedTuple):
    """The plants' constants the production kernel reads, each ``[R]`` in refiner order."""

    stage: np.ndarray         # stage index (0 separation, 1 metal, 2 magnet)
    output: np.ndarray        # main output material
    site: np.ndarray          # country index where the plant stands
    chinese: np.ndarray       # bool: sited in or owned from China
    ramp_months: np.ndarray   # months from first output to nameplate
    qual_months: np.ndarray   # months from first output to defense qualification
    cap: np.ndarray           # t/month of main output at nameplate
    heavy: np.ndarray         # t/month of heavy oxide at nameplate (separation)
    feed: np.ndarray          # t/month of mined feed (separation)
    room: np.ndarray          # t of unsold output a non-Chinese plant keeps before it cuts output
    unit_cost: np.ndarray     # USD/kg


def years_since_2024(start_abs: int, t: int) -> float:
    """Years from 2024-01 (the base year of GDP and export data) to month ``t`` of the run."""
    return (start_abs + t - 2024 * 12) / 12.0


def gdp_at(world: World, start_abs: int, t: int) -> np.ndarray:
    """GDP of each country in month ``t`` (USD bn), grown from 2024 at its rate."""
    return world.gdp0 * (1.0 + world.gdp_growth) ** years_since_2024(start_abs, t)
