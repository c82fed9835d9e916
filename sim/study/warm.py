"""Imported by the study's forkserver only: the monthly kernels compiled (or loaded from numba's
disk cache) once there, so every worker forked from it starts with them ready.

A one-month run of the baseline world calls every kernel with the argument types of a real
run. Without this each worker would load them on its first run (about a second).
"""

from __future__ import annotations

from sim.config.compose import compose_config
from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.world import build_world


def warm_kernels() -> None:
    """Run the baseline world for one month (any scenario exercises the same kernels)."""
    cfg = compose_config(None, ["months=1"])
    RhythmModel(build_world(cfg), build_policy(cfg), seed=0).run()


warm_kernels()
