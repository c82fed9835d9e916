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
# # rhythm-sim quick start
# Run the collision scenario, save it, load it back, and plot the delivery lag of US programs
# with its 50%/90% bands over seeds.
#
# Runs as a plain script too: `uv run python notebooks/quickstart.py`. Smaller settings for a
# quick try (CI uses these): `RHYTHM_REPLICATES=2 RHYTHM_MONTHS=36`; `RHYTHM_OUT` sets where
# results are written (default `outputs/notebooks`).

# %%
import os
from pathlib import Path

from sim import load_results, run_scenario
from sim.outputs.figures import plot_lag_programs, source_note
from sim.outputs.io import git_commit

replicates = int(os.environ.get("RHYTHM_REPLICATES", "10"))
months = int(os.environ.get("RHYTHM_MONTHS", "120"))
out = Path(os.environ.get("RHYTHM_OUT", "outputs/notebooks")) / "quickstart_collision"

table = run_scenario("collision", seed=0, replicates=replicates, overrides=[f"months={months}"], output_dir=out)
table.head()

# %% [markdown]
# The run directory holds `results.parquet`, `manifest.json` (config, seeds, versions, commit)
# and a figure. Loading results back, for figures or for later sessions, is one call:

# %%
saved = load_results(out)
assert saved["value"].equals(table["value"])   # the same numbers (NaN where nothing was made)
sorted(saved.metric.unique())

# %% [markdown]
# The table is tidy: one row per month, seed, metric and entity. Delivery lag of the US as a
# customer (mean over its programs), in production cycles, median over seeds per year:

# %%
us = saved[(saved.metric == "delivery_lag_cycles") & (saved.entity == "country:US")]
us.groupby(us.month.dt.year)["value"].median()

# %%
fig, axes = plot_lag_programs(saved, programs=["us.f35", "us.pac3", "us.virginia", "us.shell155"],
                              note=source_note(saved, git_commit(), "seeds"))
