"""Run files: the tidy Parquet table, the manifest, and loading them back.

Files are written to a temporary name and renamed into place, so an interrupted or failed
run never leaves a half-written file over an earlier result.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

RESULTS = "results.parquet"
MANIFEST = "manifest.json"
COLUMNS = ["month", "scenario", "seed", "metric", "entity", "value"]
PACKAGES = ("rhythm-sim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "hydra-core", "omegaconf")


class ResultsError(ValueError):
    """A results file or directory is missing, unreadable or malformed."""


def check_dir_path(path: str | os.PathLike, key: str = "out", shown: str | None = None) -> Path:
    """``path`` as a Path, if it is or can become a directory: no part of it is a regular file.

    Args:
        path: the directory (it need not exist).
        key: the setting that named it, for the message.
        shown: the value as the user gave it, for the message (default: ``path``).

    Raises:
        ResultsError: a part of ``path`` exists and is not a directory.
    """
    out = Path(path)
    for part in (out, *out.parents):
        if part.exists() and not part.is_dir():
            raise ResultsError(f"{key}={shown or out}: '{part}' is a file, not a directory; choose another path")
    return out


def prepare_dir(path: str | os.PathLike, key: str = "out") -> Path:
    """Create the output directory ``path`` (and its parents) or say in one line why it cannot be.

    Args:
        path: the directory.
        key: the setting that named it, for the message (``out``, ``hydra.run.dir``).

    Raises:
        ResultsError: a part of ``path`` is a regular file, or the directory cannot be created.
    """
    out = check_dir_path(path, key)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"{key}={out}: cannot create the directory ({exc.strerror or exc})") from None
    return out


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary name beside ``path``, then rename it to ``path``.

    A failure or an interruption leaves any earlier ``path`` as it was, and no temporary file.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_results(table: pd.DataFrame, out_dir: Path) -> Path:
    """Write ``table`` as ``out_dir/results.parquet``; returns the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / RESULTS
    arrow = pa.Table.from_pandas(table[COLUMNS], preserve_index=False)
    atomic_write(path, lambda p: pq.write_table(arrow, p, compression="zstd"))
    return path


def git_commit() -> str | None:
    """The checkout's commit hash, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def versions() -> dict[str, str | None]:
    """Installed versions of the packages a result depends on."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def json_safe(value):
    """Replace non-finite floats (unlimited quotas, feeds) by the strings 'inf'/'-inf'/'nan'."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_manifest(out_dir: Path, cfg, seeds: list[int], wall_s: float, **extra) -> Path:
    """Write ``manifest.json``: resolved config, scenario, seeds, versions, commit, wall time.

    Non-finite numbers are written as the strings ``"inf"``/``"nan"`` so the file is strict JSON.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {"scenario": cfg.scenario_name, "base_seed": cfg.seed, "replicate_seeds": seeds,
           "replicates": cfg.replicates, "wall_time_s": round(wall_s, 3),
           "git_commit": git_commit(), "versions": versions(), "config": json_safe(asdict(cfg)), **extra}
    path = out_dir / MANIFEST
    text = json.dumps(doc, indent=2, default=str, allow_nan=False)
    atomic_write(path, lambda p: p.write_text(text))
    return path


def _read_one(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(f"{path}: not a readable results table ({' '.join(str(exc).split())[:160]})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ResultsError(f"{path}: missing columns {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    for col in ("value", "seed"):
        if not pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col]):
            raise ResultsError(f"{path}: column '{col}' holds {table[col].dtype} values, expected numbers")
    return table


def _check_complete(run_dir: Path) -> None:
    """A directory holding ``results.parquet`` must also hold what says it is complete: a run's
    ``manifest.json``, or a sweep's ``runs.parquet`` (written after the aggregate)."""
    if not (run_dir / MANIFEST).is_file() and not (run_dir / "runs.parquet").is_file():
        raise ResultsError(f"{run_dir}: {RESULTS} without {MANIFEST} (the run did not finish, or its files were "
                           f"moved): rerun it, or read the table itself with load_results('{run_dir / RESULTS}')")


def load_results(path: str | os.PathLike) -> pd.DataFrame:
    """Read a run directory, a sweep directory (runs below it) or a ``results.parquet``.

    Returns:
        The tidy table; a sweep's runs are concatenated, with a ``run`` column naming each
        run's directory relative to ``path``.

    A run or sweep directory must be complete: beside ``results.parquet`` a run has its
    ``manifest.json`` (written last) and an aggregated sweep its ``runs.parquet``; a file path
    is read as it is.

    Raises:
        ResultsError: nothing to load, an incomplete run directory, or a file that is not a
            valid results table (missing columns, non-numeric values).
    """
    root = Path(path)
    if root.is_file():
        return _read_one(root)
    if (root / RESULTS).is_file():
        _check_complete(root)
        return _read_one(root / RESULTS)
    files = sorted(f for f in root.rglob(RESULTS) if not f.parent.name.startswith(".")) if root.is_dir() else []
    if not files:
        raise ResultsError(f"{root}: no {RESULTS} found (expected a run or sweep directory)")
    for f in files:
        _check_complete(f.parent)
    parts = []
    for f in files:
        part = _read_one(f)
        part["run"] = str(f.parent.relative_to(root))
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    for col in ("scenario", "metric", "entity", "run"):
        table[col] = table[col].astype("category")
    return table
