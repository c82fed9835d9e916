"""Reserve purchases: price cap, cover target, budget and availability, exact cases."""

import numpy as np

from sim.mechanisms.reserves import reserve_purchases

PRICE = np.array([100.0, 500.0])       # USD/kg
CAP = np.array([150.0, 400.0])         # the second material is over its cap
TARGET = np.array([60.0, 60.0])        # days
USE = np.array([2.0, 0.1])             # t/day
ORDER = np.array([1, 0])


def test_buys_up_to_the_cover_target_under_the_cap():
    got = reserve_purchases(1e9, PRICE, CAP, TARGET, USE, np.array([20.0, 0.0]), np.array([500.0, 50.0]), ORDER)
    np.testing.assert_allclose(got, [100.0, 0.0])   # 60 d x 2 t/d - 20 held; heavy too dear


def test_budget_and_availability_bind():
    got = reserve_purchases(2e6, PRICE, CAP, TARGET, USE, np.zeros(2), np.array([500.0, 50.0]), ORDER)
    np.testing.assert_allclose(got, [20.0, 0.0])    # USD 2 M at USD 100/kg = 20 t
    got = reserve_purchases(1e9, PRICE, CAP, TARGET, USE, np.zeros(2), np.array([5.0, 50.0]), ORDER)
    np.testing.assert_allclose(got, [5.0, 0.0])


def test_spends_on_the_first_material_in_order_first():
    cap = np.array([150.0, 600.0])
    got = reserve_purchases(3.5e6, PRICE, cap, TARGET, USE, np.zeros(2), np.array([500.0, 50.0]), ORDER)
    # 6 t of the second material (60 d x 0.1 t/d) cost USD 3 M; USD 0.5 M buys 5 t of the first.
    np.testing.assert_allclose(got, [5.0, 6.0])


# ---- in the model -------------------------------------------------------------------------

import pytest  # noqa: E402
from conftest import make_model  # noqa: E402


def test_vault_fills_its_targets_spends_its_money_and_conserves_material():
    with_vault = make_model(seed=3, overrides=("months=48",))
    without = make_model(seed=3, overrides=("months=48", "us.vault_budget_usd=0"))
    for m in (with_vault, without):
        m.run()                                      # the ledger checks every month
    us = with_vault.world.countries.index("US")
    days = with_vault.recorder.cover_days[:, us]
    assert days[-1, 3] > 55 and without.recorder.cover_days[-1, us].max() == 0.0   # magnets, 60-day target
    spent = 1.2e9 - with_vault.countries[us].reserve_left
    assert 0 < spent <= 1.2e9 * 47 / 36 + 1                              # at most a 36th a month
    assert with_vault.recorder.fiscal[-1, us] >= spent                   # booked as fiscal cost


def test_us_budget_is_set_only_through_the_vault_key():

    from sim.config.compose import compose_config
    from sim.config.errors import ConfigError

    with pytest.raises(ConfigError, match="set Project Vault with us.vault_budget_usd"):
        compose_config(None, ["world.countries.US.reserve_budget_usd=5e8"])
