"""Loading results back: ``load_results`` with filters pushed down to the Parquet reader.

A run directory, a sweep or study directory, or a ``results.parquet`` file; the filters read
only the row groups and columns that can match (see :func:`load_results`).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.calendar import parse_month
from sim.outputs.io import COLUMNS, MANIFEST, RESULTS, ResultsError

FILTERS = {"metrics": "metric", "entities": "entity", "scenarios": "scenario", "runs": "run"}


def _shown(value) -> str:
    text = repr(tuple(value) if isinstance(value, (set, frozenset)) else value)
    return text if len(text) <= 80 else text[:77] + "..."


def _names(key: str, value) -> list[str] | None:
    """A filter's names: one name or an iterable of them (None: no filter)."""
    if value is None:
        return None
    try:
        names = [value] if isinstance(value, str) else None if isinstance(value, bytes) else list(value)
    except TypeError:
        names = None
    if names is None or not all(isinstance(n, str) for n in names):
        raise ResultsError(f"{key}={_shown(value)}: expected a name or a list of names (text)")
    return names


def _month(value, given) -> np.datetime64:
    """``value`` (``YYYY-MM``, a date or a datetime64) as a month."""
    if isinstance(value, str):
        try:
            return np.datetime64(parse_month(value) - parse_month("1970-01"), "M")   # months since 1970
        except ValueError:
            raise ResultsError(f"months={_shown(given)}: '{value}' is not a month: use YYYY-MM") from None
    if isinstance(value, date):   # also datetime and pandas.Timestamp
        return np.datetime64(f"{value.year:04d}-{value.month:02d}", "M")
    if isinstance(value, np.datetime64) and not np.isnat(value):
        return value.astype("datetime64[M]")
    raise ResultsError(f"months={_shown(given)}: {value!r} is not a month: use YYYY-MM or a date")


def _month_range(value) -> tuple | None:
    """``(first, last)`` months as ``[start, end)`` bounds in milliseconds; None for an open end."""
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ResultsError(f"months={_shown(value)}: expected a (first, last) pair of months, YYYY-MM")
    first, last = (None if v is None else _month(v, value) for v in value)
    if first is not None and last is not None and first > last:
        raise ResultsError(f"months={_shown(value)}: the first month is after the last")
    return (None if first is None else first.astype("datetime64[ms]"),
            None if last is None else (last + np.timedelta64(1, "M")).astype("datetime64[ms]"))


class _Where:
    """The filters of one :func:`load_results` call, applied to one Parquet file at a time.

    Args:
        names: text column -> the names kept.
        months: ``[start, end)`` (either None: open), or None.
        columns: the columns returned (None: all).
    """

    def __init__(self, names: dict[str, list[str]], months: tuple | None, columns: list[str] | None):
        self.names, self.months, self.columns = names, months, columns

    def groups(self, meta: pq.FileMetaData) -> list[int]:
        """The row groups that may hold matching rows, judged by their min/max statistics.

        pyarrow's own pruning skips dictionary-coded columns, a study's text columns; so here.
        """
        index = {meta.schema.column(j).path: j for j in range(meta.num_columns)}
        return [i for i in range(meta.num_row_groups) if meta.row_group(i).num_rows
                and all(self._may_hold(meta.row_group(i), index, col) for col in [*self.names, "month"])]

    def _may_hold(self, group: pq.RowGroupMetaData, index: dict, col: str) -> bool:
        if col != "month" and not self.names[col]:
            return False
        stats = group.column(index[col]).statistics if col in index else None
        if stats is None or not stats.has_min_max or (col == "month" and self.months is None):
            return True
        low, high = stats.min, stats.max
        if col != "month":   # text statistics compare like Python strings (UTF-8 byte order)
            return not isinstance(low, str) or any(low <= n <= high for n in self.names[col])
        try:
            low, high = np.datetime64(low, "ms"), np.datetime64(high, "ms")
        except (TypeError, ValueError):
            return True
        start, end = self.months
        return bool((start is None or high >= start) and (end is None or low < end))

    def mask(self, table: pa.Table) -> pa.ChunkedArray | None:
        """Which rows of ``table`` match (None: all of them)."""
        masks = [_text_mask(table[col], names) for col, names in self.names.items()]
        month = table["month"] if self.months is not None else None
        for bound, compare in zip(self.months or (), (pc.greater_equal, pc.less)):
            if bound is not None:
                masks.append(compare(month, pa.scalar(bound).cast(month.type)))
        mask = masks[0] if masks else None
        for more in masks[1:]:
            mask = pc.and_(mask, more)
        return mask


def _text_mask(column: pa.ChunkedArray, names: list[str]) -> pa.ChunkedArray:
    """Rows whose text is one of ``names``; a dictionary-coded column is compared by its codes."""
    value_set = pa.array(names, pa.string())
    chunks = []
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            hit = pc.is_in(_text(chunk.dictionary), value_set=value_set)
            chunks.append(pc.take(hit, chunk.indices))
        else:
            chunks.append(pc.is_in(_text(chunk), value_set=value_set))
    return pa.chunked_array(chunks, pa.bool_())


def _text(values: pa.Array) -> pa.Array:
    return values if values.type == pa.string() else pc.cast(values, pa.string())


def _dtype(type_: pa.DataType) -> str:
    try:
        return np.dtype(type_.to_pandas_dtype()).name
    except (NotImplementedError, TypeError):
        return str(type_)


def _check_schema(path: Path, schema: pa.Schema, where: _Where) -> list[str]:
    """Refuse a table that is not a results table, or filters it cannot take; the columns to return."""
    missing = [c for c in COLUMNS if c not in schema.names]
    if missing:
        raise ResultsError(f"{path}: missing columns {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    for col in ("value", "seed"):
        kind = schema.field(col).type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            raise ResultsError(f"{path}: column '{col}' holds {_dtype(kind)} values, expected numbers")
    if "run" in where.names and "run" not in schema.names:
        raise ResultsError(f"{path}: runs= filters a sweep or study; this table has no 'run' column")
    month = schema.field("month").type
    if where.months is not None and not (pa.types.is_timestamp(month) or pa.types.is_date(month)):
        raise ResultsError(f"{path}: months= needs dates; column 'month' holds {_dtype(month)} values")
    columns = schema.names if where.columns is None else where.columns
    unknown = [c for c in columns if c not in schema.names]
    if unknown:
        raise ResultsError(f"columns={_shown(where.columns)}: {path} has no column {', '.join(unknown)} "
                           f"(it has {', '.join(schema.names)})")
    return columns


def _read_one(path: Path, where: _Where) -> pd.DataFrame:
    """The matching rows of one Parquet file, read row group by row group: groups that cannot match
    (by their statistics) are skipped, and only the columns returned or filtered on are read."""
    try:
        file = pq.ParquetFile(path)
        columns = _check_schema(path, file.schema_arrow, where)
        read = list(dict.fromkeys([*columns, *where.names, *(["month"] if where.months is not None else [])]))
        pieces = []
        for i in where.groups(file.metadata):
            piece = file.read_row_group(i, columns=read)
            mask = where.mask(piece)
            piece = piece if mask is None else piece.filter(mask)
            pieces += [piece.select(columns)] if piece.num_rows else []
        if not pieces:   # no rows, with the file's dtypes and the categories of its text columns
            pieces = [file.read_row_group(0, columns=columns).slice(0, 0) if file.num_row_groups
                      else file.schema_arrow.empty_table().select(columns)]
        if not columns:   # only the row count (a sweep's run column alone): Arrow concatenates no rows
            return pd.DataFrame(index=pd.RangeIndex(sum(p.num_rows for p in pieces)))
        return pa.concat_tables(pieces).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(f"{path}: not a readable results table ({' '.join(str(exc).split())[:160]})") from None


def _check_complete(run_dir: Path) -> None:
    """A directory holding ``results.parquet`` must also hold what says it is complete: a run's
    ``manifest.json``, or a sweep's ``runs.parquet`` (written after the aggregate)."""
    if not (run_dir / MANIFEST).is_file() and not (run_dir / "runs.parquet").is_file():
        raise ResultsError(f"{run_dir}: {RESULTS} without {MANIFEST} (the run did not finish, or its files were "
                           f"moved): rerun it, or read the table itself with load_results('{run_dir / RESULTS}')")


def load_results(path: str | os.PathLike, *, metrics=None, entities=None, scenarios=None, runs=None,
                 months=None, columns=None) -> pd.DataFrame:
    """Read a run directory, a sweep or study directory, or a ``results.parquet``; optionally only
    the rows and columns asked for.

    Args:
        path: a run directory, a sweep directory (runs below it, or an aggregated sweep or study),
            or a results file.
        metrics: keep these metrics: a name or a list of names (default: all).
        entities: keep these entities (``"country:US"``): a name or a list.
        scenarios: keep these scenarios: a name or a list.
        runs: keep these runs of a sweep or study (the ``run`` column): a name or a list.
        months: keep ``(first, last)`` months, inclusive: ``YYYY-MM`` strings or dates; either
            end may be None (open).
        columns: return only these columns, in this order (default: all).

    Returns:
        The tidy table; a sweep's runs are concatenated, with a ``run`` column naming each
        run's directory relative to ``path``. A filter that matches nothing gives an empty
        table with the same columns and dtypes.

    The filters are pushed down to the Parquet reader: row groups whose statistics rule them out
    are not read, nor are columns that are neither returned nor filtered on, and the rest is read
    one row group at a time, so memory holds the matching rows plus one row group. One metric of a
    study loads in seconds even when the whole table would not fit in memory::

        lag = load_results("outputs/study", metrics="delivery_lag_cycles",
                           entities=["country:US", "circle:A"], months=("2028-01", "2030-12"))

    A run or sweep directory must be complete: beside ``results.parquet`` a run has its
    ``manifest.json`` (written last) and an aggregated sweep its ``runs.parquet``; a file path
    is read as it is.

    Raises:
        ResultsError: nothing to load, an incomplete run directory, a file that is not a
            valid results table (missing columns, non-numeric values), or a filter value that is
            not valid (a month not in YYYY-MM form, ``runs`` on a single run, an unknown column).
    """
    given = {"metrics": metrics, "entities": entities, "scenarios": scenarios, "runs": runs}
    names = {col: _names(key, given[key]) for key, col in FILTERS.items() if given[key] is not None}
    span, wanted = _month_range(months), _names("columns", columns)
    root = Path(path)
    if root.is_file() or (root / RESULTS).is_file():
        if not root.is_file():
            _check_complete(root)
        return _read_one(root if root.is_file() else root / RESULTS, _Where(names, span, wanted))
    files = sorted(f for f in root.rglob(RESULTS) if not f.parent.name.startswith(".")) if root.is_dir() else []
    if not files:
        raise ResultsError(f"{root}: no {RESULTS} found (expected a run or sweep directory)")
    for f in files:
        _check_complete(f.parent)
    # Runs below a sweep directory: the run filter chooses files; each file takes the others.
    ids = {f: str(f.parent.relative_to(root)) for f in files}
    kept = [f for f in files if "run" not in names or ids[f] in names["run"]]
    per_file = [c for c in wanted if c != "run"] if wanted is not None else None
    where = _Where({c: n for c, n in names.items() if c != "run"}, span, per_file)
    if not kept:   # no run matches: no rows of the first, for the columns and their dtypes
        kept, where.names = files[:1], {**where.names, "metric": []}
    parts = []
    for f in kept:
        part = _read_one(f, where)
        part["run"] = ids[f]
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    for col in ("scenario", "metric", "entity", "run"):
        if col in table.columns:
            table[col] = table[col].astype("category")
    return table if wanted is None else table[wanted]
