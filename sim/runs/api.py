"""The Python API: run a scenario (or several) and get the tidy table back."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.config.compose import compose_config
from sim.config.schema import Config
from sim.outputs.io import MANIFEST, prepare_dir, write_manifest, write_results
from sim.runs.runner import replicate_seeds, timed_run


def progress_bar(total: int, label: str):
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=label, unit="run", file=sys.stderr, disable=None, leave=False)

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done >= _total:
            bar.close()

    return update


def write_run(table: pd.DataFrame, cfg: Config, out_dir: Path, wall_s: float, figures: bool = True,
              overrides: Sequence[str] = ()) -> list[Path]:
    """Write a run's results, figure and manifest (with the ``overrides`` that made it) into ``out_dir``.

    Everything is written into a hidden staging directory inside ``out_dir`` first and moved
    into place only when all of it is written, the manifest last (an earlier manifest is
    removed first): a failure leaves no new file beside an old manifest, and
    :func:`sim.load_results` refuses results without a manifest.

    Returns:
        The paths written, in ``out_dir``.

    Raises:
        ResultsError: ``out_dir`` is under a regular file or cannot be created.
    """
    out_dir = prepare_dir(out_dir, "output_dir")
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        staged = [write_results(table, stage)]
        if figures:
            staged += _draw_lag(table, stage)
            staged += _draw_generation_lag(table, stage)
        staged.append(write_manifest(stage, cfg, replicate_seeds(cfg.seed, cfg.replicates), wall_s,
                                     overrides=list(overrides)))
        (out_dir / MANIFEST).unlink(missing_ok=True)   # from here until the last move, no manifest
        written = []
        for path in staged:
            target = out_dir / path.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _draw_lag(table: pd.DataFrame, out_dir: Path) -> list[Path]:
    """``figures/delivery_lag.{png,svg}``; with no lag series (no defense programs) a warning, no file."""
    from sim.outputs.figures import NoData, plot_delivery_lag, save

    try:
        fig, _ = plot_delivery_lag(table)
    except NoData as exc:
        warnings.warn(f"no delivery-lag figure: {exc}", UserWarning, stacklevel=3)
        return []
    return save(fig, out_dir / "figures" / "delivery_lag")


def _draw_generation_lag(table: pd.DataFrame, out_dir: Path) -> list[Path]:
    """``figures/generation_lag.{png,svg}`` when the table has ``generation_lag_cycles`` rows (none:
    nothing, no warning); with rows but nothing to draw a warning, no file."""
    from sim.outputs.figures import NoData, plot_generation_lag, save
    from sim.outputs.figures.upgrades import headline_entities

    if not (table["metric"] == "generation_lag_cycles").any():
        return []
    try:
        fig, _ = plot_generation_lag(table, entities=headline_entities(table))
    except NoData as exc:
        warnings.warn(f"no generation-lag figure: {exc}", UserWarning, stacklevel=3)
        return []
    return save(fig, out_dir / "figures" / "generation_lag")


def run_scenario(scenario: str | None = "rhythm_embedded", seed: int | None = None,
                 overrides: Sequence[str] = (), replicates: int | None = None,
                 output_dir: str | Path | None = None, progress: bool = False) -> pd.DataFrame:
    """Run one scenario and return its tidy table.

    Args:
        scenario: ``rhythm_embedded``, ``collision``, ``bifurcation``, or None for the bare baseline.
        seed: base seed (default: the config's ``seed``).
        overrides: Hydra overrides, e.g. ``["us.rated_order_share=0.9"]``.
        replicates: replicate count (default: the config's ``replicates``).
        output_dir: if given, write ``results.parquet``, ``manifest.json`` and figures there.
        progress: show a progress bar on stderr.

    Returns:
        ``month, scenario, seed, metric, entity, value`` for every replicate.

    Raises:
        sim.config.validate.ConfigError: bad scenario name, key, type or value (one line).
    """
    extra = list(overrides)
    if seed is not None:
        extra.append(f"seed={int(seed)}")
    if replicates is not None:
        extra.append(f"replicates={int(replicates)}")
    cfg = compose_config(scenario, extra)
    table, wall = timed_run(cfg, progress_bar(cfg.replicates, cfg.scenario_name) if progress else None)
    if output_dir is not None:
        scen = [f"+scenario={scenario}"] if scenario else []
        write_run(table, cfg, Path(output_dir), wall, figures=cfg.figures, overrides=scen + extra)
    return table


def run_scenarios(scenarios: Sequence[str], output_dir: str | Path | None = None, **kwargs) -> pd.DataFrame:
    """Run several scenarios with the same settings; with ``output_dir``, each gets a
    subdirectory and ``figures/scenario_panel.{png,svg}`` compares them."""
    tables = []
    for name in scenarios:
        sub = Path(output_dir) / name if output_dir is not None else None
        tables.append(run_scenario(name, output_dir=sub, **kwargs))
    table = pd.concat(tables, ignore_index=True)
    for col in ("scenario", "metric", "entity"):
        table[col] = table[col].astype("category")
    if output_dir is not None:
        from sim.outputs.figures import plot_scenario_panel, save

        fig, _ = plot_scenario_panel(table)
        save(fig, Path(output_dir) / "figures" / "scenario_panel")
    return table
