"""Arms-transfer allocation and Taiwan's special budget in full model runs."""

import numpy as np
from conftest import make_model


def tw_pac3_lag(model):
    table = model.recorder.frame("x", 0)
    return table, table[(table.metric == "delivery_lag_months") & (table.entity == "country:TW")]


def test_a_budget_that_never_passes_keeps_taiwan_waiting():
    model = make_model(seed=4, overrides=("taiwan.special_budget_pass_prob=0", "months=48"))
    model.run()
    table, tw = tw_pac3_lag(model)
    assert model.taiwan.budget_passed_at is None
    assert (table[table.metric == "special_budget_passed"]["value"] == 0).all()
    # Taiwan's PAC-3 order was due from early 2027 (after 600 earlier units at ~52/month); its
    # lag then grows one month per month. country:TW averages PAC-3 with Javelin (on time),
    # so it grows half a month per month.
    lag = tw.set_index("month")["value"]
    assert abs((lag.iloc[-1] - lag.iloc[-13]) - 6.0) < 0.5


def test_a_budget_passed_at_the_first_session_leaves_no_lasting_lag():
    model = make_model(seed=4, overrides=("taiwan.special_budget_pass_prob=1", "months=48"))
    model.run()
    table, tw = tw_pac3_lag(model)
    assert model.taiwan.budget_passed_at == 4          # the spring session ends in May 2026
    assert tw["value"].iloc[-12:].max() < 2.0


def test_baseline_switches_to_america_first_in_june_2026(full_runs):
    table = full_runs["rhythm_embedded"].recorder.frame("x", 0)
    rule = table[table.metric == "america_first_rule"].set_index("month")["value"]
    assert rule.iloc[:5].eq(0).all() and rule.iloc[5:].eq(1).all()


def test_deliveries_are_conserved_across_customers(full_runs):
    """Whatever the rule, every finished unit goes to exactly one order."""
    model = full_runs["bifurcation"]
    rec = model.recorder
    for i, p in enumerate(model.world.programs):
        from sim.mechanisms.allocation import allocate_orders

        open_now = np.maximum(p.order_month, 0)
        cum = allocate_orders(rec.deliveries[:, i], p.order_units, p.order_month, p.order_score,
                              rec.america_first, open_now)
        np.testing.assert_allclose(cum.sum(axis=0), np.cumsum(rec.deliveries[:, i]))
