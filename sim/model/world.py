"""Turn a validated :class:`~sim.config.schema.Config` into indexed arrays the model steps on.

Nothing here reads a DictConfig or draws randomness; this is the one place that maps ids
(``"US"``, ``"lynas_malaysia"``, ``"us.f35"``) to array positions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sim.calendar import month_offset, parse_month
from sim.config.events import resolve
from sim.config.schema import Config
from sim.mechanisms.allocation import priority_scores
from sim.vocab import CIRCLES, HEAVY, LIGHT, MAGNET, MATERIALS, METAL, STAGES

CIVIL_CLASSES = np.array([True, True, True])


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
    )


@dataclass(frozen=True)
class Policy:
    """Scalar settings of the regime, US policy and markets for one run."""

    start: str
    start_abs: int                # absolute month number of the start (year * 12 + month - 1)
    months: int
    controlled: np.ndarray        # [M] bool: licence needed to export from China
    deny_military: bool
    quota: np.ndarray             # [M] t/yr China may export
    domestic_cover: float         # months of domestic use China keeps before exporting
    lots: int
    working_days: float
    rated_share: float            # share of US program orders that are DPAS-rated
    america_first: bool           # arms-transfer rule at the start (events may switch it)
    budget_pass_prob: float       # Taiwan's special budget: chance to pass per session (D57)
    session_end_months: tuple     # calendar months (1-12) when Taiwan's legislature votes
    dfars_month: int              # month index from which US programs refuse Chinese content
    base_price: np.ndarray        # [M] USD/kg in China
    premium: np.ndarray           # [M] scarcity premium at zero fill
    price_speed: float
    ex_transit: int
    refiner_inventory_months: float
    rest_share: float
    rest_growth: float
    elasticity: float
    check_conservation: bool
    choosers: np.ndarray             # countries that choose a circle each year
    decision_month: int              # calendar month of the yearly choice
    alignment_weights: tuple         # (name, weight) pairs, see sim.mechanisms.alignment.utilities
    tier_for_circle: np.ndarray      # tier index China gives circles A, B, U (-1: keep the tier)
    reserve_days: np.ndarray         # [M] days of use reserves aim to hold
    reserve_cap: np.ndarray          # [M] USD/kg above which reserves do not buy
    reserve_floor: float             # months of use a reserve leaves in commercial stock
    hurdle: float                    # investors' discount rate per year
    horizon_years: float             # years of output an investor values
    persistence: float               # share of today's ex-China premium investors expect to last
    review_month: int                # calendar month investors review candidates
    elections: np.ndarray            # absolute months of US elections
    reversal_prob: float             # chance an election reverses US subsidies
    uplift_b: float                  # extra growth per yr of China's exports to circle-B members
    extraterritorial_from: int       # month index from which China may bring back the de minimis rule
    reaction: dict                   # China's reaction settings (sim.mechanisms.reaction; docs/ODD.md S22)
    club: dict                       # club settings (sim.mechanisms.club; docs/ODD.md S21)
    events: tuple = ()            # sim.config.events.Event, in firing order
    approval_at: str = "filing"   # a licence lot's approval is drawn at filing or at its decision


def build_policy(cfg: Config) -> Policy:
    """Collect the scalar settings of ``cfg`` (validated) into a :class:`Policy`."""
    reg, mk = cfg.regime, cfg.market
    return Policy(
        start=cfg.start, start_abs=parse_month(cfg.start), months=cfg.months,
        controlled=np.array([bool(reg.controlled.get(m, False)) for m in MATERIALS]),
        deny_military=reg.deny_military,
        quota=np.array([reg.export_quota_tpy.get(m, np.inf) for m in MATERIALS]),
        domestic_cover=reg.domestic_cover_months, lots=reg.lots_per_application,
        working_days=reg.working_days_per_month,
        rated_share=cfg.us.rated_order_share,
        america_first=cfg.us.arms_transfer_rule == "america_first",
        budget_pass_prob=cfg.taiwan.special_budget_pass_prob,
        session_end_months=tuple(cfg.taiwan.session_end_months),
        dfars_month=month_offset(cfg.us.dfars_from, cfg.start),
        base_price=np.array([mk.base_price_usd_per_kg.get(m, 0.0) for m in MATERIALS]),
        premium=np.array([mk.scarcity_premium.get(m, 0.0) for m in MATERIALS]),
        price_speed=mk.price_adjust_per_month, ex_transit=mk.ex_cn_transit_months,
        refiner_inventory_months=mk.refiner_inventory_months,
        rest_share=mk.cn_export_rest_share_2024, rest_growth=mk.cn_export_rest_growth,
        elasticity=mk.cn_export_tariff_elasticity,
        check_conservation=cfg.check_conservation,
        events=tuple(resolve(cfg)),
        choosers=np.array([list(cfg.world.countries).index(c) for c in cfg.alignment.choosers], dtype=int),
        decision_month=cfg.alignment.decision_month,
        alignment_weights=tuple(asdict(cfg.alignment.weights).items()),
        reserve_days=np.array([mk.reserve_target_days.get(m, 0.0) for m in MATERIALS]),
        reserve_cap=np.array([mk.reserve_price_cap_usd_per_kg.get(m, 0.0) for m in MATERIALS]),
        reserve_floor=mk.reserve_floor_months,
        hurdle=cfg.investment.hurdle_rate, horizon_years=cfg.investment.horizon_years,
        persistence=cfg.investment.premium_persistence, review_month=cfg.investment.review_month,
        elections=np.array([parse_month(m) for m in cfg.investment.us_election_months], dtype=int),
        reversal_prob=cfg.investment.us_subsidy_reversal_prob,
        uplift_b=mk.cn_export_circle_b_uplift,
        extraterritorial_from=month_offset(reg.extraterritorial_from, cfg.start),
        reaction=_reaction(cfg), club=_club(cfg), approval_at=reg.approval_at,
        tier_for_circle=np.array([list(cfg.regime.tiers).index(cfg.alignment.tier_for_circle[k])
                                  if k in cfg.alignment.tier_for_circle else -1 for k in CIRCLES]),
    )


def _reaction(cfg: Config) -> dict:
    r, tiers = cfg.regime.reaction, list(cfg.regime.tiers)
    return dict(weights=asdict(r.weights), tariff_reference=r.tariff_reference, tighten=r.tighten,
                slow=r.slow, reacting=np.array([t in r.reacting_tiers for t in tiers]),
                club_tier=tiers.index(r.club_tier), lag=r.lag_months, extraterritorial_at=r.extraterritorial_at)


def _club(cfg: Config) -> dict:
    k, ids = cfg.club, list(cfg.world.countries)
    return dict(leader=ids.index(k.leader), start=month_offset(k.start, cfg.start),
                candidates=np.array([ids.index(c) for c in k.candidates], dtype=int),
                pool_share=k.pool_share, share_stockpiles=k.share_stockpiles, review_month=k.review_month,
                weights=asdict(k.weights), leave_margin=k.leave_margin, trust_loss=k.trust_loss_on_reversal)


def years_since_2024(start_abs: int, t: int) -> float:
    """Years from 2024-01 (the base year of GDP and export data) to month ``t`` of the run."""
    return (start_abs + t - 2024 * 12) / 12.0


def gdp_at(world: World, start_abs: int, t: int) -> np.ndarray:
    """GDP of each country in month ``t`` (USD bn), grown from 2024 at its rate."""
    return world.gdp0 * (1.0 + world.gdp_growth) ** years_since_2024(start_abs, t)
