"""Benchmark against SPEC §9's targets, every ratio measured in this one process.

Usage::

    uv run python -m experiments.benchmark [--runs N] [--workers W] [--e2e-runs N] [--scaling 1,2,4] [--out DIR]

Prints one table, each line with its target and PASS/FAIL:

- one default-world single-replicate run against a trivial Mesa model (100 agents x 120
  steps, five model reporters): ratio <= 5 (stretch <= 3; issue 15);
- study throughput on all local cores against ``cores / single-run time``: >= 90%, while
  the chunks run (the study's phases, :attr:`sim.study.StudyResult.phases`, split off the
  one-off composition and validation, and the aggregate, which the projection scales);
- the runner's overhead per run (the chunks' wall time x workers / runs, minus the model's
  time inside the workers) <= 10% of a run;
- 10x the firms (plants and defense producers split tenfold): time ratio <= 10;
- peak memory of a worker process <= 250 MiB (each run records its worker's peak resident
  memory, ``worker_rss_mib`` in the run table);
- the projected wall time of a 10,000-run study on these cores: composition once, chunks
  and aggregate scaled to 10,000 runs (target: under 6 minutes on two cores);
- ``compose_config`` called again with another scenario or other overrides, after one
  warm-up: the median of 10 calls over the three scenarios, each with a new value override
  (target <= 50 ms; issue 15), and the slowest of them (a scenario's first composition);
- end to end, a study of ``--e2e-runs`` design points (two levers, one shared seed) as a share
  of ideal (``workers / single-run time``), composition, validation, the aggregate and its
  figure included (target >= 95%); and, on the same points, EMA Workbench 3.0's
  ``MultiprocessingEvaluator`` keeping one scalar per run (``us_lag``), pool start included.
  Both run after the study runner's pool was started once, in this process.

With ``--scaling`` it also prints throughput for each worker count (for machines with more
cores). Timings are noisy on a shared machine: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from experiments.benchmark_model import POINT_KEYS, compose_times, model_measurements, us_lag
from sim.runs.entry import command, run
from sim.runs.runner import replicate_seeds
from sim.study import RunSpec, run_study


def study_throughput(n_runs: int, workers: int, out: Path) -> dict:
    """Run ``n_runs`` default-world replicates on the local pool; phases, run times, memory."""
    seeds = replicate_seeds(12345, n_runs)
    specs = [RunSpec(run=f"{i:05d}", point=0, scenario="rhythm_embedded", replicate=i, seed=s)
             for i, s in enumerate(seeds)]
    start = time.perf_counter()
    result = run_study(specs, out=out, workers=workers, overrides=["check_conservation=false", "figures=false"],
                       progress=False)
    wall = time.perf_counter() - start
    done = result.runs[result.runs["status"] == "done"]
    return {"wall_s": wall, "runs": len(done), "per_run_s": float(done["wall_s"].mean()),
            "throughput": len(done) / wall, "peak_mib": float(done["worker_rss_mib"].max()),
            **result.phases}


def rows(model: dict, study: dict, workers: int, compose: tuple[float, float]) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, pass) for the table; ``compose`` is :func:`compose_times`'s."""
    ratio = model["run_s"] / model["trivial_s"]
    ideal = workers / model["run_s"]
    rate = study["runs"] / study["run_s"]                  # while the chunks run (pool start included)
    efficiency = rate / ideal
    # Runner time per run (the chunks' wall time x workers / runs) minus the model's time in the workers.
    overhead = (study["run_s"] * workers / study["runs"] - study["per_run_s"]) / study["per_run_s"]
    scale = model["run_10x_s"] / model["run_s"]
    # Planning is per design point (one here) and the aggregate grows with the rows: scale both.
    projected = study["plan_s"] + 10_000 * (study["run_s"] + study["aggregate_s"]) / study["runs"]
    return [
        ("trivial Mesa model (100 agents x 120 steps, 5 reporters)", f"{model['trivial_s'] * 1e3:.1f} ms", "reference", True),
        (f"one default-world run ({model['agents']} agents, 120 months)", f"{model['run_s'] * 1e3:.0f} ms", "", True),
        ("  ratio to the trivial model", f"{ratio:.1f}x", "<= 5 (stretch <= 3)", ratio <= 5),
        (f"study of {study['runs']} runs on {workers} workers, end to end", f"{study['throughput']:.2f} runs/s", "", True),
        ("  of which: compose and validate", f"{study['plan_s']:.1f} s", "", True),
        ("  of which: chunks (pool start included)", f"{study['run_s']:.1f} s", "", True),
        ("  of which: aggregate", f"{study['aggregate_s']:.1f} s", "", True),
        ("  throughput while the chunks run", f"{rate:.2f} runs/s", "", True),
        ("  share of ideal (workers / single-run time)", f"{efficiency:.0%}", ">= 90%", efficiency >= 0.9),
        ("  model time per run inside the workers", f"{study['per_run_s'] * 1e3:.0f} ms", "", True),
        ("  runner overhead per run", f"{overhead:.1%}", "<= 10% of a run", overhead <= 0.10),
        (f"10x the firms ({model['agents_10x']} agents)", f"{scale:.1f}x the time", "<= 10x", scale <= 10),
        ("peak memory of a worker", f"{study['peak_mib']:.0f} MiB", "<= 250 MiB", study["peak_mib"] <= 250),
        (f"projected 10,000-run study on {workers} workers", f"{projected / 60:.1f} min",
         "< 6 min on 2 cores", projected < 360 if workers <= 2 else True),
        ("compose again: other scenario/overrides, median of 10", f"{compose[0] * 1e3:.1f} ms", "<= 50 ms",
         compose[0] <= 0.05),
        ("  slowest of those (a scenario's first composition)", f"{compose[1] * 1e3:.0f} ms", "", True),
    ]


def design_points(n: int, seed: int = 12345) -> tuple[list[dict], int]:
    """``n`` uniform design points over two levers (xlrm's ranges) and the one seed they share."""
    rng = np.random.default_rng(seed)
    share, approval = rng.uniform(0.1, 1.0, n), rng.uniform(0.25, 0.95, n)
    points = [{"rated_order_share": round(float(a), 4), "approval_prob": round(float(b), 4)}
              for a, b in zip(share, approval)]
    return points, replicate_seeds(seed, 1)[0]


def e2e_study(points: list[dict], seed: int, workers: int, out: Path) -> dict:
    """The study runner on ``points``, end to end (compose, validate, run, aggregate, figure)."""
    specs = [RunSpec(run=f"{i:05d}", point=i, scenario="rhythm_embedded", replicate=0, seed=seed,
                     overrides=tuple((POINT_KEYS[k], v) for k, v in p.items())) for i, p in enumerate(points)]
    start = time.perf_counter()
    result = run_study(specs, out=out, workers=workers, overrides=["check_conservation=false", "figures=true"],
                       progress=False)
    wall = time.perf_counter() - start
    return {"wall_s": wall, "runs": int((result.runs["status"] == "done").sum()), **result.phases}


def ema_study(points: list[dict], seed: int, workers: int) -> dict | str:
    """EMA Workbench's ``MultiprocessingEvaluator`` on the same points (pool start included);
    a one-line reason instead where it cannot run here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # ipyparallel / altair not installed
            from ema_workbench import Constant, Model, MultiprocessingEvaluator, RealParameter, Sample, ScalarOutcome
        model = Model("rhythm", function=us_lag)
        model.uncertainties = [RealParameter("rated_order_share", 0.1, 1.0), RealParameter("approval_prob", 0.25, 0.95)]
        model.constants = [Constant("seed", seed)]
        model.outcomes = [ScalarOutcome("us_lag")]
        samples = [Sample(**p) for p in points]
        start = time.perf_counter()
        with MultiprocessingEvaluator(model, n_processes=workers) as evaluator:
            _, outcomes = evaluator.perform_experiments(scenarios=samples, log_progress=True)  # no tqdm bar
        wall = time.perf_counter() - start
    except Exception as exc:   # report, do not crash the benchmark: EMA Workbench is a comparison only
        text = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {text[0] if text else ''}"[:100]
    return {"wall_s": wall, "runs": int(np.isfinite(np.asarray(outcomes["us_lag"], dtype=float)).sum())}


def e2e_rows(model: dict, workers: int, e2e: dict, ema: dict | str) -> list[tuple[str, str, str, bool]]:
    """Rows for the end-to-end study and EMA Workbench on the same points."""
    ideal = workers / model["run_s"]
    share = e2e["runs"] / e2e["wall_s"] / ideal
    out = [
        (f"end to end: study of {e2e['runs']} design points on {workers} workers", f"{share:.0%} of ideal",
         ">= 95%", share >= 0.95),
        ("  compose+validate / chunks / aggregate+figure",
         f"{e2e['plan_s']:.1f}/{e2e['run_s']:.1f}/{e2e['aggregate_s']:.1f} s", "", True),
    ]
    if isinstance(ema, str):
        out.append((f"  EMA Workbench MultiprocessingEvaluator, same points (n/a: {ema})", "n/a", "", True))
    else:
        ema_share = ema["runs"] / ema["wall_s"] / ideal
        out.append((f"  EMA Workbench MultiprocessingEvaluator, {ema['runs']} runs, same points",
                    f"{ema_share:.0%} of ideal", "comparison", True))
    return out


@command(None)
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=0, help="runs in the throughput study (default 16 per worker)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of the single runs (default 5)")
    parser.add_argument("--e2e-runs", type=int, default=256,
                        help="design points of the end-to-end study and the EMA Workbench comparison "
                             "(default 256; 0 skips both)")
    parser.add_argument("--scaling", default="", help="comma-separated worker counts for a scaling curve, e.g. 1,2,4,8,16")
    parser.add_argument("--out", type=Path, default=None, help="directory for the benchmark studies (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.runs < 0 or args.repeats < 1 or args.e2e_runs < 0:
        print("error: --workers and --repeats must be >= 1, --runs and --e2e-runs >= 0", file=sys.stderr)
        return 2
    n_runs = args.runs or 16 * args.workers
    print(f"benchmark: {os.cpu_count()} cores, {args.workers} workers, {n_runs} study runs", file=sys.stderr)
    compose = compose_times()             # first: nothing composed yet in this process
    model = model_measurements(args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        study_throughput(2, args.workers, root / "warm")   # start the forkserver once, as a long study would
        study = study_throughput(n_runs, args.workers, root / "throughput")
        extra = []
        if args.e2e_runs:
            points, seed = design_points(args.e2e_runs)
            e2e = e2e_study(points, seed, args.workers, root / "e2e")
            extra = e2e_rows(model, args.workers, e2e, ema_study(points, seed, args.workers))
        curve = []
        for w in [int(x) for x in args.scaling.split(",") if x.strip()]:
            s = study_throughput(max(n_runs, 8 * w), w, root / f"scaling_{w}")
            rate = s["runs"] / s["run_s"]
            curve.append((w, rate, rate / (w / model["run_s"])))
    table = rows(model, study, args.workers, compose) + extra
    width = max(len(r[0]) for r in table)
    print(f"{'measure':<{width}}  {'value':>14}  {'target':<22}  result")
    for name, value, target, ok in table:
        verdict = "" if target in ("", "reference", "comparison") else ("PASS" if ok else "FAIL")
        print(f"{name:<{width}}  {value:>14}  {target:<22}  {verdict}")
    for w, rate, eff in curve:
        print(f"scaling: {w:>3} workers  {rate:6.2f} runs/s while running  {eff:5.0%} of ideal")
    return 0


if __name__ == "__main__":
    run(main)
