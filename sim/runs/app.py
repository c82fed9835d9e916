"""The interactive page: step a scenario and watch delivery lag, generations behind China's
frontier, stockpiles and circles.

Run it with (the telemetry switch keeps Solara from calling out)::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=false uv run solara run sim/runs/app.py

then open http://localhost:8765. Choose a scenario, optionally override its levers with the
sliders (tick "Use the lever sliders"), press Reset to build the model, then Step or play. Each
slider's label gives its unit and current value ("Project Vault budget (USD bn): 1.2").
Every plot reads the model's own recorder after each step (:func:`live_series`), so the page
shows exactly what a batch run of the same scenario and seed records.

The model object at module level is shared by every browser session of one server.
"""

from __future__ import annotations

import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")

import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import Slider, SolaraViz  # noqa: E402

from sim.calendar import month_dates  # noqa: E402
from sim.config.compose import compose_config  # noqa: E402
from sim.config.overrides import get_path  # noqa: E402
from sim.model.model import RhythmModel  # noqa: E402
from sim.model.policy import build_policy  # noqa: E402
from sim.model.world import build_world  # noqa: E402
from sim.outputs.style import CIRCLE_STYLE, RC, SERIES_COLORS, entity_label, scenario_style  # noqa: E402
from sim.runs.runner import replicate_seeds  # noqa: E402
from sim.vocab import SCENARIOS

LAG = ("country:US", "high_end:US", "high_end:TW", "circle:A", "country:CN")
STOCKS = ("magnet:US", "heavy_oxide:US", "magnet:JP", "heavy_oxide:JP")
UPGRADES = ("country:US", "circle:A", "ev:US")   # generation_lag_cycles series of the upgrade panel
NO_UPGRADES = "no upgrade-cadence series in this model"
LEVERS = {   # slider name -> (config key, scale from slider units to config units)
    "vault_budget_bn": ("us.vault_budget_usd", 1e9),
    "rated_order_share": ("us.rated_order_share", 1.0),
    "pool_share": ("club.pool_share", 1.0),
    "us_subsidy_usd_per_kg": ("world.countries.US.production_subsidy_usd_per_kg", 1.0),
}


_BASE = compose_config("rhythm_embedded")
# The sliders start at the baseline's values (conf/, with their sources there), in slider units.
DEFAULTS = {name: get_path(_BASE, key) / scale for name, (key, scale) in LEVERS.items()}


class ValueSlider(Slider):
    """Mesa's ``Slider`` whose label shows its unit and current value: "Seed: 3".

    Mesa's sidebar draws a slider from its ``label`` and ``value`` and shows the number only
    while the thumb is dragged. Here ``value`` is a Solara reactive variable (one per browser
    session) that the slider reads and sets, and ``label`` reads it too, so the sidebar redraws
    the label whenever the slider moves. ``get("value")`` is the number, which SolaraViz passes
    to the model.

    Args:
        label: what the slider sets, with its unit in brackets.
        value, min, max, step: as Mesa's ``Slider`` (ints make an integer slider).
    """

    def __init__(self, label: str, value: float, min: float, max: float, step: float):
        super().__init__(label, value, min, max, step)
        self.value = solara.reactive(value)
        self.digits = len(f"{step:g}".partition(".")[2])   # decimals of the step: 0.05 -> 2, 12 -> 0

    @property
    def label(self) -> str:
        return f"{self.text}: {self.get('value'):.{self.digits}f}"

    @label.setter
    def label(self, text: str) -> None:
        self.text = text

    def get(self, attr: str):
        """An attribute; ``value`` is the current number, not the reactive variable."""
        return self.value.value if attr == "value" else getattr(self, attr)


class LiveModel(RhythmModel):
    """The model of one scenario, built from the page's controls (keyword arguments only).

    Args:
        scenario_name: one of ``SCENARIOS``.
        use_levers: apply the four lever values below; False keeps the scenario's own.
        vault_budget_bn: Project Vault's rare-earth budget, USD bn (``us.vault_budget_usd``).
        rated_order_share: share of US defense orders placed DPAS-rated (``us.rated_order_share``).
        pool_share: pooled share of club members' uncontracted output (``club.pool_share``).
        us_subsidy_usd_per_kg: US production subsidy, USD/kg
            (``world.countries.US.production_subsidy_usd_per_kg``).
        months: horizon in months.
        seed: base seed; the model runs with its first replicate seed, like
            ``run_scenario(scenario_name, seed=seed, replicates=1)``.
    """

    def __init__(self, scenario_name: str = "rhythm_embedded", use_levers: bool = False,
                 vault_budget_bn: float = DEFAULTS["vault_budget_bn"],
                 rated_order_share: float = DEFAULTS["rated_order_share"],
                 pool_share: float = DEFAULTS["pool_share"],
                 us_subsidy_usd_per_kg: float = DEFAULTS["us_subsidy_usd_per_kg"],
                 months: int = _BASE.months, seed: int = 0):
        values = {"vault_budget_bn": vault_budget_bn, "rated_order_share": rated_order_share,
                  "pool_share": pool_share, "us_subsidy_usd_per_kg": us_subsidy_usd_per_kg}
        overrides = [f"months={int(months)}", f"seed={int(seed)}", "replicates=1"]
        if use_levers:
            overrides += [f"{key}={float(values[name]) * scale!r}" for name, (key, scale) in LEVERS.items()]
        cfg = compose_config(scenario_name, overrides)
        self.scenario_name = cfg.scenario_name
        super().__init__(build_world(cfg), build_policy(cfg), seed=replicate_seeds(cfg.seed, 1)[0])
        self._live: tuple[int, dict] = (-1, {})

    def step(self) -> None:
        """One month; the model stops at the horizon."""
        if self.t < self.policy.months:
            super().step()
        self.running = self.t < self.policy.months


def live_series(model: RhythmModel) -> dict[tuple[str, str], np.ndarray]:
    """Every recorded series up to the current month, ``(metric, entity) -> values[t]``.

    Delivery lag at month t depends only on months up to t, so these are the values the
    finished run records for the same months. Cached per month (the plots share one call).
    """
    cached_t, cached = getattr(model, "_live", (-1, {}))
    if cached_t == model.t:
        return cached
    series = {(m, e): v[: model.t].copy() for m, e, v in model.recorder.series()}
    model._live = (model.t, series)
    return series


def _figure(model, title: str, ylabel: str, lines: list[tuple[str, np.ndarray, str]]):
    """A matplotlib figure of ``lines`` ``(label, values, colour)`` against the months run."""
    import matplotlib

    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.0, 3.4))
        ax = fig.subplots()
        dates = month_dates(model.policy.start, model.t) if model.t else []
        top = 0.0
        for label, values, color in lines:
            ax.plot(dates, values, label=label, color=color, linewidth=1.6)
            top = max(top, float(np.nanmax(values)) if len(values) else 0.0)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("month")
        ax.set_ylim(0, 1.45 * top if top > 0 else 1.0)   # head room: the legend sits above the lines
        if model.t:
            ax.legend(loc="upper left", fontsize=7)
        fig.autofmt_xdate()
        fig.tight_layout()
    return fig


def _status(model) -> str:
    style = scenario_style(model.scenario_name)
    if not model.t:
        return f"{style['label']}: no month run yet; press STEP"
    month = month_dates(model.policy.start, model.t)[-1]
    return f"{style['label']}: month {model.t} of {model.policy.months} ({str(month)[:7]})"


def _heading(title: str, text: str) -> None:
    # plain text: solara.Markdown would fetch KaTeX from a CDN, which an offline page cannot reach
    with solara.Row():
        solara.Text(title, style={"font-weight": "bold"})
        solara.Text(text)


def LeversInEffect(model):
    """The lever values the running model was built with (from its config, not the sliders)."""
    us = model.world.countries.index("US")
    values = {"Project Vault budget": f"USD {model.world.reserve_budget[us] / 1e9:.2f} bn",
              "DPAS-rated share of US orders": f"{model.policy.rated_share:.2f}",
              "Club's pooled share": f"{model.policy.club.pool_share:.2f}",
              "US production subsidy": f"{model.world.subsidy[us]:.1f} USD/kg"}
    with solara.Column():
        _heading("Levers in effect", scenario_style(model.scenario_name)["label"])
        for name, value in values.items():
            solara.Text(f"{name}: {value}")


def LagPlot(model):
    """Delivery lag in production cycles: the US, its high-end programs, Taiwan's, circle A, China."""
    s = live_series(model)
    lines = [(entity_label(e), s[("delivery_lag_cycles", e)], SERIES_COLORS[i])
             for i, e in enumerate(LAG) if ("delivery_lag_cycles", e) in s]
    with solara.Column():
        _heading("Delivery lag", _status(model))
        solara.FigureMatplotlib(_figure(model, "Delivery lag behind plan", "lag (production cycles)", lines),
                                format="png")


def StocksPlot(model):
    """Strategic stockpiles in days of the holder's own use (US and Japan)."""
    s = live_series(model)
    lines = [(entity_label(e), s[("stockpile_cover_days", e)], SERIES_COLORS[i])
             for i, e in enumerate(STOCKS) if ("stockpile_cover_days", e) in s]
    with solara.Column():
        _heading("Stockpiles", "US and Japan, days of their own use")
        solara.FigureMatplotlib(_figure(model, "Strategic stockpiles", "days of cover", lines), format="png")


def upgrade_lines(series: dict[tuple[str, str], np.ndarray]) -> list[tuple[str, np.ndarray, str]]:
    """The upgrade panel's lines ``(label, values, colour)``: ``generation_lag_cycles`` of
    :data:`UPGRADES` that ``series`` (:func:`live_series`) holds; none in a model without the
    upgrade-cadence layer."""
    return [(entity_label(e), series[("generation_lag_cycles", e)], SERIES_COLORS[i])
            for i, e in enumerate(UPGRADES) if ("generation_lag_cycles", e) in series]


def UpgradePlot(model):
    """Generations behind China's frontier: the US, circle A and US EV traction motors."""
    lines = upgrade_lines(live_series(model))
    with solara.Column():
        _heading("Generations behind China's frontier", "US, circle A, US EV motors" if lines else NO_UPGRADES)
        if lines:
            solara.FigureMatplotlib(_figure(model, "Generations behind China's frontier",
                                            "generations behind China's frontier", lines), format="png")


def CirclesPlot(model):
    """Countries in each circle, and circle B's share of world GDP (in the heading)."""
    s = live_series(model)
    lines = [(CIRCLE_STYLE[c]["label"], s[("circle_members", f"circle:{c}")], CIRCLE_STYLE[c]["color"])
             for c in CIRCLE_STYLE if ("circle_members", f"circle:{c}") in s]
    share = s.get(("circle_b_share_gdp", "world"), np.zeros(0))
    heading = f"circle B holds {100 * share[-1]:.0f}% of world GDP" if share.size else "no month run yet"
    with solara.Column():
        _heading("Circle membership", heading)
        solara.FigureMatplotlib(_figure(model, "Countries per circle", "countries", lines), format="png")


model_params = {
    "scenario_name": {"type": "Select", "value": "rhythm_embedded", "values": list(SCENARIOS),
                      "label": "Scenario"},
    "use_levers": {"type": "Checkbox", "value": False, "label": "Use the lever sliders (off: the scenario's own)"},
    # ranges: those of conf/study/lhs_levers.yaml, which bracket the baseline and collision values
    "vault_budget_bn": ValueSlider("Project Vault budget (USD bn)", DEFAULTS["vault_budget_bn"], 0.0, 6.0, 0.1),
    "rated_order_share": ValueSlider("DPAS-rated share of US orders (0-1)", DEFAULTS["rated_order_share"],
                                     0.1, 1.0, 0.05),
    "pool_share": ValueSlider("Club's pooled share (0-1)", DEFAULTS["pool_share"], 0.0, 0.6, 0.05),
    "us_subsidy_usd_per_kg": ValueSlider("US production subsidy (USD/kg)", DEFAULTS["us_subsidy_usd_per_kg"],
                                         0.0, 30.0, 1.0),
    "months": ValueSlider("Horizon (months)", _BASE.months, 12, 120, 12),
    "seed": ValueSlider("Seed", 0, 0, 99, 1),
}

# Mesa's sidebar puts a slider's label beside its track; these labels (name, unit, value) are
# long, so each goes on its own line above the track, which keeps the sidebar's full width.
SLIDER_CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
    flex: 0 0 100%; max-width: 100%; height: auto; line-height: 1.3; white-space: normal; margin: 0 0 2px;
}
"""

model = LiveModel()


@solara.component
def Page():
    """The page: Mesa's SolaraViz (controls and sliders in the sidebar, the five panels)."""
    solara.Style(SLIDER_CSS)
    SolaraViz(model, components=[LagPlot, UpgradePlot, StocksPlot, CirclesPlot, LeversInEffect],
              model_params=model_params,
              name="rhythm-sim: rare-earth metering, 2026-2035")
