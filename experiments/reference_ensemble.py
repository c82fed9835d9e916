"""Reference ensemble of the current engine: per-seed key outputs for the equivalence test (issue 15).

Usage::

    uv run python -m experiments.reference_ensemble [--seeds 50] [--out tests/reference]

Runs the three scenarios (120 months) and the hindcast (``hindcast_2025``, its own horizon)
with the config's replicate seeds spawned from seed 0, and keeps, per scenario and seed, the
scalar outputs the signature tests (``tests/test_signatures.py``) and the hindcast table
(``experiments/hindcast.py``) are built from; no whole tables. Writes ``<out>/key_outputs.parquet``
(tidy: ``scenario, seed, output, value``) and ``<out>/reference.json`` (the commit, the seeds in
replicate order and one line defining each output). ``tests/test_equivalence.py`` compares a
later engine's outputs with these: exactly while the engine is bit-identical, and as
distributions once it is not.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments.hindcast import OBSERVED_DESTINATIONS, episode, exports_by_destination, months_between
from sim import run_scenario
from sim.outputs.io import check_dir_path, git_commit
from sim.runs.entry import command, run
from sim.runs.runner import replicate_seeds
from sim.vocab import HINDCASTS, SCENARIOS

BASE_SEED = 0
SEEDS = 50
OUT = Path("tests/reference")
PARQUET, MANIFEST = "key_outputs.parquet", "reference.json"
LATE, EARLY, LATER = range(2030, 2036), range(2030, 2032), range(2032, 2036)
PROGRAMS = ("us.f35", "us.virginia", "us.pac3", "us.javelin")   # the high-end programs test_signatures checks
JAN_2025 = pd.Timestamp("2025-01-01")

# name: (metric, entity, years, how over those months). One number per seed; NaN months are skipped.
SERIES_OUTPUTS: dict[str, tuple[str, str, Sequence[int] | None, str]] = {
    "us_delivery_lag_2030_35": ("delivery_lag_cycles", "country:US", LATE, "mean"),
    "us_delivery_lag_2030_31": ("delivery_lag_cycles", "country:US", EARLY, "mean"),
    "us_delivery_lag_2032_35": ("delivery_lag_cycles", "country:US", LATER, "mean"),
    "circle_a_delivery_lag_2030_35": ("delivery_lag_cycles", "circle:A", LATE, "mean"),
    "nonchina_capacity_separation_2035": ("nonchina_capacity_share", "separation", [2035], "mean"),
    "nonchina_capacity_magnet_2035": ("nonchina_capacity_share", "magnet", [2035], "mean"),
    "us_fiscal_cost_end": ("fiscal_cost_usd", "US", [2035], "max"),
    "us_china_export_share_2034_max": ("china_export_share", "US", [2034], "max"),
    "global_south_circle_b_2026": ("circle_b_share_gdp", "global_south", [2026], "mean"),
    "global_south_circle_b_2035": ("circle_b_share_gdp", "global_south", [2035], "mean"),
    "club_members_2030": ("club_members", "club", [2030], "mean"),
    "club_members_2035": ("club_members", "club", [2035], "mean"),
    "cn_regime_pressure_2030_35": ("regime_pressure", "CN", LATE, "mean"),
    "us_generation_lag_2030_35": ("generation_lag_cycles", "country:US", LATE, "mean"),
    "ev_us_generation_lag_2030_35": ("generation_lag_cycles", "ev:US", LATE, "mean"),
    "virginia_cutin_slip_max": ("cutin_slip_months", "us.virginia", None, "max"),
    **{f"production_cost_{stage}_{market.lower()}_2030_35":
       ("production_cost_usd_per_kg", f"{stage}:{market}", LATE, "mean")
       for stage in ("separation", "metal", "magnet") for market in ("CN", "ROW")},
}
UNITS = {"delivery_lag_cycles": "cycles", "nonchina_capacity_share": "share of world capacity",
         "fiscal_cost_usd": "USD, cumulative", "china_export_share": "share", "circle_b_share_gdp": "share of GDP",
         "club_members": "members", "regime_pressure": "index", "generation_lag_cycles": "cycles",
         "cutin_slip_months": "months", "production_cost_usd_per_kg": "USD/kg"}
PRICE_RATIOS = ("heavy_oxide", "magnet")


def definitions() -> dict[str, str]:
    """One line defining each key output: scenario outputs first, then the hindcast's."""
    defs = {}
    for name, (metric, entity, years, how) in SERIES_OUTPUTS.items():
        span = "the whole run" if years is None else (
            str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}")
        defs[name] = f"{how} of {metric} of {entity} over the months of {span} ({UNITS[metric]})"
    for material in PRICE_RATIOS:
        defs[f"price_ratio_{material}_2035"] = (f"mean 2035 price_usd_per_kg of {material}:ROW over that of "
                                                f"{material}:CN (ratio)")
    progs = ", ".join(PROGRAMS)
    defs["us_delivery_ratio_min"] = f"min over program-years of deliveries_units / planned_units ({progs})"
    defs["us_delivery_ratio_half_share"] = f"share of program-years with deliveries >= 0.5 of plan ({progs})"
    defs |= {
        "trough_month": "month of 2025 (1-12) of the lowest simulated China magnet export total (first if tied)",
        "trough_depth": "1 - trough / mean of Jan-Mar 2025 of China's magnet exports (share)",
        "recovery_month": ("months from Dec 2024 to the first month after the trough back at 0.9 of the Jan-Mar "
                           "2025 mean (13 = Jan 2026; NaN if none)"),
        "total_2024": "China's magnet exports in 2024 (t)",
        "total_2025": "China's magnet exports in 2025 (t)",
        "total_2026Q1": "China's magnet exports in Jan-Mar 2026 (t)",
        "mape": "mean |simulated / observed - 1| of the twelve months of 2025 against D20 (share)",
        "heavy_oxide_row_2025_03": "price_usd_per_kg of heavy_oxide:ROW in 2025-03 (USD/kg)",
        "heavy_oxide_row_2025_07": "price_usd_per_kg of heavy_oxide:ROW in 2025-07 (USD/kg)",
        "heavy_oxide_cn_2025_07": "price_usd_per_kg of heavy_oxide:CN in 2025-07 (USD/kg)",
    }
    for dest, month, _ in OBSERVED_DESTINATIONS:
        defs[f"exports_{dest}_{month.replace('-', '_')}"] = f"China's magnet exports to {dest} in {month} (t)"
    return defs


def _select(table: pd.DataFrame, metric: str, entity: str, years: Sequence[int] | None) -> pd.DataFrame:
    rows = table[(table["metric"] == metric) & (table["entity"] == entity)]
    return rows if years is None else rows[rows["month"].dt.year.isin(list(years))]


def _per_seed(table, metric, entity, years, how, seeds) -> pd.Series:
    values = _select(table, metric, entity, years).groupby("seed", observed=True)["value"].agg(how)
    return values.reindex(seeds)


def scenario_outputs(table: pd.DataFrame) -> pd.DataFrame:
    """Per-seed key outputs of one path scenario's tidy table: ``seed`` index, one column each."""
    seeds = list(pd.unique(table["seed"]))
    out = {name: _per_seed(table, *spec, seeds) for name, spec in SERIES_OUTPUTS.items()}
    for material in PRICE_RATIOS:
        row = _per_seed(table, "price_usd_per_kg", f"{material}:ROW", [2035], "mean", seeds)
        out[f"price_ratio_{material}_2035"] = row / _per_seed(
            table, "price_usd_per_kg", f"{material}:CN", [2035], "mean", seeds)
    rows = table[table["entity"].isin(PROGRAMS) & table["metric"].isin(["deliveries_units", "planned_units"])]
    yearly = rows.groupby(["seed", "entity", rows["month"].dt.year, "metric"], observed=True)["value"].sum()
    yearly = yearly.unstack("metric")
    ratio = (yearly["deliveries_units"] / yearly["planned_units"]).groupby(level="seed")
    out["us_delivery_ratio_min"] = ratio.min().reindex(seeds)
    out["us_delivery_ratio_half_share"] = ratio.apply(lambda r: float((r >= 0.5).mean())).reindex(seeds)
    return pd.DataFrame(out)


def hindcast_outputs(table: pd.DataFrame) -> pd.DataFrame:
    """Per-seed key outputs of the hindcast's tidy table (the statistics of its table in
    ``experiments/hindcast.py``, through its own :func:`episode`)."""
    exports = exports_by_destination(table)
    seeds = list(pd.unique(table["seed"]))
    rows = {}
    for seed in seeds:
        ep = episode(exports.xs(seed, level="seed")["total"])
        rows[seed] = {
            "trough_month": float(ep["trough_month"].month),
            "trough_depth": ep["trough_depth"],
            "recovery_month": months_between(ep["recovery_month"], JAN_2025) + 1.0,
            **{k: ep[k] for k in ("total_2024", "total_2025", "total_2026Q1", "mape")}}
    out = pd.DataFrame.from_dict(rows, orient="index")
    prices = table[table["metric"] == "price_usd_per_kg"]
    for name, entity, month in (("heavy_oxide_row_2025_03", "heavy_oxide:ROW", "2025-03"),
                                ("heavy_oxide_row_2025_07", "heavy_oxide:ROW", "2025-07"),
                                ("heavy_oxide_cn_2025_07", "heavy_oxide:CN", "2025-07")):
        sel = prices[(prices["entity"] == entity) & (prices["month"] == pd.Timestamp(f"{month}-01"))]
        out[name] = sel.set_index("seed")["value"].reindex(seeds)
    for dest, month, _ in OBSERVED_DESTINATIONS:
        at = exports.xs(pd.Timestamp(f"{month}-01"), level="month")[dest]
        out[f"exports_{dest}_{month.replace('-', '_')}"] = at.reindex(seeds)
    return out


def key_outputs(scenario: str, seeds: int = SEEDS, base_seed: int = BASE_SEED) -> pd.DataFrame:
    """Run ``scenario`` for ``seeds`` replicates and return its tidy key outputs.

    Args:
        scenario: a path scenario (``sim.vocab.SCENARIOS``) or the hindcast (``HINDCASTS``).
        seeds: replicate count; the first ``n`` seeds of a larger count are the same seeds.
        base_seed: the seed the replicate seeds are spawned from.

    Returns:
        ``scenario, seed, output, value`` with seeds in replicate order and outputs in
        :func:`definitions` order.
    """
    table = run_scenario(scenario, seed=base_seed, replicates=seeds, overrides=["figures=false"])
    wide = hindcast_outputs(table) if scenario in HINDCASTS else scenario_outputs(table)
    wide.index.name = "seed"
    tidy = wide.reset_index().melt(id_vars="seed", var_name="output", value_name="value")
    tidy.insert(0, "scenario", scenario)
    return tidy.astype({"seed": "int64", "value": "float64"})[["scenario", "seed", "output", "value"]]


def reference_ensemble(seeds: int = SEEDS, base_seed: int = BASE_SEED,
                       scenarios: Sequence[str] = SCENARIOS + HINDCASTS) -> pd.DataFrame:
    """The key outputs of every scenario, tidy (``scenario, seed, output, value``)."""
    return pd.concat([key_outputs(s, seeds, base_seed) for s in scenarios], ignore_index=True)


def write_reference(table: pd.DataFrame, out: Path, seeds: int, base_seed: int = BASE_SEED) -> None:
    """Write ``key_outputs.parquet`` (small: categorical names, zstd) and ``reference.json``."""
    out.mkdir(parents=True, exist_ok=True)
    stored = table.astype({"scenario": "category", "output": "category"})
    stored.to_parquet(out / PARQUET, index=False, compression="zstd")
    defs = definitions()
    manifest = {
        "commit": git_commit(),
        "command": f"python -m experiments.reference_ensemble --seeds {seeds} --out {out}",
        "base_seed": base_seed, "replicates": seeds, "seeds": replicate_seeds(base_seed, seeds),
        "scenarios": {s: sorted(set(table.loc[table.scenario == s, "output"]), key=list(defs).index)
                      for s in pd.unique(table["scenario"])},
        "outputs": {k: v for k, v in defs.items() if k in set(table["output"])},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def load_reference(out: Path = OUT) -> tuple[pd.DataFrame, dict]:
    """The stored key outputs (names as strings) and the manifest."""
    table = pd.read_parquet(out / PARQUET)
    table = table.astype({"scenario": str, "output": str})
    return table, json.loads((out / MANIFEST).read_text())


@command(None)
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=SEEDS, help=f"replicate seeds per scenario (default {SEEDS})")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output directory (default {OUT})")
    args = parser.parse_args(argv)
    check_dir_path(args.out, "--out")
    frames = []
    for scenario in SCENARIOS + HINDCASTS:
        frames.append(key_outputs(scenario, args.seeds))
        print(f"{scenario}: {args.seeds} seeds, {frames[-1]['output'].nunique()} outputs", flush=True)
    table = pd.concat(frames, ignore_index=True)
    write_reference(table, args.out, args.seeds)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {args.out / PARQUET} and {args.out / MANIFEST} ({size / 1024:.1f} KiB, {len(table)} rows)")
    spread = table.groupby(["scenario", "output"], sort=False)["value"].agg(
        median="median", p05=lambda v: v.quantile(0.05), p95=lambda v: v.quantile(0.95),
        nan="count")
    spread["nan"] = args.seeds - spread["nan"]
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(spread.to_string(float_format=lambda v: f"{v:.4g}"))
    return 0


if __name__ == "__main__":
    run(main)
