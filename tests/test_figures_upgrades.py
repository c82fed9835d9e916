"""Upgrade-cadence figures (sim/outputs/figures/upgrades.py): generations behind China's frontier
per program, country and civil sector; its row in the scenario panel; the run's figure file."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_figures import caption, lag_table, visible_axes, year_labels  # pytest puts tests/ on sys.path

from sim.outputs.figures import NoData, plot_generation_lag, plot_scenario_panel, upgrade_entities

METRIC = "generation_lag_cycles"
ZERO = "Level with China's frontier throughout (not drawn)"
# rising to these tops (0: level with the frontier throughout); given out of display order
SERIES = {"ev:US": 1.0, "country:US": 1.5, "kr.k9": 2.0, "us.f35": 1.0, "cn.j20": 0.0, "motors:JP": 0.0,
          "circle:A": 1.0, "country:CN": 0.0, "us.virginia": 2.5, "ev:CN": 0.0, "motors:US": 0.5}


def two_scenarios(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (collision) and a copy at half the values as the baseline."""
    base = table.assign(scenario="rhythm_embedded", value=table["value"] / 2)
    return pd.concat([base, table], ignore_index=True)


def test_entities_come_programs_then_countries_then_circles_then_sectors():
    assert upgrade_entities(lag_table(SERIES, METRIC)) == [
        "us.f35", "us.virginia", "kr.k9", "cn.j20", "country:CN", "country:US", "circle:A",
        "ev:US", "ev:CN", "motors:US", "motors:JP"]


def test_one_panel_per_series_behind_the_frontier_zero_ones_in_the_caption():
    table = lag_table(SERIES, METRIC)
    fig, axes = plot_generation_lag(table, names={"us.virginia": "Virginia class"})
    shown = visible_axes(axes)
    live = [e for e, top in SERIES.items() if top > 0]
    assert len(shown) == len(live) == 7
    assert [ax.get_title() for ax in shown] == [
        "us.f35", "Virginia class", "kr.k9", "United States (as customer)", "Circle A (USD, high-tech)",
        "EV traction motors (US)", "Industrial motors (US)"]
    assert (f"{ZERO}: cn.j20, China (as customer), EV traction motors (CN), Industrial motors (JP)."
            in caption(fig))
    for ax in shown:
        labels = year_labels(fig, ax)
        assert labels and all(t.isdigit() and 2026 <= int(t) <= 2029 for t in labels), (ax.get_title(), labels)
        assert ax.get_ylabel().replace("\n", " ") == "generations behind China's frontier"
    np.testing.assert_allclose(shown[0].get_lines()[0].get_ydata(),
                               table[table.entity == "us.f35"].groupby("month")["value"].median().to_numpy())


def test_several_scenarios_draw_one_fan_each():
    table = two_scenarios(lag_table({"country:US": 2.0, "ev:US": 1.0}, METRIC))
    fig, axes = plot_generation_lag(table)
    shown = visible_axes(axes)
    assert len(shown) == 2 and all(len(ax.get_lines()) == 2 for ax in shown)
    us = table[table.entity == "country:US"]
    medians = [line.get_ydata() for line in shown[0].get_lines()]
    for line, scenario in zip(medians, ["rhythm_embedded", "collision"]):
        np.testing.assert_allclose(line, us[us.scenario == scenario].groupby("month")["value"].median().to_numpy())
    assert "Rhythm embedded (baseline)" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_every_series_level_with_the_frontier_draws_one_panel_that_says_so():
    fig, axes = plot_generation_lag(lag_table({"us.f35": 0.0, "ev:US": 0.0}, METRIC))
    shown = visible_axes(axes)
    assert len(shown) == 1 and any(t.get_text() == "zero in every run" for t in shown[0].texts)
    assert f"{ZERO}: us.f35, EV traction motors (US)." in caption(fig)


def test_no_generation_lag_rows_is_one_clear_error():
    delivery = lag_table({"us.f35": 3.0, "country:US": 1.0})   # a table from before the upgrade layer
    with pytest.raises(NoData, match=rf"nothing to draw: the table has no {METRIC} rows") as info:
        plot_generation_lag(delivery)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)
    with pytest.raises(NoData, match="no generation_lag_cycles series of no.such"):
        plot_generation_lag(lag_table({"us.f35": 1.0}, METRIC), entities=["no.such"])


def test_scenario_panel_gains_the_generation_rows_only_when_the_metric_is_there():
    lag = two_scenarios(lag_table({"country:US": 2.0, "circle:A": 1.0}, "delivery_lag_cycles"))
    fig, axes = plot_scenario_panel(lag)
    assert axes.shape == (2, 2)   # as before: US and circle A lag, no error without the metric
    assert fig.texts and "generations" not in fig._suptitle.get_text()

    upgrades = two_scenarios(lag_table({"country:US": 1.5, "circle:A": 0.5, "ev:US": 1.0}, METRIC))
    fig, axes = plot_scenario_panel(pd.concat([lag, upgrades], ignore_index=True))
    assert axes.shape == (4, 2)
    assert [ax.get_ylabel() for ax in axes[:, 0]] == [
        "United States (as customer)\nlag (production cycles)", "Circle A (USD, high-tech)\nlag (production cycles)",
        "United States (as customer)\ngenerations behind\nChina's frontier",
        "Circle A (USD, high-tech)\ngenerations behind\nChina's frontier"]
    sel = upgrades[(upgrades.entity == "circle:A") & (upgrades.scenario == "collision")]
    np.testing.assert_allclose(axes[3, 1].get_lines()[0].get_ydata(), sel.groupby("month")["value"].median())
    assert all(year_labels(fig, ax) for ax in axes.flat)

    only_us = upgrades[upgrades.entity == "country:US"]   # circle A absent: its row is skipped
    _, axes = plot_scenario_panel(pd.concat([lag, only_us], ignore_index=True))
    assert axes.shape == (3, 2)


def test_labels_of_the_upgrade_entities():
    from sim.outputs.style import entity_label

    assert entity_label("ev:US") == "EV traction motors (US)"
    assert entity_label("motors:JP") == "Industrial motors (JP)"
    assert entity_label("frontier:CN") == "frontier (China)" and entity_label("best:ROW") == "best outside China"
    assert entity_label("magnet:JP") == "NdFeB magnet, Japan"   # materials unchanged


def test_a_run_writes_the_generation_lag_figure_only_when_it_has_the_metric(tmp_path):
    from sim.config.compose import compose_config
    from sim.runs.api import write_run

    cfg = compose_config("rhythm_embedded", ["months=3", "replicates=1"])
    delivery = lag_table({"us.f35": 3.0, "country:US": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no warning for a table without the metric
        written = write_run(delivery, cfg, tmp_path / "old", 0.0)
    assert not (tmp_path / "old" / "figures" / "generation_lag.png").exists()
    assert (tmp_path / "old" / "figures" / "delivery_lag.png") in written

    table = pd.concat([delivery, lag_table({"country:US": 1.5, "ev:US": 0.0}, METRIC)], ignore_index=True)
    written = write_run(table, cfg, tmp_path / "new", 0.0)
    figures = tmp_path / "new" / "figures"
    assert {figures / "generation_lag.png", figures / "generation_lag.svg"} <= set(written)
    assert all((figures / f"generation_lag.{fmt}").stat().st_size > 5_000 for fmt in ("png", "svg"))
    assert not [p for p in (tmp_path / "new").iterdir() if p.name.startswith(".staging")]



def test_a_tall_figure_keeps_its_title_above_the_top_panels():
    """40 series (every civil sector of 20 countries): the title does not run into the first row."""
    tops = {f"{sector}:C{i:02d}": 1.0 for sector in ("ev", "motors") for i in range(20)}
    fig, axes = plot_generation_lag(lag_table(tops, METRIC, seeds=1))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(renderer)
    assert len(visible_axes(axes)) == 40
    assert all(title.y0 > ax.title.get_window_extent(renderer).y1 for ax in axes[0])
