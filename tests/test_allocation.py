"""Monthly allocation of finished units: FCFS, america-first and closed orders, exact cases."""

import numpy as np

from sim.mechanisms.allocation import allocate_orders, priority_scores

UNITS = np.array([3.0, 2.0, np.inf])     # two partner orders, then own forces
ORDERED = np.array([0, 5, 0])            # order 0 placed first
SCORE = np.array([0.2, 0.9, 0.0])        # order 1's buyer scores higher
T = 5
DELIVERED = np.full(T, 1.0)


def test_fcfs_serves_by_order_date_then_own_forces():
    cum = allocate_orders(DELIVERED, UNITS, ORDERED, SCORE, np.zeros(T, bool), np.zeros(3, int))
    np.testing.assert_allclose(cum, [[1, 2, 3, 3, 3], [0, 0, 0, 1, 2], [0, 0, 0, 0, 0]])


def test_america_first_serves_the_higher_score_first_from_its_month():
    rule = np.array([False, True, True, True, True])
    cum = allocate_orders(DELIVERED, UNITS, ORDERED, SCORE, rule, np.zeros(3, int))
    np.testing.assert_allclose(cum, [[1, 1, 1, 2, 3], [0, 1, 2, 2, 2], [0, 0, 0, 0, 0]])


def test_closed_order_waits_and_units_go_to_the_next_customer():
    open_from = np.array([3, 0, 0])      # order 0 (say Taiwan's) unfunded until month 3
    cum = allocate_orders(DELIVERED, UNITS, ORDERED, SCORE, np.zeros(T, bool), open_from)
    np.testing.assert_allclose(cum, [[0, 0, 0, 1, 2], [1, 2, 2, 2, 2], [0, 0, 1, 1, 1]])
    np.testing.assert_allclose(cum.sum(axis=0), np.cumsum(DELIVERED))   # nothing is lost


def test_priority_scores_follow_the_four_criteria():
    s = priority_scores(np.array([0.025, 0.06]), np.array([1.0, 0.0]), np.array([0.5, 0.0]),
                        np.array([0.0, 1.0]), (0.4, 0.3, 0.2, 0.1))
    np.testing.assert_allclose(s, [0.4 * 0.5 + 0.3 + 0.1, 0.4 * 1.0 + 0.1])
