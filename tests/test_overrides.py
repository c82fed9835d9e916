"""One way to set ``key=value``: the CLI, a study's design point and an event follow the same rules."""

from pathlib import Path

import pytest

from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.config.events import resolve
from sim.config.overrides import Override, UnknownKey, WrongValue, apply, get_path, parse, trial
from sim.config.schema import EventCfg
from sim.config.validate import validate
from sim.runs.cli import validate_sweep

SIM = Path(__file__).resolve().parents[1] / "sim"


@pytest.fixture(scope="module")
def base():
    return compose_config(None, ["months=24"])


def error(fn, *args):
    with pytest.raises(ConfigError) as err:
        fn(*args)
    assert "\n" not in str(err.value)
    return str(err.value)


# --- the type rules, exact -------------------------------------------------------------------

@pytest.mark.parametrize("overrides,key,value", [
    (["months=3"], "months", 3),                                          # int from "3"
    ([("months", 3.0)], "months", 3),                                     # a whole float (a sampled point)
    ([("months", 3)], "months", 3),
    (["figures=false"], "figures", False),                                # bool
    (["us.rated_order_share=0"], "us.rated_order_share", 0.0),            # an int widened to a float
    ([("us.rated_order_share", 1)], "us.rated_order_share", 1.0),
    (["regime.destination_tier.US=preferred"], "regime.destination_tier.US", "preferred"),   # str
    (["start=2026-06"], "start", "2026-06"),
    (["+world.refiners.lynas_malaysia.offtake.US=0.1"], "world.refiners.lynas_malaysia.offtake.US", 0.1),
    ([("world.refiners.lynas_malaysia.offtake.US", 0.1)], "world.refiners.lynas_malaysia.offtake.US", 0.1),
    (["++us.rated_order_share=0.7"], "us.rated_order_share", 0.7),
    (["club.candidates=[JP,KR]"], "club.candidates", ["JP", "KR"]),
    (["club.weights={offer: 2}"], "club.weights.offer", 2.0),
    (["regime.export_quota_tpy.magnet=inf"], "regime.export_quota_tpy.magnet", float("inf")),
])
def test_accepted_values_take_the_keys_type(base, overrides, key, value):
    cfg = apply(base, overrides)
    got = get_path(cfg, key)
    assert got == value and type(got) is type(value)
    assert get_path(base, "months") == 24            # the base is untouched


@pytest.mark.parametrize("overrides,message", [
    ([("months", 3.5)], "months=3.5: expected an int, got a number that is not whole"),
    (["months=3.5"], "months=3.5: expected an int, got a number that is not whole"),
    (["months=3.0"], "months=3.0: expected an int: write 3"),                 # Hydra's run refuses 3.0
    (["months=abc"], "months='abc': expected an int, got a str"),
    ([("months", True)], "months=True: expected an int, got a bool"),
    (["regime.deny_military=1"], "regime.deny_military=1: expected a bool, got an int"),
    ([("figures", 1.0)], "figures=1.0: expected a bool, got a float"),
    (["us.rated_order_share=abc"], "us.rated_order_share='abc': expected a float, got a str"),
    (["us.rated_order_share=true"], "us.rated_order_share=True: expected a float, got a bool"),
    (["us.rated_order_share=null"], "us.rated_order_share=None: expected a float, got None"),
    ([("regime.destination_tier.US", 1)], "regime.destination_tier.US=1: expected a str, got an int"),
    (["us=1"], "Config group override must be a string"),
    (["us.rated_order_shar=0.5"], "unknown key 'us.rated_order_shar' (check the spelling); valid keys here: "
                                  "rated_order_share,"),
    ([("us.rated_order_shar", 0.5)], "unknown key 'us.rated_order_shar' (check the spelling)"),
    (["world.refiners.lynas_malaysia.offtake.US=0.1"],
     "unknown key 'world.refiners.lynas_malaysia.offtake.US': no such entry in world.refiners.lynas_malaysia.offtake; "
     "add one with +world.refiners.lynas_malaysia.offtake.US=..."),
    (["+us.rated_order_share=0.5"], "+us.rated_order_share=0.5: 'us.rated_order_share' is already set; drop the '+'"),
    (["+regime.tiers.gold={priority: 1}"], "regime.tiers.gold: a new TierCfg entry cannot be added by an override"),
    (["~months"], "~months: 'months' is a key of the schema; only map entries can be removed"),
    (["us.priority_weights=0.5"], "us.priority_weights=0.5: not a single value but a"),
    (["us.rated_order_share=0.5,0.9"], "us.rated_order_share=0.5,0.9: a sweep; sweep with -m"),
    (["us.rated_order_share=${months}"], "interpolations"),
    (["us.rated_order_share=1.5"], "us.rated_order_share=1.5 is out of range: allowed [0.0, 1.0]"),   # validation
    ([("us.rated_order_share", -0.1)], "us.rated_order_share=-0.1 is out of range: allowed [0.0, 1.0]"),
    (["~regime.destination_tier.US"], "regime.destination_tier: no tier for US"),
])
def test_refused_values_name_the_key_and_the_rule(base, overrides, message):
    if overrides == ["us=1"]:
        assert message in error(compose_config, None, overrides)   # a group: Hydra composes it
        return
    assert message in error(apply, base, overrides)


def test_unknown_keys_and_wrong_values_are_distinguishable(base):
    with pytest.raises(UnknownKey):
        apply(base, ["world.countries.XX.tariff_rise_on_cn=1"])
    with pytest.raises(WrongValue) as err:
        apply(base, [("us.rated_order_share", "abc")])
    assert err.value.key == "us.rated_order_share" and err.value.rule == "expected a float, got a str"


def test_parse_keeps_hydras_operations():
    ops = [(o.op, o.key, o.value) for o in parse(["a.b=1", "+a.c=x", "++d=[1,2]", "~e"])]
    assert ops == [("change", "a.b", 1), ("add", "a.c", "x"), ("force_add", "d", [1, 2]), ("del", "e", None)]


def test_a_trial_is_put_back(base):
    cfg = apply(base, [])
    with trial(cfg, Override("regime.controlled.heavy_oxide", False)):
        assert cfg.regime.controlled["heavy_oxide"] is False
    assert cfg.regime.controlled == base.regime.controlled
    with trial(cfg, Override("us.rated_order_share", 0.2)):
        assert cfg.us.rated_order_share == 0.2
    assert cfg.us.rated_order_share == base.us.rated_order_share


def test_composing_again_is_cached_and_returns_a_fresh_copy():
    from sim.config.compose import _composed

    first = compose_config("collision")
    hits = _composed.cache_info().hits
    first.us.rated_order_share = 0.0
    again = compose_config("collision", ["seed=4"])
    assert _composed.cache_info().hits == hits + 1
    assert again.us.rated_order_share == 0.9 and again.seed == 4


# --- the three paths agree -----------------------------------------------------------------------

def via_cli(key, text):
    validate_sweep([[f"{key}={text}"], ["seed=1"]])      # the -m path (two jobs, so it names the job)
    return get_path(compose_config(None, ["months=24", f"{key}={text}"]), key)


def via_study(base, key, value):
    return get_path(apply(base, [(key, value)]), key)


def via_event(base, key, value):
    cfg = apply(base, [])
    cfg.events = {"x": EventCfg("2027-01", key, value)}
    return resolve(validate(cfg))[0].value


@pytest.mark.parametrize("key,text", [
    ("us.rated_order_share", "0.3"), ("us.rated_order_share", "1"), ("us.rated_order_share", "1.5"),
    ("us.rated_order_share", "abc"), ("us.rated_order_share", "true"),
    ("regime.deny_military", "false"), ("regime.deny_military", "1"),
    ("regime.destination_tier.US", "preferred"), ("regime.destination_tier.US", "vip"),
    ("regime.destination_tier.US", "3"),
    ("regime.tiers.standard.priority", "3"), ("regime.tiers.standard.priority", "2.5"),
    ("regime.tiers.standard.priority", "11"),
    ("regime.export_quota_tpy.magnet", "500"), ("regime.export_quota_tpy.magnet", "-1"),
    ("world.countries.US.tariff_rise_on_cn", "0.5"),
])
def test_the_cli_a_design_point_and_an_event_agree(base, key, text):
    (value,) = [o.value for o in parse([f"{key}={text}"])]   # the text's value, as Hydra's grammar reads it
    outcomes = []
    for path in (lambda: via_cli(key, text), lambda: via_study(base, key, value), lambda: via_event(base, key, value)):
        try:
            got = path()
            outcomes.append(("ok", got, type(got)))
        except ConfigError as exc:
            outcomes.append(("error", str(exc)))
    cli, study, event = outcomes
    if study[0] == "ok":
        assert cli == study == event
    else:
        assert cli[0] == event[0] == "error"
        assert cli[1].startswith(study[1] + " (job #0 of 2")               # the same line, and which job
        rule = study[1].split(": ", 1)[-1]
        assert rule in event[1] and event[1].startswith("events.x.value=")


def test_a_whole_float_is_an_int_from_python_but_not_from_the_command_line(base):
    key = "regime.tiers.standard.priority"
    assert via_study(base, key, 3.0) == via_event(base, key, 3.0) == 3
    assert "expected an int: write 3" in error(via_cli, key, "3.0")


def test_nothing_in_sim_uses_hydras_internals():
    offenders = [str(p.relative_to(SIM.parent)) for p in SIM.rglob("*.py")
                 if "hydra._internal" in p.read_text() or "_apply_overrides_to_config" in p.read_text()]
    assert offenders == []
