# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
# %% [markdown]
# # The three scenarios compared
# Rhythm embedded (the baseline), collision and bifurcation with the same seeds, loaded from
# saved results: point `RHYTHM_RESULTS` at a directory written by
# `uv run python -m experiments.compare_scenarios --out outputs/compare` (or any run, multirun
# or study directory), or leave it unset and this notebook runs the three scenarios itself
# (`RHYTHM_REPLICATES`, default 10; `RHYTHM_MONTHS`, default 120; written under `RHYTHM_OUT`).
# The figures are the report's (`python -m experiments.report results=<dir>` writes them all).

# %%
import os
from pathlib import Path

import pandas as pd

from sim import load_results, run_scenarios
from sim.outputs.figures import plot_circles_and_exports, plot_fiscal_cost, plot_scenario_grid, source_note
from sim.outputs.io import git_commit
from sim.vocab import SCENARIOS

saved = os.environ.get("RHYTHM_RESULTS")
if saved:
    results = Path(saved)
else:
    replicates = int(os.environ.get("RHYTHM_REPLICATES", "10"))
    months = int(os.environ.get("RHYTHM_MONTHS", "120"))
    results = Path(os.environ.get("RHYTHM_OUT", "outputs/notebooks")) / "scenario_comparison"
    run_scenarios(SCENARIOS, output_dir=results, seed=0, replicates=replicates, overrides=[f"months={months}"])
table = load_results(results)
note = source_note(table, git_commit(), "seeds")
print(note)

# %% [markdown]
# ## Headline numbers over the last twelve months
# For each run, the mean over its last twelve months; then the median and the 5-95% range over
# runs, per scenario.

# %%
HEADLINES = [("delivery_lag_cycles", "country:US"), ("delivery_lag_cycles", "high_end:US"),
             ("delivery_lag_cycles", "circle:A"), ("circle_b_share_gdp", "world"),
             ("circle_b_share_gdp", "global_south"), ("china_export_share", "US"),
             ("nonchina_capacity_share", "magnet"), ("fiscal_cost_usd", "US")]
last = table[table.month > table.month.max() - pd.DateOffset(months=12)]
keys = ["run", "seed"] if "run" in last.columns else ["seed"]
rows = []
for metric, entity in HEADLINES:
    sel = last[(last.metric == metric) & (last.entity == entity)]
    per_run = sel.groupby(["scenario", *keys], observed=True)["value"].mean()
    for scenario, values in per_run.groupby(level=0, observed=True):
        rows.append({"metric": metric, "entity": entity, "scenario": scenario, "median": values.median(),
                     "p05": values.quantile(0.05), "p95": values.quantile(0.95)})
summary = pd.DataFrame(rows).pivot_table(index=["metric", "entity"], columns="scenario", values="median")
summary

# %% [markdown]
# ## Delivery lag, scenario by scenario
# Rows: the US as a customer (mean over its programs), the US high-end programs, and circle A's
# customer countries, in production cycles.

# %%
fig, axes = plot_scenario_grid(table, note=note)

# %% [markdown]
# ## Two circles
# Circle B's share of GDP, and the share of China's exports that goes to the US.

# %%
fig, axes = plot_circles_and_exports(table, note=note)

# %% [markdown]
# ## What the measures cost
# Cumulative fiscal cost of stockpiles, subsidies, grants and price floors by payer.

# %%
fig, axes = plot_fiscal_cost(table, note=note)
