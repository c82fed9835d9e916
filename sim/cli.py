"""The command line: Hydra composes the config; bad input fails before anything is written.

Hydra creates the run directory (and its ``.hydra/`` files) before the task starts, so the
overrides are composed and validated first with the compose API: a typo, a value out of
range or an unknown scenario prints one line and exits with status 2, and no directory,
old or new, is touched.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

from sim.config import CONF_DIR, compose_config, to_config
from sim.validate import ConfigError

log = logging.getLogger("sim")
HYDRA_FLAGS = {"-m", "--multirun", "--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i",
               "--version", "--resolve", "--package", "-p", "--shell-completion", "-sc",
               "--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd",
               "--experimental-rerun"}


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def prevalidate(argv: list[str]) -> None:
    """Compose and validate the overrides in ``argv`` (Hydra's own keys aside)."""
    overrides = [a for a in argv if not a.startswith("-") and not a.lstrip("+~").startswith(("hydra.", "hydra/"))]
    try:
        compose_config(None, overrides)
    except ConfigError as exc:
        _fail(str(exc))


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def _task(dcfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig

    from sim.api import progress_bar, write_run
    from sim.runner import timed_run

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    try:
        cfg = to_config(dcfg)
    except ConfigError as exc:
        _fail(str(exc))
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    log.info("scenario %s: %d replicates x %d months, base seed %d", cfg.scenario_name,
             cfg.replicates, cfg.months, cfg.seed)
    table, wall = timed_run(cfg, progress_bar(cfg.replicates, cfg.scenario_name))
    overrides = list(HydraConfig.get().overrides.task)
    written = write_run(table, cfg, out_dir, wall, figures=cfg.figures, overrides=overrides)
    log.info("%d rows in %.1f s; wrote %s", len(table), wall, ", ".join(str(p) for p in written))


def main() -> None:
    """Entry point of ``python -m sim``."""
    argv = sys.argv[1:]
    if not any(a.split("=", 1)[0] in HYDRA_FLAGS for a in argv):
        prevalidate(argv)
    _task()
