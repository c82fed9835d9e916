# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---
# %% [markdown]
# # rhythm-sim quick start
# Run the collision scenario, then plot the delivery lag of US programs with its 50%/90% bands.
# Runs as a plain script too: `uv run python notebooks/quickstart.py` (set RHYTHM_REPLICATES to
# change the replicate count).

# %%
import os

from sim import run_scenario
from sim.plotting import plot_delivery_lag

replicates = int(os.environ.get("RHYTHM_REPLICATES", "10"))
table = run_scenario("collision", seed=0, replicates=replicates)
table.head()

# %% [markdown]
# The table is tidy: one row per month, seed, metric and entity. Delivery lag of the US as a
# customer, averaged over its programs, in production cycles:

# %%
us = table[(table.metric == "delivery_lag_cycles") & (table.entity == "country:US")]
print(us.groupby(us.month.dt.year)["value"].median())

# %%
fig, axes = plot_delivery_lag(table, entities=["us.f35", "us.virginia", "us.pac3", "country:US"])
