"""Delivery lag and FCFS splitting: exact values on hand-computed cases."""

import numpy as np
import pytest

from sim.mechanisms.allocation import allocate_orders
from sim.mechanisms.metrics import delivery_lag, lag_series

PLAN = np.cumsum(np.full(12, 2.0))  # two units a month


def test_on_plan_has_zero_lag():
    assert np.array_equal(delivery_lag(PLAN, PLAN), np.zeros(12))


def test_ahead_of_plan_is_zero_not_negative():
    assert np.array_equal(delivery_lag(PLAN, PLAN + 5.0), np.zeros(12))


def test_three_month_stall_gives_three_months():
    actual = PLAN.copy()
    actual[3:6] = actual[2]                 # nothing delivered in months 3-5
    actual[6:] = PLAN[3:9]                  # then deliveries resume at the planned rate
    np.testing.assert_allclose(delivery_lag(PLAN, actual), [0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3])


def test_nothing_delivered_counts_from_the_start():
    np.testing.assert_allclose(delivery_lag(PLAN, np.zeros(12)), np.arange(1, 13))


def test_half_rate_interpolates_between_month_ends():
    # Half the planned rate: at month t, D = t + 1, reached by plan at (t + 1) / 2 - 1.
    t = np.arange(12)
    np.testing.assert_allclose(delivery_lag(PLAN, PLAN / 2), t - ((t + 1) / 2 - 1))


def test_flat_plan_stretch_adds_no_lag():
    # A customer queued behind others: nothing due for four months, then one a month.
    plan = np.array([0, 0, 0, 0, 1, 2, 3.0])
    late = np.array([0, 0, 0, 0, 0, 1, 2.0])
    np.testing.assert_allclose(delivery_lag(plan, late), [0, 0, 0, 0, 1, 1, 1])


def test_lag_in_cycles_is_months_over_cycle():
    actual = PLAN.copy()
    actual[3:] = PLAN[:9]
    cycles = delivery_lag(PLAN, actual) / 3.0
    assert cycles[-1] == pytest.approx(1.0)


def test_lag_series_per_customer():
    plan = np.full(6, 2.0)                         # 2/month; an order of 4 for country 5 first
    delivered = np.array([2.0, 0, 2, 2, 2, 2])     # a one-month stall in month 1
    units, months, score = np.array([4.0, np.inf]), np.array([-3, 0]), np.zeros(2)
    fcfs, open_now = np.zeros(6, bool), np.zeros(2, int)
    p_orders = allocate_orders(plan, units, months, score, fcfs, open_now)
    d_orders = allocate_orders(delivered, units, months, score, fcfs, open_now)
    lag, per = lag_series(np.cumsum(plan), np.cumsum(delivered), np.array([5, 0]), p_orders, d_orders)
    np.testing.assert_allclose(lag, [0, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(per[5], [0, 1, 0, 0, 0, 0])  # its order completes in month 2
    np.testing.assert_allclose(per[0], [0, 0, 1, 1, 1, 1])  # own forces wait one month from month 2
