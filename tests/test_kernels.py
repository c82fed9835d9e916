"""The compiled monthly kernels: exact hand-computed cases and properties that must hold."""

import numpy as np
import pytest

from sim.mechanisms.licensing import DecisionQueue, LicenceQueue, grant_exports, ration_by_priority, split_lots
from sim.mechanisms.market import allocate_ex_china, clear_ex_china
from sim.mechanisms.production import (
    consume_civil,
    inventory_targets,
    kit_programs,
    planned_rate,
    planned_starts,
    plant_class,
    produce_plants,
    ramp_share,
)
from sim.mechanisms.reserves import release_stockpiles, reserve_purchases
from sim.mechanisms.transit import Pipeline
from sim.vocab import HEAVY, LIGHT, MAGNET, METAL

close = np.testing.assert_allclose
PLANT = ("stage", "output", "site", "chinese", "start", "ramp_months", "qual_months",
         "cap", "heavy", "feed", "room", "unit_cost")
STATE = ("hold", "plant_stock", "req", "short", "cost", "flows", "fiscal")


def tiny_world(cn_magnet_target: float = 50.0) -> tuple[dict, dict]:
    """Two countries (0 = China) and three plants: ex-China separation and metal in country 1,
    a Chinese magnet plant in China. Returns ``(constants, state)``."""
    w = dict(stage=np.array([0, 1, 2]), output=np.array([LIGHT, METAL, MAGNET]), site=np.array([1, 1, 0]),
             chinese=np.array([False, False, True]), start=np.array([0, 3, 0]), ramp_months=np.array([10, 4, 0]),
             qual_months=np.array([3, 6, 0]), cap=np.array([100.0, 40.0, 50.0]), heavy=np.array([10.0, 0, 0]),
             feed=np.array([50.0, 0, 0]), room=np.array([60.0, 100.0, 0]), unit_cost=np.array([30.0, 60.0, 80.0]),
             recipe=np.zeros((3, 4)), cn_target=np.array([0, 0, 0, cn_magnet_target]),
             subsidy=np.array([9.0, 2.5]))
    w["recipe"][1, LIGHT], w["recipe"][1, HEAVY], w["recipe"][2, METAL] = 1.25, 0.125, 0.25
    s = dict(hold=np.zeros((2, 4, 3)), plant_stock=np.zeros((3, 4, 3)), req=np.zeros((2, 4)),
             short=np.zeros((2, 4)), cost=np.zeros((3, 2, 2)), flows=np.zeros((2, 4)), fiscal=np.zeros(2))
    s["hold"][1, LIGHT], s["hold"][1, HEAVY] = [10.0, 0, 30.0], [0.25, 0, 1.5]
    s["hold"][0, METAL], s["hold"][0, MAGNET] = [40.0, 0, 0], [30.0, 0, 0]
    s["plant_stock"][0, LIGHT], s["plant_stock"][1, METAL] = [0, 0, 20.0], [0, 80.0, 0]
    return w, s


def produce(w: dict, s: dict, t: int, dry_run: bool = False) -> None:
    """Run :func:`produce_plants` on a world and its state (in place), China being country 0."""
    produce_plants(t, dry_run, *(w[k] for k in PLANT), w["recipe"], 0, w["cn_target"], w["subsidy"],
                   *(s[k] for k in STATE))


def test_ramp_share_and_plant_class():
    close(ramp_share(5, np.array([0, 3, 6, 5]), np.array([10, 4, 2, 0])),
          [0.6, 0.75, 0.0, 1.0])   # (5-0+1)/10, (5-3+1)/4, not started, no ramp
    got = plant_class(5, np.array([0, 3, 0, 2]), np.array([3, 6, 0, 3]), np.array([False, False, True, False]))
    np.testing.assert_array_equal(got, [2, 1, 0, 2])   # 5 >= 0+3; 5 < 3+6; Chinese; 5 >= 2+3


def test_produce_plants_exact_month():
    w, s = tiny_world()
    produce(w, s, t=5)
    # Separation (ramp 0.6, qualified): light min(100*0.6, feed 50, room 60-20 held) = 40; heavy 10*0.6 = 6.
    close(s["plant_stock"][0, [LIGHT, HEAVY]], [[0, 0, 20 + 40], [0, 0, 6]])
    # Metal (ramp 0.75 -> 30, room 100-80 -> 20; unqualified class 1): qualified inputs give 1.5/0.125 = 12
    # of class 1, then Chinese heavy 0.25/0.125 = 2 of class 0; 14 made, 6 short of heavy.
    close(s["plant_stock"][1, METAL], [2, 80 + 12, 0])
    close(s["hold"][1, LIGHT], [10 - 2 * 1.25, 0, 30 - 12 * 1.25])
    close(s["hold"][1, HEAVY], 0.0, atol=1e-15)
    close(s["short"], [[0, 0, 0, 0], [0, 20 * 0.125 - 1.75, 0, 0]])
    # China's magnets fill the pool: gap 50-30 = 20 of capacity 50 -> util 0.4 -> 20 t from 20*0.25 = 5 t metal.
    close(s["hold"][0, [METAL, MAGNET]], [[40 - 5, 0, 0], [50, 0, 0]])
    close(s["plant_stock"][2], 0.0)
    close(s["req"], [[0, 0, 20 * 0.25, 0], [20 * 1.25, 20 * 0.125, 0, 0]])   # need at the site, for top output
    close(s["flows"], [[40, 6, 14, 20], [17.5, 1.75, 5, 0]])   # made; used (15+2.5 light, 1.5+0.25 heavy)
    close(s["cost"][:, 1], [[46, 46 * 30e3], [14, 14 * 60e3], [0, 0]])   # ex-China: t, t * 1000 kg * USD/kg
    close(s["cost"][:, 0], [[0, 0], [0, 0], [20, 20 * 80e3]])
    close(s["fiscal"], [0, 2.5 * 1000 * (46 + 14)])   # host subsidy for ex-China plants only


@pytest.mark.parametrize("target, made", [(50.0, 20.0), (1000.0, 50.0), (25.0, 0.0)])
def test_china_runs_to_its_pool_target(target, made):
    w, s = tiny_world(cn_magnet_target=target)
    produce(w, s, t=5)
    close(s["hold"][0, MAGNET, 0], 30 + made)   # gap to target, at most the 50 t capacity; none if full
    close(s["req"][0, METAL], made * 0.25)      # a plant with nothing to make books no need


def test_plant_before_its_start_makes_and_needs_nothing():
    w, s = tiny_world()
    produce(w, s, t=2)   # the metal plant starts in month 3
    close(s["req"][1], 0.0)
    close(s["plant_stock"][1, METAL], [0, 80, 0])
    close(s["plant_stock"][0, LIGHT], [0, 30, 20])   # separation: 100 * 3/10, unqualified until month 3
    close(s["plant_stock"][0, HEAVY], [0, 3, 0])


def test_dry_run_books_need_only():
    w, s = tiny_world()
    before = {k: v.copy() for k, v in s.items()}
    produce(w, s, t=5, dry_run=True)
    close(s["req"], [[0, 0, 50 * 0.25, 0], [20 * 1.25, 20 * 0.125, 0, 0]])   # China at full capacity
    for k in ("hold", "plant_stock", "short", "cost", "flows", "fiscal"):
        np.testing.assert_array_equal(s[k], before[k], err_msg=k)


def random_world(rng: np.random.Generator, n_r: int = 9) -> tuple[dict, dict]:
    """Random plants, three of each stage, and random stocks in three countries (0 = China)."""
    stage = np.repeat(np.arange(3), n_r // 3)
    w = dict(stage=stage, output=np.array([LIGHT, METAL, MAGNET])[stage], site=rng.integers(0, 3, n_r),
             chinese=rng.random(n_r) < 0.4, start=rng.integers(0, 6, n_r), ramp_months=rng.integers(0, 6, n_r),
             qual_months=rng.integers(0, 6, n_r), cap=rng.uniform(0, 50, n_r), heavy=rng.uniform(0, 5, n_r),
             feed=rng.uniform(0, 50, n_r), room=rng.uniform(0, 80, n_r), unit_cost=rng.uniform(10, 90, n_r),
             recipe=np.zeros((3, 4)), cn_target=rng.uniform(0, 200, 4), subsidy=rng.uniform(0, 5, 3))
    w["recipe"][1, LIGHT], w["recipe"][1, HEAVY], w["recipe"][2, METAL] = 1.12, 0.038, 0.27
    s = dict(hold=rng.uniform(0, 30, (3, 4, 3)) * (rng.random((3, 4, 3)) < 0.7),
             plant_stock=rng.uniform(0, 40, (n_r, 4, 3)) * (rng.random((n_r, 4, 3)) < 0.3)
             * ~w["chinese"][:, None, None],   # China's plants sell all they make at once
             req=np.zeros((3, 4)), short=np.zeros((3, 4)), cost=np.zeros((3, 2, 2)), flows=np.zeros((2, 4)),
             fiscal=np.zeros(3))
    return w, s


@pytest.mark.parametrize("seed", range(8))
def test_produce_plants_conserves_and_respects_room_and_class(seed):
    w, s = random_world(np.random.default_rng(seed))
    for t in range(8):
        hold0, stock0 = s["hold"].copy(), s["plant_stock"].copy()
        flows0, cost0, fiscal0 = s["flows"].copy(), s["cost"].copy(), s["fiscal"].copy()
        produce(w, s, t)
        made, used = s["flows"] - flows0
        delta = (s["hold"] - hold0).sum(axis=(0, 2)) + (s["plant_stock"] - stock0).sum(axis=(0, 2))
        close(delta, made - used, atol=1e-9)
        assert (s["hold"] >= -1e-12).all() and (s["plant_stock"] >= -1e-12).all()
        assert (made >= 0).all() and (used >= 0).all() and (s["short"] >= 0).all()
        close((s["cost"] - cost0)[..., 0].sum(), made.sum(), rtol=1e-12)
        ex = ~w["chinese"]
        gain = (s["plant_stock"] - stock0)[ex]                                   # [ex-R, M, K]
        cls = plant_class(t, w["start"], w["qual_months"], w["chinese"])[ex]
        above = np.arange(3)[None, :] > cls[:, None]                             # classes better than the plant's
        assert (np.abs(gain.transpose(0, 2, 1)[above]) <= 1e-12).all()
        held0, held = stock0[ex].sum(axis=2), s["plant_stock"][ex].sum(axis=2)   # [ex-R, M]
        assert (held <= np.maximum(w["room"][ex, None], held0) + 1e-9).all()
        assert np.abs(s["plant_stock"][w["chinese"]]).max(initial=0) == 0.0      # China's output goes to its pool
        subsidy = (w["subsidy"][w["site"][ex]] * 1000 * gain.sum(axis=(1, 2))).sum()
        close((s["fiscal"] - fiscal0).sum(), subsidy, rtol=1e-9, atol=1e-6)


def test_planned_rate_starts_and_inventory_targets():
    close(planned_rate(np.array([-1, 0, 2, 4, 8]), 2.0, 4.0, 4), [2, 2, 3, 4, 4])   # 2 + 2 * t/4, clipped
    close(planned_rate(5, 3.0, 0.0, 12), 3.0)                                       # no target: no ramp
    close(planned_starts(1, np.array([2.0, 4.0]), np.array([4.0, 0.0]), np.array([4, 6]), np.array([1, 3])),
          [3.0, 4.0])                                                               # due at t + cycle
    out = np.full((2, 4), -1.0)
    inventory_targets(0, np.array([1, 0]), np.array([2.0, 4.0]), np.array([0.0, 8.0]), np.array([0, 4]),
                      np.array([1, 2]), np.array([3.0, 1.0]), np.array([3.0, 0.5]),
                      np.array([[0, 0.002, 0, 0.05], [0, 0, 0, 0.1]]), np.array([1.0, 2.0]), out)
    close(out[1], 3 * 2.0 * (2 + 3 / 3) * np.array([0, 0.002, 0, 0.05]))   # months * scale * (plan + backlog/3)
    close(out[0], 0.5 * 1.0 * (6 + 1 / 1) * np.array([0, 0, 0, 0.1]))     # plan 4+4*2/4; backlog over max(0.5, 1)


def test_kit_programs_backlog_surge_wip_and_classes():
    # Program 0: 4/month, cycle 2, surge 1.5, backlog 4, qualified classes only; 62.5 kg magnet per unit.
    # Program 1: 2 -> 4/month over 4 months, cycle 1, surge 2, any class; 125 kg magnet at bom_scale 2.
    programs, rate, target, ramp = np.array([0, 1]), np.array([4.0, 2.0]), np.array([0.0, 4.0]), np.array([0, 4])
    cycle, surge, bom_scale = np.array([2, 1]), np.array([1.5, 2.0]), np.array([1.0, 2.0])
    bom = np.array([[0, 0.002, 0, 0.0625], [0, 0, 0, 0.125]])
    hold = np.zeros((4, 4, 3))
    hold[2, MAGNET], hold[2, HEAVY], hold[3, MAGNET] = [1.0, 0.125, 0.5], [0.5, 0, 1.0], [0.25, 0.25, 0.5]
    eligible = np.array([[True] * 3] * 2 + [[False, True, True], [True] * 3])
    backlog, wip = np.array([4.0, 0.0]), np.array([[3.0, 3.0, 0.0], [2.0, 0.0, 0.0]])   # lines start full
    delivered, used, unmet = np.zeros(2), np.zeros((2, 4)), np.zeros((2, 4))
    expect = [  # t: delivered, backlog, magnet used, magnet unmet (p0, p1)
        ([3, 2], [2, 0], [6 * 0.0625, 2.5 * 0.25], [0, 0]),   # p0 min(4+4, 1.5*4) = 6; p1 plan 2.5, all kitted
        ([3, 2.5], [2, 1.5], [0.25, 0.375], [2 * 0.0625, 1.5 * 0.25]),   # p0 4 of 6; p1 1.5 of 3
        ([6, 1.5], [6, 5], [0, 0], [6 * 0.0625, 5 * 0.25]),   # nothing left; p1 wants 3.5 + 1.5
        ([4, 0], [10, 9], [0, 0], [6 * 0.0625, 8 * 0.25]),    # p1 capped at 2 * 4
    ]
    for t, (d, b, u, n) in enumerate(expect):
        kit_programs(t, programs, 2, rate, target, ramp, cycle, surge, bom, bom_scale, hold, eligible,
                     backlog, wip, delivered, used, unmet)
        close(delivered, d, err_msg=f"t={t}")
        close(backlog, b, err_msg=f"t={t}")
        close(used[:, MAGNET], u, err_msg=f"t={t}")
        close(unmet[:, MAGNET], n, err_msg=f"t={t}")
        if t == 0:   # lowest eligible class first; p0 never touches Chinese content
            close(hold[2, MAGNET], [1.0, 0, 0.25])
            close(hold[2, HEAVY], [0.5, 0, 1.0 - 6 * 0.002])
            close(hold[3, MAGNET], [0, 0, 0.375])
    close(hold[2, MAGNET], [1.0, 0, 0], atol=1e-15)


def test_consume_civil_takes_lowest_class_first():
    hold = np.zeros((3, 4, 3))
    hold[:, MAGNET] = [[2.0, 1.0, 4.0], [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]
    fill, shortfall = np.array([1.0, 0.5, 0.7]), np.array([0.0, 1.0, 0.0])
    total = consume_civil(np.array([5.0, 10.0, 0.0]), hold[:, MAGNET], fill, shortfall)   # a strided view
    assert total == pytest.approx(5 + 6)
    close(hold[:, MAGNET], [[0, 0, 2], [0, 0, 0], [1, 1, 1]])
    close(fill, [1.0, 0.8 * 0.5 + 0.2 * 6 / 10, 0.7])   # no need: fill unchanged
    close(shortfall, [0.0, 1 + 4, 0.0])


@pytest.mark.parametrize("seed", range(20))
def test_clear_ex_china_is_allocate_per_material(seed):
    rng = np.random.default_rng(seed)
    n_s, n_n, n_m, n_k = 3, 4, 4, 3
    stock = rng.uniform(0, 20, (n_s, n_m, n_k)) * (rng.random((n_s, n_m, n_k)) < 0.6)
    need = rng.uniform(0, 30, (n_n, n_m)) * (rng.random((n_n, n_m)) < 0.8)
    share = rng.uniform(0, 1, n_n) * (rng.random(n_n) < 0.5)
    offtake = rng.uniform(0, 0.5, (n_s, n_n)) * (rng.random((n_s, n_n)) < 0.4)
    eligible, bound = rng.random((n_n, n_k)) < 0.7, rng.random(n_s) < 0.5
    got, left = np.zeros((n_n, n_m, n_k)), stock.copy()
    clear_ex_china(left, need, share, offtake, eligible, bound, got)
    for m in range(n_m):
        want, sold = allocate_ex_china(stock[:, m], need[:, m] * share, offtake, need[:, m] * (1 - share),
                                       eligible, bound)
        close(got[:, m], want, rtol=1e-12, atol=1e-12)
        close(left[:, m], stock[:, m] - sold, rtol=1e-12, atol=1e-12)
    assert (got.sum(axis=2) <= need * (1 + 1e-12) + 1e-12).all()
    assert (got.sum(axis=0) <= stock.sum(axis=0) * (1 + 1e-12) + 1e-12).all()
    close(got.sum(axis=0) + left.sum(axis=0), stock.sum(axis=0), atol=1e-9)
    assert (left >= -1e-12).all() and (got[~eligible[:, None, :].repeat(n_m, 1)] == 0).all()


def test_grant_exports_exact():
    pool, quota_used, shipped, filed = np.array([10.0, 5.0]), np.zeros(2), np.ones((3, 2)), np.zeros((3, 2))
    requests = np.array([[0.0, 0.0], [4.0, 1.0], [5.0, 2.0]])   # row 0: China's own
    got = grant_exports(pool, np.array([[1.0, 0], [0, 0], [0, 0]]), np.array([3.0, 1.0]), np.array([6.0, 100.0]),
                        requests, np.array([0, 2, 1]), np.array([True, False]), quota_used, shipped, filed)
    # Controlled material 0: min(10 + 1 denied - 3 kept, quota 6) = 6: priority 2 gets its 4, then 2 of 5.
    # Uncontrolled material 1: 5 - 1 = 4 covers all 3 t, shipped at once.
    close([got, quota_used, pool], [[6, 3], [6, 3], [11 - 6, 5 - 3]])
    close(filed, [[0, 0], [4, 0], [2, 0]])
    close(shipped, [[1, 1], [1, 2], [1, 3]])


@pytest.mark.parametrize("seed", range(10))
def test_grant_exports_is_ration_per_material(seed):
    rng = np.random.default_rng(seed)
    pool, denied = rng.uniform(0, 40, 4), rng.uniform(0, 3, (6, 4)) * (rng.random((6, 4)) < 0.3)
    keep, quota = rng.uniform(0, 30, 4), rng.uniform(0, 40, 4)
    requests, priority = rng.uniform(0, 20, (6, 4)) * (rng.random((6, 4)) < 0.7), rng.integers(0, 3, 6)
    controlled, shipped0 = rng.random(4) < 0.5, rng.uniform(0, 5, (6, 4))
    left, used, shipped, filed = pool.copy(), np.zeros(4), shipped0.copy(), np.zeros((6, 4))
    got = grant_exports(left, denied, keep, quota, requests, priority, controlled, used, shipped, filed)
    held = pool + denied.sum(axis=0)
    for m in range(4):
        g = ration_by_priority(min(max(held[m] - keep[m], 0.0), quota[m]), requests[:, m], priority)
        close(filed[:, m], g * controlled[m], rtol=1e-12)
        close(shipped[:, m], shipped0[:, m] + g * ~controlled[m], rtol=1e-12)
        close(got[m], g.sum(), rtol=1e-12, atol=1e-12)
    close(left, held - got, rtol=1e-12)
    close(used, got)
    assert (got <= quota + 1e-9).all() and (left >= np.minimum(held, keep) - 1e-9).all()


def test_split_lots():
    b, m, size = split_lots(np.array([[2.0, 0.0], [0.0, 3.0]]), 2)
    np.testing.assert_array_equal([b, m], [[0, 0, 1, 1], [0, 0, 1, 1]])
    close(size, [1.0, 1.0, 1.5, 1.5])
    assert split_lots(np.zeros((2, 2)), 3)[2].size == 0


def make_queue(kind: str, prob: np.ndarray, horizon: int = 6) -> LicenceQueue:
    """A queue of ``kind`` whose buyers' approval probability is ``prob`` (the decision queue reads it live)."""
    if kind == "licence":
        return LicenceQueue(prob.size, 1, horizon)
    return DecisionQueue(prob.size, 1, horizon, lambda: prob, np.random.default_rng(5))


@pytest.mark.parametrize("kind", ["licence", "decision"])
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_queue_decides_each_lot_in_its_month(kind, p):
    prob = np.full(4, p)
    q = make_queue(kind, prob)
    qty = np.array([[4.0], [8.0], [2.0], [6.0]])
    # Fixed reviews of 0, 21.7, 45 and 500 working days: months 1 (at least), 1, ceil(2.07) = 3, 6 (horizon).
    q.file(2, qty, prob, np.array([0.0, 21.7, 45.0, 500.0]), np.zeros(4), 2, 21.7, np.random.default_rng(0))
    due = {3: [0, 1], 5: [2], 8: [3]}
    for t in range(2, 10):
        ok, no = q.decide(t)
        expect = np.zeros((4, 1))
        expect[due.get(t, [])] = qty[due.get(t, [])]
        close(ok, expect * p, err_msg=f"t={t}")
        close(no, expect * (1 - p), err_msg=f"t={t}")
    close(q.queued(), 0.0)


def test_decision_queue_applies_the_terms_in_force_at_decision():
    prob = np.zeros(1)
    q = make_queue("decision", prob)
    q.file(0, np.array([[5.0]]), prob, np.array([21.7]), np.zeros(1), 1, 21.7, np.random.default_rng(0))
    prob[:] = 1.0   # general licences after filing reach the waiting lot
    close(q.decide(1), [[[5.0]], [[0.0]]])   # (approved, denied)


@pytest.mark.parametrize("kind", ["licence", "decision"])
def test_queue_conserves_material(kind):
    rng = np.random.default_rng(11)
    prob = np.array([0.2, 0.5, 0.9])
    q, filed, decided = make_queue(kind, prob, horizon=4), np.zeros((3, 1)), np.zeros((3, 1))
    for t in range(20):
        ok, no = q.decide(t)
        assert (ok >= 0).all() and (no >= 0).all()
        decided += ok + no
        if t < 12:   # then months with nothing filed: the queue empties
            qty = rng.uniform(0, 10, (3, 1)) * (rng.random((3, 1)) < 0.7)
            q.file(t, qty, prob, rng.uniform(0, 120, 3), np.full(3, 0.5), 3, 21.7, rng)
            filed += qty
        close(filed, decided + q.queued(), atol=1e-9)   # what is queued is what was filed and not decided
    close(q.queued(), 0.0, atol=1e-9)


def test_pipeline_ship_each_matches_a_reference():
    rng = np.random.default_rng(2)
    pipe, on_way = Pipeline((3, 2, 3), horizon=4), {}
    for t in range(15):
        lead, qty, k = rng.integers(0, 5, 3), rng.uniform(0, 10, (3, 2)), int(rng.integers(0, 3))
        pipe.ship_each(t, lead, qty, k)
        for b in range(3):   # row b arrives lead[b] months later (0: this month), in class k only
            on_way.setdefault(t + lead[b], np.zeros((3, 2, 3)))[b, :, k] += qty[b]
        close(pipe.arrive(t), on_way.pop(t, np.zeros((3, 2, 3))), err_msg=f"t={t}")
        close(pipe.in_transit(), sum(on_way.values()), atol=1e-9)
    for bad in ([0, 5, 1], [-1, 0, 1]):   # beyond the horizon, negative
        with pytest.raises(ValueError, match="outside"):
            pipe.ship_each(0, np.array(bad), np.ones((3, 2)), 0)


def stockpile_case(share: bool, extraterritorial: bool, donor: int = 0) -> dict:
    """Release one material from ``donor``'s stockpile [2, 3, 5] t: countries 0, 1 club members, 2 not;
    programs (rows 3-5) of countries 0, 1, 2 lack 4, 2 and 3 t; everyone is short."""
    stockpiles, hold = np.zeros((3, 1, 3)), np.zeros((6, 1, 3))
    stockpiles[donor, 0], hold[0, 0] = [2.0, 3.0, 5.0], [0, 1.0, 0]
    residual = np.array([[0.0], [0.0], [0.0], [4.0], [2.0], [3.0]])
    eligible = np.array([[True] * 3] * 3 + [[False, True, True]] + [[True] * 3] * 2)
    release_stockpiles(stockpiles, hold, residual, eligible, np.ones((3, 1), bool), np.array([0, 1, 2, 0, 1, 2]),
                       np.array([True, True, False]), share, extraterritorial, np.array([2.0, 2.0, 2.0]),
                       np.array([[2.0], [1.0], [1.0]]))
    return dict(stock=stockpiles[donor, 0], hold=hold[:, 0], residual=residual[:, 0])


def test_stockpile_releases_to_own_programs_then_industry():
    r = stockpile_case(share=False, extraterritorial=True)
    close(r["hold"][3], [0, 1.5, 2.5])   # 4 t from the 8 t it may take: half of classes 1 and 2
    close(r["hold"][4:], 0.0)            # no sharing: other members' programs get nothing
    close(r["hold"][0], [1.0, 1.0 + 0.75, 1.25])   # industry: 2 months * 2 t - 1 held = 3 of the 6 left
    close(r["stock"], [1.0, 0.75, 1.25])
    close(r["residual"][3:], [0, 2, 3])


@pytest.mark.parametrize("extraterritorial", [True, False])
def test_shared_stockpile_reaches_members_only(extraterritorial):
    r = stockpile_case(share=True, extraterritorial=extraterritorial)
    close(r["residual"][3:], [0, 0, 3], atol=1e-15)   # the non-member's program gets nothing
    close(r["hold"][5], 0.0)
    if extraterritorial:   # no Chinese content across the border: 2 of the 4 t in classes 1-2
        close(r["hold"][4], [0, 0.75, 1.25])
        close(r["hold"][0], [1.5, 1.0 + 0.5625, 0.9375])   # then industry: 3 of the 4 t left
    else:
        close(r["hold"][4], np.array([2.0, 1.5, 2.5]) / 3)   # 2 of all 6 t left
        assert r["hold"][0].sum() == pytest.approx(1 + 3)
    close(r["stock"].sum() + r["hold"].sum(), 10 + 1)   # nothing made or lost
    r = stockpile_case(share=True, extraterritorial=extraterritorial, donor=2)   # a non-member shares nothing
    close(r["hold"][5], np.array([2.0, 3.0, 5.0]) * 3 / 10)   # its program's 3 t, pro rata over 10 t
    close(r["residual"][3:], [4, 2, 0], atol=1e-15)


def test_reserve_purchases_order_cap_and_availability():
    price, cap = np.array([10.0, 50.0, 20.0]), np.array([15.0, 40.0, 25.0])
    days, use, held = np.array([30.0, 30.0, 60.0]), np.array([1.0, 1.0, 0.5]), np.array([10.0, 0.0, 5.0])
    # Material 1 is over its cap; 2 has no stock to buy (clipped at 0); 0 fills its gap 30*1 - 10.
    got = reserve_purchases(1e6, price, cap, days, use, held, np.array([100.0, 100.0, -5.0]), np.array([1, 2, 0]))
    close(got, [20.0, 0.0, 0.0])
    # Material 2 first: 60*0.5 - 5 = 25 t for USD 0.5 M; the USD 0.1 M left buys 10 t of material 0.
    got = reserve_purchases(6e5, price, cap, days, use, held, np.full(3, 100.0), np.array([2, 0, 1]))
    close(got, [10.0, 0.0, 25.0])
