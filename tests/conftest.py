"""Shared fixtures: composed configs and short model runs, built once per session."""

from __future__ import annotations

import pytest

from sim.config.compose import compose_config
from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.world import build_world
from sim.vocab import SCENARIOS


def make_model(scenario: str | None = None, seed: int = 1, overrides: tuple = ()) -> RhythmModel:
    """A model of ``scenario`` with its config's settings (not yet run)."""
    cfg = compose_config(scenario, list(overrides))
    return RhythmModel(build_world(cfg), build_policy(cfg), seed=seed)


@pytest.fixture(scope="session")
def full_runs() -> dict[str, RhythmModel]:
    """One full 120-month run of each scenario (the ledger checks every month as it runs)."""
    runs = {}
    for name in SCENARIOS:
        model = make_model(name, seed=7)
        model.run()
        runs[name] = model
    return runs
