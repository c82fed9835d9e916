"""Report figures from saved results: a run, a multirun (sweep) or a study directory.

Usage::

    uv run python -m experiments.report results=outputs/compare [out=DIR] [formats=png,pdf]
        [figures=lag_programs,prices] [destination=US]

``results`` is anything :func:`sim.load_results` reads: a run directory, the three-scenario
directory of ``experiments.compare_scenarios``, a Hydra multirun directory or a study
directory (``python -m sim.sweep``). Figures go to ``out`` (default ``<results>/report``), one
``<name>.<format>`` per figure and format, with ``index.md`` listing them and their captions.
Fans are over every run of a scenario (seeds, and design points in a sweep or study); a study
also gets ``levers_us_lag`` (each swept key against the mean US lag of each run). Results without
the upgrade-cadence metric list ``generation_lag`` in ``index.md`` as not drawn. Captions name
the model commit from the results' ``manifest.json``; where one is not valid JSON, a warning says
so and the captions say "manifest unreadable" instead.
Exit status: 0 written, 2 bad input (a key, a value, ``out`` under a regular file, a malformed
results table: one line ``error: ...``, nothing written), 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.config.errors import ConfigError
from sim.outputs.io import MANIFEST, check_dir_path, prepare_dir
from sim.outputs.load import load_results
from sim.runs.entry import command, run

FORMATS = ("png", "pdf", "svg")
OPTIONS = ("results", "out", "formats", "figures", "destination")


@dataclass(frozen=True)
class Figure:
    """A report figure: how to draw it, the metric it needs, and its caption's first sentence.

    ``listed`` keeps the figure in the default list even when the results lack its metric (the
    index then says "not drawn" and why): for metrics that results from older models lack.
    """

    draw: Callable
    metric: str
    caption: str
    listed: bool = False


def _figures() -> dict[str, Figure]:
    from sim.outputs import figures as f

    return {
        "lag_programs": Figure(lambda t, m: f.plot_lag_programs(t, names=m["names"], note=m["note"]),
                               "delivery_lag_months", "Delivery lag behind plan per program, in months."),
        "lag_circles": Figure(lambda t, m: f.plot_lag_circles(t, note=m["note"]), "delivery_lag_cycles",
                              "Delivery lag per circle (mean over its customer countries), in production cycles."),
        "scenario_panel": Figure(lambda t, m: f.plot_scenario_grid(t, note=m["note"]), "delivery_lag_cycles",
                                 "The scenarios side by side: US, US high-end and circle A lag, in production cycles "
                                 "(then US and circle A generations behind China's frontier, where the results have "
                                 "them)."),
        "generation_lag": Figure(lambda t, m: f.plot_generation_lag(t, names=m["names"], note=m["note"]),
                                 "generation_lag_cycles",
                                 "Upgrade cadence: technology generations behind China's frontier per program, "
                                 "customer country, circle and civil sector.", listed=True),
        "capacity_share": Figure(lambda t, m: f.plot_capacity_share(t, note=m["note"]), "nonchina_capacity_share",
                                 "Non-China share of operating capacity by stage, in percent."),
        "prices": Figure(lambda t, m: f.plot_prices(t, note=m["note"]), "price_usd_per_kg",
                         "Prices by material in China's domestic market and the rest of the world, USD/kg."),
        "stockpile_cover": Figure(lambda t, m: f.plot_stockpile_cover(t, note=m["note"]), "stockpile_cover_days",
                                  "Strategic stockpiles in days of the holder's own use."),
        "circles_exports": Figure(lambda t, m: f.plot_circles_and_exports(t, m["destination"], note=m["note"]),
                                  "circle_b_share_gdp",
                                  "Circle B's GDP share and the share of China's exports going to the destination, %."),
        "fiscal_cost": Figure(lambda t, m: f.plot_fiscal_cost(t, note=m["note"]), "fiscal_cost_usd",
                              "Cumulative fiscal cost of US and allied measures, USD bn."),
        "levers_us_lag": Figure(_levers, "delivery_lag_cycles",
                                "Each swept key against the mean US lag of each run (production cycles)."),
    }


def _levers(table: pd.DataFrame, meta: dict):
    from sim.outputs import figures as f

    frame = f.run_outcomes(table, meta["runs"], "delivery_lag_cycles", "country:US", "mean")
    keys = f.swept_keys(meta["runs"])
    return f.plot_lever_scatter(frame, keys, f.outcome_label("delivery_lag_cycles", "country:US", "mean"),
                                note=meta["dots_note"])


def _manifests(root: Path) -> Iterator[tuple[Path, dict | None]]:
    """``(path, document)`` of the manifests of ``root`` and its subdirectories (the first 50);
    the document is None where the file is not a JSON object."""
    paths = [root / MANIFEST] if (root / MANIFEST).is_file() else []
    paths += sorted(p for p in root.glob(f"*/{MANIFEST}"))[:50]
    for p in paths:
        try:
            doc = json.loads(p.read_text())
        except (OSError, UnicodeDecodeError, ValueError):
            doc = None
        yield p, doc if isinstance(doc, dict) else None


def program_names(config: dict) -> dict[str, str]:
    """Program id (``us.f35``) -> display name, from a resolved config (a manifest's ``config``)."""
    names = {}
    for prod in (config.get("world", {}).get("producers") or {}).values():
        for key, prog in (prod.get("programs") or {}).items():
            if prog.get("name"):
                names[f"{str(prod.get('country', '')).lower()}.{key}"] = prog["name"]
    return names


def provenance(root: Path) -> dict:
    """What the results are: kind (run, runs, sweep, study), model commit, program names.

    ``commit`` is that of the manifests (None when none names one, or one is unreadable: then
    ``unreadable`` lists those manifests). The checkout's own commit is never used: it need not
    be the one that made the results.
    """
    found = list(_manifests(root)) if root.is_dir() else []
    docs = [d for _, d in found if d is not None]
    unreadable = [p for p, d in found if d is None]
    configs = [d["config"] for d in docs if isinstance(d.get("config"), dict)]
    configs += [c for d in docs for c in (d.get("configs") or {}).values() if isinstance(c, dict)]
    commit = None if unreadable else next((d.get("git_commit") for d in docs if d.get("git_commit")), None)
    study = any(d.get("kind") == "study" for d in docs)
    sweep = root.is_dir() and (root / "runs.parquet").is_file()
    kind = "study" if study else "sweep" if sweep else "run" if root.is_file() or (root / "results.parquet").is_file() else "runs"
    return {"kind": kind, "commit": commit, "unreadable": unreadable,
            "names": program_names(configs[0]) if configs else {}}


def parse(argv: Sequence[str]) -> dict:
    """``key=value`` arguments to options (see the module docstring)."""
    opts = {"out": None, "formats": "png,pdf", "figures": "", "destination": "US"}
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq or key not in OPTIONS:
            raise ConfigError(f"'{arg}': give key=value with key one of {', '.join(OPTIONS)}")
        opts[key] = value
    if "results" not in opts:
        raise ConfigError("give results=<dir> (a run, multirun or study directory, or a results.parquet)")
    return opts


def build_report(results: str | Path, out: str | Path | None = None, formats: Sequence[str] = ("png", "pdf"),
                 only: Sequence[str] = (), destination: str = "US") -> list[Path]:
    """Draw and save the report figures of saved results.

    Args:
        results: a run, multirun or study directory, or a ``results.parquet``.
        out: output directory (default ``<results>/report``).
        formats: any of ``png``, ``pdf``, ``svg``.
        only: figure names to draw (default: every one the results hold data for).
        destination: country id for China's export share panel.

    Returns:
        The files written (figures, then ``index.md``).

    Raises:
        ConfigError: unknown figure name or format (nothing written).
        ResultsError: nothing to load, a malformed results file, or ``out`` under a regular
            file (nothing written).
    """
    catalogue = _figures()
    bad = [f for f in formats if f not in FORMATS] or ([] if formats else ["(none)"])
    if bad:
        raise ConfigError(f"formats: '{bad[0]}' is not allowed; choose from {', '.join(FORMATS)}")
    unknown = [n for n in only if n not in catalogue]
    if unknown:
        raise ConfigError(f"figures: unknown figure '{unknown[0]}'; choose from {', '.join(catalogue)}")
    root = Path(results)
    out_dir = check_dir_path(out if out is not None else (root.parent if root.is_file() else root) / "report", "out")
    table = load_results(root)
    meta = provenance(root)
    if meta["unreadable"]:
        print(f"warning: {meta['unreadable'][0]} is not valid JSON"
              + (f" (and {len(meta['unreadable']) - 1} more)" if len(meta["unreadable"]) > 1 else "")
              + "; the captions say 'manifest unreadable' instead of the model commit", file=sys.stderr)
    meta["destination"] = destination
    if destination not in set(table.loc[table["metric"] == "china_export_share", "entity"].astype(str)):
        raise ConfigError(f"destination={destination!r}: no China export share to it in {root}")
    if meta["kind"] in ("sweep", "study"):
        from sim.outputs.aggregate import load_runs
        from sim.outputs.figures import swept_keys

        meta["runs"] = load_runs(root)
        if not swept_keys(meta["runs"]):
            meta["runs"] = None
    from sim.outputs.figures import source_note

    what = "runs (seeds x design points)" if meta["kind"] in ("sweep", "study") else "seeds"
    unknown = "manifest unreadable" if meta["unreadable"] else "commit unknown"
    meta["note"] = source_note(table, meta["commit"], what, unknown=unknown)
    meta["dots_note"] = source_note(table, meta["commit"], what, fans=False, unknown=unknown)
    if "levers_us_lag" in only and meta.get("runs") is None:
        raise ConfigError(f"figures: levers_us_lag needs a sweep or study with swept keys; {root} has none")
    present = set(table["metric"].astype(str).unique())
    names = list(only) or [n for n, f in catalogue.items() if (f.metric in present or f.listed)
                           and (n != "levers_us_lag" or meta.get("runs") is not None)]
    from sim.outputs.figures import NoData, pyplot, save

    drawn, skipped = {}, {}
    try:   # every figure drawn before anything is written: bad input writes nothing
        for name in names:
            try:
                drawn[name], _ = catalogue[name].draw(table, meta)
            except NoData as exc:
                if name in only:
                    raise ConfigError(f"figures: {name}: {exc}") from None
                skipped[name] = exc
    except BaseException:
        for fig in drawn.values():
            pyplot().close(fig)
        raise
    prepare_dir(out_dir, "out")
    written, index = [], [f"# Report figures of `{root}`", "", meta["note"], ""]
    for name in names:
        if name in skipped:
            index.append(f"- **{name}** (not drawn): {skipped[name]}")
            continue
        paths = save(drawn[name], out_dir / name, formats)
        written += paths
        index.append(f"- **{name}** ({', '.join(p.name for p in paths)}): {catalogue[name].caption}")
    index_path = out_dir / "index.md"
    index_path.write_text("\n".join(index) + "\n")
    return written + [index_path]


@command(__doc__)
def main(argv: list[str]) -> int:
    """Entry point; returns the exit status (see the module docstring)."""
    opts = parse(argv)
    paths = build_report(opts["results"], opts["out"], [f for f in opts["formats"].split(",") if f],
                         [f for f in opts["figures"].split(",") if f], opts["destination"])
    print(f"wrote {len(paths)} files to {paths[-1].parent}:")
    for p in paths:
        print(f"  {p.name}")
    return 0


if __name__ == "__main__":
    run(main)
