"""Benchmark against SPEC §9's targets, every ratio measured in this one process.

Usage::

    uv run python -m experiments.benchmark [--runs N] [--workers W] [--scaling 1,2,4] [--out DIR]

Prints one table, each line with its target and PASS/FAIL:

- one default-world single-replicate run against a trivial Mesa model (100 agents x 120
  steps, five model reporters): ratio <= 10 (stretch <= 5);
- study throughput on all local cores against ``cores / single-run time``: >= 90%;
- the runner's overhead per run (runner time per run minus model time) <= 10% of a run;
- 10x the firms (plants and defense producers split tenfold): time ratio <= 12;
- peak memory of a worker process <= 250 MiB;
- the projected wall time of a 10,000-run study on these cores (target: under 12 minutes
  on two cores).

With ``--scaling`` it also prints throughput for each worker count (for machines with more
cores). Timings are noisy on a shared machine: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from experiments.benchmark_model import model_measurements
from sim.runner import replicate_seeds
from sim.study import RunSpec, run_study


def study_throughput(n_runs: int, workers: int, out: Path) -> dict:
    """Run ``n_runs`` default-world replicates on the local pool; throughput and per-run times."""
    seeds = replicate_seeds(12345, n_runs)
    specs = [RunSpec(run=f"{i:05d}", point=0, scenario="rhythm_embedded", replicate=i, seed=s)
             for i, s in enumerate(seeds)]
    start = time.perf_counter()
    result = run_study(specs, out=out, workers=workers, overrides=["check_conservation=false", "figures=false"],
                       progress=False)
    wall = time.perf_counter() - start
    done = result.runs[result.runs["status"] == "done"]
    return {"wall_s": wall, "runs": len(done), "per_run_s": float(done["wall_s"].mean()),
            "throughput": len(done) / wall}


def rows(model: dict, study: dict, workers: int, peak_mib: float) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, pass) for the table."""
    ratio = model["run_s"] / model["trivial_s"]
    ideal = workers / model["run_s"]
    efficiency = study["throughput"] / ideal
    overhead = (study["wall_s"] * workers / study["runs"] - study["per_run_s"]) / study["per_run_s"]
    scale = model["run_10x_s"] / model["run_s"]
    projected = 10_000 / study["throughput"]
    return [
        ("trivial Mesa model (100 agents x 120 steps, 5 reporters)", f"{model['trivial_s'] * 1e3:.1f} ms", "reference", True),
        (f"one default-world run ({model['agents']} agents, 120 months)", f"{model['run_s'] * 1e3:.0f} ms", "", True),
        ("  ratio to the trivial model", f"{ratio:.1f}x", "<= 10 (stretch <= 5)", ratio <= 10),
        (f"study throughput, {workers} workers", f"{study['throughput']:.2f} runs/s", "", True),
        ("  share of ideal (workers / single-run time)", f"{efficiency:.0%}", ">= 90%", efficiency >= 0.9),
        ("  runner overhead per run", f"{overhead:.1%}", "<= 10% of a run", overhead <= 0.10),
        (f"10x the firms ({model['agents_10x']} agents)", f"{scale:.1f}x the time", "<= 12x", scale <= 12),
        ("peak memory of a worker", f"{peak_mib:.0f} MiB", "<= 250 MiB", peak_mib <= 250),
        (f"projected 10,000-run study on {workers} workers", f"{projected / 60:.1f} min",
         "< 12 min on 2 cores", projected < 720 if workers <= 2 else True),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=0, help="runs in the throughput study (default 8 per worker)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of the single runs (default 5)")
    parser.add_argument("--scaling", default="", help="comma-separated worker counts for a scaling curve, e.g. 1,2,4,8,16")
    parser.add_argument("--out", type=Path, default=None, help="directory for the benchmark studies (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.runs < 0 or args.repeats < 1:
        print("error: --workers and --repeats must be >= 1 and --runs >= 0", file=sys.stderr)
        return 2
    n_runs = args.runs or 8 * args.workers
    print(f"benchmark: {os.cpu_count()} cores, {args.workers} workers, {n_runs} study runs", file=sys.stderr)
    model = model_measurements(args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        study = study_throughput(n_runs, args.workers, root / "throughput")
        # ru_maxrss of the largest child that has ended (the pool's workers), in KiB on Linux
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        curve = []
        for w in [int(x) for x in args.scaling.split(",") if x.strip()]:
            s = study_throughput(max(n_runs, 4 * w), w, root / f"scaling_{w}")
            curve.append((w, s["throughput"], s["throughput"] / (w / model["run_s"])))
    width = max(len(r[0]) for r in rows(model, study, args.workers, peak_mib))
    print(f"{'measure':<{width}}  {'value':>14}  {'target':<22}  result")
    for name, value, target, ok in rows(model, study, args.workers, peak_mib):
        verdict = "" if target in ("", "reference") else ("PASS" if ok else "FAIL")
        print(f"{name:<{width}}  {value:>14}  {target:<22}  {verdict}")
    for w, rate, eff in curve:
        print(f"scaling: {w:>3} workers  {rate:6.2f} runs/s  {eff:5.0%} of ideal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
