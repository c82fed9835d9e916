"""load_results's filters: exact rows on a small table, and one metric of a large study-like table
read in seconds with memory bounded by what matches."""

import json
import subprocess
import sys
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim import load_results
from sim.outputs.aggregate import write_sweep
from sim.outputs.io import ResultsError

SCENARIOS, METRICS, ENTITIES = ["collision", "rhythm_embedded"], ["lag", "price", "share"], ["country:US", "circle:A"]


def small_table() -> pd.DataFrame:
    """2 runs per scenario x 3 metrics x 2 entities x 6 months, in run order (like a study)."""
    rows = [(m, s, 10 + r, metric, entity, f"{r:04d}")
            for r, s in enumerate(SCENARIOS * 2) for metric in METRICS for entity in ENTITIES
            for m in pd.date_range("2026-01-01", periods=6, freq="MS")]
    table = pd.DataFrame(rows, columns=["month", "scenario", "seed", "metric", "entity", "run"])
    table["value"] = np.arange(len(table), dtype=float)
    table["month"] = table["month"].astype("datetime64[ms]")   # as Parquet keeps it
    for col in ("scenario", "metric", "entity", "run"):
        table[col] = table[col].astype("category")
    return table[["month", "scenario", "seed", "metric", "entity", "value", "run"]]


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "results.parquet"
    pq.write_table(pa.Table.from_pandas(small_table(), preserve_index=False), path, row_group_size=36)
    return path   # 4 runs of 36 rows: one row group each


def expect(table, **keep):
    mask = np.ones(len(table), bool)
    for col, names in keep.items():
        mask &= table[col].isin([names] if isinstance(names, str) else names).to_numpy()
    return table[mask].reset_index(drop=True)


@pytest.mark.parametrize("filters,keep", [
    ({"metrics": "price"}, {"metric": "price"}),
    ({"entities": ["circle:A"]}, {"entity": "circle:A"}),
    ({"scenarios": ("rhythm_embedded",)}, {"scenario": "rhythm_embedded"}),
    ({"runs": {"0001", "0002"}}, {"run": ["0001", "0002"]}),
    ({"metrics": ["lag", "share"], "entities": "country:US", "scenarios": "collision", "runs": ["0000", "0002", "0003"]},
     {"metric": ["lag", "share"], "entity": "country:US", "scenario": "collision", "run": ["0000", "0002"]}),
])
def test_each_filter_alone_and_combined_keeps_exactly_the_matching_rows(small, filters, keep):
    full = load_results(small)
    pd.testing.assert_frame_equal(full, small_table())
    pd.testing.assert_frame_equal(load_results(small, **filters), expect(full, **keep))


def test_months_are_an_inclusive_range_of_months_or_dates(small):
    full = load_results(small)
    spring = full[full["month"].between("2026-02-01", "2026-04-01")].reset_index(drop=True)
    assert sorted(spring["month"].dt.month.unique()) == [2, 3, 4]
    pd.testing.assert_frame_equal(load_results(small, months=("2026-02", "2026-04")), spring)
    pd.testing.assert_frame_equal(load_results(small, months=[date(2026, 2, 15), pd.Timestamp("2026-04-30")]), spring)
    pd.testing.assert_frame_equal(load_results(small, months=(np.datetime64("2026-02"), "2026-04")), spring)
    last = full[full["month"] == "2026-06-01"].reset_index(drop=True)
    pd.testing.assert_frame_equal(load_results(small, months=("2026-06", None)), last)
    both = load_results(small, metrics="lag", months=("2026-01", "2026-01"), columns=["run", "value"])
    assert both["value"].tolist() == [0.0, 6.0, 36.0, 42.0, 72.0, 78.0, 108.0, 114.0]
    assert both["run"].astype(str).tolist() == ["0000"] * 2 + ["0001"] * 2 + ["0002"] * 2 + ["0003"] * 2


def test_a_filter_naming_something_absent_gives_an_empty_table_of_the_same_dtypes(small):
    full = load_results(small)
    for filters in ({"metrics": "no_such_metric"}, {"runs": []}, {"months": ("2040-01", "2040-12")},
                    {"metrics": "lag", "entities": "country:CN"}):
        pd.testing.assert_frame_equal(load_results(small, **filters), full.iloc[:0])


def test_columns_are_returned_in_the_order_asked(small):
    full = load_results(small)
    pd.testing.assert_frame_equal(load_results(small, columns=["value", "month"]), full[["value", "month"]])
    pd.testing.assert_frame_equal(load_results(small, metrics="lag", columns="value"), expect(full, metric="lag")[["value"]])


def test_row_groups_that_cannot_match_are_not_read(small, monkeypatch):
    read = []
    original = pq.ParquetFile.read_row_group
    monkeypatch.setattr(pq.ParquetFile, "read_row_group", lambda self, i, **kw: read.append(i) or original(self, i, **kw))
    assert len(load_results(small, runs="0002")) == 36 and read == [2]
    read.clear()
    assert len(load_results(small, scenarios="collision", runs=["0001", "0002"])) == 36 and read == [2]   # 0001 is
    read.clear()                                                                     # rhythm_embedded
    assert len(load_results(small, runs=["0001", "0002"])) == 72 and read == [1, 2]
    read.clear()
    assert len(load_results(small, metrics="lag")) == 48 and read == [0, 1, 2, 3]   # every run holds it


@pytest.mark.parametrize("filters,message", [
    ({"months": ("2026-13", "2027-01")}, r"months=\('2026-13', '2027-01'\): '2026-13' is not a month: use YYYY-MM"),
    ({"months": "2026-01"}, r"months='2026-01': expected a \(first, last\) pair of months"),
    ({"months": ("2027-01", "2026-01")}, r"the first month is after the last"),
    ({"months": (2026, 2027)}, r"months=\(2026, 2027\): 2026 is not a month"),
    ({"metrics": 3}, r"metrics=3: expected a name or a list of names"),
    ({"entities": ["country:US", None]}, r"entities=\['country:US', None\]: expected a name or a list of names"),
    ({"columns": ["value", "colour"]}, r"columns=\['value', 'colour'\]: .*results.parquet has no column colour"),
])
def test_bad_filter_values_are_one_line_naming_the_filter(small, filters, message):
    with pytest.raises(ResultsError, match=message) as err:
        load_results(small, **filters)
    assert "\n" not in str(err.value)


def test_a_misspelt_filter_is_a_type_error(small):
    with pytest.raises(TypeError, match="unexpected keyword argument 'metric'"):
        load_results(small, metric="lag")


def test_an_aggregated_sweep_directory_filters_its_run_column(tmp_path):
    runs = pd.DataFrame({"run": [f"{r:04d}" for r in range(4)], "scenario": SCENARIOS * 2, "seed": [10, 11, 12, 13],
                         "status": "done", "error": "", "wall_s": 0.1})
    write_sweep(tmp_path, small_table(), runs, figures=False)
    full = load_results(tmp_path)
    pd.testing.assert_frame_equal(load_results(tmp_path, runs=["0003"], metrics="lag"),
                                  expect(full, run="0003", metric="lag"))


def plain(table):
    """Categories as text: a sweep of run directories gets the categories of the rows it read."""
    return table.astype({c: str for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)})


def test_a_sweep_of_run_directories_filters_by_run_directory(tmp_path):
    table = small_table()
    for run in ("0000", "0001", "0002"):
        out = tmp_path / "sweep" / run
        out.mkdir(parents=True)
        part = table[table["run"] == run].drop(columns="run")
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), out / "results.parquet")
        (out / "manifest.json").write_text("{}")
    full = load_results(tmp_path / "sweep")
    assert sorted(full["run"].unique()) == ["0000", "0001", "0002"]
    got = load_results(tmp_path / "sweep", runs=["0001", "0009"], metrics="share")
    pd.testing.assert_frame_equal(plain(got), plain(expect(full, run="0001", metric="share")))
    assert list(load_results(tmp_path / "sweep", columns=["run", "value"]).columns) == ["run", "value"]
    alone = load_results(tmp_path / "sweep", metrics="lag", columns="run")   # no column read from the files
    assert alone["run"].astype(str).tolist() == ["0000"] * 12 + ["0001"] * 12 + ["0002"] * 12
    empty = load_results(tmp_path / "sweep", runs="0009")
    assert len(empty) == 0 and list(empty.columns) == list(full.columns)
    assert (empty.dtypes.astype(str) == full.dtypes.astype(str)).all()
    with pytest.raises(ResultsError, match=r"0000/results.parquet: runs= filters a sweep or study"):
        load_results(tmp_path / "sweep" / "0000", runs="0000")


# A large table written like a study's aggregate: run after run, text dictionary-coded, a row group
# per 20 runs, zstd. 250 series (25 metrics x 10 entities) x 120 months per run.
N_METRICS, N_ENTITIES, N_MONTHS = 25, 10, 120
PER_RUN = N_METRICS * N_ENTITIES * N_MONTHS


def write_study_like(path, runs: int) -> None:
    metrics = [f"metric_{i:02d}" for i in range(N_METRICS)]
    entities = [f"entity:{i:02d}" for i in range(N_ENTITIES)]
    ids = [f"{i:05d}" for i in range(runs)]
    months = pd.date_range("2026-01-01", periods=N_MONTHS, freq="MS").to_numpy().astype("datetime64[s]")
    sample = pd.DataFrame({"month": pd.Series(dtype="datetime64[s]"), "scenario": pd.Categorical([], SCENARIOS),
                           "seed": pd.Series(dtype="int64"), "metric": pd.Categorical([], metrics),
                           "entity": pd.Categorical([], entities), "value": pd.Series(dtype=float),
                           "run": pd.Categorical([], ids)})
    schema = pa.Table.from_pandas(sample, preserve_index=False).schema

    def coded(codes, names):
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(names, pa.string()))

    series = np.repeat(np.arange(N_METRICS * N_ENTITIES, dtype=np.int32), N_MONTHS)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for first in range(0, runs, 20):   # 20 runs (600,000 rows, ~20 MiB) at a time
            run = np.repeat(np.arange(first, min(first + 20, runs)), PER_RUN)
            s = np.tile(series, len(run) // PER_RUN)
            chunk = pa.table({
                "month": pa.array(np.tile(months, len(run) // N_MONTHS)), "scenario": coded(run % 2, SCENARIOS),
                "seed": pa.array(run.astype(np.int64) + 100), "metric": coded(s // N_ENTITIES, metrics),
                "entity": coded(s % N_ENTITIES, entities),
                "value": pa.array(np.arange(first * PER_RUN, first * PER_RUN + len(run), dtype=float)),
                "run": coded(run, ids)})
            writer.write_table(chunk.cast(schema))


LOAD = """
import json, re, sys, time
from sim import load_results


def peak():
    '''Peak resident memory (MiB) since the last reset(): Linux's VmHWM.'''
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)) / 1024


def reset():
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")   # the peak becomes the current resident memory


path, out = sys.argv[1:3]
try:
    reset()
except OSError:   # not Linux: time and rows only
    peak = reset = lambda: 0.0
warm = peak()
load_results(path, runs="00000", metrics="metric_00")   # warm up: libraries, kernels, thread pools
warm = peak() - warm
reset(); before = peak()
start = time.perf_counter()
table = load_results(path, metrics="metric_07", entities="entity:03")
seconds = time.perf_counter() - start
grown = peak() - before
table.to_pickle(out)
print(json.dumps({"seconds": seconds, "grown_mib": grown, "warm_up_mib": warm, "rows": len(table)}))
"""


def test_one_metric_of_a_large_table_loads_in_seconds_with_bounded_memory(tmp_path):
    """30 million rows in 50 row groups (~8 s here, most of it writing the table)."""
    runs, path = 1000, tmp_path / "results.parquet"
    write_study_like(path, runs)
    assert pq.read_metadata(path).num_rows == runs * PER_RUN
    proc = subprocess.run([sys.executable, "-c", LOAD, str(path), str(tmp_path / "got.pkl")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    got = pd.read_pickle(tmp_path / "got.pkl")
    # metric_07 x entity:03 is series 73 of every run: 120 consecutive rows at 73 * 120 in each run
    rows = (np.arange(runs)[:, None] * PER_RUN + (7 * N_ENTITIES + 3) * N_MONTHS + np.arange(N_MONTHS)).ravel()
    assert stats["rows"] == len(got) == runs * N_MONTHS
    np.testing.assert_array_equal(got["value"].to_numpy(), rows.astype(float))
    assert set(got["metric"]) == {"metric_07"} and set(got["entity"]) == {"entity:03"}
    assert got["run"].astype(str).tolist() == [f"{r:05d}" for r in range(runs) for _ in range(N_MONTHS)]
    assert got["month"].iloc[:N_MONTHS].tolist() == list(pd.date_range("2026-01-01", periods=N_MONTHS, freq="MS"))
    # The whole table in memory would be ~29 bytes a row (three 8-byte columns and category codes).
    full_mib = runs * PER_RUN * 29 / 2**20
    print(f"{runs * PER_RUN:,} rows ({full_mib:.0f} MiB in memory): one metric and entity in "
          f"{stats['seconds']:.2f} s, peak memory +{stats['grown_mib']:.0f} MiB after a warm-up of "
          f"+{stats['warm_up_mib']:.0f} MiB (one row group, and the libraries' own start)")
    assert stats["seconds"] < 10
    assert stats["grown_mib"] < full_mib / 10   # a row group at a time, plus the rows kept
