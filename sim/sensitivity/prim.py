"""Scenario discovery: PRIM (EMA Workbench 3.0) over sampled inputs and a case of interest.

PRIM peels a box, step by step, around the points where the case holds; each step trades
*coverage* (share of all cases of interest that fall in the box) for *density* (share of the
box's points that are cases). The whole peeling trajectory is returned and one box chosen by
a stated rule: the densest box whose coverage is at least ``min_coverage`` (ties: the larger
coverage, then the fewer restricted inputs). EMA Workbench is imported on first use (it costs
seconds and warns about optional back-ends).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.errors import ConfigError


@dataclass
class PrimResult:
    """What :func:`find_box` found.

    Attributes:
        trajectory: one row per box on the peeling trajectory: ``id, coverage, density,
            mass, res_dim, n, k`` (k: cases in the box), plus ``chosen``.
        chosen: the chosen box's ``id``.
        limits: the chosen box's restricted inputs: ``input, low, high, levels, qp_low,
            qp_high, significant, full_low, full_high`` (qp: PRIM's quasi-p-values of each
            limit; significant: one below 0.05).
        cases: cases of interest in the data; points: data points.
    """

    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    cases: int
    points: int

    @property
    def stats(self) -> dict:
        row = self.trajectory.loc[self.trajectory["id"] == self.chosen].iloc[0]
        return {"box": int(self.chosen), "coverage": float(row["coverage"]), "density": float(row["density"]),
                "mass": float(row["mass"]), "restricted": int(row["res_dim"]), "cases": self.cases,
                "points": self.points}


def case_threshold(y: np.ndarray, threshold: float | None = None, quantile: float | None = None) -> float:
    """The threshold a case must exceed: ``threshold`` itself, or that quantile of ``y``."""
    if (threshold is None) == (quantile is None):
        raise ConfigError("case: give threshold=<value> or quantile=<q in (0, 1)>, not both")
    if quantile is not None:
        if not 0 < quantile < 1:
            raise ConfigError(f"quantile={quantile!r}: give a value in (0, 1)")
        return float(np.quantile(np.asarray(y, float), quantile))
    return float(threshold)


def _prim_class():
    with warnings.catch_warnings():   # optional back-ends (ipyparallel, altair) it announces on import
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.prim import Prim
    return Prim


def choose_box(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The id of the densest box with coverage >= ``min_coverage`` (ties: more coverage, fewer limits)."""
    ok = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if ok.empty:
        ok = trajectory.iloc[[0]]   # the unrestricted box always covers every case
    best = ok.sort_values(["density", "coverage", "res_dim"], ascending=[False, False, True], kind="stable")
    return int(best.iloc[0]["id"])


def _limits(box, chosen: int, full: pd.DataFrame) -> pd.DataFrame:
    lims, qps = box.box_lims[chosen], box.p_values[chosen]
    rows = []
    for name in lims.columns:
        low, high = lims[name].iloc[0], lims[name].iloc[1]
        f_low, f_high = full[name].iloc[0], full[name].iloc[1]
        if isinstance(low, set):   # a categorical input: the box keeps a subset of its levels
            if low == f_low:
                continue
            levels = " | ".join(sorted(map(str, low)))
            rows.append({"input": name, "low": np.nan, "high": np.nan, "levels": levels,
                         "full_low": np.nan, "full_high": np.nan})
        else:
            if low == f_low and high == f_high:
                continue
            rows.append({"input": name, "low": float(low), "high": float(high), "levels": "",
                         "full_low": float(f_low), "full_high": float(f_high)})
    table = pd.DataFrame(rows, columns=["input", "low", "high", "levels", "full_low", "full_high"])
    qp = [qps.get(name, [np.nan, np.nan]) for name in table["input"]]
    table["qp_low"] = [np.nan if q[0] is None or q[0] == -1 else float(q[0]) for q in qp]
    table["qp_high"] = [np.nan if q[1] is None or q[1] == -1 else float(q[1]) for q in qp]
    # A limit is significant when its quasi-p-value is below 0.05 (Bryant and Lempert 2010).
    table["significant"] = (table[["qp_low", "qp_high"]] < 0.05).any(axis=1)
    return table[["input", "low", "high", "levels", "qp_low", "qp_high", "significant", "full_low", "full_high"]]


def find_box(x: pd.DataFrame, cases: np.ndarray, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
             mass_min: float = 0.05, min_coverage: float = 0.5) -> PrimResult:
    """Run PRIM once and choose a box on its peeling trajectory.

    Args:
        x: one row per point, one column per input (numbers, or text for levels).
        cases: boolean per point: the case of interest holds.
        peel_alpha: share of points peeled per step; paste_alpha: share pasted back.
        mass_min: the smallest box, as a share of all points.
        min_coverage: the chosen box keeps at least this share of the cases.

    Raises:
        ConfigError: no case of interest, or every point is one (nothing to discover).
    """
    cases = np.asarray(cases, dtype=bool)
    if len(cases) != len(x):
        raise ValueError(f"find_box: {len(cases)} cases for {len(x)} points")
    if not 0 < cases.sum() < len(cases):
        raise ConfigError(f"case: {int(cases.sum())} of {len(cases)} points are cases of interest; "
                          "choose a threshold that some points exceed and some do not")
    if not 0 < min_coverage <= 1:
        raise ConfigError(f"min_coverage={min_coverage!r}: give a value in (0, 1]")
    frame = x.reset_index(drop=True).copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            # Integers as floats too: EMA Workbench 3.0's pasting writes a float limit into an
            # integer column, which pandas 3 refuses; the limits stay ordered either way.
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype(str).astype("category")
    Prim = _prim_class()
    with warnings.catch_warnings():
        # EMA Workbench 3.0 uses pandas' deprecated ``inplace=`` (pandas 3 warns); not ours to fix.
        warnings.filterwarnings("ignore", message="The inplace keyword")
        prim = Prim(frame, cases.astype(int), peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
        box = prim.find_box()
    trajectory = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]].copy()
    trajectory = trajectory.astype({"id": int, "res_dim": int, "n": int, "k": int})
    chosen = choose_box(trajectory, min_coverage)
    trajectory["chosen"] = trajectory["id"] == chosen
    return PrimResult(trajectory.reset_index(drop=True), chosen, _limits(box, chosen, box.box_lims[0]),
                      int(cases.sum()), len(cases))
