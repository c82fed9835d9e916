"""Sobol and Morris sensitivity of the declared outcomes to the declared inputs, per scenario.

Usage::

    uv run python -m experiments.sensitivity method=sobol scenario=collision n=64 workers=2
    uv run python -m experiments.sensitivity method=morris scenario=rhythm_embedded,collision n=20

Keys (defaults from ``conf/sensitivity/<method>.yaml``; inputs and outcomes from
``conf/sensitivity/xlrm.yaml``)::

    method=sobol|morris     scenario=NAME[,NAME]    n=N (Sobol: base sample, a power of 2;
    Morris: trajectories)   second_order=true|false (Sobol)   levels=L (Morris grid)
    replicates=R  seed=S (study seed)  sample_seed=S  resamples=B  conf_level=0.95
    workers=W  chunk=C  out=DIR (default outputs/sensitivity/<method>)  xlrm=PATH.yaml
    inputs=a,b (a subset of the declared inputs)  outcomes=a,b  progress=false

Every other ``key=value`` is a Hydra override of every run's base config (``months=24``).
Runs go through the study runner (parallel, resumable: the same command resumes). Replicate
seeds are averaged per design point before the analysis (:mod:`sim.sensitivity.outcomes`).

Writes, per scenario, to ``<out>/<scenario>/``: ``runs/`` (the study: results, run table,
manifest), ``sample.parquet`` (unit coordinates and values per point), ``outcomes.parquet``
(per run), ``indices.csv`` and ``.parquet`` (per outcome and input), ``second_order.csv``
(Sobol with second order), ``figures/<method>_<outcome>.{png,svg}``, ``summary.json`` (sample
size, runs, wall times, seed-noise shares, top five inputs per outcome); and
``<out>/inputs.csv`` (the declaration) and ``<out>/top_inputs.csv`` (every scenario's top five).
Exit status (README "Exit status"): 0 done, 1 runs failed, 2 bad input (nothing run; also a
``out`` that holds a different study), 130 interrupted (rerun to resume).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from sim.outputs.io import check_dir_path
from sim.runs.entry import command, run

CONF = Path(__file__).resolve().parents[1] / "conf" / "sensitivity"
METHODS = ("sobol", "morris")
TYPES = {"method": str, "scenario": list, "n": int, "second_order": bool, "replicates": int, "seed": int,
         "sample_seed": int, "resamples": int, "conf_level": float, "levels": int, "workers": int,
         "chunk": int, "out": str, "xlrm": str, "inputs": list, "outcomes": list, "progress": bool,
         "outcome": str, "quantile": float, "threshold": float, "peel_alpha": float, "paste_alpha": float,
         "mass_min": float, "min_coverage": float}
RUNNER = ("workers", "chunk", "out", "xlrm", "inputs", "outcomes", "progress", "method")


def convert_value(key: str, value: str, kind: type):
    from sim.config.errors import ConfigError

    if value.lower() in ("null", "none") and key in ("quantile", "threshold", "chunk", "workers"):
        return None
    try:
        if kind is bool:
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return value.lower() in ("true", "1", "yes")
        if kind is list:
            return [v for v in value.split(",") if v]
        return kind(value)
    except ValueError:
        raise ConfigError(f"{key}={value!r}: expected {kind.__name__}") from None


def parse(argv: list[str], preset: str | None = None) -> tuple[dict, list[str]]:
    """``key=value`` arguments: the preset's settings changed, runner options, Hydra overrides.

    Returns:
        ``(settings, overrides)``; settings hold the preset (``conf/sensitivity/<preset>.yaml``,
        or ``<method>.yaml``) with the arguments applied, plus the runner options given.
    """
    from omegaconf import OmegaConf

    from sim.config.errors import ConfigError

    given, overrides = {}, []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            raise ConfigError(f"'{arg}': give key=value (see --help)")
        if key in TYPES:
            given["scenarios" if key == "scenario" else key] = convert_value(key, value, TYPES[key])
        else:
            overrides.append(arg)
    name = preset or given.get("method", "sobol")
    if name not in (*METHODS, "discovery"):
        raise ConfigError(f"method={name!r}: choose one of {', '.join(METHODS)}")
    settings = OmegaConf.to_container(OmegaConf.load(CONF / f"{name}.yaml"), resolve=True)
    settings["method"] = name
    for key, value in given.items():
        if key not in settings and key not in RUNNER:
            raise ConfigError(f"{key}: not a setting of {name} (settings: {', '.join(sorted(settings))})")
        settings[key] = value
    if not settings.get("scenarios"):
        raise ConfigError("scenario: give at least one scenario name")
    overrides = list(settings.get("overrides") or []) + overrides
    return settings, overrides


def check_scenarios(names: list[str]) -> None:
    """Every name a known scenario (before anything runs)."""
    from sim.config.errors import ConfigError
    from sim.vocab import RUNNABLE

    for name in names:
        if name not in RUNNABLE:
            raise ConfigError(f"scenario={name!r}: choose from {', '.join(RUNNABLE)}")


def declaration(settings: dict):
    """The XLRM declaration of ``settings`` (``xlrm``, ``inputs``, ``outcomes`` keys)."""
    from sim.sensitivity import load_xlrm

    return load_xlrm(settings.get("xlrm")).select(settings.get("inputs"), settings.get("outcomes"))


def write_table(frame: pd.DataFrame, stem: Path, parquet: bool = True) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(stem.with_suffix(".csv"), index=False)
    if parquet:
        frame.to_parquet(stem.with_suffix(".parquet"), index=False)


def sample_table(xlrm, unit) -> pd.DataFrame:
    """The sample: ``point``, each input's unit coordinate (``u:<name>``) and value."""
    from sim.sensitivity import input_values

    coords = pd.DataFrame(unit, columns=[f"u:{n}" for n in xlrm.names])
    return pd.concat([pd.DataFrame({"point": range(len(unit))}), coords, input_values(xlrm, unit)], axis=1)


def run_method(settings: dict, overrides: list[str], scenario: str, root: Path) -> dict:
    """One scenario's Sobol or Morris study: sample, runs, indices, figures; returns its summary."""
    from sim.outputs.figures import save
    from sim.sensitivity import (
        evaluate,
        morris_indices,
        morris_sample,
        salib_problem,
        sobol_indices,
        sobol_sample,
        top_inputs,
    )
    from sim.sensitivity.plots import plot_morris, plot_sobol

    start = time.perf_counter()
    method, xlrm = settings["method"], declaration(settings)
    problem, n, out = salib_problem(xlrm), settings["n"], root / scenario
    if method == "sobol":
        unit = sobol_sample(problem, n, settings["second_order"], settings["sample_seed"])
    else:
        unit = morris_sample(problem, n, settings["levels"], settings["sample_seed"])
    ev = evaluate(xlrm, unit, scenario, out / "runs", name=f"{method}_{scenario}", replicates=settings["replicates"],
                  seed=settings["seed"], overrides=overrides, workers=settings.get("workers"),
                  chunk=settings.get("chunk"), progress=settings.get("progress", True))
    # Written only once the runner accepted the directory: a refused study leaves it as it was.
    write_table(sample_table(xlrm, unit), out / "sample")
    ev.per_run.to_parquet(out / "outcomes.parquet", index=False)
    common = {"resamples": settings["resamples"], "conf_level": settings["conf_level"], "seed": settings["sample_seed"]}
    tables, seconds, top = [], [], {}
    design = (f"N = {n}" if method == "sobol" else f"{n} trajectories") + f", {ev.runs} runs"
    for name, o in xlrm.outcomes.items():
        y = ev.per_point[name].to_numpy()
        if method == "sobol":
            first, second = sobol_indices(problem, y, settings["second_order"], **common)
            note = (f"{design}, {settings['replicates']} seed(s) per point; bars: "
                    f"{settings['conf_level']:.0%} bootstrap intervals ({settings['resamples']} resamples).")
            fig, _ = plot_sobol(first, o.label, scenario, note)
            key = "ST"
            if second is not None:
                seconds.append(second.assign(outcome=name))
        else:
            first = morris_indices(problem, unit, y, settings["levels"], **common)
            note = f"{design}, {settings['levels']} levels; bars: {settings['conf_level']:.0%} intervals of mu*."
            fig, _ = plot_morris(first, o.label, o.unit, scenario, note)
            key = "mu_star"
        save(fig, out / "figures" / f"{method}_{name}")
        tables.append(first.assign(outcome=name, scenario=scenario))
        top[name] = top_inputs(first, key).to_dict("records")
    indices = pd.concat(tables, ignore_index=True)
    write_table(indices[["scenario", "outcome", *[c for c in indices.columns if c not in ("scenario", "outcome")]]],
           out / "indices")
    if seconds:
        write_table(pd.concat(seconds, ignore_index=True), out / "second_order", parquet=False)
    summary = {"method": method, "scenario": scenario, "n": n, "inputs": xlrm.names, "k": len(xlrm.inputs),
               "runs": ev.runs, "ran_now": ev.ran, "replicates": settings["replicates"],
               "second_order": bool(settings.get("second_order", False)), "runner_wall_s": round(ev.runner_wall_s, 1),
               "wall_s": round(time.perf_counter() - start, 1), "overrides": overrides,
               "noise_share": {k: (None if pd.isna(v) else round(float(v), 4)) for k, v in ev.noise.items()},
               "outcome_sd": {k: float(ev.per_point[k].std()) for k in xlrm.outcomes},
               "top": top, "settings": {k: v for k, v in settings.items() if k != "overrides"}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str, allow_nan=True))
    return summary


def report(summaries: list[dict], outcome: str = "us_lag") -> str:
    """Lines for the terminal: each scenario's top five for ``outcome`` (or its first outcome)."""
    lines = []
    for s in summaries:
        name = outcome if outcome in s["top"] else next(iter(s["top"]))
        key, conf = ("ST", "ST_conf") if s["method"] == "sobol" else ("mu_star", "mu_star_conf")
        lines.append(f"{s['scenario']}: {s['runs']} runs in {s['wall_s']:.0f} s; top five by {key} for {name}:")
        for row in s["top"][name]:
            lines.append(f"  {row['input']:<24} {key} {row[key]:.3f} +/- {row[conf]:.3f}")
    return "\n".join(lines)


@command(__doc__, interrupted="interrupted: finished runs are kept; rerun the same command to resume")
def main(argv: list[str]) -> int:
    """Entry point; returns the exit status (see the module docstring)."""
    settings, overrides = parse(argv)
    root = check_dir_path(settings.get("out") or Path("outputs") / "sensitivity" / settings["method"], "out")
    xlrm = declaration(settings)
    check_scenarios(settings["scenarios"])
    summaries = [run_method(settings, overrides, scenario, root) for scenario in settings["scenarios"]]
    from sim.sensitivity.xlrm import describe

    write_table(describe(xlrm), root / "inputs", parquet=False)
    key = "ST" if settings["method"] == "sobol" else "mu_star"
    rows = [{"scenario": s["scenario"], "outcome": o, "rank": r + 1, **row}
            for s in summaries for o, top in s["top"].items() for r, row in enumerate(top)]
    write_table(pd.DataFrame(rows), root / "top_inputs", parquet=False)
    print(report(summaries))
    print(f"results in {root} (ranked by {key})")
    return 0


if __name__ == "__main__":
    run(main)
