"""Ex-China allocation and price formation: exact small cases."""

import numpy as np

from sim.mechanisms.market import allocate_ex_china, draw_from_sellers, pro_rata_by_class, update_price

ALL = np.ones((3, 3), dtype=bool)


def test_pro_rata_within_a_class():
    alloc = pro_rata_by_class(np.array([6.0, 0.0, 0.0]), np.array([4.0, 8.0, 0.0]), ALL)
    np.testing.assert_allclose(alloc[:, 0], [2.0, 4.0, 0.0])


def test_restricted_buyer_only_gets_its_class_and_civil_takes_low_classes_first():
    eligible = np.array([[True, True, True], [False, False, True]])
    # 5 t Chinese-origin, 5 t qualified; the civil buyer wants 6, the defense buyer 4.
    alloc = pro_rata_by_class(np.array([5.0, 0.0, 5.0]), np.array([6.0, 4.0]), eligible)
    np.testing.assert_allclose(alloc, [[5.0, 0.0, 1.0 * 5 / 5 * 1 / 1 * 1.0], [0.0, 0.0, 4.0]])
    assert alloc[:, 2].sum() <= 5.0 + 1e-12


def test_rated_orders_come_before_offtake_and_market():
    inventory = np.array([[0.0, 0.0, 10.0]])          # one seller, 10 t qualified
    rated = np.array([0.0, 3.0])                       # buyer 1 holds a rated order for 3 t
    offtake = np.array([[0.5, 0.0]])                   # buyer 0 has 50% of the seller's supply
    market = np.array([20.0, 2.0])
    got, sold = allocate_ex_china(inventory, rated, offtake, market, np.ones((2, 3), bool))
    # rated: 3 to buyer 1; offtake: 50% of the 7 left = 3.5 to buyer 0; market: 3.5 left for
    # demands 16.5 and 2 -> pro rata 3.1216 and 0.3784.
    np.testing.assert_allclose(got.sum(axis=1), [3.5 + 3.5 * 16.5 / 18.5, 3.0 + 3.5 * 2 / 18.5])
    np.testing.assert_allclose(sold.sum(), 10.0)
    np.testing.assert_allclose(got.sum(), sold.sum())


def test_allocation_never_exceeds_supply_or_demand():
    rng = np.random.default_rng(5)
    for _ in range(200):
        inv = rng.uniform(0, 5, (4, 3))
        n = 6
        rated = rng.uniform(0, 2, n) * (rng.random(n) < 0.3)
        market = rng.uniform(0, 6, n)
        offtake = rng.uniform(0, 0.3, (4, n)) * (rng.random((4, n)) < 0.3)
        elig = rng.random((n, 3)) < 0.7
        got, sold = allocate_ex_china(inv, rated, offtake, market, elig)
        assert (got >= -1e-12).all() and (sold >= -1e-12).all()
        assert (sold <= inv + 1e-9).all()
        np.testing.assert_allclose(got.sum(), sold.sum())
        assert (got.sum(axis=1) <= rated + market + 1e-9).all()
        assert (got[~elig] <= 1e-12).all()


def test_draw_from_sellers_is_pro_rata():
    inv = np.array([[3.0, 0.0, 1.0], [1.0, 0.0, 3.0]])
    np.testing.assert_allclose(draw_from_sellers(inv, np.array([2.0, 0.0, 2.0])),
                               [[1.5, 0.0, 0.5], [0.5, 0.0, 1.5]])


def test_price_moves_a_third_of_the_way_to_cost_plus_scarcity():
    price = update_price(np.array([100.0]), np.array([100.0]), np.array([2.0]), np.array([0.5]), 1 / 3)
    np.testing.assert_allclose(price, [100.0 + (200.0 - 100.0) / 3])
    floored = update_price(np.array([50.0]), np.array([50.0]), np.array([0.0]), np.array([1.0]), 1.0, 110.0)
    np.testing.assert_allclose(floored, [110.0])


def test_rated_orders_bind_only_the_sellers_under_the_rating():
    inventory = np.array([[0.0, 0.0, 4.0], [0.0, 0.0, 6.0]])   # seller 0 is bound (US-sited)
    rated = np.array([0.0, 5.0])
    market = np.array([10.0, 0.0])
    got, sold = allocate_ex_china(inventory, rated, np.zeros((2, 2)), market, np.ones((2, 3), bool),
                                  rated_sellers=np.array([True, False]))
    # Buyer 1 takes all 4 t of the bound seller first; its unfilled 1 t then competes pro rata
    # with buyer 0's 10 t for the 6 t abroad: 6 * 1/11 and 6 * 10/11.
    np.testing.assert_allclose(got.sum(axis=1), [60 / 11, 4 + 6 / 11])
    np.testing.assert_allclose(sold.sum(axis=1), [4.0, 6.0])
