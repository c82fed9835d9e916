"""The engine against its stored reference ensemble (issue 15: statistical equivalence, not bit-identity).

``tests/reference/`` holds, per scenario and seed, the key outputs of the three scenarios and the
hindcast for 50 replicate seeds from seed 0, saved by ``python -m experiments.reference_ensemble``
from the engine named by its ``commit`` (definitions in ``reference.json``). The default suite
reruns the first ``SUBSET`` of those seeds (the same seeds: replicate seeds are spawned, so the
first n of 50 are the seeds of a 10-replicate run); ``-m slow`` reruns all 50.

Two checks, named apart so the first can be dropped on its own:

* ``test_subset_is_bit_identical_to_the_reference``: the same seeds give the same numbers to the
  last bit. True of today's engine; the fast core of issue 15 may change the last bits, and when
  it lands ``BIT_IDENTICAL`` is set to False (that test then skips with its reason), nothing else.
* ``test_subset_is_statistically_equivalent_to_the_reference``: per key output, a two-sample
  Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``, two-sided) of the rerun against the 50
  reference seeds must not reject at a family-wise level ``FAMILY_ALPHA`` = 0.01, Bonferroni-
  corrected: each output's p-value must exceed 0.01 / K, K the outputs tested in that call (77
  today). And the rerun's median must lie inside the reference's 5-95% band (with 10 seeds drawn
  from the reference's own distribution that fails for about 0.05% of outputs, by simulation).
  Outputs constant over all 50 reference seeds (US generation lag 1.00, Virginia's cut-in slip,
  China's production costs, the hindcast's 2024 total, trough month and depth, ...) are set by the
  config rather than by chance; KS is degenerate for them (equal gives p = 1 and any difference,
  even in the last bit, p near 0), so they compare with ``pytest.approx`` at a relative tolerance
  of 1e-6 (room for a reordered floating-point sum, none for a changed mechanism). A NaN is a
  value of its own (e.g. a hindcast that never recovers): the rerun may hold one only where the
  reference does; KS and the band use the finite values.

Power: at the corrected level the 10-seed check catches an output moved by about its reference
5-95% width or more (a mechanism switched off, a unit slip); the 50-seed one finer shifts. For
the US's cumulative fiscal cost, whose spread is wide (5-95%: 0.74-2.8 bn USD in
rhythm_embedded), 50 resampled seeds scaled by 1.5 are flagged in ~5% of draws and a 10-seed
rerun needs about x3; outputs with narrow spreads (prices, capacity shares, the hindcast's
totals) are held far tighter. Where an intended change moves an output, the closing note of
issue 15 says which and why, and the reference is saved again.

The seeds are the same on both sides, so while the engine is unchanged the KS test compares a
sample with a superset of itself (the lowest p-value today is 0.045, against a corrected level
of 1.3e-4); once it changes, the realisations decorrelate and the test is the ordinary one (it is
conservative if they stay positively correlated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from experiments.reference_ensemble import definitions, key_outputs, load_reference
from sim.runs.runner import replicate_seeds
from sim.vocab import HINDCASTS, SCENARIOS

BIT_IDENTICAL = False   # set False when issue 15's rewritten core lands (results may change in the last bits)
SUBSET = 10            # seeds rerun in the default suite (the reference's first 10)
FAMILY_ALPHA = 0.01    # family-wise KS level, Bonferroni-corrected over the outputs tested
BAND = (0.05, 0.95)    # the reference's band a rerun's median must lie in
REL_TOL = 1e-6         # for outputs constant over every reference seed
ALL = SCENARIOS + HINDCASTS


@pytest.fixture(scope="module")
def reference() -> tuple[pd.DataFrame, dict]:
    return load_reference()


def rerun(seeds: int) -> pd.DataFrame:
    return pd.concat([key_outputs(s, seeds) for s in ALL], ignore_index=True)


@pytest.fixture(scope="module")
def subset() -> pd.DataFrame:
    return rerun(SUBSET)


def compare(ref: pd.DataFrame, new: pd.DataFrame, alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """One row per (scenario, output): how it was compared and whether it passed.

    Args:
        ref: the reference's tidy key outputs (``scenario, seed, output, value``).
        new: the rerun's, same layout (any number of seeds).
        alpha: family-wise KS level; each output's p-value must exceed ``alpha / K``.

    Returns:
        ``scenario, output, kind`` (``constant`` or ``ks``), ``p``, ``median``, ``p05``, ``p95``,
        ``reference`` (the constant's value), ``ok`` and ``why`` (empty when ok).
    """
    rows = []
    for (scenario, output), r in ref.groupby(["scenario", "output"], sort=False):
        n = new.loc[(new.scenario == scenario) & (new.output == output), "value"].to_numpy()
        r = r["value"].to_numpy()
        row = {"scenario": scenario, "output": output, "why": ""}
        if len(n) == 0:
            row["why"] = "missing from the rerun"
        elif np.isnan(n).any() and not np.isnan(r).any():
            row["why"] = f"{int(np.isnan(n).sum())} NaN where the reference has none"
        # Compared at 9 significant digits: round-off must not split a value (many outputs take a few
        # discrete values, where the KS statistic would see every last-bit change as a difference).
        rf, nf = _significant(r[~np.isnan(r)]), _significant(n[~np.isnan(n)])
        # Constant: equal over every reference seed up to round-off (seeds may differ in the last bit).
        if len(rf) and np.ptp(rf) <= REL_TOL * abs(rf[0]) + 1e-12:
            row |= {"kind": "constant", "reference": rf[0]}
            if not row["why"] and not all(v == pytest.approx(rf[0], rel=REL_TOL, abs=1e-12) for v in nf):
                row["why"] = f"constant {rf[0]:.6g} in the reference, rerun {np.unique(nf)[:5]}"
        else:
            lo, hi = np.quantile(rf, BAND)
            med = float(np.median(nf)) if len(nf) else np.nan
            row |= {"kind": "ks", "p": ks_2samp(nf, rf).pvalue if len(nf) else 0.0,
                    "median": med, "p05": lo, "p95": hi}
            slack = REL_TOL * max(abs(lo), abs(hi)) + 1e-12   # a band of one value, met up to round-off
            if not row["why"] and not lo - slack <= med <= hi + slack:
                row["why"] = f"median {med:.6g} outside the reference's 5-95% band [{lo:.6g}, {hi:.6g}]"
        rows.append(row)
    out = pd.DataFrame(rows)
    ks = out["kind"] == "ks"
    level = alpha / max(int(ks.sum()), 1)   # Bonferroni
    reject = ks & (out["p"] <= level) & (out["why"] == "")
    out.loc[reject, "why"] = out.loc[reject, "p"].map(lambda p: f"KS p = {p:.2g} <= {level:.2g}")
    out["ok"] = out["why"] == ""
    return out


def _significant(x: np.ndarray, digits: int = 9) -> np.ndarray:
    return np.array([float(f"{v:.{digits}g}") for v in x])


def failures(report: pd.DataFrame) -> str:
    bad = report[~report["ok"]]
    return "\n".join(f"{r.scenario} {r.output}: {r.why}" for r in bad.itertuples())


def assert_equivalent(ref: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    report = compare(ref, new)
    assert report["ok"].all(), "not equivalent to tests/reference:\n" + failures(report)
    return report


def assert_identical(ref: pd.DataFrame, new: pd.DataFrame) -> None:
    key = ["scenario", "seed", "output"]
    seeds = set(new["seed"])
    expected = ref[ref["seed"].isin(seeds)].set_index(key)["value"].sort_index()
    got = new.set_index(key)["value"].sort_index()
    assert got.index.equals(expected.index)
    differ = ~((got.to_numpy() == expected.to_numpy()) | (np.isnan(got.to_numpy()) & np.isnan(expected.to_numpy())))
    assert not differ.any(), f"{int(differ.sum())} values differ, e.g. {got[differ].head(5).to_dict()}"


# ---- the stored reference ---------------------------------------------------------------------

def test_reference_is_complete_and_described(reference):
    ref, manifest = reference
    seeds = replicate_seeds(manifest["base_seed"], manifest["replicates"])
    assert manifest["seeds"] == seeds and manifest["replicates"] == 50 and manifest["commit"]
    assert list(pd.unique(ref["scenario"])) == list(ALL)
    defs = definitions()
    assert set(manifest["outputs"]) == set(ref["output"]) and all(manifest["outputs"][k] == defs[k]
                                                                 for k in manifest["outputs"])
    for scenario, rows in ref.groupby("scenario"):
        assert list(pd.unique(rows["seed"])) == seeds, scenario
        assert rows.groupby("seed").size().eq(len(manifest["scenarios"][scenario])).all(), scenario


def test_comparison_flags_a_shifted_output_and_a_changed_constant(reference):
    """The comparison is not vacuous: one output moved past the reference's range, or one constant
    changed in its fourth digit, fails it, and nothing else does."""
    ref, manifest = reference
    new = ref[ref["seed"].isin(manifest["seeds"][:SUBSET])].copy()
    assert compare(ref, new)["ok"].all()
    shifted = new.copy()
    rows = (shifted.scenario == "rhythm_embedded") & (shifted.output == "us_fiscal_cost_end")
    values = ref.loc[(ref.scenario == "rhythm_embedded") & (ref.output == "us_fiscal_cost_end"), "value"]
    shifted.loc[rows, "value"] += values.max() - values.min()
    assert set(compare(ref, shifted).query("not ok")["output"]) == {"us_fiscal_cost_end"}
    changed = new.copy()
    rows = (changed.scenario == "collision") & (changed.output == "us_generation_lag_2030_35")
    changed.loc[rows, "value"] += 1e-3
    assert set(compare(ref, changed).query("not ok")["output"]) == {"us_generation_lag_2030_35"}


# ---- the current engine, first 10 seeds ------------------------------------------------------

@pytest.mark.skipif(not BIT_IDENTICAL, reason="issue 15: the rewritten core changes results in the last bits; "
                                              "the statistical test below is the check")
def test_subset_is_bit_identical_to_the_reference(reference, subset):
    """Today's engine gives the reference's numbers exactly for its first 10 seeds."""
    ref, manifest = reference
    assert list(pd.unique(subset["seed"])) == manifest["seeds"][:SUBSET]
    assert_identical(ref, subset)


def test_subset_is_statistically_equivalent_to_the_reference(reference, subset):
    """The first 10 seeds' key outputs are distributed as the 50 reference seeds' (module docstring)."""
    report = assert_equivalent(reference[0], subset)
    assert (report["kind"] == "ks").sum() >= 60   # most outputs vary by seed: the test has something to test


# ---- all 50 seeds -------------------------------------------------------------------------------

@pytest.mark.slow
def test_full_ensemble_is_statistically_equivalent_to_the_reference(reference):
    """All 50 seeds again: equivalent as distributions, and identical while ``BIT_IDENTICAL``."""
    ref, manifest = reference
    full = rerun(manifest["replicates"])
    assert_equivalent(ref, full)
    if BIT_IDENTICAL:
        assert_identical(ref, full)
