"""What a worker process runs: one chunk of run specs, written by the worker to the store.

The task is :func:`run_chunk` (a plain module-level function, so any executor can pickle it
by name). Its :class:`Context` travels with every task but is small (each scenario's
composed config, pickled once by the driver); a worker unpickles it once and keeps the built
world and policy of the last design points it ran, so replicates of one point build once.

Test hook: runs named in ``Context.fail_runs`` (``run_study(..., fail_runs=[...])``, or
``fail_runs=<id>,<id>`` on the command line) raise :class:`InjectedFailure` inside the run,
after the model is built. It exists only to test failure recording; it is not part of the
recorded design, so a resumed study need not repeat it. The environment variable
``RHYTHM_STUDY_SLOW_S`` (seconds, tests only) makes every run sleep that long first, so that a
test can kill a study mid-way whatever the model's speed.
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.world import build_world
from sim.study.configs import apply
from sim.study.design import RunSpec
from sim.study.storage import run_rows

BUILT_CACHE = 8   # design points whose world and policy a worker keeps


class InjectedFailure(RuntimeError):
    """Raised in a run named by the ``fail_runs`` test hook."""


@dataclass(frozen=True)
class Context:
    """What every task of one study shares.

    Args:
        digest: the study's digest (``study`` of :func:`sim.study.configs.study_digests`).
        bases: scenario name -> its composed config, pickled.
        store: the storage backend; its ``write_part(chunk, digest, frames, records)`` runs here.
        fail_runs: run ids that raise :class:`InjectedFailure` (tests only).
    """

    digest: str
    bases: dict[str, bytes]
    store: Any
    fail_runs: frozenset[str] = field(default_factory=frozenset)


_state: dict[str, Any] = {"digest": None, "bases": {}, "built": OrderedDict()}


def warm_up() -> None:
    """Pool initializer: quiet Mesa's per-step logging (the model is imported with this module)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)


def _built(ctx: Context, spec: RunSpec):
    if _state["digest"] != ctx.digest:
        _state.update(digest=ctx.digest, bases={k: pickle.loads(v) for k, v in ctx.bases.items()},
                      built=OrderedDict())
    cache, key = _state["built"], (spec.scenario, spec.overrides)
    if key not in cache:
        # Validated by the driver before the study started: apply without checking again.
        cfg = apply(_state["bases"][spec.scenario], spec.overrides, check=False)
        cache[key] = (build_world(cfg), build_policy(cfg), cfg.scenario_name)
        while len(cache) > BUILT_CACHE:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return cache[key]


def run_one(ctx: Context, spec: RunSpec):
    """Run one spec; returns its tidy rows (with the ``run`` column) as an Arrow table."""
    world, policy, label = _built(ctx, spec)
    if os.environ.get("RHYTHM_STUDY_SLOW_S"):
        time.sleep(float(os.environ["RHYTHM_STUDY_SLOW_S"]))
    model = RhythmModel(world, policy, seed=spec.seed)
    if spec.run in ctx.fail_runs:
        raise InjectedFailure(f"injected failure in run {spec.run} (fail_runs test hook)")
    model.run()
    return run_rows(model.recorder.series(), model.policy.start, model.recorder.months, label,
                    spec.seed, spec.run)


def run_chunk(ctx: Context, chunk: int, specs: list[RunSpec]) -> list[dict]:
    """Run every spec of a chunk, write its part through ``ctx.store``, return the run records.

    A run that raises is recorded as ``failed`` with ``"<type>: <message>"``; the others go on.
    Each record: ``run``, ``status``, ``error``, ``wall_s``, and ``worker_rss_mib``, the worker
    process's peak resident memory so far (MiB), so a study shows what its workers need.
    """
    frames, records = [], []
    for spec in specs:
        start = time.perf_counter()
        try:
            frames.append(run_one(ctx, spec))
            status, error = "done", ""
        except Exception as exc:   # one failing run must not stop the study
            status, error = "failed", " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        records.append({"run": spec.run, "status": status, "error": error,
                        "wall_s": round(time.perf_counter() - start, 4),
                        "worker_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
    ctx.store.write_part(chunk, ctx.digest, frames, records)
    return records
