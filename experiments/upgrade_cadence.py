"""How many technology generations behind China's frontier do others' upgrades fall? (SPEC §4b)

Runs the three scenarios with attribution on (each seed also without China's metering) and
summarises, per scenario, year and entity, the median and 5-95% band over seeds of:
``generation_lag_cycles`` and ``rhythm_share`` for the defense aggregates (``country:US``,
``country:EU``, ``country:JP``, ``country:KR``, ``circle:A``) and the civil sectors of those
countries (``ev:US``, ``motors:JP``, ...), and the cut-in slip of each high-end program's
generation in that year (months past plan, yearly maximum per seed).

Usage::

    uv run python -m experiments.upgrade_cadence --replicates 20 --out outputs/upgrade_cadence

Writes ``summary.csv`` and ``summary.md`` (the tables) into ``--out``, beside one run directory
per scenario (results, manifest, figures) and the scenario panel; ``python -m experiments.report
results=<out>`` draws the report figures from it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from experiments.compare_scenarios import summarise
from sim import run_scenarios
from sim.outputs.io import check_dir_path
from sim.runs.entry import command, run
from sim.vocab import SCENARIOS

COUNTRIES = ("US", "EU", "JP", "KR")
YEARS = (2030, 2035)
PROGRAMS = ("us.f35", "us.pac3", "us.virginia")   # the US high-end programs with a generation ladder


def entities() -> list[str]:
    """The entities summarised: defense aggregates, circle A, and the civil sectors."""
    return ([f"country:{c}" for c in COUNTRIES] + ["circle:A"]
            + [f"{s}:{c}" for s in ("ev", "motors") for c in COUNTRIES])


def headlines() -> list[tuple[str, str, int, str]]:
    """``(metric, entity, year, reduction)`` of the summary: yearly means of generation lag and
    rhythm share, the yearly maximum of each high-end program's cut-in slip."""
    wanted = [("generation_lag_cycles", e, "mean") for e in entities()] + [
        ("rhythm_share", e, "mean") for e in entities()] + [("cutin_slip_months", p, "max") for p in PROGRAMS]
    return [(metric, entity, year, how) for metric, entity, how in wanted for year in YEARS]


def markdown(summary: pd.DataFrame) -> str:
    """One table per metric: rows entity x scenario, columns year (median [p05, p95])."""
    parts = []
    for metric, block in summary.groupby("metric", sort=False):
        cell = block.assign(text=block.apply(lambda r: f"{r['median']:.2f} [{r['p05']:.2f}, {r['p95']:.2f}]",
                                             axis=1))
        wide = cell.pivot_table(index=["entity", "scenario"], columns="year", values="text", aggfunc="first")
        lines = [f"### {metric}", "", "| entity | scenario | " + " | ".join(map(str, wide.columns)) + " |",
                 "|---|---|" + "---|" * len(wide.columns)]
        lines += [f"| {e} | {s} | " + " | ".join(row) + " |" for (e, s), row in zip(wide.index, wide.values)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


@command(None)
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20, help="seeds per scenario (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="base seed shared by the scenarios")
    parser.add_argument("--out", type=Path, default=Path("outputs/upgrade_cadence"), help="output directory")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides applied to every scenario")
    args = parser.parse_args(argv)
    check_dir_path(args.out, "--out")
    table = run_scenarios(SCENARIOS, output_dir=args.out, seed=args.seed, replicates=args.replicates,
                          progress=True, overrides=["attribution=true", *args.overrides])
    summary = summarise(table, headlines())
    summary.to_csv(args.out / "summary.csv", index=False)
    text = markdown(summary)
    (args.out / "summary.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    run(main)
