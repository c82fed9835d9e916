"""Report figures (sim/figures, experiments/report.py) from saved runs, sweeps and studies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments import report
from sim import ConfigError, run_scenarios
from sim.outputs.io import ResultsError

OVERRIDES = ["months=24", "figures=false"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Two scenarios x 2 seeds x 24 months, saved like experiments.compare_scenarios does."""
    out = tmp_path_factory.mktemp("compare")
    table = run_scenarios(["rhythm_embedded", "bifurcation"], output_dir=out, seed=0, replicates=2, overrides=OVERRIDES)
    return out, table


@pytest.fixture(scope="module")
def sweep(saved, tmp_path_factory):
    """A sweep directory (the aggregate format of multiruns and studies) with one swept key."""
    from sim.outputs.aggregate import write_sweep

    _, table = saved
    out = tmp_path_factory.mktemp("sweep")
    runs = table[["scenario", "seed"]].drop_duplicates().reset_index(drop=True)
    runs = runs.assign(run=[f"{i:04d}" for i in range(len(runs))], status="done", error="", wall_s=1.0)
    runs["us.rated_order_share"] = np.linspace(0.2, 0.8, len(runs))
    rows = table.merge(runs[["scenario", "seed", "run"]], on=["scenario", "seed"])
    write_sweep(out, rows, runs, figures=False)
    return out, rows, runs


def _median_line(ax):
    return ax.get_lines()[0].get_ydata()


def test_report_from_saved_runs_writes_each_format_and_an_index(saved, tmp_path):
    out_dir, table = saved
    paths = report.build_report(out_dir, tmp_path / "rep", formats=("png", "svg"), only=["capacity_share", "prices"])
    names = sorted(p.name for p in paths)
    assert names == ["capacity_share.png", "capacity_share.svg", "index.md", "prices.png", "prices.svg"]
    assert all(p.stat().st_size > 10_000 for p in paths if p.suffix == ".png")
    index = (tmp_path / "rep" / "index.md").read_text()
    assert "**capacity_share** (capacity_share.png, capacity_share.svg)" in index
    assert "seeds per scenario: Rhythm embedded (baseline) 2, Bifurcation 2." in index


def test_default_figures_are_those_with_data_and_commit_comes_from_the_manifest(saved):
    out_dir, table = saved
    meta = report.provenance(out_dir)
    assert meta["kind"] == "runs" and meta["names"]["us.f35"] == "F-35"
    import json

    commit = json.loads((out_dir / "bifurcation" / "manifest.json").read_text())["git_commit"]
    assert meta["commit"] == commit


def test_capacity_panel_draws_the_median_over_seeds_in_percent(saved):
    from sim.outputs.figures import plot_capacity_share

    _, table = saved
    fig, axes = plot_capacity_share(table)
    visible = [ax for ax in axes.flat if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["Separation and refining", "Metal and alloy", "Magnet making"]
    sel = table[(table.metric == "nonchina_capacity_share") & (table.entity == "magnet") &
                (table.scenario == "rhythm_embedded")]
    expected = 100 * sel.groupby("month")["value"].median().to_numpy()
    np.testing.assert_allclose(_median_line(visible[2]), expected)
    assert visible[0].get_ylabel() == "non-China share of capacity (%)"
    assert any("Source: rhythm-sim" in t.get_text() for t in fig.texts)


def test_scenario_grid_has_a_column_per_scenario_and_a_row_per_series(saved):
    from sim.outputs.figures import plot_scenario_grid

    _, table = saved
    fig, axes = plot_scenario_grid(table, entities=("country:US", "circle:A", "no:such"))
    upgrades = set(table.loc[table.metric == "generation_lag_cycles", "entity"].astype(str)) & {"country:US", "circle:A"}
    assert axes.shape == (2 + len(upgrades), 2)   # then a row per generation-lag series, where the model has them
    assert [ax.get_title() for ax in axes[0]] == ["Rhythm embedded (baseline)", "Bifurcation"]
    assert axes[1, 0].get_ylabel() == "Circle A (USD, high-tech)\nlag (production cycles)"


def test_sweep_report_adds_the_lever_figure(sweep, tmp_path):
    out_dir, rows, runs = sweep
    paths = report.build_report(out_dir, tmp_path, formats=("png",), only=["levers_us_lag"])
    assert [p.name for p in paths] == ["levers_us_lag.png", "index.md"]
    assert "runs (seeds x design points) per scenario" in (tmp_path / "index.md").read_text()


def test_run_outcomes_and_rank_correlations_are_exact(sweep):
    from sim.outputs.figures import rank_correlations, run_outcomes

    _, rows, runs = sweep
    frame = run_outcomes(rows, runs, "delivery_lag_cycles", "country:US", "max")
    one = rows[(rows.run == "0001") & (rows.metric == "delivery_lag_cycles") & (rows.entity == "country:US")]
    assert frame.set_index("run").loc["0001", "outcome"] == one["value"].max()
    assert list(frame.columns) == ["run", "scenario", "seed", "us.rated_order_share", "outcome"]
    synthetic = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0] * 4, "outcome": [9.0, 7.0, 3.0, 1.0]})
    rho = rank_correlations(synthetic, ["a", "b"])
    assert rho["a"] == pytest.approx(-1.0) and np.isnan(rho["b"])
    with pytest.raises(ValueError, match="reduce='median'"):
        run_outcomes(rows, runs, reduce="median")


@pytest.mark.parametrize("kwargs, message", [
    ({"only": ["nope"]}, "figures: unknown figure 'nope'; choose from lag_programs"),
    ({"formats": ("jpg",)}, "formats: 'jpg' is not allowed; choose from png, pdf, svg"),
    ({"formats": ()}, r"formats: '\(none\)' is not allowed"),
    ({"destination": "XX"}, "destination='XX': no China export share"),
    ({"only": ["levers_us_lag"]}, "levers_us_lag needs a sweep or study"),
])
def test_bad_input_is_one_line_and_writes_nothing(saved, tmp_path, kwargs, message):
    out_dir, _ = saved
    with pytest.raises(ConfigError, match=message):
        report.build_report(out_dir, tmp_path / "rep", **kwargs)
    assert not (tmp_path / "rep").exists()


def test_cli_exit_status_and_messages(saved, tmp_path, capsys):
    out_dir, _ = saved
    assert report.main([f"results={tmp_path / 'missing'}"]) == 2
    assert "no results.parquet found" in capsys.readouterr().err
    assert report.main(["oops"]) == 2
    assert "give key=value" in capsys.readouterr().err
    assert report.main([f"results={out_dir}", f"out={tmp_path / 'r'}", "formats=png", "figures=circles_exports"]) == 0
    assert (tmp_path / "r" / "circles_exports.png").is_file()
    with pytest.raises(ResultsError):
        report.build_report(tmp_path / "missing")


def test_style_file_is_the_one_figure_style():
    import matplotlib

    from sim.outputs.style import RC, STYLE_FILE, entity_label

    assert STYLE_FILE.name == "rhythm.mplstyle" and set(RC) <= set(matplotlib.rcParams)
    assert RC["figure.dpi"] == 110 and RC["axes.spines.top"] is False   # typed, not text
    assert matplotlib.rc_params_from_file(str(STYLE_FILE), use_default_template=False)["savefig.dpi"] == 150
    assert entity_label("country:US") == "United States (as customer)"
    assert entity_label("heavy_oxide:JP") == "Dy/Tb oxide, Japan"
    assert entity_label("us.f35", {"us.f35": "F-35"}) == "F-35" and entity_label("us.f35") == "us.f35"


@pytest.mark.slow
def test_every_figure_renders_from_a_saved_run(saved, tmp_path):
    out_dir, table = saved
    paths = report.build_report(out_dir, tmp_path, formats=("png", "pdf"))
    absent = set() if (table.metric == "generation_lag_cycles").any() else {"generation_lag"}   # listed, not drawn
    assert {p.stem for p in paths if p.suffix == ".pdf"} == set(report._figures()) - {"levers_us_lag"} - absent


def _copy_run(saved, tmp_path, name: str = "bifurcation"):
    import shutil

    out_dir, _ = saved
    return shutil.copytree(out_dir / name, tmp_path / name)


def test_corrupt_manifest_is_a_warning_and_the_caption_says_so(saved, tmp_path, capsys):
    """Not the checkout's commit: the results' own provenance is unknown, and the caption says why."""
    import json

    from sim.outputs.io import git_commit

    run = _copy_run(saved, tmp_path)
    commit = json.loads((run / "manifest.json").read_text())["git_commit"]
    (run / "manifest.json").write_text('{"git_commit": "' + commit + '", "config": {')   # cut short
    assert report.main([f"results={run}", f"out={tmp_path / 'rep'}", "formats=png", "figures=prices"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: ") and "manifest.json is not valid JSON" in err[0]
    index = (tmp_path / "rep" / "index.md").read_text()
    assert "Source: rhythm-sim (manifest unreadable); seeds per scenario: Bifurcation 2." in index
    assert commit[:10] not in index and (git_commit() or "no commit")[:10] not in index
    assert report.provenance(run)["commit"] is None


def test_non_numeric_values_are_one_line_and_exit_2(saved, tmp_path, capsys):
    run = _copy_run(saved, tmp_path)
    table = pd.read_parquet(run / "results.parquet")
    table.assign(value=table["value"].astype(str)).to_parquet(run / "results.parquet", index=False)
    assert report.main([f"results={run}", f"out={tmp_path / 'rep'}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "value" in err
    assert not (tmp_path / "rep").exists()


def test_out_under_a_regular_file_is_one_line_and_exit_2(saved, tmp_path, capsys):
    out_dir, _ = saved
    (tmp_path / "notes.txt").write_text("a file, not a directory")
    assert report.main([f"results={out_dir}", f"out={tmp_path / 'notes.txt' / 'rep'}", "figures=prices"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: out=") and err.count("\n") == 1 and "is a file, not a directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert report.main(["--help"]) == 0 and "Exit status" in capsys.readouterr().out


def _with_generation_lag(run, tops: dict[str, float] | None):
    """Rewrite ``run``'s results with synthetic ``generation_lag_cycles`` rows rising to ``tops``
    (entity -> generations; None: no such rows at all, as from a model without the upgrade layer)."""
    table = pd.read_parquet(run / "results.parquet")
    table = table[table["metric"].astype(str) != "generation_lag_cycles"].astype({"metric": str, "entity": str})
    parts = [table]
    base = table[(table.metric == "delivery_lag_cycles") & (table.entity == "country:US")]
    for entity, top in (tops or {}).items():
        ramp = base.groupby("seed").cumcount() / max(1, base.groupby("seed").size().max() - 1)
        parts.append(base.assign(metric="generation_lag_cycles", entity=entity, value=top * ramp.to_numpy()))
    pd.concat(parts, ignore_index=True).to_parquet(run / "results.parquet", index=False)


def test_report_lists_generation_lag_as_not_drawn_without_the_metric(saved, tmp_path):
    run = _copy_run(saved, tmp_path)
    _with_generation_lag(run, None)
    paths = report.build_report(run, tmp_path / "rep", formats=("png",))
    assert "generation_lag.png" not in {p.name for p in paths} and "prices.png" in {p.name for p in paths}
    index = (tmp_path / "rep" / "index.md").read_text()
    assert "- **generation_lag** (not drawn): nothing to draw: the table has no generation_lag_cycles rows" in index
    with pytest.raises(ConfigError, match="figures: generation_lag: nothing to draw"):
        report.build_report(run, tmp_path / "rep2", formats=("png",), only=["generation_lag"])


def test_report_draws_generation_lag_when_the_results_have_it(saved, tmp_path):
    run = _copy_run(saved, tmp_path)
    _with_generation_lag(run, {"country:US": 1.5, "us.f35": 2.0, "ev:US": 0.0})
    paths = report.build_report(run, tmp_path / "rep", formats=("png", "pdf"), only=["generation_lag"])
    assert [p.name for p in paths] == ["generation_lag.png", "generation_lag.pdf", "index.md"]
    assert all(p.stat().st_size > 10_000 for p in paths[:2])
    index = (tmp_path / "rep" / "index.md").read_text()
    assert ("- **generation_lag** (generation_lag.png, generation_lag.pdf): Upgrade cadence: technology "
            "generations behind China's frontier") in index
    assert "Source: rhythm-sim " in index and "seeds per scenario: Bifurcation 2." in index

    meta = report.provenance(run)
    table = pd.read_parquet(run / "results.parquet")
    fig, axes = report._figures()["generation_lag"].draw(table, {**meta, "note": "Source: test."})
    shown = [ax for ax in axes.flat if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["F-35", "United States (as customer)"]   # names from the manifest
    assert "Source: test. Level with China's frontier throughout (not drawn): EV traction motors (US)." in \
        " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
