"""Run files: the tidy Parquet table and the manifest, written atomically; output paths checked.

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
