"""The run's settings: China's regime, US policy, markets, the allied club and China's reaction.

:func:`build_policy` collects them from a validated :class:`~sim.config.schema.Config`, with
ids (countries, tiers, months) turned into indices; the model copies what events may change
into :class:`sim.model.regime.PolicyState`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sim.calendar import month_offset, parse_month
from sim.config.events import resolve
from sim.config.schema import Config
from sim.vocab import CIRCLES, MATERIALS


@dataclass(frozen=True)
class ClubTerms:
    """The allied minerals club led by the US (docs/ODD.md S21; ``conf/club``)."""

    leader: int                  # country index of the leader, a member from ``start`` on
    start: int                   # month index from which the club exists
    candidates: np.ndarray       # [n] int: country indices that review membership each year
    pool_share: float            # share of member-sited plants' uncontracted output pooled for members, 0-1
    share_stockpiles: bool       # members' strategic stockpiles also release to other members' programs
    review_month: int            # calendar month (1-12) of the yearly membership review
    weights: dict[str, float]    # utility per unit of each term of sim.mechanisms.club.TERMS (trust, offer, cost, dependence)
    leave_margin: float          # a member leaves only when its utility falls below -leave_margin
    trust_loss: float            # trust in the leader (0-1) every country loses at a US subsidy reversal


@dataclass(frozen=True)
class ReactionTerms:
    """How China's regime answers others' moves (docs/ODD.md S22; ``conf/regime`` ``reaction``)."""

    weights: dict[str, float]    # pressure per unit of each move: club (GDP share), tariff (rise above the reference), stockpile (years of cover)
    tariff_reference: float      # US tariff rise China has already answered (0.28 = 28 points)
    tighten: float               # fractional cut of the reacting tiers' approval rate at pressure 1
    slow: float                  # fractional rise of the reacting tiers' review days at pressure 1
    reacting: np.ndarray         # [tiers] bool: tiers the reaction applies to
    club_tier: int               # tier index China gives a club member once metered
    lag_months: int              # months in the club before China meters a member
    extraterritorial_at: float   # pressure (0-1) at which the de minimis rule returns (D13)


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
    reaction: ReactionTerms          # how China answers others' moves (docs/ODD.md S22)
    club: ClubTerms                  # the allied club (docs/ODD.md S21)
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


def _reaction(cfg: Config) -> ReactionTerms:
    r, tiers = cfg.regime.reaction, list(cfg.regime.tiers)
    return ReactionTerms(weights=asdict(r.weights), tariff_reference=r.tariff_reference, tighten=r.tighten,
                         slow=r.slow, reacting=np.array([t in r.reacting_tiers for t in tiers]),
                         club_tier=tiers.index(r.club_tier), lag_months=r.lag_months,
                         extraterritorial_at=r.extraterritorial_at)


def _club(cfg: Config) -> ClubTerms:
    k, ids = cfg.club, list(cfg.world.countries)
    return ClubTerms(leader=ids.index(k.leader), start=month_offset(k.start, cfg.start),
                     candidates=np.array([ids.index(c) for c in k.candidates], dtype=int),
                     pool_share=k.pool_share, share_stockpiles=k.share_stockpiles, review_month=k.review_month,
                     weights=asdict(k.weights), leave_margin=k.leave_margin, trust_loss=k.trust_loss_on_reversal)
