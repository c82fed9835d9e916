"""Structured-config schema, upgrade-cadence part: technology levels, generations, civil sectors.

The keys of ``conf/tech/`` and of each program's ``generations`` (docs/ODD.md S23-S25); each
default cites a fact of ``docs/data_sources.md`` in the YAML or says it is an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from sim.config.schema_world import GenerationCfg, nonneg, setting, share  # noqa: F401 (re-exported)


@dataclass
class SectorCfg:
    """A civil high-tech sector: a share of every country's civil magnet use with a model-year cadence."""

    share: float = share(0.0)                                 # of each country's civil magnet use
    cadence_months: int = setting(48, lo=1, hi=240)           # months between planned model generations
    qualification_months: float = setting(6.0, lo=0.0, hi=120.0)   # to qualify a supplier at a new level
    downgrade_after_months: float = setting(24.0, lo=0.0, hi=240.0)  # slip after which it cuts in at a lower level
    downgrade: bool = True                                    # may cut in at a lower level (redesign)


@dataclass
class TechCfg:
    """Technology levels of magnet making, China's frontier, access and the cut-in rule."""

    levels: List[str] = field(default_factory=lambda: ["sintered", "gbd", "hre_free", "next"])
    frontier_level: int = setting(1, lo=0, hi=9)                  # China's level at the run's start
    frontier_next: str = setting("2027-07", month=True)           # month China reaches the next level
    frontier_cadence_months: int = setting(48, lo=1, hi=240)      # months between later frontier steps
    development_lag_months: float = setting(48.0, lo=0.0, hi=240.0)   # outside China: own development behind the frontier
    licence_lag_months: float = setting(12.0, lo=0.0, hi=240.0)   # outside China: with licensed Chinese technology
    tech_ban: bool = True                                         # China forbids licensing magnet-making technology
    upgrade_rule: bool = False                                    # China's rule on line-upgrade services abroad in force
    upgrade_rule_delay_months: float = setting(12.0, lo=0.0, hi=120.0)   # extra development months while it is
    holdback_months: Dict[str, float] = setting(keys="tier", lo=0.0, hi=240.0, factory=dict)   # newest level held back, per tier
    defense_qualification_months: float = setting(24.0, lo=0.0, hi=120.0)
    domestic_qualification_months: float = setting(0.0, lo=0.0, hi=120.0)   # China's buyers of Chinese makers
    secure_months: float = setting(1.5, lo=0.0, hi=36.0)          # months of the new need secured before a cut-in
    defense_downgrade: bool = False                                # defense programs may cut in at a lower level
    defense_downgrade_after_months: float = setting(36.0, lo=0.0, hi=240.0)
    other_slip_mean_months: float = nonneg(0.0)                    # mean slip of other causes (software, integration)
    sectors: Dict[str, SectorCfg] = setting(keys="sector", factory=dict)
