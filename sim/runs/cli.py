"""The command line: Hydra composes the config; bad input fails before anything is written.

Hydra creates the run directory (and its ``.hydra/`` files) before the task starts, so the
overrides are composed and validated first with the compose API: a typo, a value out of
range or an unknown scenario prints one line and exits with status 2, and no directory,
old or new, is touched. With ``-m`` every job of the sweep is validated this way before
Hydra creates the sweep directory. Inside a multirun job an error is recorded in the job's
``error.txt`` (one line) and the sweep goes on; :mod:`sim.runs.callbacks` aggregates the jobs.
"""

from __future__ import annotations

import itertools
import logging
import os
import secrets
import sys
import traceback
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from sim.config.compose import CONF_DIR, compose_config, to_config
from sim.config.errors import ConfigError

log = logging.getLogger("sim")
MULTIRUN_FLAGS = {"-m", "--multirun"}
HYDRA_FLAGS = MULTIRUN_FLAGS | {
    "--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i", "--version", "--resolve", "--package",
    "-p", "--shell-completion", "-sc", "--config-path", "-cp", "--config-name", "-cn", "--config-dir",
    "-cd", "--experimental-rerun"}


# ``${run_id:}`` in conf/config.yaml's run and sweep directories: unique per command (process id and
# a random part), cached like Hydra's ``${now:}`` so every job of a sweep sees the same value.
OmegaConf.register_new_resolver("run_id", lambda: f"{os.getpid():x}{secrets.token_hex(3)}",
                                use_cache=True, replace=True)
DIR_KEYS = {"hydra.run.dir": "outputs", "hydra.sweep.dir": "multirun"}   # key -> default's first part


def _fail(message: str, status: int = 2) -> None:
    from sim.runs.entry import error

    error(message)
    sys.exit(status)


def check_output_dirs(argv: list[str], multirun: bool) -> None:
    """Refuse a run (or sweep) directory under a regular file (one line, exit 2) before Hydra makes it."""
    from sim.outputs.io import ResultsError, check_dir_path

    given = {k: v for k, _, v in (a.lstrip("+~").partition("=") for a in argv) if k in DIR_KEYS}
    for key, default in DIR_KEYS.items():
        if (key == "hydra.sweep.dir") != multirun:
            continue
        text = given.get(key, default)
        fixed = text.split("${", 1)[0]   # the part before the first interpolation is what exists now
        try:
            check_dir_path(Path(fixed.rstrip("/") or "."), key, shown=text)
        except ResultsError as exc:
            _fail(str(exc))


def _task_overrides(argv: list[str]) -> list[str]:
    return [a for a in argv if not a.startswith("-") and not a.lstrip("+~").startswith(("hydra.", "hydra/"))]


def prevalidate(argv: list[str]) -> None:
    """Compose and validate the overrides in ``argv`` (Hydra's own keys aside)."""
    try:
        compose_config(None, _task_overrides(argv))
    except ConfigError as exc:
        _fail(str(exc))


def expand_sweep(overrides: list[str]) -> list[list[str]]:
    """Each job's overrides in a basic-sweeper multirun: the product of every swept key's values.

    ``a,b``, ``choice()``, ``range()`` and ``glob()`` (over ``conf/<group>/``) are expanded in
    Hydra's order (a later value for the same key replaces an earlier one); interval sweeps,
    which only other sweepers understand, are left out.

    Raises:
        ConfigError: an override that does not parse.
    """
    from hydra.core.override_parser.types import Glob

    from sim.config.overrides import parse_hydra

    parsed = parse_hydra(overrides)
    axes: dict[str, list[str]] = {}
    for o in parsed:
        key = o.get_key_element()
        if not o.is_sweep_override():
            axes[key] = [f"{key}={o.get_value_element_as_str()}"]
        elif isinstance(o.value(), Glob):
            options = sorted(p.stem for p in (CONF_DIR / o.key_or_group).glob("*.yaml"))
            axes[key] = [f"{key}={v}" for v in o.value().filter(options)]
        elif o.is_discrete_sweep():
            axes[key] = [f"{key}={v}" for v in o.sweep_string_iterator()]
    return [list(job) for job in itertools.product(*axes.values())]


def validate_sweep(jobs: list[list[str]]) -> None:
    """Compose and validate every job's config.

    Hydra composes once per combination of config groups (``+scenario=...``); each job's value
    overrides are set on a copy (:func:`sim.config.compose.compose_config`), as Hydra does after
    composing the defaults.

    Raises:
        ConfigError: the first job that fails, one line naming the key and the job.
    """
    for num, job in enumerate(jobs):
        try:
            compose_config(None, job)
        except ConfigError as exc:
            where = f" (job #{num} of {len(jobs)}: {' '.join(job)})" if len(jobs) > 1 else ""
            raise ConfigError(f"{exc}{where}") from None


def prevalidate_sweep(argv: list[str]) -> None:
    """Expand a ``-m`` sweep and validate every job before Hydra creates the sweep directory."""
    try:
        validate_sweep(expand_sweep(_task_overrides(argv)))
    except ConfigError as exc:
        _fail(str(exc))


def _run(dcfg: DictConfig, out_dir: Path, overrides: list[str]) -> None:
    from sim.runs.api import progress_bar, write_run
    from sim.runs.runner import timed_run

    cfg = to_config(dcfg)
    log.info("scenario %s: %d replicates x %d months, base seed %d", cfg.scenario_name,
             cfg.replicates, cfg.months, cfg.seed)
    table, wall = timed_run(cfg, progress_bar(cfg.replicates, cfg.scenario_name))
    written = write_run(table, cfg, out_dir, wall, figures=cfg.figures, overrides=overrides)
    log.info("%d rows in %.1f s; wrote %s", len(table), wall, ", ".join(str(p) for p in written))


def _run_single(dcfg: DictConfig, out_dir: Path, overrides: list[str]) -> None:
    """One run: bad input exits 2; a run that fails exits 1 with one line (the traceback in
    ``<run dir>/error.txt``) and leaves no results in the run directory."""
    from sim.runs.callbacks import record_failure

    try:
        _run(dcfg, out_dir, overrides)
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        print("interrupted: nothing of this run was kept", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:   # noqa: BLE001 - a failed run: one line, the traceback in a file
        record_failure(out_dir, f"{type(exc).__name__}: {exc}", details=traceback.format_exc())
        _fail(f"the run failed: {type(exc).__name__}: {exc} (traceback in {out_dir / 'error.txt'})", 1)


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def _task(dcfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from sim.runs.callbacks import ERROR, record_failure

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    out_dir, overrides = Path(hc.runtime.output_dir), list(hc.overrides.task)
    if hc.mode != RunMode.MULTIRUN:
        _run_single(dcfg, out_dir, overrides)
        return
    (out_dir / ERROR).unlink(missing_ok=True)  # a job directory used again
    try:
        _run(dcfg, out_dir, overrides)
    except Exception as exc:  # one job's failure is recorded; the sweep goes on
        message = str(exc) if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {exc}"
        record_failure(out_dir, message)
        log.error("error: %s", " ".join(message.split()), exc_info=not isinstance(exc, ConfigError))


def main() -> None:
    """Entry point of ``python -m sim``."""
    argv = sys.argv[1:]
    flags = {a.split("=", 1)[0] for a in argv} & HYDRA_FLAGS
    try:
        if not flags:
            prevalidate(argv)
        elif flags <= MULTIRUN_FLAGS:
            prevalidate_sweep(argv)
        if flags <= MULTIRUN_FLAGS:
            check_output_dirs(argv, multirun=bool(flags))
    except KeyboardInterrupt:
        sys.exit(130)
    _task()
