"""Index the upgrade-cadence settings (``conf/tech``, program generations) into arrays.

Months are month indices relative to the run's start (negative: before it). China's frontier
reaches level ``k`` at ``reach[k]``; a defense program's planned generations are its cut-in
months and required levels; China's own programs (``follows_frontier``) and the civil sectors
plan a generation at each frontier step and each model year respectively (docs/ODD.md S23-S25).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import month_offset
from sim.config.schema import Config
from sim.mechanisms.technology import BEFORE, NEVER, frontier_reach
from sim.vocab import SECTORS


@dataclass(frozen=True)
class Ladder:
    """One buyer's planned generations (a defense program or a civil sector of one country)."""

    name: str                  # entity id: program id (us.f35) or <sector>:<COUNTRY> (ev:US)
    country: int               # country index of the buyer
    military: bool             # a defense program (its suppliers need defense qualification)
    cut_in: np.ndarray         # [G] planned cut-in month of each generation (the first: in service)
    level: np.ndarray          # [G] level each generation needs (-1: the frontier's at its planned cut-in;
                               #     for the first, the best level the buyer could use at the start)
    bom_scale: np.ndarray      # [G] need per unit relative to the program's (civil: 1)
    qualification: float       # months to qualify a supplier at a new level (non-domestic)
    downgrade: bool            # may cut in at a lower level after ``downgrade_after`` months of slip
    downgrade_after: float     # months
    share: float               # civil: share of the country's civil magnet use (programs: 0)
    program: int               # program index (-1: a civil sector)


@dataclass(frozen=True)
class TechTerms:
    """The technology ladder, China's frontier and the rules of access and cut-in."""

    levels: tuple[str, ...]          # level names, lowest first
    reach: np.ndarray                # [L] month China's frontier reaches each level (BEFORE / NEVER)
    development_lag: np.ndarray      # [R] months behind the frontier for each plant developing on its own
    licence_lag: float               # months behind the frontier with licensed Chinese technology
    tech_ban: bool                   # licensing forbidden at the start (events may change it)
    upgrade_rule: bool               # China's rule on line-upgrade services in force at the start
    upgrade_rule_delay: float        # extra development months while that rule is in force
    holdback: np.ndarray             # [tiers] months China holds its newest level back from each tier
    defense_qualification: float     # months for a defense buyer to qualify a supplier at a level
    domestic_qualification: float    # months for China's buyers to qualify Chinese makers
    secure_months: float             # months of the new need held before a generation cuts in
    other_slip_mean: float           # mean months of slip from other causes, per generation
    plant_level0: np.ndarray         # [R] level of each plant at the start (Chinese plants: the frontier's)
    ladders: tuple[Ladder, ...]      # programs first (in program order), then sectors (country by country)


def build_tech(cfg: Config, programs: tuple, refiner_chinese: np.ndarray) -> TechTerms:
    """Index ``cfg.tech`` and the programs' generations (``programs``: the world's, in order)."""
    tech, start = cfg.tech, cfg.start
    n_levels = len(tech.levels)
    reach = frontier_reach(tech.frontier_level, month_offset(tech.frontier_next, start),
                           tech.frontier_cadence_months, n_levels)
    tiers = list(cfg.regime.tiers)
    holdback = np.array([tech.holdback_months.get(t, 0.0) for t in tiers])
    ids = list(cfg.world.countries)
    level0 = np.array([tech.frontier_level if chinese else ref.tech_level
                       for ref, chinese in zip(cfg.world.refiners.values(), refiner_chinese)])
    by_pid = {f"{prod.country.lower()}.{key}": prog for prod in cfg.world.producers.values()
              for key, prog in prod.programs.items()}
    ladders = []
    for p, prog in enumerate(programs):
        spec = by_pid[prog.pid]
        if spec.follows_frontier:   # China's own programs plan a generation at each frontier step;
            # the first, in service at the start, is the frontier's level then (not the ladder's bottom)
            cut = [month for month in reach[tech.frontier_level:] if month < NEVER]
            cut_in, scale = np.array(cut), np.ones(len(cut))
            level = np.arange(tech.frontier_level, tech.frontier_level + len(cut))
        elif spec.generations:
            cut_in = np.array([month_offset(g.cut_in, start) for g in spec.generations])
            level = np.array([g.level for g in spec.generations])
            scale = np.array([g.bom_scale for g in spec.generations])
        else:   # no ladder given: one generation in service, at the level its suppliers had at the start
            cut_in, level, scale = np.array([BEFORE]), np.array([-1]), np.ones(1)
        domestic = prog.country == ids.index("CN")
        ladders.append(Ladder(
            name=prog.pid, country=prog.country, military=True, cut_in=cut_in.astype(np.int64), level=level,
            bom_scale=scale, qualification=tech.domestic_qualification_months if domestic
            else tech.defense_qualification_months, downgrade=tech.defense_downgrade,
            downgrade_after=tech.defense_downgrade_after_months, share=0.0, program=p))
    for sector in SECTORS:
        if sector not in tech.sectors or tech.sectors[sector].share <= 0:
            continue
        s = tech.sectors[sector]
        planned = np.arange(0, cfg.months + s.cadence_months, s.cadence_months)   # model years from the start
        cut_in = np.concatenate([[BEFORE], planned[1:]]).astype(np.int64)
        for c, cid in enumerate(ids):
            ladders.append(Ladder(
                name=f"{sector}:{cid}", country=c, military=False, cut_in=cut_in,
                level=np.full(cut_in.size, -1), bom_scale=np.ones(cut_in.size),
                qualification=tech.domestic_qualification_months if cid == "CN" else s.qualification_months,
                downgrade=s.downgrade, downgrade_after=s.downgrade_after_months, share=s.share, program=-1))
    return TechTerms(
        levels=tuple(tech.levels), reach=reach,
        development_lag=np.array([tech.development_lag_months if ref.development_lag_months is None
                                  else ref.development_lag_months for ref in cfg.world.refiners.values()]),
        licence_lag=tech.licence_lag_months, tech_ban=tech.tech_ban, upgrade_rule=tech.upgrade_rule,
        upgrade_rule_delay=tech.upgrade_rule_delay_months, holdback=holdback,
        defense_qualification=tech.defense_qualification_months,
        domestic_qualification=tech.domestic_qualification_months, secure_months=tech.secure_months,
        other_slip_mean=tech.other_slip_mean_months, plant_level0=level0, ladders=tuple(ladders))
