"""Dated events: a config value that changes at a given month of the run.

Only keys the model reads while it runs can be scheduled; each is resolved to an array
position when the world is built, so firing an event is a plain assignment.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sim.calendar import month_offset
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
}
SCHEDULABLE = ("regime.destination_tier.<country>, regime.tiers.<tier>.<approval_prob|review_days_mean|"
               "review_days_cv|price_gradient|priority>, regime.deny_military, regime.controlled.<material>, "
               "regime.export_quota_tpy.<material>, us.rated_order_share, us.arms_transfer_rule, "
               "world.countries.<country>.tariff_rise_on_cn")


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


def set_path(cfg: Config, key: str, value: Any) -> None:
    """Assign ``value`` at dotted ``key`` inside a Config dataclass tree (dicts included)."""
    parent, _, last = key.rpartition(".")
    node = get_path(cfg, parent) if parent else cfg   # a top-level key (``start``) has no parent
    if isinstance(node, dict):
        node[last] = value   # unknown ids are caught by the rules on the map's keys
    else:
        if not hasattr(node, last):
            raise KeyError(key)
        setattr(node, last, value)


def get_path(cfg: Config, key: str) -> Any:
    """The value at dotted ``key`` (KeyError/AttributeError if a part is missing)."""
    node: Any = cfg
    for part in key.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def same_kind(old: Any, new: Any) -> bool:
    """Whether ``new`` may replace ``old``: numbers for numbers, bools for bools, text for text."""
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool)
    if isinstance(old, (int, float)):
        return isinstance(new, (int, float))
    return isinstance(new, type(old))


@contextmanager
def applied(cfg: Config, key: str, value: Any):
    """``cfg`` with ``value`` at ``key`` inside the block, restored after (to validate an event).

    Raises:
        KeyError, AttributeError: ``key`` names nothing; TypeError: ``value`` is of another kind.
    """
    parent, _, last = key.rpartition(".")
    node = get_path(cfg, parent)
    absent = object()
    before = node.get(last, absent) if isinstance(node, dict) else getattr(node, last)
    if before is absent:
        # A material missing from these maps has its default: no quota, no licence.
        if key.startswith("regime.export_quota_tpy."):
            old = float("inf")
        elif key.startswith("regime.controlled."):
            old = False
        else:
            raise KeyError(key)
    else:
        old = before
    if not same_kind(old, value):
        raise TypeError(f"expected a {type(old).__name__}, got {type(value).__name__}")
    set_path(cfg, key, value)
    try:
        yield cfg
    finally:
        if before is absent:
            del node[last]
        else:
            set_path(cfg, key, before)


def resolve(cfg: Config) -> list[Event]:
    """The config's events as :class:`Event` objects, in firing order.

    An event dated before the run's start is already in force at the start (``t`` < 0: the
    model applies it before the warm-up); one dated after the run's end never fires and is
    dropped.
    """
    out = []
    for name, ev in cfg.events.items():
        kind, parts = match(ev.key)
        t = month_offset(ev.month, cfg.start)
        if t < cfg.months:
            out.append(Event(name, t, kind, parts, ev.value))
    return sorted(out, key=lambda e: (e.t, e.name))


