"""rhythm-sim: an agent-based model of the rare-earth and magnet supply chain, 2026-2035.

Public API::

    from sim import run_scenario, load_results
    table = run_scenario("collision", seed=0, overrides=["us.rated_order_share=0.9"])
"""

from sim.config.errors import ConfigError
from sim.outputs.load import load_results
from sim.runs.api import run_scenario, run_scenarios

__all__ = ["ConfigError", "load_results", "run_scenario", "run_scenarios"]
__version__ = "0.1.0"
