"""Attribution (docs/ODD.md S26): how much of a buyer's generation lag China's metering causes.

With ``attribution=true`` every replicate is run twice with the same seed: once on the config
as given, once on :func:`without_metering` of it (the counterfactual). The replicate's table
then gains, for every entity with ``generation_lag_cycles`` (programs, ``country:<ID>``,
``circle:A``, ``<sector>:<ID>``), the metric ``rhythm_share``: per month ``t``, the cumulative
share

    rhythm_share(t) = 1 - sum_{s<=t} lag_cf(s) / sum_{s<=t} lag(s)

where ``lag`` is the entity's ``generation_lag_cycles`` in the run and ``lag_cf`` in the
counterfactual, both summed from the run's first month to ``t``. It is 0 while the cumulative
lag is 0 (nothing to attribute), 1 when the counterfactual never lags, and 0.4 when switching
metering off removes 40% of the cycle-months of lag so far. It is not clipped: a negative value
says the counterfactual lags more than the run. That can happen because only China's metering
is switched off and everything else responds: metering raises prices outside China and drives
investment in plants there and the allied club (S20-S21), which defense buyers bound by DFARS
need, so without it fewer of those plants may be built; and once the two paths differ, the same
seed's draws (licence decisions, review times) fall on different lots, so a short window can
differ by chance. The counterfactual's own rows are not kept.

What the counterfactual switches off (China's metering, and nothing else):

- no holdback of China's newest level from any tier (``tech.holdback_months.<tier>`` = 0);
- licences at the friendly tier's terms: every destination in ``regime.destination_tier`` and
  every circle in ``alignment.tier_for_circle`` gets the tier with the highest
  ``approval_prob`` (:func:`friendly_tier`; ``preferred`` in conf/regime/default.yaml), so
  approval rate, review time, price gradient and priority are that tier's;
- no military end-use denial (``regime.deny_military=false``);
- no technology export ban and no rule on line-upgrade services (``tech.tech_ban=false``,
  ``tech.upgrade_rule=false``);
- no reaction: ``regime.reaction.tighten=0`` and ``regime.reaction.slow=0`` (no tighter
  approvals, no slower reviews), a club member is moved to the friendly tier
  (``regime.reaction.club_tier``), and the extraterritorial rule never returns
  (``regime.extraterritorial_from`` = the calendar's last month, 2099-12: the pressure
  threshold ``regime.reaction.extraterritorial_at`` cannot be set beyond reach, since pressure
  is clipped to [0, 1] and can reach 1);
- dated events that would switch any of these back on are dropped: those whose key starts with
  ``regime.destination_tier``, ``regime.deny_military``, ``regime.tiers.`` or ``tech.``.

Everything else stays as it is: which materials need a licence (``regime.controlled``) and a
licence is still needed for them (at the friendly tier's approval rate), export quotas, China's
domestic-first cover, the tiers' own terms, China's technology frontier, and everything on the
US and allied side (DFARS, rated orders, arms-transfer rule, tariffs, the club, investment,
reserves) with its events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import LAST_MONTH
from sim.config.overrides import Override, apply
from sim.config.schema import Config

LAG = "generation_lag_cycles"
SHARE = "rhythm_share"
METERING_EVENTS = ("regime.destination_tier", "regime.deny_military", "regime.tiers.", "tech.")


def friendly_tier(cfg: Config) -> str:
    """The tier with the highest ``approval_prob`` (ties: the higher priority, then the shorter review)."""
    return max(cfg.regime.tiers, key=lambda name: (cfg.regime.tiers[name].approval_prob,
                                                   cfg.regime.tiers[name].priority,
                                                   -cfg.regime.tiers[name].review_days_mean))


def metering_off(cfg: Config) -> list[Override]:
    """The overrides that switch China's metering off in ``cfg`` (see the module docstring)."""
    friendly = friendly_tier(cfg)
    sets = [(f"tech.holdback_months.{tier}", 0.0) for tier in cfg.tech.holdback_months]
    sets += [(f"regime.destination_tier.{c}", friendly) for c in cfg.regime.destination_tier]
    sets += [(f"alignment.tier_for_circle.{k}", friendly) for k in cfg.alignment.tier_for_circle]
    sets += [("regime.deny_military", False), ("tech.tech_ban", False), ("tech.upgrade_rule", False),
             ("regime.reaction.tighten", 0.0), ("regime.reaction.slow", 0.0),
             ("regime.reaction.club_tier", friendly), ("regime.extraterritorial_from", LAST_MONTH)]
    out = [Override(key, value) for key, value in sets]
    out += [Override(f"events.{name}", op="del") for name, ev in cfg.events.items()
            if ev.key.startswith(METERING_EVENTS)]
    return out


def without_metering(cfg: Config) -> Config:
    """A copy of ``cfg`` with China's metering switched off, validated (``cfg`` is unchanged).

    Raises:
        ConfigError: the result breaks a rule (one line naming the key).
    """
    return apply(cfg, metering_off(cfg))


def rhythm_share(frame: pd.DataFrame, counterfactual: pd.DataFrame) -> pd.DataFrame:
    """The ``rhythm_share`` rows of one replicate, in the tidy table's columns.

    Args:
        frame: the replicate's table (``month, scenario, seed, metric, entity, value``).
        counterfactual: the same seed's table without metering.

    Returns:
        One row per month and entity with ``generation_lag_cycles`` in ``frame``.

    Raises:
        ValueError: the two tables do not cover the same months and entities.
    """
    lag, lag_cf = (_lags(t) for t in (frame, counterfactual))
    if lag.empty:
        return frame.iloc[:0]
    if not (lag.index.equals(lag_cf.index) and lag.columns.equals(lag_cf.columns)):
        raise ValueError("the run and its counterfactual differ in months or entities")
    total, total_cf = lag.cumsum().to_numpy(), lag_cf.cumsum().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, 1.0 - total_cf / total, 0.0)
    rows = frame[frame["metric"] == LAG]
    n_t, n_e = share.shape
    return pd.DataFrame({
        "month": np.tile(lag.index.to_numpy(), n_e),
        "scenario": rows["scenario"].iloc[0],
        "seed": rows["seed"].iloc[0],
        "metric": SHARE,
        "entity": np.repeat(lag.columns.to_numpy(), n_t),
        "value": share.T.ravel(),
    })


def _lags(table: pd.DataFrame) -> pd.DataFrame:
    """``generation_lag_cycles`` as months x entities, entities in order of first appearance."""
    rows = table[table["metric"] == LAG]
    entities = pd.unique(rows["entity"])
    return rows.pivot(index="month", columns="entity", values="value")[entities].sort_index()
