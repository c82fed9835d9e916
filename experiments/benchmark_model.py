"""Model-side measurements of the benchmark (SPEC §9): the trivial Mesa floor, one
default-world run, the cost of 10x the firms, composing a config again, and the model
function EMA Workbench runs for the end-to-end comparison. Used by :mod:`experiments.benchmark`.

Every time is the median of repeated runs in this process, so ratios compare like with like
on a noisy machine.
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable

import mesa

from sim.config.compose import compose_config
from sim.config.schema import Config
from sim.config.validate import validate
from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.world import build_world
from sim.vocab import SCENARIOS

# The design-point keys of the end-to-end comparison (study runner and EMA Workbench alike).
POINT_KEYS = {"rated_order_share": "us.rated_order_share", "approval_prob": "regime.tiers.restricted.approval_prob"}


class _Walker(mesa.Agent):
    """A trivial agent: one random draw and one addition per step."""

    def __init__(self, model):
        super().__init__(model)
        self.wealth = 1.0

    def step(self):
        self.wealth += self.model.rng.random()


class TrivialModel(mesa.Model):
    """SPEC §9's floor: 100 agents x 120 steps with five model reporters."""

    def __init__(self, n: int = 100, seed: int = 0):
        super().__init__(rng=seed)
        _Walker.create_agents(self, n)
        self.collector = mesa.DataCollector(model_reporters={
            "total": lambda m: sum(a.wealth for a in m.agents),
            "mean": lambda m: sum(a.wealth for a in m.agents) / len(m.agents),
            "max": lambda m: max(a.wealth for a in m.agents),
            "min": lambda m: min(a.wealth for a in m.agents),
            "count": lambda m: len(m.agents)})

    def step(self):
        self.agents.shuffle_do("step")
        self.collector.collect(self)


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def trivial_run(seed: int = 0) -> None:
    model = TrivialModel(seed=seed)
    for _ in range(120):
        model.step()


def model_run(cfg: Config, seed: int = 1) -> None:
    """One replicate as the runner does it: build, run 120 months, make the tidy table."""
    model = RhythmModel(build_world(cfg), build_policy(cfg), seed=seed)
    model.run()
    model.recorder.frame(cfg.scenario_name, seed)


def scaled_firms(cfg: Config, factor: int) -> Config:
    """The same world with every plant and every defense producer split into ``factor`` firms.

    Each copy has 1/factor of the capacity, capex, public funds, program rates and order
    units, so the world's totals stay the same and only the number of agents grows.
    """
    out = copy.deepcopy(cfg)
    plants = {}
    for rid, r in cfg.world.refiners.items():
        for j in range(factor):
            c = copy.deepcopy(r)
            c.capacity_tpy, c.heavy_tpy = r.capacity_tpy / factor, r.heavy_tpy / factor
            c.capex_usd, c.public_funds_usd = r.capex_usd / factor, r.public_funds_usd / factor
            plants[f"{rid}_{j}"] = c
    out.world.refiners = plants
    producers = {}
    for pid, p in cfg.world.producers.items():
        for j in range(factor):
            c = copy.deepcopy(p)
            c.programs = {}
            for key, prog in p.programs.items():
                q = copy.deepcopy(prog)
                q.rate_per_month, q.target_rate_per_month = prog.rate_per_month / factor, prog.target_rate_per_month / factor
                for order in q.orders:
                    order.units = order.units / factor
                c.programs[f"{key}_{j}"] = q
            producers[f"{pid}_{j}"] = c
    out.world.producers = producers
    return validate(out)


def model_measurements(repeats: int = 5) -> dict:
    """Times (s) of the trivial floor, one default run and one run with 10x the firms."""
    cfg = compose_config(None, ["check_conservation=false"])
    big = scaled_firms(cfg, 10)
    model_run(cfg)                        # warm caches and imports before timing
    trivial = median_time(trivial_run, repeats * 4)
    one = median_time(lambda: model_run(cfg), repeats)
    ten = median_time(lambda: model_run(big), max(2, repeats // 2))
    n_agents = len(RhythmModel(build_world(cfg), build_policy(cfg), seed=0).agents)
    n_big = len(RhythmModel(build_world(big), build_policy(big), seed=0).agents)
    return {"trivial_s": trivial, "run_s": one, "run_10x_s": ten, "agents": n_agents, "agents_10x": n_big}


def compose_times(calls: int = 10) -> tuple[float, float]:
    """Median and slowest wall time (s) of ``compose_config`` called again, ``calls`` times.

    One warm-up call (the baseline scenario) pays Hydra's first composition; the timed calls then
    cycle through the three scenarios, each with a different value override, as a user calling
    ``run_scenario`` repeatedly does. The slowest call is a scenario's first composition.
    """
    compose_config(SCENARIOS[0], ["check_conservation=false"])
    times = []
    for i in range(calls):
        start = time.perf_counter()
        compose_config(SCENARIOS[i % len(SCENARIOS)], [f"us.rated_order_share={0.1 + 0.08 * i:.2f}"])
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def us_lag(rated_order_share: float, approval_prob: float, seed: int) -> dict:
    """EMA Workbench's model function: one rhythm_embedded run at a design point, one outcome.

    Returns ``{"us_lag": mean delivery_lag_cycles of country:US over 2030-35}`` (xlrm's ``us_lag``).
    """
    cfg = compose_config(SCENARIOS[0], ["check_conservation=false", "figures=false",
                                        f"{POINT_KEYS['rated_order_share']}={rated_order_share!r}",
                                        f"{POINT_KEYS['approval_prob']}={approval_prob!r}"])
    model = RhythmModel(build_world(cfg), build_policy(cfg), seed=int(seed))
    model.run()
    t = model.recorder.frame(cfg.scenario_name, int(seed))
    year = t["month"].dt.year if hasattr(t["month"], "dt") else t["month"].map(lambda m: m.year)
    rows = (t["metric"] == "delivery_lag_cycles") & (t["entity"] == "country:US") & year.between(2030, 2035)
    return {"us_lag": float(t.loc[rows, "value"].mean())}
