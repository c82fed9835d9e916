"""A study's configs: composed once per scenario, varied in process, validated up front.

Composing through Hydra costs about 0.3 s; applying a design point to a copy of the composed
:class:`~sim.config.schema.Config` and validating it costs milliseconds, so a study composes
each scenario once and every run varies that copy with :func:`sim.config.overrides.apply`
(re-exported here as :func:`apply`): a point's ``(key, value)`` pairs follow the same type
rules as ``key=value`` on the command line and as events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict

from sim.config.compose import compose_config
from sim.config.errors import ConfigError
from sim.config.overrides import UnknownKey, apply
from sim.config.schema import Config
from sim.config.validate import validate
from sim.outputs.io import json_safe
from sim.study.design import RunSpec


def compose_bases(scenarios: Sequence[str], overrides: Sequence[str] = ()) -> dict[str, Config]:
    """The composed, validated config of each scenario with the study's base overrides."""
    return {name: compose_config(name, list(overrides)) for name in dict.fromkeys(scenarios)}


# A study's worker runs each spec once; attribution would need a second, counterfactual run per seed.
NO_ATTRIBUTION = ("attribution=true is not available in a study: run the scenario with python -m sim or "
                  "sim.run_scenario (each seed is then also run without China's metering)")


def check_specs(specs: Sequence[RunSpec], bases: dict[str, Config]) -> None:
    """Validate every distinct (scenario, design point) of ``specs`` before anything runs.

    Raises:
        ConfigError: the first broken point, as one line naming the point, key and range.
    """
    for name, base in bases.items():   # handed-in bases too: apply() checks only what a point changes
        try:
            validate(base)
        except ConfigError as exc:
            raise ConfigError(f"scenario '{name}': {exc}") from None
        if base.attribution:
            raise ConfigError(NO_ATTRIBUTION)
    seen = set()
    for spec in specs:
        key = (spec.scenario, spec.overrides)
        if key in seen:
            continue
        seen.add(key)
        if spec.scenario not in bases:
            raise ConfigError(f"run {spec.run}: no composed config for scenario '{spec.scenario}'")
        try:
            if apply(bases[spec.scenario], spec.overrides).attribution:
                raise ConfigError(NO_ATTRIBUTION)
        except UnknownKey as exc:
            raise ConfigError(f"design point {spec.point} ({spec.scenario}): unknown key '{exc.key}' in the design "
                              "(check the spelling)") from None
        except ConfigError as exc:
            raise ConfigError(f"design point {spec.point} ({spec.scenario}): {exc}") from None


def config_json(cfg: Config) -> dict:
    """The config as strict-JSON-safe plain data (non-finite numbers as strings)."""
    return json_safe(asdict(cfg))


# Config keys a study's results do not depend on: each run has its own seed, and figures are
# drawn from the results. Changing them does not make a directory hold a different study.
NOT_RESULTS = ("seed", "replicates", "figures")


def _sha256(doc) -> str:
    text = json.dumps(json_safe(doc), sort_keys=True, default=str, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def study_digests(specs: Sequence[RunSpec], bases: dict[str, Config]) -> dict[str, str]:
    """Hashes of what decides a study's results: ``study`` (all of it), ``runs`` (ids, points,
    scenarios, seeds) and ``configs`` (the composed base configs)."""
    runs = _sha256([[s.run, s.point, s.scenario, s.replicate, s.seed, [list(o) for o in s.overrides]]
                    for s in specs])
    configs = _sha256({name: {k: v for k, v in config_json(cfg).items() if k not in NOT_RESULTS}
                       for name, cfg in sorted(bases.items())})
    return {"study": _sha256([runs, configs]), "runs": runs, "configs": configs}
