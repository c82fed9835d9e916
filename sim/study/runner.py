"""Run a study: expand, validate up front, run chunks on an executor, resume, aggregate.

Shaped like Mesa 4's planned ``run_scenarios(scenarios, run_config, executor=, store=)``: each
run spec carries its own seed, the executor is anything with ``submit`` (a process pool, Ray,
Submitit), and the store is written by the workers (one Parquet part per chunk), so that
Mesa's own runner and stores can replace these pieces later.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import time
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.config.errors import ConfigError
from sim.outputs.io import MANIFEST, ResultsError, atomic_write, check_dir_path, git_commit, json_safe, versions
from sim.study.configs import check_specs, compose_bases, config_json, study_digests
from sim.study.design import RunSpec, Study, expand
from sim.study.engines import ENGINES, as_done, prestart
from sim.study.engines import engine as make_engine
from sim.study.progress import Progress
from sim.study.storage import ParquetStore, WorkerDied
from sim.study.worker import Context, run_chunk

STUDIES = Path("outputs") / "studies"
# Default runs per chunk: about four chunks per worker (balance), at most this many runs (a
# part in memory, work lost on a crash); a Submitit task pays a process start, so more there.
MAX_CHUNK = {"local": 32, "ray": 32, "submitit": 256}


@dataclass
class StudyResult:
    """What a study left: its directory, the run table, and whether every chunk finished.

    ``phases`` splits ``wall_s`` (s): ``plan_s`` (compose and validate), ``run_s`` (the
    chunks, pool start included) and ``aggregate_s`` (the final table and figures).
    """

    path: Path
    runs: pd.DataFrame
    wall_s: float
    ran: int
    phases: dict = field(default_factory=dict)

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "failed"]

    def summary(self) -> str:
        done, failed = int((self.runs["status"] == "done").sum()), len(self.failed)
        now = (f"ran {self.ran} now in {self.wall_s:.1f} s ({self.ran / self.wall_s:.2f} runs/s)" if self.ran
               else "nothing left to run")
        lines = [f"{len(self.runs)} runs: {done} done, {failed} failed; {now}; results in {self.path}"]
        for row in self.failed.head(20).itertuples():
            lines.append(f"  failed run {row.run} ({row.scenario}, seed {row.seed}): {row.error}")
        if failed > 20:
            lines.append(f"  ... and {failed - 20} more (see runs.parquet)")
        return "\n".join(lines)


def _describe(study: Study | None, specs: list[RunSpec]) -> dict:
    if study is None:
        return {"name": "study", "design": {"specs": len(specs)}, "scenarios": sorted({s.scenario for s in specs}),
                "replicates": None, "seed": None, "overrides": []}
    design = {k: ({"rows": len(v), "columns": list(v.columns)} if isinstance(v, pd.DataFrame) else v)
              for k, v in study.design.items()}
    return {"name": study.name, "design": json_safe(design), "scenarios": list(study.scenarios),
            "replicates": study.replicates, "seed": study.seed, "overrides": list(study.overrides)}


def run_table(specs: list[RunSpec], records: dict[str, dict]) -> pd.DataFrame:
    """The run table (:mod:`sim.outputs.aggregate`): one row per spec, a column per swept key."""
    keys = list(dict.fromkeys(k for s in specs for k, _ in s.overrides))
    rows = []
    for s in specs:
        rec = records[s.run]
        rows.append({"run": s.run, "scenario": s.scenario, "seed": s.seed, "status": rec["status"],
                     "error": rec["error"], "wall_s": rec["wall_s"],
                     "worker_rss_mib": rec.get("worker_rss_mib", float("nan")),
                     **dict.fromkeys(keys), **dict(s.overrides)})
    return pd.DataFrame(rows).sort_values("run", kind="stable").reset_index(drop=True)


def run_study(study: Study | Sequence[RunSpec], out: str | os.PathLike | None = None, executor=None,
              store: ParquetStore | None = None, *, engine: str = "local", workers: int | None = None,
              bases: dict | None = None, overrides: Sequence[str] = (), chunk: int | None = None,
              progress: bool = True,
              fail_runs: Sequence[str] = (), **engine_options) -> StudyResult:
    """Run every spec of ``study`` not yet finished in ``out``, then write the aggregate.

    Args:
        study: a :class:`Study`, or run specs (each with its own seed and overrides).
        out: the study directory (default ``outputs/studies/<name>``); rerunning resumes it.
        executor: anything with ``submit(fn, *args)``; default: the ``engine`` by name.
        store: the storage backend (default :class:`ParquetStore` on ``out``).
        engine: ``local``, ``ray`` or ``submitit`` (:mod:`sim.study.engines`), when no executor.
        workers: worker processes, Ray CPUs or concurrent SLURM tasks (default: all cores).
        bases: scenario -> composed config, for specs (default: composed with ``overrides``).
        overrides: Hydra overrides of the base configs, for specs given without ``bases``.
        chunk: runs per task and part (default: the study's, else automatic); a resumed study
            keeps the chunk size it was started with.
        progress: show progress on stderr.
        fail_runs: test hook, run ids that raise inside the run (:mod:`sim.study.worker`).
        engine_options: ``address`` (Ray), ``cluster``, ``partition``, ``timeout_min``, ``mem_gb``.

    Returns:
        The :class:`StudyResult`; its run table lists failures (status ``failed`` and error).

    Raises:
        ConfigError: a bad base override or design value, before anything is written.
        StudyMismatch: ``out`` holds a different study (nothing is written).
        WorkerDied: a worker process died (finished chunks are kept: rerun to resume).
    """
    start = time.perf_counter()
    if executor is None and engine not in ENGINES:
        raise ConfigError(f"engine='{engine}' is not known: choose one of {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise ConfigError(f"workers={workers}: give at least 1")
    if executor is None and engine == "local":
        prestart()   # the forkserver imports the model while the configs are composed
    specs, bases, record = plan_study(study, bases, overrides)
    phases = {"plan_s": time.perf_counter() - start, "run_s": 0.0}
    root = Path(out) if out is not None else STUDIES / record["name"]
    try:
        check_dir_path(root, "out")   # before anything is written (a file in the way is bad input)
    except ResultsError as exc:
        raise ConfigError(str(exc)) from None
    store = store or ParquetStore(root)
    cap = MAX_CHUNK.get(engine, 32) if executor is None else 32
    auto = max(1, min(cap, math.ceil(len(specs) / (4 * (workers or os.cpu_count() or 1)))))
    record = store.open({**record, "chunk": chunk or record["chunk"] or auto})
    size = int(record["chunk"])   # a resumed study keeps its chunks
    chunks = [specs[i:i + size] for i in range(0, len(specs), size)]
    records = {r["run"]: r for recs in store.finished(record["digest"]).values() for r in recs}
    todo = {k: c for k, c in enumerate(chunks) if any(s.run not in records for s in c)}
    if todo:
        ctx = Context(record["digest"], {k: pickle.dumps(v) for k, v in bases.items()}, store,
                      frozenset(map(str, fail_runs)))
        bar = Progress(len(specs), len(specs) - sum(map(len, todo.values())), record["name"], progress)
        began = time.perf_counter()
        try:
            with _executor(executor, engine, root, workers, engine_options) as ex:
                for done in _run_chunks(ex, ctx, todo):
                    records.update((r["run"], r) for r in done)
                    bar.update(len(done))
        finally:
            bar.close()
        phases["run_s"] = time.perf_counter() - began   # pool start included
    runs = run_table(specs, records)
    began = time.perf_counter()
    store.finalize(runs, list(range(len(chunks))), figures=bool(next(iter(bases.values())).figures))
    phases["aggregate_s"] = time.perf_counter() - began
    wall, ran = time.perf_counter() - start, sum(map(len, todo.values()))
    used = engine if executor is None else type(executor).__name__
    _write_manifest(root, record, specs, bases, runs, wall, ran, used, phases)
    return StudyResult(root, runs, wall, ran, phases)


def plan_study(study: Study | Sequence[RunSpec], bases: dict | None = None,
               overrides: Sequence[str] = ()) -> tuple[list[RunSpec], dict, dict]:
    """Expand, compose and validate a study (nothing is written); returns specs, bases, record.

    Raises:
        ConfigError: a bad scenario, base override or design value (one line).
    """
    plan = study if isinstance(study, Study) else None
    specs = expand(plan) if plan else list(study)
    if bases is None:
        scenarios = plan.scenarios if plan else [s.scenario for s in specs]
        bases = compose_bases(scenarios, plan.overrides if plan else overrides)
    check_specs(specs, bases)
    hashes = study_digests(specs, bases)
    record = {"digest": hashes["study"], **_describe(plan, specs), "runs": len(specs),
              "runs_sha256": hashes["runs"], "configs_sha256": hashes["configs"],
              "chunk": plan.chunk if plan else None}
    return specs, bases, record


def _run_chunks(ex, ctx: Context, todo: dict[int, list[RunSpec]]):
    """Submit every chunk (in one batch where the executor batches), yield run records as chunks end."""
    with ex.batch() if hasattr(ex, "batch") else nullcontext():
        futures = [ex.submit(run_chunk, ctx, k, specs) for k, specs in todo.items()]
    for future in as_done(futures):
        try:
            yield future.result()
        except BrokenProcessPool as exc:
            raise WorkerDied(f"a worker process died ({exc}); rerun the same command to resume") from None


def _executor(executor, engine: str, root: Path, workers, options):
    """The given executor (left open: the caller owns it), or the named engine."""
    if executor is not None:
        return nullcontext(executor)
    return make_engine(engine, root, workers, **options)


def _write_manifest(root: Path, record: dict, specs: list[RunSpec], bases: dict, runs: pd.DataFrame,
                    wall: float, ran: int, engine: str, phases: dict) -> Path:
    seeds = sorted({(s.replicate, s.seed) for s in specs})
    doc = {**record, "kind": "study", "replicate_seeds": [seed for _, seed in seeds],
           "points": json_safe([dict(o) for o in dict.fromkeys(s.overrides for s in specs)]),
           "done": int((runs["status"] == "done").sum()), "failed": int((runs["status"] == "failed").sum()),
           "ran_this_session": ran, "engine": engine, "wall_time_s": round(wall, 3),
           "phases_s": {k: round(v, 3) for k, v in phases.items()},
           "git_commit": git_commit(), "versions": versions(),
           "configs": {name: config_json(cfg) for name, cfg in bases.items()}}
    text = json.dumps(doc, indent=2, default=str, allow_nan=False)
    path = root / MANIFEST
    atomic_write(path, lambda p: p.write_text(text))
    return path
