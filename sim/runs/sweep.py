"""The study runner's command line: ``python -m sim.sweep study=<name> [key=value ...]``.

Composes each scenario's config once and runs the study's design on a persistent worker
pool (no Hydra per run). Keys of the runner::

    study=NAME|PATH.yaml  a preset in conf/study/ (or a YAML file): scenarios, replicates,
                          seed, overrides, design (grid, lhs or sample), chunk
    out=DIR               study directory (default outputs/studies/<name>); the same command
                          on the same directory resumes it, a different study is refused
    workers=N             worker processes / Ray CPUs / concurrent SLURM tasks (default: all cores)
    engine=local|ray|submitit
    address=ADDR          Ray cluster address (default: a local instance on loopback)
    cluster=slurm|local|debug, partition=P, timeout_min=M, mem_gb=G     Submitit's settings
    replicates=N, seed=N, chunk=N   change the preset's replicates, study seed, runs per part
    progress=false        no progress on stderr
    fail_runs=ID[,ID]     test hook: these runs raise inside the model run

Every other ``key=value`` (or ``+key=value``) is a Hydra override of the base config of every
run, e.g. ``months=24`` or ``us.dfars_from=2027-01``. Exit status: 0 all runs done, 1 some
runs failed (listed), 2 bad input (nothing written), 3 a worker died (rerun to resume),
130 interrupted (rerun to resume).

Example: ``python -m sim.sweep study=vault_rated workers=2 months=120``.
"""

from __future__ import annotations

import sys

INTS = ("workers", "replicates", "seed", "chunk", "timeout_min")
OPTIONS = ("study", "out", "engine", "address", "cluster", "partition", "mem_gb", "progress", "fail_runs") + INTS


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    """Split ``key=value`` arguments into the runner's options and the base config's overrides."""
    from sim.config.errors import ConfigError

    options, overrides = {}, []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            raise ConfigError(f"'{arg}': give key=value (see python -m sim.sweep --help)")
        if key not in OPTIONS:
            overrides.append(arg)
            continue
        if key in INTS:
            try:
                options[key] = int(value)
            except ValueError:
                raise ConfigError(f"{key}={value!r}: expected an integer") from None
        elif key == "mem_gb":
            options[key] = float(value)
        elif key == "progress":
            options[key] = value.lower() not in ("0", "false", "no", "off")
        elif key == "fail_runs":
            options[key] = [v for v in value.split(",") if v]
        else:
            options[key] = value
    if "study" not in options:
        raise ConfigError("give study=<name> (a file in conf/study/) or study=<path.yaml>")
    return options, overrides


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    from sim.config.errors import ConfigError
    from sim.study import StudyError, load_study, run_study
    from sim.study.storage import WorkerDied

    try:
        options, overrides = parse(argv)
        changes = {k: options.pop(k) for k in ("replicates", "seed", "chunk") if k in options}
        study = load_study(options.pop("study"), **changes)
        study.overrides = tuple(study.overrides) + tuple(overrides)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        result = run_study(study, **options)
    except (ConfigError, StudyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, WorkerDied) else 2
    except KeyboardInterrupt:
        print("interrupted: finished chunks are kept; rerun the same command to resume", file=sys.stderr)
        return 130
    print(result.summary())
    return 1 if len(result.failed) else 0


if __name__ == "__main__":
    sys.exit(main())
