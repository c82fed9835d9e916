"""Hindcast 2024-2026 (conf/scenario/hindcast_2025.yaml, experiments/hindcast.py): the episode
statistics exactly, the licence event and the decision-time queue, and the collapse as a
property of the mechanisms."""

import numpy as np
import pandas as pd
import pytest

from experiments.hindcast import OBSERVED_2025, compare, episode, exports_by_destination, months_between, run_hindcast
from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.config.schema import EventCfg
from sim.config.validate import validate
from sim.mechanisms.licensing import DecisionQueue
from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.world import build_world
from sim.vocab import MAGNET

SEEDS = 3


@pytest.fixture(scope="module")
def exports():
    return exports_by_destination(run_hindcast(replicates=SEEDS))


def test_episode_of_the_customs_series():
    e = episode(OBSERVED_2025)
    assert e["trough_month"] == pd.Timestamp("2025-05-01")
    q1 = (6357 + 3590 + 5323) / 3
    assert e["trough_depth"] == pytest.approx(1 - 1238 / q1)          # 0.757
    assert e["recovery_month"] == pd.Timestamp("2025-07-01")          # 5,577 >= 0.9 x 5,090; June's 3,188 is not
    assert e["total_2025"] == 57394.0                                  # D20's 57,392 up to its rounded months
    assert e["mape"] == 0.0 and np.isnan(e["total_2024"])


def test_episode_of_a_series_that_never_recovers():
    s = OBSERVED_2025.copy()
    s.iloc[4:] = 100.0
    e = episode(s)
    assert e["trough_month"] == pd.Timestamp("2025-05-01") and pd.isna(e["recovery_month"])
    assert months_between(pd.Timestamp("2025-04-01"), pd.Timestamp("2025-05-01")) == -1.0
    assert np.isnan(months_between(pd.NaT, pd.Timestamp("2025-05-01")))


def test_licence_event_validates_and_fires():
    cfg = compose_config(None, ["+scenario=hindcast_2025"])
    policy = build_policy(cfg)
    fired = {e.name: e.t for e in policy.events if e.kind == "controlled"}
    assert fired == {"d12_heavy_oxide": 15, "d12_metal": 15, "d12_magnet": 15}   # 2025-04 from 2024-01
    bad = compose_config(None, ["+scenario=hindcast_2025"])
    bad.events = {"x": EventCfg("2025-04", "regime.controlled.gold", True)}
    with pytest.raises(ConfigError, match="'gold' is not a known material"):
        validate(bad)
    model = RhythmModel(build_world(cfg), policy, seed=1)
    assert not model.terms.controlled[MAGNET] and not policy.controlled[MAGNET]
    for _ in range(16):
        model.step()
    # Licensed from 2025-04: April ships nothing (no lot is decided in its filing month), and the
    # flag lives in this model's terms, not in the shared policy other replicates start from.
    assert model.terms.controlled[MAGNET] and not policy.controlled[MAGNET]
    assert model.recorder.cn_magnet_exports[15].sum() == 0.0
    assert model.recorder.cn_magnet_exports[14].sum() > 4000.0   # March 2025: the unlicensed flow
    assert model.queue.queued()[:, MAGNET].sum() > 0.0


def test_decision_queue_draws_approval_at_the_terms_in_force():
    prob = np.array([0.0, 1.0])
    queue = DecisionQueue(2, 1, 6, lambda: prob, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    # Both buyers filed under terms that would deny them; buyer 0 waits 1 month, buyer 1 three.
    queue.file(0, np.array([[8.0], [4.0]]), np.zeros(2), np.array([21.7, 45.0]), np.zeros(2), 4, 21.7, rng)
    np.testing.assert_allclose(queue.queued(), [[8.0], [4.0]])
    ok, no = queue.decide(1)
    np.testing.assert_allclose(ok, 0.0)
    np.testing.assert_allclose(no, [[8.0], [0.0]])
    prob[:] = [1.0, 1.0]   # a truce before buyer 1's decision reaches its waiting lots
    ok, no = queue.decide(3)
    np.testing.assert_allclose(ok, [[0.0], [4.0]])
    assert no.sum() == 0.0 and queue.queued().sum() == 0.0


def test_hindcast_trough_falls_in_april_to_june(exports):
    """The licences of 4 Apr 2025 (D12) cut exports at once: lots wait a review of one to three
    months and only a quarter are approved until the truce, so the lowest month of 2025 must be
    2025-04..06 in every seed, and it must be deep (at least half below January-March) without
    a recovery later than 2025: after June approvals are back at the baseline's terms."""
    per_seed = [episode(g.droplevel("seed")["total"]) for _, g in exports.groupby(level="seed")]
    for e in per_seed:
        assert pd.Timestamp("2025-04-01") <= e["trough_month"] <= pd.Timestamp("2025-06-01")
        assert e["trough_depth"] >= 0.5
        assert pd.notna(e["recovery_month"]) and e["recovery_month"] < pd.Timestamp("2026-01-01")
    # Before the licences the flow is the model's 2024 state: D20's 2024-25 level (58 kt/yr) within
    # the model-wide first-year band of tests/test_model.py (3.5-6.5 kt/month).
    before = exports.xs(slice(pd.Timestamp("2024-01-01"), pd.Timestamp("2025-03-01")), level="month", drop_level=False)
    assert before["total"].between(3500.0, 6500.0).all()
    # The annual total is within a quarter of D20's 57.4 kt: the collapse is made up within the year.
    for e in per_seed:
        assert abs(e["total_2025"] / 57392.0 - 1.0) < 0.25


@pytest.mark.slow
def test_hindcast_errors_over_twenty_seeds():
    """The default comparison (20 seeds): the numbers the ODD's Validation section reports stay
    within bounds wide enough for seed noise, so a mechanism change that worsens them fails."""
    table = compare(exports_by_destination(run_hindcast(replicates=20)))
    row = table.set_index("statistic")
    assert row.loc["trough_month", "median"] in ("2025-04", "2025-05", "2025-06")
    assert abs(row.loc["total_2025", "error"]) < 0.15
    assert row.loc["mape", "median"] < 0.5   # measured 0.40 at the commit of the hindcast


def test_decision_time_approval_lets_the_truce_reach_waiting_lots():
    """With ``regime.approval_at=decision`` the June 2025 truce approves the April-May backlog at
    the truce's terms, so June ships more than when approvals were drawn at filing (a quarter);
    the ledger checks every month that the queue conserves material."""
    with pytest.raises(ConfigError, match="regime.approval_at='soon' is not allowed"):
        compose_config(None, ["regime.approval_at=soon"])
    june = pd.Timestamp("2025-06-01")
    runs = {at: exports_by_destination(run_hindcast(1, overrides=(f"regime.approval_at={at}",)))
            for at in ("filing", "decision")}
    got = {at: e.xs(june, level="month")["total"].iloc[0] for at, e in runs.items()}
    assert got["decision"] > 2 * got["filing"]
