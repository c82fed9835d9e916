"""Bad upgrade-cadence input fails at compose time with one line naming the key and the rule."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.config.schema_tech import SectorCfg
from sim.config.validate import validate

F35 = "world.producers.lockheed_martin.programs.f35"

BAD = [
    ([f"{F35}.generations.1.cut_in=2023-07"],
     f"{F35}.generations.1.cut_in=2023-07: cut-in months must increase (the one before is 2023-07)"),
    ([f"{F35}.generations.1.cut_in=2022-01"],
     f"{F35}.generations.1.cut_in=2022-01: cut-in months must increase (the one before is 2023-07)"),
    ([f"{F35}.generations.1.level=0"],
     f"{F35}.generations.1.level=0: levels must not decrease along a ladder (the one before needs 1)"),
    ([f"{F35}.generations.1.level=4"],
     f"{F35}.generations.1.level=4 is above the ladder's top: allowed 0..3 (sintered, gbd, hre_free, next)"),
    (["tech.levels=[sintered,gbd]"],   # the F-35's Block 4 needs level 2, now above the top
     f"{F35}.generations.1.level=2 is above the ladder's top: allowed 0..1 (sintered, gbd)"),
    (["+tech.sectors.space={share: 0.1}"],
     "tech.sectors.space: a new SectorCfg entry cannot be added by an override; add it in a config file under conf/"),
    (["tech.defense_qualification_months=-1"], "tech.defense_qualification_months=-1.0 is out of range: allowed [0.0, 120.0]"),
    (["tech.sectors.ev.qualification_months=-0.5"],
     "tech.sectors.ev.qualification_months=-0.5 is out of range: allowed [0.0, 120.0]"),
    (["tech.sectors.ev.share=0.6", "tech.sectors.motors.share=0.5"], "tech.sectors: shares sum to 1.1, allowed at most 1"),
    (["tech.sectors.ev.share=1.2"], "tech.sectors.ev.share=1.2 is out of range: allowed [0.0, 1.0]"),
    (["world.refiners.jp_magnet.tech_level=4"], "world.refiners.jp_magnet.tech_level=4 is above the ladder's top: allowed 0..3"),
    (["tech.frontier_level=4"], "tech.frontier_level=4 is above the ladder's top: allowed 0..3"),
    ([f"{F35}.follows_frontier=true"],
     f"{F35}.generations: a program that follows_frontier takes China's frontier steps; give no generations"),
    (["tech.levels=[a,a,b,c]"], "tech.levels=['a', 'a', 'b', 'c']: give at least one level, each name once"),
    (["+tech.holdback_months.vip=3"], "tech.holdback_months.vip: 'vip' is not a known tier"),
]


@pytest.mark.parametrize("overrides,expect", BAD)
def test_bad_tech_input_is_one_line_naming_the_key_and_rule(overrides, expect):
    with pytest.raises(ConfigError) as err:
        compose_config(None, overrides)
    message = str(err.value)
    assert expect in message and "\n" not in message


def test_an_unknown_sector_in_a_config_file_names_the_sector_rule():
    """Overrides cannot add a sector (above); one written in a file reaches the key check."""
    cfg = compose_config()
    cfg.tech.sectors["space"] = SectorCfg(share=0.1)
    with pytest.raises(ConfigError, match=r"^tech\.sectors\.space: 'space' is not a known sector: known are ev, motors, "
                                          r"wind$"):
        validate(cfg)


def test_the_good_ladders_compose():
    cfg = compose_config(None, [f"{F35}.generations.1.cut_in=2027-01", f"{F35}.generations.1.level=1",
                                f"{F35}.generations.1.bom_scale=1.5", "tech.sectors.ev.share=0.75"])
    gen = cfg.world.producers["lockheed_martin"].programs["f35"].generations[1]
    assert (gen.cut_in, gen.level, gen.bom_scale) == ("2027-01", 1, 1.5)


def test_cli_refuses_a_decreasing_ladder_and_writes_nothing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", f"{F35}.generations.1.level=0", "replicates=1", "months=12"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert f"{F35}.generations.1.level=0: levels must not decrease along a ladder" in lines[0]
    assert list(tmp_path.iterdir()) == []
