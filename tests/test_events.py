"""Dated events: validated like every other key, and firing in their month."""

import numpy as np
import pytest

from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.config.schema import EventCfg
from sim.config.validate import validate
from sim.model.model import RhythmModel
from sim.model.policy import build_policy
from sim.model.regime import PolicyState
from sim.model.world import build_world


def with_events(**events):
    cfg = compose_config(None, ["months=24"])
    cfg.events = {name: EventCfg(*spec) for name, spec in events.items()}
    return validate(cfg)


@pytest.mark.parametrize("spec,message", [
    (("2027-01", "regime.tierz.restricted.approval_prob", 0.3), "cannot be scheduled: allowed are"),
    (("2027-01", "regime.tiers.restricted.approval_prob", 3.0), "events.x.value=3.0 breaks a rule: regime.tiers.restricted.approval_prob=3.0 is out of range"),
    (("2027-01", "us.rated_order_share", "abc"), "events.x.value='abc': expected a float, got a str for us.rated_order_share"),
    (("2027-01", "regime.deny_military", 1.0), "events.x.value=1.0: expected a bool, got a float for regime.deny_military"),
    (("2029-13", "us.rated_order_share", 0.3), "events.x.month='2029-13' is not a month: use YYYY-MM"),
    (("2027-01", "regime.destination_tier.US", "vip"), "'vip' is not a known tier"),
    (("2027-01", "regime.destination_tier.XX", "standard"), "regime.destination_tier.XX: 'XX' is not a known country: known are AFRICA"),
    (("2027-01", "regime.tiers.gold.priority", 1), "names an id that does not exist"),
])
def test_bad_events_fail_with_one_line(spec, message):
    with pytest.raises(ConfigError) as err:
        with_events(x=spec)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_policy_state_recomputes_buyer_terms():
    cfg = with_events()
    world, policy = build_world(cfg), build_policy(cfg)
    n_c = len(world.countries)
    buyers = np.concatenate([np.arange(n_c), [p.country for p in world.programs]])
    terms = PolicyState(world, policy, buyers, n_c)
    us, f35 = world.countries.index("US"), n_c + [p.pid for p in world.programs].index("us.f35")
    assert terms.approve_prob[us] == 0.6 and terms.approve_prob[f35] == 0.0   # restricted; military denied
    ev = lambda kind, parts, value: type("E", (), {"kind": kind, "parts": parts, "value": value})  # noqa: E731
    terms.apply(ev("destination_tier", ("US",), "preferred"))
    assert terms.approve_prob[us] == 0.95 and terms.priority[us] == 2 and terms.approve_prob[f35] == 0.0
    terms.apply(ev("deny_military", (), False))
    assert terms.approve_prob[f35] == 0.95
    assert terms.lead[us] == pytest.approx(30.0 / 21.7 + 2)


def test_an_embargo_event_stops_us_exports_from_its_month():
    cfg = with_events(embargo=("2026-07", "regime.tiers.restricted.approval_prob", 0.0))
    model = RhythmModel(build_world(cfg), build_policy(cfg), seed=2)
    model.run()
    us = model.world.countries.index("US")
    exports = model.recorder.cn_magnet_exports[:, us]
    assert exports[:6].sum() > 0                 # lots approved before July still ship
    # Approval is drawn at filing, so lots filed before July may still land for a few months;
    # a year on, nothing reaches the US.
    assert exports[18:].sum() == 0.0


def test_tariff_event_moves_the_export_share_in_its_month():
    cfg = with_events(tariffs=("2027-01", "world.countries.US.tariff_rise_on_cn", 1.0))
    model = RhythmModel(build_world(cfg), build_policy(cfg), seed=2)
    model.run()
    share = model.recorder.export_share[:, model.world.countries.index("US")]
    assert share[12] < 0.8 * share[11]           # (2 / 1.28)^-1.2 = 0.59 of the month before
    assert abs(share[11] - share[10]) < 0.002


def test_bifurcation_composes_its_events_on_top_of_the_baseline():
    cfg = compose_config("bifurcation")
    assert {"america_first", "us_decouples", "eu_follows"} <= set(cfg.events)
    assert cfg.world.countries["US"].tariff_rise_on_cn == 0.28   # until the event fires


def test_events_before_the_start_are_in_force_and_after_the_end_never_fire():
    cfg = with_events(before=("2025-06", "regime.deny_military", False),
                      after=("2040-01", "us.rated_order_share", 0.0))
    model = RhythmModel(build_world(cfg), build_policy(cfg), seed=0)
    assert model.terms.deny_military is False                       # applied at construction
    assert [e.name for e in model.policy.events] == ["before"]           # "after" was dropped
    model.run()
    assert model.terms.rated_share == cfg.us.rated_order_share      # the 2040 event never fired
