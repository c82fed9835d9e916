"""China's licence queue and priority rationing: exact small cases."""

import numpy as np

from sim.mechanisms.licensing import LicenceQueue, ration_by_priority, review_months


def test_review_months_fixed_when_cv_zero():
    rng = np.random.default_rng(0)
    days = np.array([0.0, 21.7, 45.0, 60.0, 500.0])
    out = review_months(rng, days, np.zeros(5), 21.7, horizon=12)
    np.testing.assert_array_equal(out, [0, 1, 3, 3, 12])   # ceil(days / 21.7), capped


def test_review_months_random_has_the_right_mean():
    rng = np.random.default_rng(1)
    out = review_months(rng, np.full(20000, 45.0), np.full(20000, 0.5), 21.7, horizon=24)
    # E[ceil(X)] lies within [E[X], E[X] + 1] for X = days / 21.7 (mean 2.07 months).
    assert 2.07 <= out.mean() <= 3.07
    assert out.min() >= 0 and out.max() <= 24


def test_ration_by_priority_serves_higher_tiers_first():
    granted = ration_by_priority(10.0, np.array([4.0, 6.0, 8.0, 2.0]), np.array([2, 1, 1, 0]))
    np.testing.assert_allclose(granted, [4.0, 2.57142857, 3.42857143, 0.0])
    assert granted.sum() == 10.0 or abs(granted.sum() - 10.0) < 1e-12


def test_ration_by_priority_grants_all_when_plenty():
    req = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(ration_by_priority(100.0, req, np.array([0, 1, 2])), req)
    np.testing.assert_allclose(ration_by_priority(0.0, req, np.array([0, 1, 2])), 0.0)


def test_queue_holds_lots_until_their_month_then_approves_or_denies():
    rng = np.random.default_rng(0)
    queue = LicenceQueue(n_buyers=2, n_materials=1, horizon=6)
    qty = np.array([[8.0], [4.0]])
    # Buyer 0: always approved, fixed 45 working days -> 3 months; buyer 1: always denied, 1 month.
    queue.file(0, qty, np.array([1.0, 0.0]), np.array([45.0, 21.7]), np.zeros(2), 4, 21.7, rng)
    np.testing.assert_allclose(queue.queued(), qty)
    ok, no = queue.decide(1)
    np.testing.assert_allclose(ok, 0.0)
    np.testing.assert_allclose(no, [[0.0], [4.0]])
    for t in (2,):
        ok, no = queue.decide(t)
        assert ok.sum() == 0 and no.sum() == 0
    ok, no = queue.decide(3)
    np.testing.assert_allclose(ok, [[8.0], [0.0]])
    np.testing.assert_allclose(queue.queued(), 0.0)


def test_queue_never_decides_in_the_month_of_filing():
    rng = np.random.default_rng(0)
    queue = LicenceQueue(1, 1, horizon=3)
    queue.file(5, np.array([[2.0]]), np.array([1.0]), np.array([0.0]), np.zeros(1), 1, 21.7, rng)
    ok, _ = queue.decide(6)       # a zero-day review is decided the next month
    assert ok.sum() == 2.0
    assert queue.queued().sum() == 0.0


def test_approval_share_matches_probability_over_many_lots():
    rng = np.random.default_rng(3)
    queue = LicenceQueue(1, 1, horizon=2)
    queue.file(0, np.array([[1000.0]]), np.array([0.25]), np.array([10.0]), np.zeros(1), 1000, 21.7, rng)
    ok, no = queue.decide(1)
    assert abs(ok.sum() / 1000.0 - 0.25) < 0.05
    assert abs(ok.sum() + no.sum() - 1000.0) < 1e-9
