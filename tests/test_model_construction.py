"""The model's construction: declared state, the schedule's reads and writes, plants' own
slips, and the typed club and reaction terms."""

from __future__ import annotations

import mesa
import numpy as np
import pytest
from conftest import make_model

from agents.refiner import NEVER
from sim.config.compose import compose_config
from sim.mechanisms.investment import lead_months
from sim.model.model import SCHEDULE, RhythmModel
from sim.model.policy import build_policy
from sim.model.state import ModelState
from sim.model.world import build_world

DECLARED = set(ModelState.__annotations__)
LIVE = {name for stage in SCHEDULE for name in stage.writes}
AGENT_LISTS = {"countries", "refiners", "producers"}   # where agents' own state is compared
# Constants that hold the same agents as a live list: touching them touches that list.
ALIASES = {"ex_china": "refiners", "by_stage": "refiners", "taiwan": "countries"}
SKIP = {"model", "world", "policy"}                    # back-references inside held objects


def test_every_declared_name_is_set_and_nothing_else_is():
    model = make_model(seed=3, overrides=("months=2",))
    own = set(vars(model)) - set(vars(mesa.Model(rng=0)))
    assert own == DECLARED
    assert not hasattr(ModelState, "hold")   # declarations only: values come from the builders


def test_schedule_names_declared_state_and_real_methods():
    for stage in SCHEDULE:
        assert callable(getattr(RhythmModel, stage.method)), stage.method
        assert set(stage.reads) <= LIVE, (stage.method, set(stage.reads) - LIVE)   # reads name live state
        assert set(stage.writes) <= DECLARED, stage.method
        assert not set(stage.reads) & set(stage.writes), stage.method
    assert [s.number for s in SCHEDULE] == sorted(s.number for s in SCHEDULE)


# ---- tracing: each stage touches and changes only what it declares ------------------------

def _snapshot(value, own_agents: bool = False):
    """A comparable copy of ``value``; an agent's state is copied only inside its own list."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.random.Generator):
        return repr(value.bit_generator.state)
    if isinstance(value, mesa.Agent):
        if not own_agents:
            return ("agent", id(value))
        return {k: _snapshot(v) for k, v in vars(value).items() if k not in SKIP}
    if isinstance(value, (list, tuple)):
        return [_snapshot(v, own_agents) for v in value]
    if isinstance(value, dict):
        return {k: _snapshot(v, own_agents) for k, v in value.items()}
    if hasattr(value, "__dict__") and not callable(value):
        return {k: _snapshot(v) for k, v in vars(value).items() if k not in SKIP}
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b or a == b


def _state(model) -> dict:
    held = vars(model)
    return {name: (id(held[name]), _snapshot(held[name], name in AGENT_LISTS)) for name in DECLARED if name in held}


def _traced_run(scenario: str, months: int, overrides: tuple = ()):
    """Run a model whose stages record the declared names they touch and those they change."""
    touched: dict[str, set] = {s.method: set() for s in SCHEDULE}
    changed: dict[str, set] = {s.method: set() for s in SCHEDULE}
    current: list[str] = []

    def getattribute(self, name):
        if current and name in DECLARED:
            touched[current[-1]].add(ALIASES.get(name, name))
        return object.__getattribute__(self, name)

    def setattr(self, name, value):
        if current and name in DECLARED:
            touched[current[-1]].add(name)
        object.__setattr__(self, name, value)

    def traced(method):
        original = getattr(RhythmModel, method)

        def run_stage(self, *args, **kwargs):
            before = _state(self)
            current.append(method)
            try:
                original(self, *args, **kwargs)
            finally:
                current.pop()
            after = _state(self)
            for name, (ident, value) in after.items():
                if name not in before or before[name][0] != ident or not _same(before[name][1], value):
                    changed[method].add(name)
        return run_stage

    methods = {s.method: traced(s.method) for s in SCHEDULE}
    Traced = type("Traced", (RhythmModel,), {"__getattribute__": getattribute, "__setattr__": setattr, **methods})
    cfg = compose_config(scenario, [f"months={months}", *overrides])
    model = Traced(build_world(cfg), build_policy(cfg), seed=4)
    model.run()
    return touched, changed


@pytest.mark.parametrize("scenario", ["collision", "bifurcation"])
def test_stages_touch_and_change_only_what_they_declare(scenario):
    # 14 months from 2026-01: the warm-up, the club's start and first review, an election, the
    # DFARS month, two circle choices and investment reviews; collision's club shares stockpiles.
    touched, changed = _traced_run(scenario, 14)
    for stage in SCHEDULE:
        declared = set(stage.reads) | set(stage.writes)
        assert changed[stage.method] <= set(stage.writes), (stage.method, changed[stage.method] - set(stage.writes))
        assert touched[stage.method] & LIVE <= declared, (stage.method, touched[stage.method] & LIVE - declared)


def test_no_stage_declares_what_it_never_uses():
    """Over runs that reach every branch (a reversal at the 2026-11 election, circle changes in
    bifurcation, shared stockpiles in collision), each stage touches or changes all it declares."""
    used: dict[str, set] = {s.method: set() for s in SCHEDULE}
    # An F-35 generation due in 2026-06 at the level it has: the upgrade stage cuts it in (reads the
    # program's stock, sets its bill of materials) inside the traced months.
    # EV model years every 6 months: civil sectors go through the rule too.
    early_block = ("world.producers.lockheed_martin.programs.f35.generations.1.cut_in=2026-06",
                   "world.producers.lockheed_martin.programs.f35.generations.1.level=1",
                   "tech.sectors.ev.cadence_months=6")
    for scenario, overrides in (("collision", ("investment.us_subsidy_reversal_prob=1", *early_block)),
                                ("bifurcation", ())):
        touched, changed = _traced_run(scenario, 14, overrides)
        for method in used:
            used[method] |= touched[method] | changed[method]
    for stage in SCHEDULE:
        declared = set(stage.reads) | set(stage.writes)
        assert declared <= used[stage.method], (stage.method, declared - used[stage.method])


# ---- plants draw their own slips -----------------------------------------------------------

def _fresh_plants_stream(seed: int) -> np.random.Generator:
    """The plants stream of a model with ``seed``, before any plant has drawn from it."""
    bare = RhythmModel.__new__(RhythmModel)
    mesa.Model.__init__(bare, rng=seed)
    bare._build_streams()
    return bare.streams["plants"]


def test_each_plant_draws_its_own_slip_in_refiner_order():
    model = make_model(seed=9, overrides=("months=2",))
    assert [r.start for r in model.refiners] == [r.start for r in make_model(seed=9, overrides=("months=2",)).refiners]
    stream, w = _fresh_plants_stream(9), model.world
    for r in model.refiners:                  # one draw per plant, slipping or not
        slip = r.draw_slip(stream)
        late = w.r_start[r.index] >= 0 and w.r_slip_mean[r.index] > 0 and not r.candidate
        start = int(w.r_start[r.index] + (np.round(slip) if late else 0))
        assert (r.earliest, r.start) == (start, NEVER) if r.candidate else r.start == start, r.rid
    assert sum(r.start > w.r_start[r.index] for r in model.refiners if not r.candidate) >= 5   # slips are the norm


def test_a_plant_that_does_not_slip_leaves_the_others_draws_alone():
    base = make_model(seed=9, overrides=("months=2",))
    fixed = make_model(seed=9, overrides=("months=2", "world.refiners.lynas_expansion.slip_mean_months=0"))
    lynas = base.world.refiners.index("lynas_expansion")
    assert base.refiners[lynas].start > fixed.refiners[lynas].start == fixed.world.r_start[lynas]
    assert [r.start for r in base.refiners if r.index != lynas] == [r.start for r in fixed.refiners if r.index != lynas]


def test_a_committing_candidate_draws_its_slip_from_the_plants_stream():
    model = make_model(seed=2, overrides=("months=2",))
    plant = next(r for r in model.refiners if r.candidate)
    stream, copy = model.streams["plants"], np.random.default_rng()
    copy.bit_generator.state = stream.bit_generator.state
    slip = plant.draw_slip(copy)              # the draw commit is about to make
    grant = plant.commit(5)
    w = model.world
    lead = lead_months(w.r_permit[plant.index], w.r_construct[plant.index], w.opposition[plant.site])
    assert plant.decided_at == 5 and plant.start == 5 + int(round(lead + slip))
    assert stream.bit_generator.state == copy.bit_generator.state   # one draw, from the plants stream
    assert grant == w.r_capex[plant.index] * model.grant[plant.site]


# ---- typed club and reaction terms ---------------------------------------------------------

def test_club_and_reaction_terms_carry_the_config_values():
    cfg = compose_config("collision", ["club.pool_share=0.3", "club.leader=US", "club.trust_loss_on_reversal=0.2",
                                       "regime.reaction.lag_months=4", "regime.reaction.tighten=0.4"])
    policy = build_policy(cfg)
    club, reaction = policy.club, policy.reaction
    ids = list(cfg.world.countries)
    assert club.pool_share == 0.3 and club.trust_loss == 0.2
    assert club.leader == ids.index("US")
    assert [ids[c] for c in club.candidates] == list(cfg.club.candidates)
    assert club.weights == {"trust": cfg.club.weights.trust, "offer": cfg.club.weights.offer,
                            "cost": cfg.club.weights.cost, "dependence": cfg.club.weights.dependence}
    assert reaction.lag_months == 4 and reaction.tighten == 0.4
    tiers = list(cfg.regime.tiers)
    assert reaction.club_tier == tiers.index(cfg.regime.reaction.club_tier)
    assert list(reaction.reacting) == [t in cfg.regime.reaction.reacting_tiers for t in tiers]
    with pytest.raises(AttributeError):
        club.pool_share = 0.5                          # frozen: the run's settings do not change

