"""Run replicates of a configured world and return the tidy table."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.config.schema import Config
from sim.model.model import RhythmModel
from sim.model.policy import Policy, build_policy
from sim.model.world import World, build_world
from sim.runs.attribution import rhythm_share, without_metering


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """Independent per-replicate seeds spawned from ``base_seed`` (numpy SeedSequence)."""
    children = np.random.SeedSequence(base_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def run_config(cfg: Config, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run every replicate of a validated config.

    With ``cfg.attribution`` each replicate is also run with the same seed on
    :func:`~sim.runs.attribution.without_metering` of ``cfg``, and its table gains
    ``rhythm_share`` rows (the counterfactual's own rows are not kept).

    Args:
        cfg: the validated config.
        progress: called as ``progress(done, total)`` after each replicate.

    Returns:
        The tidy table (``month, scenario, seed, metric, entity, value``), all replicates.
    """
    world, policy = build_world(cfg), build_policy(cfg)
    if not world.programs:
        warnings.warn("world.producers holds no defense programs: the run records no delivery lag "
                      "(and draws no delivery-lag figure)", UserWarning, stacklevel=2)
    counterfactual = None
    if cfg.attribution:
        cf = without_metering(cfg)
        counterfactual = build_world(cf), build_policy(cf)
    frames = []
    seeds = replicate_seeds(cfg.seed, cfg.replicates)
    for i, seed in enumerate(seeds):
        frames.append(run_replicate(world, policy, cfg.scenario_name, seed, counterfactual))
        if progress:
            progress(i + 1, len(seeds))
    table = pd.concat(frames, ignore_index=True)
    for col in ("scenario", "metric", "entity"):
        table[col] = table[col].astype("category")
    return table


def run_replicate(world: World, policy: Policy, scenario: str, seed: int,
                  counterfactual: tuple[World, Policy] | None = None) -> pd.DataFrame:
    """One replicate's table; with ``counterfactual`` (world and policy without metering), the
    same seed is run on it too and the table gains the ``rhythm_share`` rows."""
    frame = _run(world, policy, scenario, seed)
    if counterfactual is None:
        return frame
    return pd.concat([frame, rhythm_share(frame, _run(*counterfactual, scenario, seed))], ignore_index=True)


def _run(world: World, policy: Policy, scenario: str, seed: int) -> pd.DataFrame:
    model = RhythmModel(world, policy, seed=seed)
    model.run()
    return model.recorder.frame(scenario, seed)


def timed_run(cfg: Config, progress=None) -> tuple[pd.DataFrame, float]:
    """:func:`run_config` and its wall time in seconds."""
    start = time.perf_counter()
    table = run_config(cfg, progress)
    return table, time.perf_counter() - start
