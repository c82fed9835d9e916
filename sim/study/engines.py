"""Executors for the study runner: anything with ``submit(fn, *args)`` returning a future.

A future needs ``result()`` and ``done()`` (``concurrent.futures.Future``, a Ray future, a
Submitit job). An executor with a ``batch()`` context (Submitit) gets all chunks in one batch,
i.e. one SLURM job array. Engines by name (``engine=`` on the command line):

- ``local``: a persistent pool of worker processes on this machine
  (``concurrent.futures.ProcessPoolExecutor`` from a ``forkserver`` that imports the model
  once; the workers are forked from it). ``workers``: processes (default ``os.cpu_count()``).
- ``ray``: Ray tasks, one per chunk (``pip``/``uv`` extra ``ray``; imported only here).
  ``address``: a running cluster (``ray://host:10001`` or ``auto``); without it a local
  instance with ``workers`` CPUs is started on loopback and shut down at the end.
- ``submitit``: ``submitit.AutoExecutor`` (SLURM where ``sbatch`` exists, else local
  processes). ``cluster``: ``slurm``, ``local`` or ``debug`` (default: auto);
  ``partition``: the SLURM partition; ``timeout_min``: per chunk task (default 60);
  ``mem_gb``: per task (default 2); ``workers``: most array tasks running at once
  (``slurm_array_parallelism``). Logs and pickles go to ``<study>/.submitit/``. The study
  directory must be on a file system the nodes share.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ENGINES = ("local", "ray", "submitit")
# Loopback only, no usage reports; and no `uv run` runtime env: under `uv run`, Ray (2.43+) would
# copy the working tree and start its workers with `uv run` there, in a fresh environment without
# Ray (they die at start and the tasks hang for minutes). Ray reads these when it is imported, so
# they are set when this module is (a user's own setting wins).
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
           "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
for _key, _value in RAY_ENV.items():
    os.environ.setdefault(_key, _value)


def _forkserver():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.study.worker", "sim.study.warm"])   # the model, its kernels ready
    return ctx


def prestart() -> None:
    """Start the forkserver now, so that it imports the model while the driver composes configs."""
    from multiprocessing import forkserver

    _forkserver()
    forkserver.ensure_running()


@contextmanager
def main_script_hidden():
    """Inside the block, a new worker process does not run the driver's script again.

    A worker started by ``multiprocessing`` (spawn or forkserver) imports the driver's
    ``__main__`` from its file path first, so a script that calls :func:`sim.study.run_study`
    at top level, without an ``if __name__ == "__main__":`` guard, would start the study again
    in every worker, which dies. The workers here run only :mod:`sim.study.worker`, which needs
    nothing from that script: while the pool starts its workers, the script's path is hidden
    from ``multiprocessing``. (A ``python -m module`` driver is imported by name as before.)
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


class LocalPool(cf.ProcessPoolExecutor):
    """A process pool that starts its workers (on demand, in ``submit``) without re-running the
    driver's script: see :func:`main_script_hidden`."""

    def submit(self, fn, /, *args, **kwargs):
        with main_script_hidden():
            return super().submit(fn, *args, **kwargs)


def local_pool(workers: int | None = None) -> cf.ProcessPoolExecutor:
    """A process pool whose workers import the model once (forked from a preloaded forkserver)."""
    from sim.study.worker import warm_up

    ctx = _forkserver()
    return LocalPool(max_workers=workers or os.cpu_count() or 1, mp_context=ctx, initializer=warm_up)


class RayExecutor:
    """Ray tasks behind ``submit``; starts a local instance on loopback unless given an address."""

    def __init__(self, workers: int | None = None, address: str | None = None):
        try:
            import ray
            from ray._private import ray_constants
        except ImportError:
            from sim.config.errors import ConfigError

            raise ConfigError("engine=ray needs Ray: install the extra with 'uv sync --extra ray'") from None
        if os.environ["RAY_ENABLE_UV_RUN_RUNTIME_ENV"] == "0":   # Ray imported before this module
            ray_constants.RAY_ENABLE_UV_RUN_RUNTIME_ENV = False
        self.ray, self.owned = ray, not ray.is_initialized()
        if self.owned:
            kwargs = {"address": address} if address else {"num_cpus": workers or os.cpu_count(),
                                                            "_node_ip_address": "127.0.0.1"}
            ray.init(include_dashboard=False, logging_level="warning", **kwargs)
        self._remote = {}

    def submit(self, fn, *args):
        if fn not in self._remote:
            self._remote[fn] = self.ray.remote(num_cpus=1, max_retries=2)(fn)
        return self._remote[fn].remote(*args).future()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if self.owned and self.ray.is_initialized():
            self.ray.shutdown()


def submitit_executor(folder: Path, workers: int | None = None, cluster: str | None = None,
                      partition: str | None = None, timeout_min: int = 60, mem_gb: float = 2.0):
    """A ``submitit.AutoExecutor`` for one-CPU chunk tasks (see the module docstring)."""
    import submitit

    executor = submitit.AutoExecutor(folder=folder, cluster=cluster)
    params = {"timeout_min": int(timeout_min), "cpus_per_task": 1, "mem_gb": float(mem_gb),
              "name": "rhythm-study"}
    if workers:
        params["slurm_array_parallelism"] = int(workers)
    if partition:
        params["slurm_partition"] = partition
    executor.update_parameters(**params)
    return executor


@contextmanager
def engine(name: str, study_dir: Path, workers: int | None = None, address: str | None = None, **options):
    """The named executor, shut down (or left to its cluster) on exit."""
    if name == "local":
        pool = local_pool(workers)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    elif name == "ray":
        executor = RayExecutor(workers, address)
        try:
            yield executor
        finally:
            executor.shutdown()
    elif name == "submitit":
        yield submitit_executor(Path(study_dir) / ".submitit", workers, **options)
    else:
        from sim.config.errors import ConfigError

        raise ConfigError(f"engine='{name}' is not known: choose one of {', '.join(ENGINES)}")


def as_done(futures, poll_s: float = 0.5):
    """Yield futures as they finish: ``concurrent.futures`` ones by waiting, others by polling."""
    pending = list(futures)
    if all(isinstance(f, cf.Future) for f in pending):
        yield from cf.as_completed(pending)
        return
    while pending:
        ready = [f for f in pending if f.done()]
        if not ready:
            time.sleep(poll_s)
            continue
        for f in ready:
            pending.remove(f)
            yield f
