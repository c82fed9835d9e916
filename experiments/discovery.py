"""Scenario discovery: PRIM over a Latin hypercube of the declared uncertainties and levers.

Usage::

    uv run python -m experiments.discovery scenario=rhythm_embedded n=256 workers=2
    uv run python -m experiments.discovery outcome=us_lag quantile=0.9
    uv run python -m experiments.discovery preset=two_behind workers=2   # a stored case (n=512)

Keys (defaults from ``conf/sensitivity/discovery.yaml``; inputs and outcomes from
``conf/sensitivity/xlrm.yaml``)::

    preset=NAME (conf/sensitivity/discovery_NAME.yaml: a stored case, over discovery.yaml)
    scenario=NAME[,NAME]  n=N (points)  replicates=R  seed=S  sample_seed=S
    outcome=NAME (defines the case)  quantile=Q | threshold=X (case: outcome above it)
    inclusive=true|false (case: outcome at or above the bar)
    peel_alpha=A  paste_alpha=A  mass_min=M  min_coverage=C (the box choice)
    workers=W  chunk=C  out=DIR (default outputs/discovery, or outputs/discovery/NAME with a
    preset)  xlrm=PATH.yaml  inputs=a,b
    progress=false

Every other ``key=value`` is a Hydra override of every run's base config. Runs go through the
study runner (parallel, resumable). The chosen box is the densest on PRIM's peeling trajectory
with coverage at least ``min_coverage`` (:mod:`sim.sensitivity.prim`).

Writes, per scenario, to ``<out>/<scenario>/``: ``runs/`` (the study), ``sample.parquet``
(points with each input's value, the outcome and the case), ``outcomes.parquet`` (per run),
``trajectory.csv`` (every box: coverage, density, mass, restricted inputs), ``box.csv`` (the
chosen box's limits and quasi-p-values), ``figures/prim_tradeoff.{png,svg}``,
``figures/prim_box.{png,svg}`` and ``summary.json``. Exit status as ``experiments.sensitivity``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from experiments.sensitivity import CONF, check_scenarios, convert_value, declaration, parse, sample_table, write_table
from sim.outputs.io import check_dir_path
from sim.runs.entry import command, run


def run_discovery(settings: dict, overrides: list[str], scenario: str, root: Path) -> dict:
    """One scenario's discovery: hypercube, runs, case, PRIM, figures; returns its summary."""
    from sim.config.errors import ConfigError
    from sim.outputs.figures import save
    from sim.sensitivity import case_threshold, evaluate, find_box, input_values, lhs_sample
    from sim.sensitivity.plots import plot_box_limits, plot_prim_tradeoff

    start = time.perf_counter()
    xlrm = declaration({**settings, "outcomes": None})
    name = settings["outcome"]
    if name not in xlrm.outcomes:
        raise ConfigError(f"outcome={name!r}: declared outcomes are {', '.join(xlrm.outcomes)}")
    out = root / scenario
    unit = lhs_sample(len(xlrm.inputs), settings["n"], settings["sample_seed"])
    ev = evaluate(xlrm, unit, scenario, out / "runs", name=f"discovery_{scenario}",
                  replicates=settings["replicates"], seed=settings["seed"], overrides=overrides,
                  workers=settings.get("workers"), chunk=settings.get("chunk"),
                  progress=settings.get("progress", True))
    y = ev.per_point[name].to_numpy()
    bar = case_threshold(y, settings.get("threshold"), settings.get("quantile"))
    inclusive = bool(settings.get("inclusive", False))
    cases = y >= bar if inclusive else y > bar
    o = xlrm.outcomes[name]
    above = "at or above" if inclusive else "above"
    rule = (f"{above} the {settings['quantile']:.0%} quantile ({bar:.3g} {o.unit})" if settings.get("quantile")
            is not None else f"{above} {bar:.3g} {o.unit}")
    case = f"{o.label} {rule}"
    # The sample and outcomes are written before PRIM, so a case that no point meets still
    # leaves what was run to read (which inputs push the outcome up).
    sample = sample_table(xlrm, unit).assign(**{name: y, "case": cases})
    write_table(sample, out / "sample")
    ev.per_run.to_parquet(out / "outcomes.parquet", index=False)
    if not 0 < cases.sum() < len(cases):
        raise ConfigError(f"case '{case}': {int(cases.sum())} of {len(cases)} points; {name} ranges "
                          f"{y.min():.4g} .. {y.max():.4g} over the sample (see {out / 'sample.csv'}); "
                          "choose a threshold that some points exceed and some do not")
    x = input_values(xlrm, unit)
    result = find_box(x, cases, settings["peel_alpha"], settings["paste_alpha"], settings["mass_min"],
                      settings["min_coverage"])
    write_table(result.trajectory, out / "trajectory", parquet=False)
    write_table(result.limits, out / "box", parquet=False)
    stats = result.stats
    note = (f"{scenario}: {settings['n']} hypercube points x {settings['replicates']} seed(s); "
            f"{stats['cases']} cases; peel alpha {settings['peel_alpha']}, box chosen: densest with coverage "
            f">= {settings['min_coverage']}.")
    fig, _ = plot_prim_tradeoff(result.trajectory, case, note)
    save(fig, out / "figures" / "prim_tradeoff")
    fig, _ = plot_box_limits(result.limits, f"coverage {stats['coverage']:.2f}, density {stats['density']:.2f}",
                             f"Case: {case}. " + note)
    save(fig, out / "figures" / "prim_box")
    summary = {"scenario": scenario, "n": settings["n"], "runs": ev.runs, "ran_now": ev.ran,
               "outcome": name, "case": case, "threshold": bar, "box": stats,
               "limits": result.limits.to_dict("records"), "runner_wall_s": round(ev.runner_wall_s, 1),
               "wall_s": round(time.perf_counter() - start, 1), "overrides": overrides,
               "settings": {k: v for k, v in settings.items() if k != "overrides"}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def report(summary: dict) -> str:
    """Lines for the terminal: the case and the chosen box."""
    box = summary["box"]
    lines = [f"{summary['scenario']}: {summary['runs']} runs in {summary['wall_s']:.0f} s; case: {summary['case']} "
             f"({box['cases']} of {box['points']} points)",
             f"  box {box['box']}: coverage {box['coverage']:.2f}, density {box['density']:.2f}, "
             f"mass {box['mass']:.2f}, {box['restricted']} restricted inputs"]
    for row in summary["limits"]:
        if row["levels"]:
            lines.append(f"  {row['input']:<24} levels {row['levels']}")
        else:
            lines.append(f"  {row['input']:<24} {row['low']:.4g} .. {row['high']:.4g}  "
                         f"(sampled {row['full_low']:.4g} .. {row['full_high']:.4g})"
                         + ("" if row["significant"] else "  not significant (qp >= 0.05)"))
    return "\n".join(lines)


OWN = {"preset": str, "inclusive": bool}   # keys of discovery alone (the rest: experiments.sensitivity.parse)


def split_own(argv: list[str]) -> tuple[list[str], dict]:
    """``preset=`` and ``inclusive=`` taken out of ``argv``: (the other arguments, their values)."""
    rest, own = [], {}
    for arg in argv:
        key, eq, value = arg.partition("=")
        if eq and key in OWN:
            own[key] = convert_value(key, value, OWN[key])
        else:
            rest.append(arg)
    return rest, own


def apply_case(settings: dict, overrides: list[str], preset: str, given: set[str]) -> list[str]:
    """Set a stored case's values (``conf/sensitivity/discovery_<preset>.yaml``) in ``settings``
    where the command line did not; returns the overrides with the case's first."""
    from omegaconf import OmegaConf

    from sim.config.errors import ConfigError

    path = CONF / f"discovery_{preset}.yaml"
    if not path.is_file():
        known = sorted(p.stem.removeprefix("discovery_") for p in CONF.glob("discovery_*.yaml"))
        raise ConfigError(f"preset={preset!r}: no {path.name}; stored cases: {', '.join(known) or 'none'}")
    case = OmegaConf.to_container(OmegaConf.load(path), resolve=True) or {}
    unknown = sorted(set(case) - set(settings))
    if unknown:
        raise ConfigError(f"{path.name}: unknown setting '{unknown[0]}' (settings: {', '.join(sorted(settings))})")
    aliases = {"scenarios": "scenario"}   # settings key -> its command-line name
    for key, value in case.items():
        if key != "overrides" and aliases.get(key, key) not in given:
            settings[key] = value
    settings["preset"] = preset
    return list(case.get("overrides") or []) + overrides


@command(__doc__, interrupted="interrupted: finished runs are kept; rerun the same command to resume")
def main(argv: list[str]) -> int:
    """Entry point; returns the exit status (see the module docstring)."""
    from sim.config.errors import ConfigError

    argv, own = split_own(argv)
    settings, overrides = parse(argv, preset="discovery")
    given = {a.partition("=")[0] for a in argv}
    if "preset" in own:
        overrides = apply_case(settings, overrides, own["preset"], given)
    if "inclusive" in own:
        settings["inclusive"] = own["inclusive"]
    if "threshold" in given and "quantile" not in given:
        settings["quantile"] = None   # a fixed bar given alone replaces the preset's quantile
    if "quantile" in given and "threshold" not in given:
        settings["threshold"] = None   # and a quantile given alone the preset's fixed bar
    if (settings.get("threshold") is None) == (settings.get("quantile") is None):
        raise ConfigError("give threshold=<value> with quantile=null, or quantile=<q> (threshold=null)")
    check_scenarios(settings["scenarios"])
    default = Path("outputs") / "discovery" / own.get("preset", "")   # a stored case has its own folder
    root = check_dir_path(settings.get("out") or default, "out")
    summaries = [run_discovery(settings, overrides, s, root) for s in settings["scenarios"]]
    for summary in summaries:
        print(report(summary))
    print(f"results in {root}")
    return 0


if __name__ == "__main__":
    run(main)
