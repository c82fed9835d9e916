"""Golden tables: refactoring must not change results.

The three forward scenarios (36 months) and the hindcast (its 27 months), two replicates each,
must give exactly the tables in ``tests/golden/``. When a change of results is intended,
rewrite them with ``uv run python tests/test_golden.py`` and say why in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import run_scenario

GOLDEN = Path(__file__).resolve().parent / "golden"
# Forward scenarios on a 36-month horizon (the DFARS month, the club's first reviews, the first
# investment decisions); the hindcast on its own horizon.
CASES = {
    "rhythm_embedded": ["months=36"],
    "collision": ["months=36"],
    "bifurcation": ["months=36"],
    "hindcast_2025": [],
}
COMMON = ["replicates=2", "seed=0", "figures=false"]


def compute(name: str) -> pd.DataFrame:
    """The scenario's tidy table as the golden file holds it (plain columns, no categories)."""
    table = run_scenario(name, overrides=COMMON + CASES[name])
    return table.astype({c: str for c in ("scenario", "metric", "entity")}).reset_index(drop=True)


def digest(table: pd.DataFrame) -> str:
    """SHA-256 of a table's values, row by row (index-free)."""
    return hashlib.sha256(pd.util.hash_pandas_object(table, index=False).values.tobytes()).hexdigest()


def full_digest(name: str) -> str:
    """Digest of the full-horizon table (120 months; the hindcast's 27), two replicates."""
    table = run_scenario(name, overrides=COMMON)
    return digest(table.astype({c: str for c in ("scenario", "metric", "entity")}).reset_index(drop=True))


@pytest.mark.parametrize("name", list(CASES))
def test_identical_to_golden(name: str) -> None:
    """Every metric the golden table holds is identical; metrics added since are not compared."""
    expected = pd.read_parquet(GOLDEN / f"{name}.parquet")
    got = compute(name)
    got = got[got["metric"].isin(set(expected["metric"]))].reset_index(drop=True)
    assert len(got) == len(expected), f"{name}: {len(got)} rows, golden has {len(expected)}"
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_full_horizon_identical(name: str) -> None:
    expected = json.loads((GOLDEN / "full_horizon.json").read_text())
    assert full_digest(name) == expected[name], f"{name}: the 120-month table changed"


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        path = GOLDEN / f"{case}.parquet"
        compute(case).to_parquet(path, index=False, compression="zstd")
        print(f"wrote {path}", file=sys.stderr)
    digests = {case: full_digest(case) for case in CASES}
    (GOLDEN / "full_horizon.json").write_text(json.dumps(digests, indent=1) + "\n")
    print(f"wrote {GOLDEN / 'full_horizon.json'}", file=sys.stderr)
