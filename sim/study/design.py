"""Study designs and their expansion into run specs.

A study is a base config (a scenario's composed config plus the study's ``overrides``) ×
a design (points, each a mapping of dotted config keys to values) × scenarios × replicate
seeds. The ``design`` mapping holds exactly one of:

- ``grid``: ``{key: [values, ...]}``, the cartesian product in the listed key order (the last
  key varies fastest);
- ``lhs``: ``{n: points, seed: int, ranges: {key: [lo, hi]}, integer: [keys]}``, a Latin
  hypercube (``scipy.stats.qmc.LatinHypercube``, scrambled, seeded) scaled to the ranges;
  keys listed in ``integer`` are sampled over the integers ``lo..hi`` (still stratified);
- ``sample``: a table handed in, one row per point and one column per key: a ``.csv`` or
  ``.parquet`` path, or a DataFrame through the Python API (e.g. from ``SALib.sample``).

An empty design is one point with no overrides. Replicate seeds are spawned from the
study's ``seed`` with ``numpy.random.SeedSequence`` (:func:`sim.runs.runner.replicate_seeds`);
replicate ``r`` gets the same seed at every design point and in every scenario (common
random numbers). Runs are numbered in the order point, scenario, replicate.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import ConfigError
from sim.runs.runner import replicate_seeds
from sim.vocab import RUNNABLE

CONF_STUDY = Path(__file__).resolve().parents[2] / "conf" / "study"
KINDS = ("grid", "lhs", "sample")


@dataclass(frozen=True)
class RunSpec:
    """One run: its id, design point, scenario, replicate, own seed and overrides."""

    run: str
    point: int
    scenario: str
    replicate: int
    seed: int
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclass
class Study:
    """A study: see the module docstring.

    Args:
        name: label, and the default output folder ``outputs/studies/<name>``.
        scenarios: scenario names (``conf/scenario``), each run in every design point.
        replicates: seeds per design point and scenario.
        seed: the study seed the replicate seeds are spawned from.
        overrides: Hydra override strings for the base config of every run (``months=24``).
        design: ``{"grid": ...}``, ``{"lhs": ...}``, ``{"sample": path or DataFrame}`` or ``{}``.
        chunk: runs per task and per part file (None: chosen from the run and worker counts).
    """

    name: str
    scenarios: tuple[str, ...] = ("rhythm_embedded",)
    replicates: int = 1
    seed: int = 0
    overrides: tuple[str, ...] = ()
    design: dict = field(default_factory=dict)
    chunk: int | None = None


def load_study(name: str, **changes) -> Study:
    """A study preset from ``conf/study/<name>.yaml`` (or a YAML path), with fields changed."""
    from omegaconf import OmegaConf

    path = Path(name) if name.endswith((".yaml", ".yml")) else CONF_STUDY / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CONF_STUDY.glob("*.yaml")))
        raise ConfigError(f"unknown study '{name}': known are {known} (or give a .yaml path)")
    doc = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    allowed = set(Study.__dataclass_fields__)
    extra = sorted(set(doc) - allowed)
    if extra:
        raise ConfigError(f"{path.name}: unknown key '{extra[0]}'; valid keys: {', '.join(sorted(allowed))}")
    doc.setdefault("name", path.stem)
    doc.update(changes)
    doc["scenarios"] = tuple(doc.get("scenarios") or Study.scenarios)
    doc["overrides"] = tuple(doc.get("overrides") or ())
    doc["design"] = doc.get("design") or {}
    return Study(**doc)


def _plain(value: Any) -> Any:
    """Numpy scalars to Python ones (for JSON and for config type checks)."""
    return value.item() if isinstance(value, np.generic) else value


def grid_points(grid: dict[str, list]) -> list[dict[str, Any]]:
    """The cartesian product of the listed values, last key fastest."""
    for key, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"design.grid.{key}: give a non-empty list of values")
    keys = list(grid)
    return [dict(zip(keys, map(_plain, combo))) for combo in itertools.product(*grid.values())]


def lhs_points(n: int, ranges: dict[str, list], seed: int, integer: list[str] = ()) -> list[dict[str, Any]]:
    """``n`` Latin-hypercube points over ``ranges`` (``{key: [lo, hi]}``), seeded."""
    from scipy.stats import qmc

    if not isinstance(n, int) or n < 1:
        raise ConfigError(f"design.lhs.n={n!r}: give a positive number of points")
    for key, bounds in ranges.items():
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise ConfigError(f"design.lhs.ranges.{key}={list(bounds)}: give [lo, hi] with lo < hi")
    unknown = sorted(set(integer) - set(ranges))
    if unknown:
        raise ConfigError(f"design.lhs.integer: '{unknown[0]}' has no range")
    keys = list(ranges)
    unit = qmc.LatinHypercube(d=len(keys), rng=np.random.default_rng(seed)).random(n)
    points = []
    for row in unit:
        point = {}
        for key, u in zip(keys, row):
            lo, hi = ranges[key]
            if key in integer:
                point[key] = int(min(math.floor(lo + u * (hi - lo + 1)), hi))
            else:
                point[key] = float(lo + u * (hi - lo))
        points.append(point)
    return points


def sample_points(sample: str | Path | pd.DataFrame) -> list[dict[str, Any]]:
    """One point per row of a table (a DataFrame, or a ``.csv``/``.parquet`` path)."""
    if isinstance(sample, pd.DataFrame):
        table = sample
    else:
        path = Path(sample)
        if not path.is_file():
            raise ConfigError(f"design.sample: no such file {path}")
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    if table.empty or not len(table.columns):
        raise ConfigError("design.sample: the table has no rows or no columns")
    return [{str(k): _plain(v) for k, v in row.items()} for row in table.to_dict("records")]


def design_points(design: dict) -> list[dict[str, Any]]:
    """The design's points, in order (see the module docstring)."""
    kinds = [k for k in design if k in KINDS]
    extra = sorted(set(design) - set(KINDS))
    if extra or len(kinds) > 1:
        raise ConfigError(f"design: give one of {', '.join(KINDS)} (got {', '.join(sorted(design))})")
    if not kinds:
        return [{}]
    kind, spec = kinds[0], design[kinds[0]]
    if kind == "grid":
        return grid_points(spec)
    if kind == "lhs":
        unknown = sorted(set(spec) - {"n", "seed", "ranges", "integer"})
        if unknown or "seed" not in spec:
            raise ConfigError("design.lhs: give n, seed, ranges (and optionally integer)"
                              + (f"; unknown key '{unknown[0]}'" if unknown else ""))
        return lhs_points(spec["n"], spec["ranges"], spec["seed"], spec.get("integer") or [])
    return sample_points(spec)


def expand(study: Study) -> list[RunSpec]:
    """Every run of ``study``: design points × scenarios × replicate seeds, numbered."""
    for name in study.scenarios:
        if name not in RUNNABLE:
            raise ConfigError(f"scenarios: unknown scenario '{name}'; choose from {', '.join(RUNNABLE)}")
    if not isinstance(study.replicates, int) or study.replicates < 1:
        raise ConfigError(f"replicates={study.replicates!r}: give a positive number")
    points = design_points(study.design)
    for point in points:
        for key, value in point.items():
            if not isinstance(value, (bool, int, float, str)):
                raise ConfigError(f"design: {key}={value!r}: a design value is a number, text or boolean")
    seeds = replicate_seeds(study.seed, study.replicates)
    total = len(points) * len(study.scenarios) * len(seeds)
    width = max(4, len(str(total - 1)))
    combos = itertools.product(enumerate(points), study.scenarios, enumerate(seeds))
    return [RunSpec(f"{i:0{width}d}", p, scen, r, seed, tuple(point.items()))
            for i, ((p, point), scen, (r, seed)) in enumerate(combos)]
