"""Hindcast 2024-2026: the 2025 magnet-export collapse and recovery against China's customs data.

Usage::

    uv run python -m experiments.hindcast --replicates 20 --out outputs/hindcast [overrides ...]

Runs ``conf/scenario/hindcast_2025.yaml`` (2024-01 .. 2026-03, the real 2025 policy events)
and compares China's simulated total magnet exports with the 2025 customs series (D20):
trough month, trough depth against January-March 2025, recovery month, annual totals and the
mean absolute percentage error (MAPE) of the twelve months of 2025; then a few destinations
(D21, D88) and the Dy oxide prices (D41, D43). Writes ``<out>/results.parquet``,
``<out>/hindcast_table.{csv,md}``, ``<out>/exports_by_destination.csv`` (monthly median per
destination: total, US, EU, JP, KR, rest) and ``<out>/figures/hindcast.{png,svg}``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.compose import compose_config
from sim.outputs.io import check_dir_path, write_results
from sim.runs.api import progress_bar
from sim.runs.entry import command, run
from sim.runs.runner import run_config

SCENARIO = "hindcast_2025"
# China's permanent-magnet exports, t/month, 2025 (GAC, D20; Feb, Mar, Apr and Jul derived there).
OBSERVED_2025 = pd.Series(
    [6357, 3590, 5323, 2626, 1238, 3188, 5577, 6146, 5774, 5473, 6150, 5952], dtype=float,
    index=pd.date_range("2025-01-01", periods=12, freq="MS"), name="observed_t")
OBSERVED_TOTALS = {"total_2024": 58152.0, "total_2026Q1": 16001.0}   # t (D20)
# Monthly exports to single destinations, t (D21, D88); "EU" figures are Germany's alone.
OBSERVED_DESTINATIONS = [("US", "2025-05", 46.4), ("US", "2025-07", 619.0), ("US", "2025-09", 420.0),
                         ("KR", "2025-09", 854.0), ("JP", "2025-09", 228.0),
                         ("EU", "2025-07", 1116.0), ("EU", "2025-09", 1288.0)]
DY_CHINA = (216.0, 260.0)                                       # USD/kg, 2024-25 (D41)
DY_EUROPE_BEFORE, DY_EUROPE_AFTER = (250.0, 310.0), (700.0, 1000.0)   # USD/kg, around Apr 2025 (D41)
DY_JUL_2025 = {"heavy_oxide:ROW": 800.0, "heavy_oxide:CN": 230.0}    # USD/kg, Benchmark Jul 2025 (D43)
RECOVERED = 0.9   # share of the January-March 2025 level that counts as recovered
DESTINATIONS = ("US", "EU", "JP", "KR")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def run_hindcast(replicates: int = 20, seed: int = 0, overrides: tuple[str, ...] = (),
                 progress: bool = False) -> pd.DataFrame:
    """Run the hindcast scenario and return its tidy table (``month, scenario, seed, ...``)."""
    cfg = compose_config(None, [f"+scenario={SCENARIO}", f"replicates={replicates}", f"seed={seed}",
                                *overrides])
    return run_config(cfg, progress_bar(cfg.replicates, SCENARIO) if progress else None)


def exports_by_destination(table: pd.DataFrame) -> pd.DataFrame:
    """China's magnet exports per ``(seed, month)``, t: ``total``, US, EU, JP, KR and ``rest``."""
    rows = table[table["metric"] == "china_magnet_exports_t"]
    wide = rows.pivot_table(index=["seed", "month"], columns="entity", values="value", observed=True)
    out = wide[["total", *DESTINATIONS]].copy()
    out["rest"] = out["total"] - out[list(DESTINATIONS)].sum(axis=1)
    out.columns.name = None
    return out


def episode(series: pd.Series, observed: pd.Series = OBSERVED_2025) -> dict:
    """The 2025 episode's statistics of one monthly export series (t, indexed by month start).

    Returns:
        ``trough_month`` (the lowest month of 2025, the first if tied), ``trough_depth`` (1
        minus the trough over the January-March 2025 mean), ``recovery_month`` (the first month
        after the trough at or above ``RECOVERED`` of that mean; NaT if none), ``total_2025``,
        ``total_2024`` and ``total_2026Q1`` (t; NaN where the series does not cover them) and
        ``mape`` (mean of |series / observed - 1| over the months of ``observed``).
    """
    s = series.sort_index()
    year = s[(s.index >= "2025-01-01") & (s.index < "2026-01-01")]
    q1 = year.iloc[:3].mean()
    trough = year.idxmin()
    after = year[(year.index > trough) & (year >= RECOVERED * q1)]

    def total(lo: str, hi: str, months: int) -> float:
        part = s[(s.index >= lo) & (s.index < hi)]
        return float(part.sum()) if len(part) == months else float("nan")

    sim = s.reindex(observed.index).to_numpy()
    return {"trough_month": trough, "trough_depth": float(1.0 - year.min() / q1),
            "recovery_month": after.index[0] if len(after) else pd.NaT,
            "total_2025": float(year.sum()), "total_2024": total("2024-01-01", "2025-01-01", 12),
            "total_2026Q1": total("2026-01-01", "2026-04-01", 3),
            "mape": float(np.mean(np.abs(sim / observed.to_numpy() - 1.0)))}


def months_between(a: pd.Timestamp, b: pd.Timestamp) -> float:
    """Whole months from ``b`` to ``a`` (negative if ``a`` is earlier; NaN if either is missing)."""
    if pd.isna(a) or pd.isna(b):
        return float("nan")
    return float((a.year - b.year) * 12 + a.month - b.month)


def _month_row(name: str, observed: pd.Timestamp, months: pd.Series) -> dict:
    offsets = months.map(lambda m: months_between(m, observed)).dropna()
    q = offsets.quantile([0.5, 0.05, 0.95], interpolation="nearest") if len(offsets) else {}

    def at(p: float) -> str:
        return (observed + pd.DateOffset(months=int(q[p]))).strftime("%Y-%m") if len(offsets) else "none"

    return {"statistic": name, "unit": "month", "observed": observed.strftime("%Y-%m"), "median": at(0.5),
            "p05": at(0.05), "p95": at(0.95), "error": q[0.5] if len(offsets) else float("nan"),
            "error_unit": "months", "seeds": len(offsets)}


def compare(exports: pd.DataFrame) -> pd.DataFrame:
    """Observed against simulated episode statistics: median, 5% and 95% over seeds, and the error.

    Month errors are the median seed's offset from the observed month; totals' errors are
    relative (median / observed - 1), the depth's a difference, the MAPE its median.
    """
    obs = episode(OBSERVED_2025) | OBSERVED_TOTALS
    per_seed = pd.DataFrame([episode(g.droplevel("seed")["total"]) for _, g in exports.groupby(level="seed")])
    rows = [_month_row(k, obs[k], per_seed[k]) for k in ("trough_month", "recovery_month")]
    for key, unit in (("trough_depth", "share"), ("total_2025", "t"), ("total_2024", "t"),
                      ("total_2026Q1", "t"), ("mape", "share")):
        v = per_seed[key]
        med, observed = v.median(), (obs[key] if key != "mape" else float("nan"))
        error, kind = {"trough_depth": (med - observed, "difference"), "mape": (med, "share")}.get(
            key, (med / observed - 1.0, "relative"))
        rows.append({"statistic": key, "unit": unit, "observed": observed, "median": med,
                     "p05": v.quantile(0.05), "p95": v.quantile(0.95), "error": error,
                     "error_unit": kind, "seeds": int(v.notna().sum())})
    return pd.DataFrame(rows)


def destination_points(exports: pd.DataFrame) -> pd.DataFrame:
    """Simulated exports to single destinations against D21/D88's monthly figures (t)."""
    rows = []
    for dest, month, observed in OBSERVED_DESTINATIONS:
        v = exports.xs(pd.Timestamp(f"{month}-01"), level="month")[dest]
        rows.append({"destination": dest, "month": month, "observed": observed, "median": v.median(),
                     "p05": v.quantile(0.05), "p95": v.quantile(0.95),
                     "note": "observed is Germany alone" if dest == "EU" else ""})
    return pd.DataFrame(rows)


def price_points(prices: pd.DataFrame) -> pd.DataFrame:
    """Heavy (Dy/Tb) oxide prices against D41 and D43, USD/kg (median over seeds)."""
    med = prices.groupby(["month", "entity"], observed=True)["value"].median().unstack()
    mar, jul = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-07-01")
    ratio = med.loc[jul, "heavy_oxide:ROW"] / med.loc[jul, "heavy_oxide:CN"]
    return pd.DataFrame([
        {"price": "heavy_oxide:ROW, 2025-03 (before the licences)", "observed": "250-310 (D41)",
         "simulated": med.loc[mar, "heavy_oxide:ROW"]},
        {"price": "heavy_oxide:ROW, 2025-07", "observed": "800 (D43)", "simulated": med.loc[jul, "heavy_oxide:ROW"]},
        {"price": "heavy_oxide:CN, 2025-07", "observed": "230 (D43)", "simulated": med.loc[jul, "heavy_oxide:CN"]},
        {"price": "ROW / CN, 2025-07", "observed": f"{DY_JUL_2025['heavy_oxide:ROW'] / DY_JUL_2025['heavy_oxide:CN']:.2f}",
         "simulated": ratio}])


def plot_hindcast(exports: pd.DataFrame, prices: pd.DataFrame, observed: pd.Series = OBSERVED_2025):
    """Observed against simulated total magnet exports (left) and the Dy/Tb oxide prices (right).

    Args:
        exports: :func:`exports_by_destination` (t per seed and month).
        prices: tidy rows of ``price_usd_per_kg`` for ``heavy_oxide:CN`` and ``heavy_oxide:ROW``.
        observed: the customs series (t/month).

    Returns:
        ``(fig, axes)``.
    """
    from sim.outputs.figures import draw_bands, pyplot
    from sim.outputs.style import RC, SOURCE_NOTE, scenario_style

    plt = pyplot()
    color = scenario_style(SCENARIO)["color"]
    d12, lo, hi = pd.Timestamp("2025-04-01"), pd.Timestamp("2024-01-01"), pd.Timestamp("2026-03-01")
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
        q = exports["total"].groupby(level="month").quantile(list(QUANTILES)).unstack()
        draw_bands(axes[0], q, color, "simulated (median, 50%/90% bands)")
        axes[0].plot(observed.index, observed.to_numpy(), "o-", color="black", markersize=3, linewidth=1.0,
                     label="observed, China customs (D20)")
        for (a, b), total, months in (((lo, pd.Timestamp("2024-12-01")), OBSERVED_TOTALS["total_2024"], 12),
                                      ((pd.Timestamp("2026-01-01"), hi), OBSERVED_TOTALS["total_2026Q1"], 3)):
            axes[0].plot([a, b], [total / months] * 2, "--", color="black", linewidth=1.0)
        axes[0].plot([], [], "--", color="black", linewidth=1.0, label="observed monthly mean, 2024 and Q1 2026")
        axes[0].set_ylabel("China's magnet exports, t/month")
        axes[0].set_title("Total magnet exports")
        for entity, label, c in (("heavy_oxide:CN", "in China", "#888888"), ("heavy_oxide:ROW", "outside China", color)):
            rows = prices[prices["entity"] == entity]
            b = rows.groupby("month", observed=True)["value"].quantile(list(QUANTILES)).unstack()
            draw_bands(axes[1], b, c, f"simulated {label}")
        axes[1].fill_between([lo, hi], *DY_CHINA, color="#888888", alpha=0.15, label="D41: China, 2024-25")
        axes[1].fill_between([lo, d12], *DY_EUROPE_BEFORE, color="black", alpha=0.1,
                             label="D41: Europe, before / after Apr 2025")
        axes[1].fill_between([d12, hi], *DY_EUROPE_AFTER, color="black", alpha=0.1)
        axes[1].set_ylabel("Dy/Tb oxide, USD/kg")
        axes[1].set_title("Heavy oxide prices")
        for ax in axes:
            ax.axvline(d12, color="#999999", linewidth=0.8, linestyle=":")
            ax.legend(loc="upper left")
        fig.text(0.01, 0.0, SOURCE_NOTE + " Dotted: China's licences of 4 Apr 2025 (D12).",
                 fontsize=7, color="#555555")
        fig.autofmt_xdate()
        fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig, axes


def markdown(table: pd.DataFrame) -> str:
    """A table in Markdown (numbers to three significant figures)."""
    def cell(v) -> str:
        return f"{v:.3g}" if isinstance(v, (float, np.floating)) and not pd.isna(v) else ("" if pd.isna(v) else str(v))

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"


@command(None)
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20, help="replicate seeds (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="base seed")
    parser.add_argument("--out", type=Path, default=Path("outputs/hindcast"), help="output directory")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides applied to the hindcast")
    args = parser.parse_args(argv)
    check_dir_path(args.out, "--out")
    table = run_hindcast(args.replicates, args.seed, tuple(args.overrides), progress=True)
    from sim.outputs.figures import save

    write_results(table, args.out)
    exports = exports_by_destination(table)
    prices = table[(table["metric"] == "price_usd_per_kg")
                   & table["entity"].isin(["heavy_oxide:CN", "heavy_oxide:ROW"])]
    result = compare(exports)
    result.to_csv(args.out / "hindcast_table.csv", index=False)
    text = (f"Hindcast {SCENARIO}, {args.replicates} seeds from seed {args.seed}"
            + (f", overrides {' '.join(args.overrides)}" if args.overrides else "") + "\n\n"
            + markdown(result) + "\n" + markdown(destination_points(exports)) + "\n" + markdown(price_points(prices)))
    (args.out / "hindcast_table.md").write_text(text)
    exports.groupby(level="month").median().to_csv(args.out / "exports_by_destination.csv")
    fig, _ = plot_hindcast(exports, prices)
    save(fig, args.out / "figures" / "hindcast")
    print(text)
    return 0


if __name__ == "__main__":
    run(main)
