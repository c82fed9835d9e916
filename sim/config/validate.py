"""Rule checks on a composed config, each failure one line naming the key and the rule.

Types and unknown keys are rejected by Hydra against :mod:`sim.config.schema`; this module checks
what types cannot: ranges, allowed values, month strings and references between keys.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from typing import Any

from sim.calendar import FIRST_MONTH, LAST_MONTH, parse_month
from sim.config.errors import ConfigError
from sim.config.schema import Config
from sim.vocab import CIRCLES, MATERIALS, SECTORS


def _check_value(path: str, value: Any, meta: dict, refs: dict) -> None:
    lo, hi = meta.get("lo"), meta.get("hi")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            raise ConfigError(f"{path}: NaN is not allowed")
        if isinstance(value, float) and math.isinf(value) and not meta.get("unlimited"):
            raise ConfigError(f"{path}={value} is not allowed: give a finite number (inf means 'unlimited' "
                              f"only for {UNLIMITED})")
        if lo is not None and value < lo or hi is not None and value > hi:
            bounds = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
            raise ConfigError(f"{path}={value} is out of range: allowed {bounds}")
    choices = meta.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{path}='{value}' is not allowed: choose one of {', '.join(choices)}")
    if meta.get("month"):
        try:
            month = parse_month(value)
        except ValueError:
            raise ConfigError(f"{path}='{value}' is not a month: use YYYY-MM") from None
        if not parse_month(FIRST_MONTH) <= month <= parse_month(LAST_MONTH):
            raise ConfigError(f"{path}='{value}' is out of range: allowed {FIRST_MONTH} .. {LAST_MONTH}")
    ref = meta.get("ref")
    if ref and value not in refs[ref]:
        raise ConfigError(
            f"{path}='{value}' is not a known {ref}: known are {', '.join(sorted(refs[ref]))}"
        )


_FIELDS: dict[type, dict[str, dict]] = {}
UNLIMITED = "world.refiners.<id>.feed_tpy and regime.export_quota_tpy.<material>"   # fields with unlimited=True
# A run keeps every replicate's table in memory: about this many bytes per replicate-month
# (261 rows of ~30 B in the default world, measured), and at most MAX_RUN_BYTES in all.
BYTES_PER_REPLICATE_MONTH = 8_000
MAX_RUN_BYTES = 2 * 2**30


def _fields_of(obj: Any) -> dict[str, dict]:
    """Field name -> its rule metadata, per dataclass type (cached: validation runs per design point)."""
    cls = type(obj)
    if cls not in _FIELDS:
        _FIELDS[cls] = {f.name: dict(f.metadata) for f in fields(cls)}
    return _FIELDS[cls]


def _walk(path: str, obj: Any, refs: dict) -> None:
    names = _fields_of(obj)
    # OmegaConf keeps keys added with Hydra's '+' as extra attributes: reject them here.
    extra = sorted(set(vars(obj)) - set(names))
    if extra:
        key = f"{path}.{extra[0]}" if path else extra[0]
        raise ConfigError(f"unknown key '{key}' (check the spelling); valid keys here: {', '.join(names)}")
    for name, meta in names.items():
        _check_field(f"{path}.{name}" if path else name, getattr(obj, name), meta, refs)


def _unknown_id(path: str, key: str, keyref: str, refs: dict) -> ConfigError:
    return ConfigError(f"{path}.{key}: '{key}' is not a known {keyref}: known are {', '.join(sorted(refs[keyref]))}")


def _check_field(key: str, value: Any, meta: dict, refs: dict) -> None:
    """Check one field's value (a sub-config, a map, a list or a plain value) against its rules."""
    if is_dataclass(value):
        _walk(key, value, refs)
    elif isinstance(value, dict):
        keyref = meta.get("keys")
        for k, v in value.items():
            if keyref and k not in refs[keyref]:
                raise _unknown_id(key, k, keyref, refs)
            _walk(f"{key}.{k}", v, refs) if is_dataclass(v) else _check_value(f"{key}.{k}", v, meta, refs)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(f"{key}.{i}", v, refs) if is_dataclass(v) else _check_value(f"{key}.{i}", v, meta, refs)
    else:
        _check_value(key, value, meta, refs)


def _check_path(cfg: Config, key: str, refs: dict) -> None:
    """Check the value at one dotted ``key`` with the rules a full walk applies there."""
    node: Any = cfg
    meta: dict = {}
    path = ""
    for part in key.split("."):
        if is_dataclass(node):
            meta = _fields_of(node)[part]
            node = getattr(node, part)
        elif isinstance(node, dict):
            if meta.get("keys") and part not in refs[meta["keys"]]:
                raise _unknown_id(path, part, meta["keys"], refs)
            node = node[part]
        else:
            node = node[int(part)]
        path = f"{path}.{part}" if path else part
    _check_field(path, node, meta, refs)


def validate(cfg: Config, changed: Sequence[str] | None = None) -> Config:
    """Check every rule of ``cfg`` and return it unchanged.

    Args:
        cfg: the config.
        changed: dotted keys set on an already validated config (a design point): only their
            values are checked key by key; the rules between keys and the events are checked
            in full. None checks every value.

    Raises:
        ConfigError: on the first broken rule, naming the key and the allowed values.
    """
    refs = _refs(cfg)
    if changed is None:
        _walk("", cfg, refs)
    else:
        for key in changed:
            _check_path(cfg, key, refs)
    _rules(cfg, refs)
    _validate_events(cfg, refs)
    return cfg


def _refs(cfg: Config) -> dict[str, set]:
    refs = {"country": set(cfg.world.countries), "tier": set(cfg.regime.tiers),
            "material": set(MATERIALS), "circle": set(CIRCLES), "sector": set(SECTORS)}
    if "CN" not in refs["country"]:
        raise ConfigError("world.countries: China ('CN') must be present")
    return refs


def _rules(cfg: Config, refs: dict) -> None:
    """The rules between keys (sums, references, dates), which no single value's check can see."""
    world = cfg.world
    for rid, ref in world.refiners.items():
        total = sum(ref.offtake.values())
        if total > 1.0 + 1e-9:
            raise ConfigError(
                f"world.refiners.{rid}.offtake: shares sum to {total:.3g}, allowed at most 1"
            )
        if ref.heavy_tpy > 0 and ref.stage != "separation":
            raise ConfigError(f"world.refiners.{rid}.heavy_tpy: only separation plants make heavy oxide")
    if "US" in world.countries and world.countries["US"].reserve_budget_usd > 0:
        raise ConfigError("world.countries.US.reserve_budget_usd: set Project Vault with us.vault_budget_usd")
    if "CN" in cfg.alignment.choosers:
        raise ConfigError("alignment.choosers: China ('CN') leads circle B and cannot choose")
    if cfg.club.leader == "CN" or "CN" in cfg.club.candidates:
        raise ConfigError("club: China ('CN') cannot lead or join the US-led minerals club")
    if cfg.club.leader in cfg.club.candidates:
        raise ConfigError(f"club.candidates: the leader '{cfg.club.leader}' is a member from club.start, not a candidate")
    missing = sorted(refs["country"] - {"CN"} - set(cfg.regime.destination_tier))
    if missing:
        raise ConfigError(
            f"regime.destination_tier: no tier for {', '.join(missing)}: every country but CN needs one"
        )
    start = parse_month(cfg.start)
    if start + cfg.months - 1 > parse_month(LAST_MONTH):
        raise ConfigError(f"months={cfg.months}: the run from start={cfg.start} would end after {LAST_MONTH}")
    need = cfg.replicates * cfg.months * BYTES_PER_REPLICATE_MONTH
    if need > MAX_RUN_BYTES:
        most = MAX_RUN_BYTES // (cfg.months * BYTES_PER_REPLICATE_MONTH)
        raise ConfigError(
            f"replicates={cfg.replicates} is too many for one run: its table would need ~{need / 2**30:.1f} GiB "
            f"of memory at months={cfg.months} (allowed replicates <= {most}); for more, run a study "
            "(python -m sim.sweep), which streams runs to disk")
    _tech_rules(cfg)
    for pid, prod in world.producers.items():
        for key, prog in prod.programs.items():
            for i, order in enumerate(prog.orders):
                if order.special_budget and order.country != "TW":
                    raise ConfigError(f"world.producers.{pid}.programs.{key}.orders.{i}.special_budget: "
                                      "only Taiwan's orders wait for a special budget (D57)")
        for key, prog in prod.programs.items():
            for i, order in enumerate(prog.orders):
                if parse_month(order.order_month) > start + cfg.months:
                    raise ConfigError(
                        f"world.producers.{pid}.programs.{key}.orders.{i}.order_month="
                        f"{order.order_month} is after the run's end"
                    )


def _tech_rules(cfg: Config) -> None:
    """Technology ladder, generations and sectors (docs/ODD.md S23-S25)."""
    tech, top = cfg.tech, len(cfg.tech.levels) - 1
    if top < 0 or len(set(tech.levels)) != len(tech.levels):
        raise ConfigError(f"tech.levels={list(tech.levels)}: give at least one level, each name once")
    if tech.frontier_level > top:
        raise ConfigError(f"tech.frontier_level={tech.frontier_level} is above the ladder's top: allowed 0..{top}")
    shares = sum(s.share for s in tech.sectors.values())
    if shares > 1.0 + 1e-9:
        raise ConfigError(f"tech.sectors: shares sum to {shares:.3g}, allowed at most 1")
    for rid, ref in cfg.world.refiners.items():
        if ref.tech_level > top:
            raise ConfigError(f"world.refiners.{rid}.tech_level={ref.tech_level} is above the ladder's top: "
                              f"allowed 0..{top}")
    for pid, prod in cfg.world.producers.items():
        for key, prog in prod.programs.items():
            path = f"world.producers.{pid}.programs.{key}.generations"
            if prog.follows_frontier and prog.generations:
                raise ConfigError(f"{path}: a program that follows_frontier takes China's frontier steps; "
                                  "give no generations")
            for i, gen in enumerate(prog.generations):
                if gen.level > top:
                    raise ConfigError(f"{path}.{i}.level={gen.level} is above the ladder's top: allowed 0..{top} "
                                      f"({', '.join(tech.levels)})")
                if i == 0:
                    continue
                before = prog.generations[i - 1]
                if parse_month(gen.cut_in) <= parse_month(before.cut_in):
                    raise ConfigError(f"{path}.{i}.cut_in={gen.cut_in}: cut-in months must increase "
                                      f"(the one before is {before.cut_in})")
                if gen.level < before.level:
                    raise ConfigError(f"{path}.{i}.level={gen.level}: levels must not decrease along a ladder "
                                      f"(the one before needs {before.level})")


def _validate_events(cfg: Config, refs: dict) -> None:
    """Each event names a schedulable key and sets a valid value (its month is checked as a month).

    The value is set in place for the check and put back: the rest of ``cfg`` has passed.
    """
    from sim.config.events import SCHEDULABLE, applied, match

    for name, ev in cfg.events.items():
        path = f"events.{name}"
        if match(ev.key) is None:
            raise ConfigError(f"{path}.key='{ev.key}' cannot be scheduled: allowed are {SCHEDULABLE}")
        try:
            with applied(cfg, ev.key, ev.value) as trial:
                try:
                    _check_path(trial, ev.key, refs)
                    _rules(trial, refs)
                except ConfigError as exc:
                    raise ConfigError(f"{path}.value={ev.value!r} breaks a rule: {exc}") from None
        except (KeyError, AttributeError):
            raise ConfigError(f"{path}.key='{ev.key}' names an id that does not exist") from None
        except TypeError as exc:
            raise ConfigError(f"{path}.value={ev.value!r}: {exc} for {ev.key}") from None
