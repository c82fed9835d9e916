"""The study's storage backend: Parquet part files written by the workers, one per chunk.

Layout of a study directory::

    study.json             the recorded study (digest, chunk size, runs): checked on resume
    parts/chunk-000012.parquet
                           the tidy rows of chunk 12's finished runs (with ``run``); its file
                           metadata holds the chunk's run records (status, error, wall time)
    results.parquet, runs.parquet, figures/, manifest.json
                           the aggregate (:mod:`sim.outputs.aggregate`), written at the end

A part is written to a temporary name and renamed into place, so a part on disk is whole; a
torn temporary file (``.chunk-*.tmp-*``) is ignored. A chunk counts as finished when its part
exists and carries the study's digest. Chunks are fixed slices of the run list, so the final
table (parts in chunk order, runs in id order inside) is the same however often the study
was interrupted.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.calendar import month_dates
from sim.outputs.aggregate import RUNS, check_runs
from sim.outputs.io import COLUMNS, atomic_write

STUDY = "study.json"
PARTS = "parts"
RUNS_KEY, DIGEST_KEY, LEVELS_KEY = b"rhythm.runs", b"rhythm.digest", b"rhythm.levels"
LEVELS = ("scenario", "metric", "entity")


class StudyError(ValueError):
    """The study cannot go on (one line): see :class:`StudyMismatch` and :class:`WorkerDied`."""


class StudyMismatch(StudyError):
    """The study directory holds a different study."""


class WorkerDied(StudyError):
    """A worker process died; the finished chunks are kept and the study resumes."""


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"month": pd.Series(dtype="datetime64[s]"), "scenario": pd.Series(dtype=str),
                         "seed": pd.Series(dtype="int64"), "metric": pd.Series(dtype=str),
                         "entity": pd.Series(dtype=str), "value": pd.Series(dtype=float),
                         "run": pd.Series(dtype=str)})


def _coded(codes, names: list[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(names, pa.string()))


def run_rows(series: list, start: str, months: int, scenario: str, seed: int, run: str) -> pa.Table:
    """One run's tidy rows (plus ``run``) as an Arrow table with dictionary-coded text columns.

    The same rows as :meth:`sim.model.recorder.Recorder.frame`, built without a pandas frame of
    repeated strings: a run's ~30,000 rows cost ~1 MiB here instead of ~5 MiB, and a chunk of
    them is written as a part without re-encoding.

    Args:
        series: ``(metric, entity, values[months])`` from :meth:`sim.model.recorder.Recorder.series`.
        start: first month (``YYYY-MM``); months: series length.
        scenario, seed, run: the run's labels.
    """
    n = len(series)
    metrics = list(dict.fromkeys(s[0] for s in series))
    entities = list(dict.fromkeys(s[1] for s in series))
    m_code = {m: i for i, m in enumerate(metrics)}
    e_code = {e: i for i, e in enumerate(entities)}
    dates = month_dates(start, months).astype("datetime64[s]")
    rows = n * months
    zeros = np.zeros(rows, np.int32)
    return pa.table({
        "month": pa.array(np.tile(dates, n)),
        "scenario": _coded(zeros, [scenario]),
        "seed": pa.array(np.full(rows, seed, np.int64)),
        "metric": _coded(np.repeat(np.array([m_code[s[0]] for s in series], np.int32), months), metrics),
        "entity": _coded(np.repeat(np.array([e_code[s[1]] for s in series], np.int32), months), entities),
        "value": pa.array(np.concatenate([s[2] for s in series]).astype(float) if n else np.zeros(0)),
        "run": _coded(zeros, [run]),
    })


def _levels(table: pa.Table) -> dict[str, list[str]]:
    """The distinct values of the text columns of a part."""
    out = {}
    for name in LEVELS:   # dictionary-coded (run_rows): the values a chunk's runs use
        values = set()
        for chunk in table[name].chunks:
            values.update(pc.take(chunk.dictionary, pc.unique(chunk.indices)).to_pylist())
        out[name] = sorted(map(str, values))
    return out


class ParquetStore:
    """Parts under ``<root>/parts``; the aggregate in ``<root>`` (picklable: workers write parts).

    Args:
        root: the study directory.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def part(self, chunk: int) -> Path:
        return self.root / PARTS / f"chunk-{chunk:06d}.parquet"

    def open(self, record: dict) -> dict:
        """Create the directory and record the study, or check a recorded one; returns it."""
        path = self.root / STUDY
        if path.is_file():
            try:
                old = json.loads(path.read_text())
            except (OSError, ValueError):
                raise StudyMismatch(f"{path}: unreadable study record; delete the directory or use another out=") \
                    from None
            if old.get("digest") != record["digest"]:
                names = {"design": "design", "scenarios": "scenarios", "replicates": "replicates",
                         "seed": "seed", "overrides": "overrides", "runs_sha256": "runs",
                         "configs_sha256": "base config"}
                changed = list(dict.fromkeys(name for key, name in names.items()
                                             if old.get(key) != record.get(key))) or ["runs"]
                raise StudyMismatch(f"{self.root} holds a different study (changed: {', '.join(changed)}); "
                                 "use another out= or delete it")
            return old
        (self.root / PARTS).mkdir(parents=True, exist_ok=True)
        text = json.dumps(record, indent=2, default=str)
        atomic_write(path, lambda p: p.write_text(text))
        return record

    def write_part(self, chunk: int, digest: str, tables: list[pa.Table], records: list[dict]) -> Path:
        """Write one chunk's rows (each run's :func:`run_rows`) and run records atomically.

        Returns:
            The part's path.
        """
        if not tables:
            tables = [run_rows([], "2000-01", 0, "", 0, "")]
        arrow = pa.concat_tables(tables)
        levels = _levels(arrow)
        meta = {**(arrow.schema.metadata or {}), RUNS_KEY: json.dumps(records), DIGEST_KEY: digest,
                LEVELS_KEY: json.dumps(levels)}
        arrow = arrow.replace_schema_metadata(meta)
        path = self.part(chunk)
        atomic_write(path, lambda p: pq.write_table(arrow, p, compression="zstd"))
        return path

    def _meta(self, path: Path) -> dict | None:
        try:
            return pq.read_metadata(path).metadata or {}
        except (OSError, pa.ArrowException):
            return None   # not a whole part (cannot happen with atomic writes): run the chunk again

    def finished(self, digest: str) -> dict[int, list[dict]]:
        """Chunk index -> run records of every finished chunk of this study."""
        out = {}
        for path in sorted((self.root / PARTS).glob("chunk-*.parquet")):
            meta = self._meta(path)
            if meta and meta.get(DIGEST_KEY, b"").decode() == digest and RUNS_KEY in meta:
                out[int(path.stem.split("-")[1])] = json.loads(meta[RUNS_KEY])
        return out

    def finalize(self, runs: pd.DataFrame, chunks: list[int], figures: bool = True) -> list[Path]:
        """Write ``results.parquet`` (the parts in chunk order), ``runs.parquet`` and figures."""
        paths = [self.part(k) for k in chunks]
        metas = [self._meta(p) for p in paths]
        levels = {c: sorted({v for m in metas for v in json.loads(m[LEVELS_KEY])[c]}) for c in LEVELS}
        # The Arrow schema write_sweep gives a table with these categories (and its pandas metadata).
        sample = _empty().astype({c: pd.CategoricalDtype(levels[c]) for c in LEVELS})[COLUMNS + ["run"]]
        schema = pa.Table.from_pandas(sample, preserve_index=False).schema
        # Arrow from part to file, one part in memory at a time: a pandas round trip of every row
        # would cost more than the runs that made them. (write_sweep's format, so the same files.)
        return self._stream(paths, levels, schema, runs, figures)

    @staticmethod
    def _read(path: Path, levels: dict, schema: pa.Schema) -> pa.Table:
        """A part with its text columns recoded onto the study's sorted categories."""
        table = pq.read_table(path, columns=COLUMNS + ["run"], read_dictionary=list(LEVELS))
        for name in LEVELS:
            values = pa.array(levels[name], pa.string())
            chunks = []
            for chunk in table[name].chunks:   # remap the part's small dictionary, then take
                remap = pc.index_in(chunk.dictionary.cast(pa.string()), value_set=values)
                chunks.append(pa.DictionaryArray.from_arrays(pc.take(remap, chunk.indices), values))
            column = pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))
            table = table.set_column(table.schema.get_field_index(name), name, column)
        return table.cast(schema)

    def _stream(self, paths: list[Path], levels: dict, schema: pa.Schema, runs: pd.DataFrame,
                figures: bool) -> list[Path]:
        """The format of :func:`sim.outputs.aggregate.write_sweep`, one part in memory at a time."""
        from sim.outputs.io import RESULTS

        def write_results(tmp: Path) -> None:
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                for path in paths:
                    writer.write_table(self._read(path, levels, schema))

        written = [self.root / RESULTS, self.root / RUNS]
        # results.parquet is written in a thread (Arrow and zstd release the GIL) while the figure
        # is drawn from the parts' few lag rows: the two together take the longer one's time.
        with ThreadPoolExecutor(1) as pool:
            results = pool.submit(atomic_write, written[0], write_results)
            runs = check_runs(runs.reset_index(drop=True))
            runs = runs.assign(run=runs["run"].astype(str), error=runs["error"].fillna("").astype(str))
            arrow = pa.Table.from_pandas(runs, preserve_index=False)
            atomic_write(written[1], lambda p: pq.write_table(arrow, p, compression="zstd"))
            figure = None
            if figures and (runs["status"] == "done").any():
                from sim.outputs.figures import plot_scenario_panel, save

                rows = [pq.read_table(p, columns=COLUMNS, filters=[("metric", "==", "delivery_lag_cycles"),
                                                                   ("entity", "in", ["country:US", "circle:A"])])
                        for p in paths]
                lag = pd.concat([r.to_pandas() for r in rows], ignore_index=True)
                for name in LEVELS:   # the parts' own dictionaries differ: plain text
                    lag[name] = lag[name].astype(str)
                figure, _ = plot_scenario_panel(lag)
            results.result()   # re-raises a failed write
        if figure is not None:
            written += save(figure, self.root / "figures" / "scenario_panel")
        return written
