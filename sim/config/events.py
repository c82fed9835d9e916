"""Dated events: a config value that changes at a given month of the run.

Only keys the model reads while it runs can be scheduled; each is resolved to an array
position when the world is built, so firing an event is a plain assignment.
"""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from sim.calendar import month_offset
from sim.config.overrides import Override, UnknownKey, WrongValue, trial, typed
from sim.config.schema import Config

# key pattern -> (kind, names of the captured parts)
PATTERNS = {
    r"regime\.destination_tier\.(\w+)": "destination_tier",
    r"regime\.tiers\.(\w+)\.(approval_prob|review_days_mean|review_days_cv|price_gradient|priority)": "tier",
    r"regime\.deny_military": "deny_military",
    r"regime\.controlled\.(\w+)": "controlled",
    r"regime\.export_quota_tpy\.(\w+)": "quota",
    r"us\.rated_order_share": "rated_share",
    r"us\.arms_transfer_rule": "transfer_rule",
    r"world\.countries\.(\w+)\.tariff_rise_on_cn": "tariff",
    r"tech\.tech_ban": "tech_ban",
    r"tech\.upgrade_rule": "upgrade_rule",
    r"tech\.holdback_months\.(\w+)": "holdback",
}
SCHEDULABLE = ("regime.destination_tier.<country>, regime.tiers.<tier>.<approval_prob|review_days_mean|"
               "review_days_cv|price_gradient|priority>, regime.deny_military, regime.controlled.<material>, "
               "regime.export_quota_tpy.<material>, us.rated_order_share, us.arms_transfer_rule, "
               "world.countries.<country>.tariff_rise_on_cn, tech.tech_ban, tech.upgrade_rule, "
               "tech.holdback_months.<tier>")


@dataclass(frozen=True)
class Event:
    """A resolved event: fires at month index ``t``."""

    name: str
    t: int
    kind: str
    parts: tuple[str, ...]
    value: Any


def match(key: str) -> tuple[str, tuple[str, ...]] | None:
    """The kind and captured ids of a schedulable key, or None."""
    for pattern, kind in PATTERNS.items():
        found = re.fullmatch(pattern, key)
        if found:
            return kind, found.groups()
    return None


@contextmanager
def applied(cfg: Config, key: str, value: Any):
    """``cfg`` with ``value`` at ``key`` inside the block, restored after (to validate an event).

    The value is set like a design point's (:mod:`sim.config.overrides`: ``++key=value``, the
    schema's type rules), so a material absent from a map (no quota, no licence) can be scheduled.

    Raises:
        KeyError: ``key`` names nothing; TypeError: ``value`` does not fit the key's type (the rule).
    """
    stack = ExitStack()
    try:
        stack.enter_context(trial(cfg, Override(key, value)))
    except UnknownKey:
        raise KeyError(key) from None
    except WrongValue as exc:
        raise TypeError(exc.rule) from None
    with stack:
        yield cfg


def resolve(cfg: Config) -> list[Event]:
    """The config's events as :class:`Event` objects, in firing order, values in their key's type.

    An event dated before the run's start is already in force at the start (``t`` < 0: the
    model applies it before the warm-up); one dated after the run's end never fires and is
    dropped.
    """
    out = []
    for name, ev in cfg.events.items():
        kind, parts = match(ev.key)
        t = month_offset(ev.month, cfg.start)
        if t < cfg.months:
            out.append(Event(name, t, kind, parts, typed(cfg, ev.key, ev.value)))
    return sorted(out, key=lambda e: (e.t, e.name))


