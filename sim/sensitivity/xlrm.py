"""The XLRM declaration (``conf/sensitivity/xlrm.yaml``): uncertain inputs, levers, outcomes.

Every sampler here works in the unit cube: a design is an array ``unit[n, k]`` in ``[0, 1)``,
one column per input, and :func:`config_values` maps it onto config values (uniform over a
range, the integers of a range, or equally likely levels). The SALib problem is therefore
``bounds = [[0, 1]] * k`` (:func:`salib_problem`): Sobol indices do not depend on that scale,
and Morris elementary effects come out in outcome units per full range of the input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import ConfigError

XLRM_FILE = Path(__file__).resolve().parents[2] / "conf" / "sensitivity" / "xlrm.yaml"
REDUCTIONS = ("mean", "last", "max", "min", "sum")
KINDS = {"uncertainties": "uncertainty", "levers": "lever"}   # section -> Input.kind
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SOURCE = re.compile(r"\bD\d+\b|^assumption:")


@dataclass(frozen=True)
class Input:
    """One uncertain input or lever.

    Args:
        name: short name (column of samples and indices).
        kind: ``uncertainty`` or ``lever``.
        keys: config keys set to the sampled value (usually one).
        low, high: the range (None for levels).
        levels: the equally likely values (empty for a range).
        integer: sample the integers ``low..high``.
        unit: unit of the value; source: DATA.md fact id(s) or ``assumption: why``.
    """

    name: str
    kind: str
    keys: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    levels: tuple[Any, ...] = ()
    integer: bool = False
    unit: str = ""
    source: str = ""

    def value(self, u: float) -> Any:
        """The config value at unit coordinate ``u`` in [0, 1]."""
        if self.levels:
            return self.levels[min(int(math.floor(u * len(self.levels))), len(self.levels) - 1)]
        if self.integer:
            return int(min(math.floor(self.low + u * (self.high - self.low + 1)), self.high))
        return float(self.low + u * (self.high - self.low))


@dataclass(frozen=True)
class Outcome:
    """A named scalar reduction of one series of a run: ``reduce`` over months ``start..end``."""

    name: str
    metric: str
    entity: str
    start: str
    end: str
    reduce: str = "mean"
    unit: str = ""
    label: str = ""


@dataclass(frozen=True)
class XLRM:
    """The declaration: inputs (uncertainties, then levers) and outcomes, in file order."""

    inputs: tuple[Input, ...]
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.inputs]

    def select(self, names: list[str] | None = None, outcomes: list[str] | None = None) -> XLRM:
        """The declaration restricted to some inputs and outcomes (ConfigError on unknown names)."""
        for asked, known, what in ((names, self.names, "input"), (outcomes, list(self.outcomes), "outcome")):
            unknown = sorted(set(asked or ()) - set(known))
            if unknown:
                raise ConfigError(f"unknown {what} '{unknown[0]}'; declared: {', '.join(known)}")
        inputs = tuple(i for i in self.inputs if names is None or i.name in names)
        kept = {k: o for k, o in self.outcomes.items() if outcomes is None or k in outcomes}
        return XLRM(inputs, kept)


def _input(name: str, kind: str, doc: dict) -> Input:
    where = f"{kind}.{name}"
    allowed = {"key", "keys", "range", "levels", "integer", "unit", "source"}
    extra = sorted(set(doc) - allowed)
    if extra:
        raise ConfigError(f"{where}: unknown field '{extra[0]}'; allowed: {', '.join(sorted(allowed))}")
    if ("key" in doc) == ("keys" in doc):
        raise ConfigError(f"{where}: give key (one config key) or keys (a list)")
    keys = (doc["key"],) if "key" in doc else tuple(doc["keys"] or ())
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise ConfigError(f"{where}: keys must be non-empty config keys")
    source = str(doc.get("source") or "")
    if not _SOURCE.search(source):
        raise ConfigError(f"{where}.source: cite a DATA.md fact (D12) or start with 'assumption:'")
    if ("range" in doc) == ("levels" in doc):
        raise ConfigError(f"{where}: give range: [lo, hi] or levels: [a, b, ...]")
    common = {"name": name, "kind": KINDS[kind], "keys": keys,
              "unit": str(doc.get("unit") or ""), "source": source}
    if "levels" in doc:
        levels = tuple(doc["levels"] or ())
        if len(levels) < 2 or len(set(levels)) != len(levels):
            raise ConfigError(f"{where}.levels: give at least two distinct values")
        return Input(levels=levels, **common)
    bounds = list(doc["range"] or ())
    if len(bounds) != 2 or not all(isinstance(b, (int, float)) for b in bounds) or not bounds[0] < bounds[1]:
        raise ConfigError(f"{where}.range={bounds}: give [lo, hi] with lo < hi")
    integer = bool(doc.get("integer", False))
    if integer and not all(float(b).is_integer() for b in bounds):
        raise ConfigError(f"{where}.range={bounds}: an integer input needs integer bounds")
    return Input(low=float(bounds[0]), high=float(bounds[1]), integer=integer, **common)


def _outcome(name: str, doc: dict) -> Outcome:
    where = f"outcomes.{name}"
    allowed = {"metric", "entity", "window", "reduce", "unit", "label"}
    extra = sorted(set(doc) - allowed)
    if extra:
        raise ConfigError(f"{where}: unknown field '{extra[0]}'; allowed: {', '.join(sorted(allowed))}")
    for need in ("metric", "entity", "window"):
        if need not in doc:
            raise ConfigError(f"{where}: missing '{need}'")
    window = list(doc["window"] or ())
    if len(window) != 2 or not all(_MONTH.match(str(m)) for m in window) or str(window[0]) > str(window[1]):
        raise ConfigError(f"{where}.window={window}: give [first, last] months as YYYY-MM, first <= last")
    reduce = str(doc.get("reduce", "mean"))
    if reduce not in REDUCTIONS:
        raise ConfigError(f"{where}.reduce={reduce!r}: choose one of {', '.join(REDUCTIONS)}")
    return Outcome(name, str(doc["metric"]), str(doc["entity"]), str(window[0]), str(window[1]), reduce,
                   str(doc.get("unit") or ""), str(doc.get("label") or name))


def parse_xlrm(doc: dict) -> XLRM:
    """A declaration from its plain mapping (see ``conf/sensitivity/xlrm.yaml``).

    Raises:
        ConfigError: an unknown field, a bad range, window or reduction, a missing source.
    """
    extra = sorted(set(doc) - {*KINDS, "outcomes"})
    if extra:
        raise ConfigError(f"xlrm: unknown section '{extra[0]}'; allowed: uncertainties, levers, outcomes")
    inputs = [_input(str(n), kind, d or {}) for kind in KINDS for n, d in (doc.get(kind) or {}).items()]
    names = [i.name for i in inputs]
    if not inputs or len(set(names)) != len(names):
        raise ConfigError("xlrm: declare at least one input, each name once across uncertainties and levers")
    keys = [k for i in inputs for k in i.keys]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ConfigError(f"xlrm: config key '{dup}' belongs to two inputs")
    outcomes = {str(n): _outcome(str(n), d or {}) for n, d in (doc.get("outcomes") or {}).items()}
    if not outcomes:
        raise ConfigError("xlrm: declare at least one outcome")
    return XLRM(tuple(inputs), outcomes)


def load_xlrm(path: str | Path | None = None) -> XLRM:
    """The declaration in ``path`` (default ``conf/sensitivity/xlrm.yaml``)."""
    from omegaconf import OmegaConf

    path = Path(path) if path is not None else XLRM_FILE
    if not path.is_file():
        raise ConfigError(f"xlrm: no such file {path}")
    return parse_xlrm(OmegaConf.to_container(OmegaConf.load(path), resolve=True))


def salib_problem(xlrm: XLRM) -> dict:
    """The SALib problem over the unit cube, one variable per input."""
    return {"num_vars": len(xlrm.inputs), "names": xlrm.names, "bounds": [[0.0, 1.0]] * len(xlrm.inputs)}


def _check(xlrm: XLRM, unit: np.ndarray) -> np.ndarray:
    unit = np.asarray(unit, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != len(xlrm.inputs):
        raise ValueError(f"unit sample: expected shape (n, {len(xlrm.inputs)}), got {unit.shape}")
    return unit


def input_values(xlrm: XLRM, unit: np.ndarray) -> pd.DataFrame:
    """Each input's value per design point (one column per input name; levels as text)."""
    unit = _check(xlrm, unit)
    return pd.DataFrame({i.name: [i.value(u) for u in unit[:, j]] for j, i in enumerate(xlrm.inputs)})


def config_values(xlrm: XLRM, unit: np.ndarray) -> pd.DataFrame:
    """The study runner's design table: one column per config key (a design ``sample``)."""
    values = input_values(xlrm, unit)
    return pd.DataFrame({key: values[i.name] for i in xlrm.inputs for key in i.keys})


def describe(xlrm: XLRM) -> pd.DataFrame:
    """The declaration as a table: name, kind, keys, range or levels, unit, source."""
    rows = [{"input": i.name, "kind": i.kind, "keys": ", ".join(i.keys),
             "range": (" | ".join(map(str, i.levels)) if i.levels else f"[{i.low:g}, {i.high:g}]"
                       + (" integer" if i.integer else "")),
             "unit": i.unit, "source": i.source} for i in xlrm.inputs]
    return pd.DataFrame(rows)
