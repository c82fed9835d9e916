"""Run the three scenarios with the same seeds and write a comparison.

Usage::

    uv run python -m experiments.compare_scenarios --replicates 20 --out outputs/compare

Writes ``<out>/<scenario>/`` run files for each scenario, ``<out>/figures/scenario_panel.{png,svg}``
and ``<out>/summary.csv`` (median and 90% band per scenario of the headline numbers).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim import run_scenarios
from sim.outputs.io import check_dir_path
from sim.runs.entry import command, run
from sim.vocab import SCENARIOS

HEADLINES = [  # (metric, entity, year, reduction over the year's months)
    ("delivery_lag_cycles", "country:US", 2030, "mean"),
    ("delivery_lag_cycles", "country:US", 2035, "mean"),
    ("delivery_lag_cycles", "circle:A", 2035, "mean"),
    ("circle_b_share_gdp", "world", 2035, "mean"),
    ("circle_b_share_gdp", "global_south", 2035, "mean"),
    ("china_export_share", "US", 2035, "mean"),
    ("nonchina_capacity_share", "separation", 2035, "mean"),
    ("nonchina_capacity_share", "magnet", 2035, "mean"),
    ("club_members", "club", 2035, "mean"),
    ("fiscal_cost_usd", "US", 2035, "max"),
]


def summarise(table: pd.DataFrame, headlines=HEADLINES) -> pd.DataFrame:
    """Median, 5% and 95% over seeds of each headline number, per scenario.

    Args:
        table: tidy results of one or more scenarios.
        headlines: ``(metric, entity, year, reduction over the year's months)`` tuples.
    """
    rows = []
    for metric, entity, year, how in headlines:
        sel = table[(table.metric == metric) & (table.entity == entity) & (table.month.dt.year == year)]
        per_seed = sel.groupby(["scenario", "seed"], observed=True)["value"].agg(how)
        for scenario, values in per_seed.groupby(level=0, observed=True):
            rows.append({"scenario": scenario, "metric": metric, "entity": entity, "year": year,
                         "median": values.median(), "p05": values.quantile(0.05), "p95": values.quantile(0.95)})
    return pd.DataFrame(rows, columns=["scenario", "metric", "entity", "year", "median", "p05", "p95"])


@command(None)
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20, help="replicates per scenario (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="base seed shared by the scenarios")
    parser.add_argument("--out", type=Path, default=Path("outputs/compare"), help="output directory")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides applied to every scenario")
    args = parser.parse_args(argv)
    check_dir_path(args.out, "--out")
    table = run_scenarios(SCENARIOS, output_dir=args.out, seed=args.seed, replicates=args.replicates,
                          overrides=args.overrides, progress=True)
    summary = summarise(table)
    summary.to_csv(args.out / "summary.csv", index=False)
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    return 0


if __name__ == "__main__":
    run(main)
