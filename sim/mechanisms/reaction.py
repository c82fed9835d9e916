"""China's reaction to others' moves, as pure functions (docs/ODD.md S22).

China reads three moves: a club forming around the US (the club's GDP outside its leader,
as a share of the candidates' GDP), US tariffs above the level already priced in, and
stockpiling by circle-A reserves. Their weighted sum is a *pressure* in [0, 1] that tightens
approvals and lengthens reviews for restricted destinations, and above a threshold brings
back the extraterritorial de minimis rule (D13) once its suspension (D14) has ended.
"""

from __future__ import annotations

import numpy as np


def pressure(club_share: float, tariff_rise: float, reserve_cover: float, weights: dict,
             tariff_reference: float) -> float:
    """Pressure on China's regime, clipped to [0, 1].

    Args:
        club_share: GDP of the club's members other than the leader over the candidates' GDP.
        tariff_rise: the US tariff rise on Chinese goods since 2024 (0.28 = 28 points).
        reserve_cover: circle-A reserves' heavy-oxide cover, in years of their use.
        weights: pressure per unit of ``club``, ``tariff`` (above ``tariff_reference``) and
            ``stockpile``.
        tariff_reference: tariff rise China has already answered (no pressure below it).
    """
    p = (weights["club"] * club_share + weights["tariff"] * max(tariff_rise - tariff_reference, 0.0)
         + weights["stockpile"] * reserve_cover)
    return float(np.clip(p, 0.0, 1.0))


def tightened(prob: np.ndarray, days: np.ndarray, reacting: np.ndarray, p: float,
              tighten: float, slow: float) -> tuple[np.ndarray, np.ndarray]:
    """Approval rates and review days per tier after the reaction.

    Args:
        prob: base approval probability per tier ``[T]``.
        days: base mean review days per tier ``[T]``.
        reacting: tiers the reaction applies to ``[T]`` (restricted destinations).
        p: pressure in [0, 1].
        tighten: fractional cut of the approval rate at pressure 1.
        slow: fractional rise of review days at pressure 1.

    Returns:
        ``(prob, days)`` per tier.
    """
    return (np.where(reacting, prob * (1.0 - tighten * p), prob),
            np.where(reacting, days * (1.0 + slow * p), days))
