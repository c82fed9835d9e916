"""Every config composes; every bad input fails at compose time with one line naming the key."""

import pytest

from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.vocab import SCENARIOS


@pytest.mark.parametrize("scenario", [None, *SCENARIOS])
def test_every_config_composes_and_validates(scenario):
    cfg = compose_config(scenario)
    assert cfg.scenario_name == (scenario or "rhythm_embedded")
    assert "CN" in cfg.world.countries and len(cfg.world.countries) == 14
    assert {"US", "JP", "KR", "TW", "EU", "GB", "AU", "CA", "IN", "ASEAN", "AFRICA", "LATAM", "GULF"} <= set(cfg.world.countries)
    stages = {r.stage for r in cfg.world.refiners.values()}
    assert stages == {"separation", "metal", "magnet"}
    programs = {k for p in cfg.world.producers.values() for k in p.programs}
    assert {"f35", "ddg51", "virginia", "pac3", "shell155"} <= programs


def test_scenarios_override_any_key_after_them():
    cfg = compose_config("collision", ["us.rated_order_share=0.3", "replicates=2"])
    assert cfg.us.rated_order_share == 0.3 and cfg.replicates == 2


def test_scenarios_differ_only_in_their_deltas():
    base, coll = compose_config(), compose_config("collision")
    assert coll.us.rated_order_share > base.us.rated_order_share
    assert set(coll.world.refiners) == set(base.world.refiners)     # same candidates: policy differs
    assert coll.world.countries["US"].capex_grant_share > base.world.countries["US"].capex_grant_share
    assert coll.world.countries["JP"] == base.world.countries["JP"]


BAD = [
    (["us.rated_order_shar=0.5"], "unknown key 'us.rated_order_shar'"),
    (["+foo=1"], "unknown key 'foo'"),
    (["world.countries.US.bogus=1"], "unknown key 'world.countries.US.bogus'"),
    (["us.rated_order_share=1.5"], "us.rated_order_share=1.5 is out of range: allowed [0.0, 1.0]"),
    (["regime.tiers.standard.approval_prob=-0.1"], "regime.tiers.standard.approval_prob=-0.1 is out of range"),
    (["world.refiners.lynas_malaysia.capacity_tpy=-5"], "world.refiners.lynas_malaysia.capacity_tpy=-5.0 is out of range: allowed >= 0.0"),
    (["months=abc"], "months='abc': expected an int, got a str"),
    (["world.refiners.lynas_malaysia.site=XX"], "world.refiners.lynas_malaysia.site='XX' is not a known country"),
    (["world.refiners.lynas_malaysia.offtake={ZZ: 0.5}"], "unknown key 'world.refiners.lynas_malaysia.offtake.ZZ'"),
    (["+world.refiners.lynas_malaysia.offtake.ZZ=0.5"], "world.refiners.lynas_malaysia.offtake.ZZ: 'ZZ' is not a known country"),
    (["world.refiners.lynas_malaysia.offtake.JP=0.7", "+world.refiners.lynas_malaysia.offtake.US=0.6"],
     "world.refiners.lynas_malaysia.offtake: shares sum to 1.3, allowed at most 1"),
    (["regime.destination_tier.US=vip"], "regime.destination_tier.US='vip' is not a known tier"),
    (["start=2026-13"], "start='2026-13' is not a month: use YYYY-MM"),
    (["~regime.destination_tier.US"], "regime.destination_tier: no tier for US"),
    (["club.pool_share=1.5"], "club.pool_share=1.5 is out of range: allowed [0.0, 1.0]"),
    (["club.candidates=[JP,XX]"], "club.candidates.1='XX' is not a known country"),
    (["club.candidates=[JP,US]"], "club.candidates: the leader 'US' is a member from club.start, not a candidate"),
    (["club.candidates=[CN]"], "club: China ('CN') cannot lead or join"),
    (["club.weights.offer=-1"], "club.weights.offer=-1.0 is out of range: allowed >= 0.0"),
    (["world.countries.EU.club_trust=1.2"], "world.countries.EU.club_trust=1.2 is out of range: allowed [0.0, 1.0]"),
    (["regime.reaction.club_tier=vip"], "regime.reaction.club_tier='vip' is not a known tier"),
    (["regime.reaction.reacting_tiers=[restricted,vip]"], "regime.reaction.reacting_tiers.1='vip' is not a known tier"),
    (["regime.reaction.extraterritorial_at=2"], "regime.reaction.extraterritorial_at=2.0 is out of range: allowed [0.0, 1.0]"),
    (["regime.extraterritorial_from=Nov-2026"], "regime.extraterritorial_from='Nov-2026' is not a month: use YYYY-MM"),
    (["market.cn_export_circle_b_uplift=-0.1"], "market.cn_export_circle_b_uplift=-0.1 is out of range"),
]


@pytest.mark.parametrize("overrides,message", BAD)
def test_bad_input_is_one_line_naming_the_key(overrides, message):
    with pytest.raises(ConfigError) as err:
        compose_config(None, overrides)
    text = str(err.value)
    assert message in text
    assert "\n" not in text


def test_unknown_scenario_lists_the_valid_names():
    with pytest.raises(ConfigError, match="unknown scenario 'colision'; choose one of rhythm_embedded, collision, bifurcation, hindcast_2025"):
        compose_config("colision")


# A design point is checked key by key on a validated base (sim.study.configs.apply); it must
# reject exactly what a full validation of the same config rejects, with the same message.
@pytest.mark.parametrize("overrides", [
    [("us.rated_order_share", 0.4)],                                  # valid
    [("us.rated_order_share", 1.2)],                                  # a value's range
    [("world.refiners.lynas_malaysia.offtake.US", 0.6)],              # a new map entry: the sum rule
    [("regime.destination_tier.XX", "restricted")],                   # a map key that names nothing
    [("club.leader", "JP")],                                          # a rule between keys
    [("world.countries.US.reserve_budget_usd", 1e9)],                 # a rule on one value's meaning
    [("start", "2026-13")],                                           # a month
])
def test_a_design_point_is_checked_like_a_full_validation(overrides):
    from sim.config.validate import validate
    from sim.study.configs import apply

    base = compose_config("collision")
    try:
        validate(apply(base, overrides, check=False))
        full = None
    except ConfigError as exc:
        full = str(exc)
    try:
        apply(base, overrides)
        point = None
    except ConfigError as exc:
        point = str(exc)
    assert point == full
    assert (full is None) == (overrides[0][0] == "us.rated_order_share" and overrides[0][1] <= 1)
