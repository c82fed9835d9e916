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
run, e.g. ``months=24`` or ``us.dfars_from=2027-01``. Exit status (README "Exit status"): 0 all runs
done; 1 some runs failed (listed) or a worker died (rerun to resume); 2 bad input, nothing
written; 130 interrupted (rerun to resume).

Example: ``python -m sim.sweep study=vault_rated workers=2 months=120``.
"""

from __future__ import annotations

from sim.runs.entry import FAILED, OK, command, run

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


@command(__doc__, interrupted="interrupted: finished chunks are kept; rerun the same command to resume")
def main(argv: list[str]) -> int:
    """Entry point; returns the exit status (see the module docstring)."""
    from sim.study import load_study, run_study

    options, overrides = parse(argv)
    changes = {k: options.pop(k) for k in ("replicates", "seed", "chunk") if k in options}
    study = load_study(options.pop("study"), **changes)
    study.overrides = tuple(study.overrides) + tuple(overrides)
    result = run_study(study, **options)
    print(result.summary())
    return FAILED if len(result.failed) else OK


if __name__ == "__main__":
    run(main)
