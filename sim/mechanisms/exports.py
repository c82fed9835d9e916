"""China's goods exports by destination: a documented reduced form (docs/ODD.md S13).

Each destination's pull is its 2024 share grown at its own trend, damped by tariffs with a
constant elasticity, and raised for circle-B members by an uplift per year of their current membership
(China's package partners buy its equipment, vehicles and grids: D23, D70). Places not
modelled keep a share of their own; shares are over China's total exports.
"""

from __future__ import annotations

import numpy as np


def export_shares(share0: np.ndarray, growth: np.ndarray, years: float | np.ndarray, tariff_rise: np.ndarray,
                  elasticity: float, years_in_b: np.ndarray, uplift_b: float,
                  rest_share: float, rest_growth: float, home: int) -> np.ndarray:
    """Share of China's exports going to each destination, in one month or in each of ``T``.

    Args:
        share0: 2024 share of China's exports per destination ``[C]`` (D82).
        growth: trend growth per year of each destination's pull ``[C]``.
        years: years since 2024-01: a scalar, or one per month ``[T]``.
        tariff_rise: each destination's tariff rise on Chinese goods since 2024 ``[C]`` (``[T, C]``).
        elasticity: exports fall as ``(1 + tariff_rise) ** -elasticity``.
        years_in_b: years since each destination joined circle B (0 if not in B) ``[C]`` (``[T, C]``).
        uplift_b: extra growth per year of circle-B membership.
        rest_share: 2024 share of destinations not modelled.
        rest_growth: their growth per year.
        home: index of China (no exports to itself).

    Returns:
        ``[C]`` (``[T, C]``) shares of China's total exports (with the rest, they sum to 1).
    """
    years = np.asarray(years, dtype=float)[..., None]   # broadcast over destinations
    pull = (share0 * (1.0 + growth) ** years * (1.0 + tariff_rise) ** (-elasticity)
            * (1.0 + uplift_b) ** years_in_b)
    pull[..., home] = 0.0
    rest = rest_share * (1.0 + rest_growth) ** years
    return pull / (pull.sum(axis=-1, keepdims=True) + rest)
