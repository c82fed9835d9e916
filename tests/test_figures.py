"""The run's figures and the shared figure pieces (sim/outputs/figures): zero series left out and
listed, calendar years on every panel, one clear error when there is nothing to draw."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.outputs.figures import NoData, plot_delivery_lag, plot_lag_programs, save

MONTHS = pd.date_range("2026-01-01", periods=36, freq="MS")
ZERO = "Zero lag throughout (not drawn)"


def lag_table(series: dict[str, float], metric: str = "delivery_lag_months", seeds: int = 3) -> pd.DataFrame:
    """A tidy table of ``metric``: each entity's lag rises linearly to ``series[entity]`` (0: all zero)."""
    rows = []
    for seed in range(seeds):
        for entity, top in series.items():
            values = np.linspace(0.0, top, len(MONTHS)) * (1 + 0.1 * seed)
            rows += [{"month": m, "scenario": "collision", "seed": seed, "metric": metric, "entity": entity,
                      "value": v} for m, v in zip(MONTHS, values)]
    return pd.DataFrame(rows)


def visible_axes(axes) -> list:
    return [ax for ax in axes.flat if ax.get_visible()]


def caption(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts).replace("\n", " ")


def year_labels(fig, ax) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]


def test_delivery_lag_leaves_out_zero_series_and_lists_them_in_the_caption():
    table = lag_table({"us.f35": 4.0, "cn.j20": 0.0, "kr.k9": 2.0, "country:US": 1.5, "country:AU": 0.0,
                       "circle:A": 1.0, "high_end:US": 3.0})
    fig, axes = plot_delivery_lag(table)
    shown = visible_axes(axes)
    # one axis per non-zero program or customer country (circles and high-end series are not drawn)
    assert [ax.get_title() for ax in shown] == ["us.f35", "kr.k9", "United States (as customer)"]
    assert f"{ZERO}: cn.j20, Australia (as customer)." in caption(fig)
    for ax in shown:
        labels = year_labels(fig, ax)
        assert labels and all(re.fullmatch(r"20\d\d", t) for t in labels), (ax.get_title(), labels)
    np.testing.assert_allclose(shown[0].get_lines()[0].get_ydata(),
                               table[table.entity == "us.f35"].groupby("month")["value"].median().to_numpy())


def test_lag_programs_report_figure_gets_the_same_treatment():
    table = lag_table({"us.f35": 4.0, "us.javelin": 1.0, "cn.j20": 0.0, "us.virginia": 0.0, "kr.k9": 2.0},
                      metric="delivery_lag_cycles")
    fig, axes = plot_lag_programs(table, metric="delivery_lag_cycles", names={"us.virginia": "Virginia class"})
    shown = visible_axes(axes)
    assert len(shown) == 3 and [ax.get_title() for ax in shown] == ["us.f35", "us.javelin", "kr.k9"]
    assert f"{ZERO}: Virginia class (us.virginia), cn.j20." in caption(fig)
    assert all(year_labels(fig, ax) for ax in shown)   # years on the top row too, not only the bottom


def test_every_series_zero_draws_one_panel_that_says_so():
    fig, axes = plot_delivery_lag(lag_table({"us.f35": 0.0, "country:US": 0.0}))
    shown = visible_axes(axes)
    assert len(shown) == 1 and any(t.get_text() == "zero in every run" for t in shown[0].texts)
    assert f"{ZERO}: us.f35, United States (as customer)." in caption(fig)
    assert year_labels(fig, shown[0])[0] == "2026"


def test_no_defense_programs_is_one_clear_error():
    """No defense producers: the customer series exist but no program owes deliveries."""
    table = lag_table({"country:US": 0.0, "circle:A": 0.0})
    with pytest.raises(NoData, match=r"nothing to draw: .*without defense producers owes no deliveries") as info:
        plot_delivery_lag(table)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)
    with pytest.raises(NoData, match="nothing to draw"):
        plot_delivery_lag(lag_table({"us.f35": 1.0}, metric="price_usd_per_kg"))


def test_a_world_without_defense_producers_has_nothing_to_draw():
    """The model's own table with no producers (3 months): the run's lag figure says why it is absent."""
    import dataclasses
    import warnings

    from sim.config.compose import compose_config
    from sim.runs.runner import run_config

    cfg = compose_config("rhythm_embedded", ["months=3", "replicates=1"])
    cfg = dataclasses.replace(cfg, world=dataclasses.replace(cfg.world, producers={}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the runner's own note that it records no lag
        table = run_config(cfg)
    with pytest.raises(NoData, match="no defense program"):
        plot_delivery_lag(table)


def test_save_writes_each_format_and_closes_the_figure(tmp_path):
    import matplotlib.pyplot as plt

    fig, _ = plot_delivery_lag(lag_table({"us.f35": 4.0}))
    paths = save(fig, tmp_path / "sub" / "delivery_lag", formats=("png", "svg"))
    assert [p.name for p in paths] == ["delivery_lag.png", "delivery_lag.svg"]
    assert all(p.stat().st_size > 5_000 for p in paths)
    assert not plt.fignum_exists(fig.number)
