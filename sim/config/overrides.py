"""One way to set ``key=value`` on a composed config: the CLI, the study runner, events and the page.

An override is parsed with Hydra's own grammar (:class:`OverridesParser`, the public parser
Hydra's sweepers and launchers use) and set on a copy of a composed, validated
:class:`~sim.config.schema.Config` -- the step Hydra takes on its DictConfig once the defaults
are composed -- and then only the keys it changed, the rules between keys and the events are
validated (milliseconds, so a study can check thousands of design points).

The operations are Hydra's: ``key=v`` changes a key that exists, ``+key=v`` adds a map entry
(``world.refiners.<id>.offtake.<country>``), ``++key=v`` adds or changes, ``~key`` (or
``~key=v``) removes a map entry. A design point's or an event's ``(key, value)`` pair sets
like ``++key=value``. The type rules, whatever the source, follow the schema's annotation:

- a bool key takes a bool; a str key a str; a float key an int or a float;
- an int key takes an int, or a whole float such as a sampled ``3.0`` (3.5 is refused) -- but
  on the command line an int is written without a point (``months=24``): Hydra's own run reads
  the same text and refuses ``24.0``;
- None only where the annotation is ``Optional``; an ``Any`` key (an event's value) takes any value;
- a map or sub-config takes a ``{key: value}`` dict, merged key by key with these rules (new map
  entries only with ``+``/``++``); a list takes a list, each item under these rules.

Every failure is a :class:`ConfigError` whose message is one line naming the key and the rule.
"""

from __future__ import annotations

import copy
import functools
import numbers
import types
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from sim.config.errors import ConfigError
from sim.config.schema import Config
from sim.config.validate import validate

Op = Literal["change", "add", "force_add", "del"]
_ABSENT = object()


class UnknownKey(ConfigError):
    """The key names nothing in the config (a misspelt field, or a map entry that is not there);
    ``key`` is the dotted path up to the first part that names nothing."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class WrongValue(ConfigError):
    """The value does not fit the key's type; ``rule`` is the message without the key."""

    def __init__(self, key: str, value: Any, rule: str):
        super().__init__(f"{key}={value!r}: {rule}")
        self.key, self.value, self.rule = key, value, rule


@dataclass(frozen=True)
class Override:
    """One override: ``op`` is Hydra's (change, add ``+``, force_add ``++``, del ``~``).

    ``text`` is the command-line text it was parsed from, None for a Python value (a design
    point, an event), whose whole floats an int key accepts.
    """

    key: str
    value: Any = None
    op: Op = "force_add"
    text: str | None = None


@functools.cache
def _parser():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create()


def parse_hydra(texts: Iterable[str]) -> list:
    """Hydra's :class:`~hydra.core.override_parser.types.Override` objects for ``texts`` (sweeps too).

    Raises:
        ConfigError: a text that does not parse, as one line starting with it.
    """
    from hydra.errors import HydraException

    try:
        return _parser().parse_overrides(list(texts))
    except HydraException as exc:
        bad = getattr(exc, "override", None)
        raise ConfigError((f"{bad}: " if bad else "") + " ".join(str(exc).split())) from None


def parse(texts: Iterable[str]) -> list[Override]:
    """Value overrides (``key=value``, ``+key=value``, ``++key=value``, ``~key``) from their text.

    Raises:
        ConfigError: a text that does not parse, a sweep, a package (``@``) or an interpolation.
    """
    from hydra.core.override_parser.types import OverrideType

    ops = {OverrideType.CHANGE: "change", OverrideType.ADD: "add", OverrideType.FORCE_ADD: "force_add",
           OverrideType.DEL: "del"}
    out = []
    for o in parse_hydra(texts):
        text = o.input_line
        if o.is_sweep_override():
            raise ConfigError(f"{text}: a sweep; sweep with -m (one value per run)")
        if o.package is not None:
            raise ConfigError(f"{text}: '@{o.package}' applies to a config group, and '{o.key_or_group}' is not one")
        value = o.value()
        if "${" in repr(value):
            raise ConfigError(f"{text}: interpolations (${{...}}) are not taken here; give the value")
        out.append(Override(o.key_or_group, value, ops[o.type], text))
    return out


def as_overrides(items: Iterable[str | tuple[str, Any] | Override]) -> list[Override]:
    """``items`` as :class:`Override` objects: texts are parsed, ``(key, value)`` pairs set like ``++``."""
    out: list[Override] = []
    for item in items:
        if isinstance(item, str):
            out += parse([item])
        elif isinstance(item, Override):
            out.append(item)
        else:
            key, value = item
            out.append(Override(key, value))
    return out


def apply(base: Config, overrides: Iterable[str | tuple[str, Any] | Override], check: bool = True) -> Config:
    """A copy of ``base`` with each override set in order, validated when ``check``.

    ``base`` must have passed :func:`~sim.config.validate.validate` (a composed config has): the
    check covers the set values, the rules between keys and the events.

    Args:
        base: a validated config; left unchanged.
        overrides: texts (``"us.rated_order_share=0.9"``), ``(key, value)`` pairs or :class:`Override`.
        check: validate the result (False: the caller has validated the same overrides before).

    Raises:
        ConfigError: an unknown key, a value of the wrong type, or a broken rule (one line).
    """
    todo = as_overrides(overrides)
    cfg = copy.deepcopy(base)
    changed = [set_path(cfg, o) for o in todo]
    return validate(cfg, changed=changed) if check else cfg


def get_path(cfg: Any, key: str) -> Any:
    """The value at dotted ``key`` (:class:`UnknownKey` if a part names nothing)."""
    return _walk(cfg, key)[0]


def set_path(cfg: Config, override: Override) -> str:
    """Set ``override`` on ``cfg`` in place; returns the key whose value changed (for validation).

    Raises:
        ConfigError: as :func:`apply` (``cfg`` is unchanged then).
    """
    return _set(cfg, override)[0]


def typed(cfg: Config, key: str, value: Any) -> Any:
    """``value`` as it is set at ``key`` (a dated event's value, converted like a design point's).

    Raises:
        ConfigError: as :func:`apply`, for the value alone (rules between keys are not checked).
    """
    with trial(cfg, Override(key, value)):
        return copy.deepcopy(get_path(cfg, key))


@contextmanager
def trial(cfg: Config, override: Override) -> Iterator[str]:
    """``cfg`` with ``override`` set in place inside the block, put back after (to check one change
    of a large config without copying it). Yields the changed key.

    Raises:
        ConfigError: as :func:`apply`, before the block runs.
    """
    changed, node, name, before = _set(cfg, override)
    try:
        yield changed
    finally:
        if before is _ABSENT:
            del node[name]
        elif isinstance(node, dict):
            node[name] = before
        else:
            setattr(node, name, before)


# --- the rules --------------------------------------------------------------------------------

@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _walk(cfg: Any, key: str) -> tuple[Any, Any]:
    """The node at dotted ``key`` and its annotated type."""
    node, tp, path = cfg, type(cfg), ""
    for part in key.split(".") if key else ():
        here = f"{path}.{part}" if path else part
        if is_dataclass(node):
            hints = _hints(type(node))
            if part not in hints:
                raise UnknownKey(here, f"unknown key '{here}' (check the spelling); valid keys here: "
                                 f"{', '.join(f.name for f in fields(node))}")
            node, tp = getattr(node, part), hints[part]
        elif isinstance(node, dict):
            if part not in node:
                raise UnknownKey(here, f"unknown key '{here}': no such entry in {path}; "
                                       f"known are {', '.join(map(str, node))}")
            node, tp = node[part], _args(tp, 2)[1]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node, tp = node[int(part)], _args(tp, 1)[0]
        else:
            raise UnknownKey(here, f"unknown key '{here}': {path} holds no such item")
        path = here
    return node, tp


def _args(tp: Any, n: int) -> tuple:
    args = get_args(tp)
    return args if len(args) == n else (Any,) * n


def _set(cfg: Config, o: Override) -> tuple[str, Any, str, Any]:
    """Set ``o``; returns the changed key, the node holding the value, its name there, the value before."""
    parent_key, _, name = o.key.rpartition(".")
    node, tp = _walk(cfg, parent_key)
    literal = o.text is not None
    shown = o.text or f"{o.key}={o.value!r}"
    if is_dataclass(node):
        hints = _hints(type(node))
        if name not in hints:
            _walk(cfg, o.key)   # raises UnknownKey, listing the valid keys
        if o.op == "del":
            raise ConfigError(f"{shown}: '{o.key}' is a key of the schema; only map entries can be removed")
        before = getattr(node, name)
        if o.op == "add" and not isinstance(o.value, (dict, list)):
            raise ConfigError(f"{shown}: '{o.key}' is already set; drop the '+' to change it")
        setattr(node, name, _convert(o.key, hints[name], o.value, before, o.op != "change", literal))
        return o.key, node, name, before
    if not isinstance(node, dict):
        _walk(cfg, o.key)   # a list item or a single value: raises UnknownKey
        raise ConfigError(f"{shown}: set the whole list '{parent_key}' (e.g. {parent_key}=[a,b])")
    before = node.get(name, _ABSENT)
    if o.op == "del":
        if before is _ABSENT:
            raise UnknownKey(o.key, f"{shown}: cannot remove '{o.key}': no such entry")
        if o.value is not None and o.value != before:
            raise ConfigError(f"{shown}: cannot remove '{o.key}': its value is {before!r}, not {o.value!r}")
        del node[name]
        return parent_key, node, name, before
    if before is _ABSENT and o.op == "change":
        hint = "" if is_dataclass(_args(tp, 2)[1]) else f"; add one with +{o.key}=..."
        raise UnknownKey(o.key, f"unknown key '{o.key}': no such entry in {parent_key}{hint}")
    if before is not _ABSENT and o.op == "add" and not isinstance(o.value, (dict, list)):
        raise ConfigError(f"{shown}: '{o.key}' is already set; drop the '+' to change it")
    old = None if before is _ABSENT else before
    node[name] = _convert(o.key, _args(tp, 2)[1], o.value, old, o.op != "change", literal)
    return o.key, node, name, before


def _convert(key: str, tp: Any, value: Any, old: Any, add: bool, literal: bool) -> Any:
    """``value`` as the annotation ``tp`` at ``key`` wants it, merged onto ``old`` for maps and sub-configs.

    ``add``: new map entries are allowed; ``literal``: the value was parsed from text.
    """
    origin = get_origin(tp)
    if tp is Any:
        return copy.deepcopy(value)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in get_args(tp):
            return None
        tp = next(a for a in get_args(tp) if a is not type(None))
        origin = get_origin(tp)
    if is_dataclass(tp) or origin is dict:
        if is_dataclass(tp) and isinstance(value, tp):
            return copy.deepcopy(value)   # a whole sub-config object, from Python
        if not isinstance(value, dict):
            what = tp.__name__ if is_dataclass(tp) else "map"
            raise WrongValue(key, value, f"not a single value but a {what}; set one of its keys "
                                         f"({key}.<key>=...) or give a {{key: value}} map")
        if is_dataclass(tp):
            if old is None:   # OmegaConf 2.3 cannot make one from a dict either: Hydra's run would fail
                raise ConfigError(f"{key}: a new {tp.__name__} entry cannot be added by an override; "
                                  "add it in a config file under conf/")
            node = copy.deepcopy(old)
            hints = _hints(tp)
            for k, v in value.items():
                if k not in hints:
                    raise UnknownKey(f"{key}.{k}", f"unknown key '{key}.{k}' (check the spelling); valid keys here: "
                                     f"{', '.join(hints)}")
                setattr(node, k, _convert(f"{key}.{k}", hints[k], v, getattr(node, k), add, literal))
            return node
        if not value and old:   # Hydra merges maps: an empty one would silently change nothing
            removal = " ".join(f"~{key}.{k}" for k in old)
            raise ConfigError(f"{key}={{}} changes nothing: a map is merged key by key, not replaced; "
                              f"remove its entries one by one: {removal}")
        node = dict(old or {})
        for k, v in value.items():
            if not isinstance(k, str):
                raise WrongValue(f"{key}.{k}", v, f"map keys are names, got {_a(type(k))}")
            if k not in node and not add:
                raise UnknownKey(f"{key}.{k}", f"unknown key '{key}.{k}': no such entry; add entries with +{key}=...")
            node[k] = _convert(f"{key}.{k}", _args(tp, 2)[1], v, node.get(k), add, literal)
        return node
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise WrongValue(key, value, f"expected a list, got {_a(type(value))}")
        item = _args(tp, 1)[0]
        return [_convert(f"{key}.{i}", item, v, None, add, literal) for i, v in enumerate(value)]
    return _scalar(key, tp, value, literal)


def _scalar(key: str, tp: Any, value: Any, literal: bool) -> Any:
    """A single value under the type rules (see the module docstring)."""
    is_bool = isinstance(value, bool)
    if tp is bool and is_bool:
        return value
    if tp is int and not is_bool:
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real) and float(value).is_integer():
            if not literal:
                return int(value)
            raise WrongValue(key, value, f"expected an int: write {int(value)} (the command line reads "
                                         f"{value!r} as a float, and so does Hydra's run)")
        if isinstance(value, numbers.Real):
            raise WrongValue(key, value, "expected an int, got a number that is not whole")
    if tp is float and isinstance(value, numbers.Real) and not is_bool:
        return float(value)
    if tp not in (bool, int, float) and isinstance(value, tp):
        return value
    got = "None (no value)" if value is None else _a(type(value))
    raise WrongValue(key, value, f"expected {_a(tp)}, got {got}")


def _a(tp: type) -> str:
    name = getattr(tp, "__name__", str(tp))
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
