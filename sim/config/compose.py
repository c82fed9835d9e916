"""Compose, type-check and validate a run's config; turn every failure into one line.

This is the only module besides the CLI that composes with Hydra: it hands the rest of the
package a validated :class:`~sim.config.schema.Config` dataclass. Hydra composes the config
groups (``+scenario=...``) once per process and combination (about 0.3 s each); the value
overrides (``key=value``) are then set on a copy by :mod:`sim.config.overrides`, as Hydra sets
them on its DictConfig after composing the defaults.
"""

from __future__ import annotations

import functools
from dataclasses import fields, is_dataclass
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.errors import ConfigError
from sim.config.overrides import apply
from sim.config.schema import Config
from sim.config.validate import validate
from sim.vocab import RUNNABLE

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def one_line(exc: BaseException) -> str:
    """A one-line description of a Hydra/OmegaConf composition error, naming the key."""
    cause = exc.__cause__ or exc
    text = str(cause).strip()
    full_key = getattr(cause, "full_key", None)
    first = text.splitlines()[0] if text else type(cause).__name__
    object_type = getattr(cause, "object_type", None)
    if full_key and ("not in struct" in text or " not in '" in first):
        valid = ""
        if object_type is not None and is_dataclass(object_type):
            valid = f"; valid keys here: {', '.join(f.name for f in fields(object_type))}"
        return f"unknown key '{full_key}' (check the spelling){valid}"
    if isinstance(exc, MissingConfigException) or "Could not find" in str(exc):
        if "scenario" in str(exc):
            return f"unknown scenario: {_scenario_from(str(exc))}; choose one of {', '.join(RUNNABLE)}"
        return str(exc).splitlines()[0]
    if full_key:
        return f"{full_key}: {first}"
    return " ".join(str(exc).split())


def _scenario_from(message: str) -> str:
    for token in message.replace("'", " ").split():
        if token.startswith("scenario/"):
            return f"'{token.split('/', 1)[1]}'"
    return "(unknown name)"


def to_config(cfg: DictConfig) -> Config:
    """Convert a composed DictConfig to a validated :class:`Config`.

    Raises:
        ConfigError: on a type error or a broken rule, as one line naming the key.
    """
    try:
        plain = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]) if "hydra" in cfg else cfg
        obj = OmegaConf.to_object(plain)
    except OmegaConfBaseException as exc:
        raise ConfigError(one_line(exc)) from None
    return validate(obj)


def is_group(override: str) -> bool:
    """Whether ``override`` chooses a config group (``+scenario=collision``, ``us=default``)."""
    key = override.split("=", 1)[0].lstrip("+~").split("@", 1)[0]
    return "." not in key and (CONF_DIR / key).is_dir()


def _composes(override: str) -> bool:
    """Whether Hydra's composition must see ``override``: a group choice or a ``hydra`` key."""
    return is_group(override) or override.lstrip("+~").startswith("hydra.")


@functools.cache
def _composed(groups: tuple[str, ...]) -> Config:
    """The validated config of ``conf/config.yaml`` with these group overrides (cached: conf/ is
    read once per process, and its task config holds no interpolation that could change)."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(groups))
    except (HydraException, OmegaConfBaseException, ValueError) as exc:   # ValueError: a group given a number
        raise ConfigError(one_line(exc)) from None
    finally:
        GlobalHydra.instance().clear()
    return to_config(cfg)


def compose_config(scenario: str | None = None, overrides: list[str] | tuple = ()) -> Config:
    """Compose ``conf/config.yaml`` with a scenario and overrides, then validate it.

    The groups are composed once per process (cached); each call sets the value overrides on a
    copy, so composing the same scenario again costs milliseconds and returns a fresh object.

    Args:
        scenario: one of ``SCENARIOS`` (or ``HINDCASTS``), or None for the baseline.
        overrides: Hydra override strings, e.g. ``["us.rated_order_share=0.8"]``; group choices
            (``+scenario=collision``) among them are composed by Hydra.

    Raises:
        ConfigError: for an unknown scenario, unknown key, wrong type or broken rule.
    """
    if scenario is not None and scenario not in RUNNABLE:
        raise ConfigError(f"unknown scenario '{scenario}'; choose one of {', '.join(RUNNABLE)}")
    overrides = list(overrides)
    groups = ([f"+scenario={scenario}"] if scenario else []) + [o for o in overrides if _composes(o)]
    return apply(_composed(tuple(groups)), [o for o in overrides if not _composes(o)])
