"""Benchmark against SPEC §9's targets, every ratio measured in this one process.

Usage::

    uv run python -m experiments.benchmark [--runs N] [--workers W] [--scaling 1,2,4] [--out DIR]

Prints one table, each line with its target and PASS/FAIL:

- one default-world single-replicate run against a trivial Mesa model (100 agents x 120
  steps, five model reporters): ratio <= 10 (stretch <= 5);
- study throughput on all local cores against ``cores / single-run time``: >= 90%. Two
  studies (N/2 and N runs) separate the fixed start-up (composition, validation, pool start,
  aggregate) from the marginal time per run; the target is checked on the marginal rate,
  which is what a study of thousands of runs sees, and the rate with start-up is printed too;
- the runner's overhead per run (marginal time per run x workers, minus the model's time)
  <= 10% of a run;
- 10x the firms (plants and defense producers split tenfold): time ratio <= 12;
- peak memory of a worker process <= 250 MiB (each run records its worker's peak resident
  memory, ``worker_rss_mib`` in the run table);
- the projected wall time of a 10,000-run study on these cores, start-up plus 10,000 times
  the marginal time (target: under 12 minutes on two cores).

With ``--scaling`` it also prints throughput for each worker count (for machines with more
cores). Timings are noisy on a shared machine: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from experiments.benchmark_model import model_measurements
from sim.runner import replicate_seeds
from sim.study import RunSpec, run_study


def study_throughput(n_runs: int, workers: int, out: Path) -> dict:
    """Run ``n_runs`` default-world replicates on the local pool; wall time, run times, memory."""
    seeds = replicate_seeds(12345, n_runs)
    specs = [RunSpec(run=f"{i:05d}", point=0, scenario="rhythm_embedded", replicate=i, seed=s)
             for i, s in enumerate(seeds)]
    start = time.perf_counter()
    result = run_study(specs, out=out, workers=workers, overrides=["check_conservation=false", "figures=false"],
                       progress=False)
    wall = time.perf_counter() - start
    done = result.runs[result.runs["status"] == "done"]
    return {"wall_s": wall, "runs": len(done), "per_run_s": float(done["wall_s"].mean()),
            "throughput": len(done) / wall, "peak_mib": float(done["worker_rss_mib"].max())}


def marginal(small: dict, large: dict) -> dict:
    """Split two studies' wall times into a fixed start-up and a marginal time per run (s).

    When noise leaves a slope below a quarter of the larger study's mean wall time per run
    (too few runs for the split), the mean is used instead, start-up counted in, and
    ``split`` is False.
    """
    extra = large["runs"] - small["runs"]
    mean = large["wall_s"] / large["runs"]
    per_run = (large["wall_s"] - small["wall_s"]) / extra if extra > 0 else 0.0
    if per_run < 0.25 * mean:
        return {"per_run_wall_s": mean, "startup_s": 0.0, "throughput": 1.0 / mean, "split": False}
    return {"per_run_wall_s": per_run, "startup_s": max(large["wall_s"] - large["runs"] * per_run, 0.0),
            "throughput": 1.0 / per_run, "split": True}


def rows(model: dict, small: dict, large: dict, workers: int) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, pass) for the table."""
    ratio = model["run_s"] / model["trivial_s"]
    ideal = workers / model["run_s"]
    split = marginal(small, large)
    efficiency = split["throughput"] / ideal
    # Runner time per run (marginal wall time x workers) minus the model's time inside the workers.
    in_worker = (small["per_run_s"] * small["runs"] + large["per_run_s"] * large["runs"]) / (small["runs"] + large["runs"])
    overhead = (split["per_run_wall_s"] * workers - in_worker) / in_worker
    scale = model["run_10x_s"] / model["run_s"]
    peak_mib = max(small["peak_mib"], large["peak_mib"])
    projected = split["startup_s"] + 10_000 * split["per_run_wall_s"]
    return [
        ("trivial Mesa model (100 agents x 120 steps, 5 reporters)", f"{model['trivial_s'] * 1e3:.1f} ms", "reference", True),
        (f"one default-world run ({model['agents']} agents, 120 months)", f"{model['run_s'] * 1e3:.0f} ms", "", True),
        ("  ratio to the trivial model", f"{ratio:.1f}x", "<= 10 (stretch <= 5)", ratio <= 10),
        (f"study of {large['runs']} runs on {workers} workers, with start-up", f"{large['throughput']:.2f} runs/s", "", True),
        ("  start-up (compose, validate, pool, aggregate)",
         f"{split['startup_s']:.1f} s" if split["split"] else "not separable", "", True),
        ("  marginal throughput", f"{split['throughput']:.2f} runs/s", "", True),
        ("  share of ideal (workers / single-run time)", f"{efficiency:.0%}", ">= 90%", efficiency >= 0.9),
        ("  model time per run inside the workers", f"{in_worker * 1e3:.0f} ms", "", True),
        ("  runner overhead per run", f"{overhead:.1%}", "<= 10% of a run", overhead <= 0.10),
        (f"10x the firms ({model['agents_10x']} agents)", f"{scale:.1f}x the time", "<= 12x", scale <= 12),
        ("peak memory of a worker", f"{peak_mib:.0f} MiB", "<= 250 MiB", peak_mib <= 250),
        (f"projected 10,000-run study on {workers} workers", f"{projected / 60:.1f} min",
         "< 12 min on 2 cores", projected < 720 if workers <= 2 else True),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=0, help="runs in the larger throughput study (default 16 per worker)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of the single runs (default 5)")
    parser.add_argument("--scaling", default="", help="comma-separated worker counts for a scaling curve, e.g. 1,2,4,8,16")
    parser.add_argument("--out", type=Path, default=None, help="directory for the benchmark studies (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.runs < 0 or args.repeats < 1:
        print("error: --workers and --repeats must be >= 1 and --runs >= 0", file=sys.stderr)
        return 2
    n_runs = max(args.runs or 16 * args.workers, 2)
    print(f"benchmark: {os.cpu_count()} cores, {args.workers} workers, studies of {n_runs // 2} and {n_runs} runs",
          file=sys.stderr)
    model = model_measurements(args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        small = study_throughput(n_runs // 2, args.workers, root / "throughput_half")
        large = study_throughput(n_runs, args.workers, root / "throughput")
        curve = []
        for w in [int(x) for x in args.scaling.split(",") if x.strip()]:
            n = max(n_runs, 8 * w)
            split = marginal(study_throughput(n // 2, w, root / f"scaling_{w}_half"),
                             study_throughput(n, w, root / f"scaling_{w}"))
            curve.append((w, split["throughput"], split["throughput"] / (w / model["run_s"])))
    table = rows(model, small, large, args.workers)
    width = max(len(r[0]) for r in table)
    print(f"{'measure':<{width}}  {'value':>14}  {'target':<22}  result")
    for name, value, target, ok in table:
        verdict = "" if target in ("", "reference") else ("PASS" if ok else "FAIL")
        print(f"{name:<{width}}  {value:>14}  {target:<22}  {verdict}")
    for w, rate, eff in curve:
        print(f"scaling: {w:>3} workers  {rate:6.2f} runs/s marginal  {eff:5.0%} of ideal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
