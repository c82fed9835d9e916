"""China's reaction to others' moves, as pure functions (docs/ODD.md S22).

China reads three moves: a club forming around the US (the club's GDP outside its leader,
as a share of the candidates' GDP), US tariffs above the level already priced in, and
stockpiling by circle-A reserves. Their weighted sum is a *pressure* in [0, 1] that tightens
approvals and lengthens reviews for restricted destinations, and above a threshold brings
back the extraterritorial de minimis rule (D13) once its suspension (D14) has ended.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


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
    return float(min(max(p, 0.0), 1.0))


@kernel
def club_share(gdp: np.ndarray, candidates: np.ndarray, member: np.ndarray) -> float:
    """GDP of the candidates in the club over all candidates' GDP, 0-1 (0 with none).

    Args:
        gdp: each country's GDP, USD bn ``[C]``.
        candidates: country indices of the club's candidates ``[N]``.
        member: whether each country is a member ``[C]``.
    """
    values, inside = np.empty(candidates.size), np.empty(candidates.size)
    n_in = 0
    for i, c in enumerate(candidates):
        values[i] = gdp[c]
        if member[c]:
            inside[n_in] = gdp[c]
            n_in += 1
    return inside[:n_in].sum() / max(values.sum(), 1e-12)


@kernel
def reserve_cover(held: np.ndarray, use: np.ndarray, circle: np.ndarray, stockpiler: int) -> float:
    """Years of their use that the reserves of one circle's countries cover (0 with none).

    Args:
        held: t of the material each country holds in reserve, by origin class ``[C, K]``.
        use: each country's use of it, t/month ``[C]``.
        circle: each country's circle index ``[C]``.
        stockpiler: the circle whose reserves count (circle A, whose stockpiling China reads).
    """
    stock, need = 0.0, np.empty(circle.size)
    n = 0
    for c in range(circle.size):
        if circle[c] == stockpiler:
            stock += held[c].sum()   # country by country
            need[n] = use[c]
            n += 1
    return stock / max(need[:n].sum() * 12.0, 1e-12)


@kernel
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
    prob_out, days_out = prob.astype(np.float64), days.astype(np.float64)   # copies
    for i in range(prob.size):
        if reacting[i]:
            prob_out[i] = prob[i] * (1.0 - tighten * p)
            days_out[i] = days[i] * (1.0 + slow * p)
    return prob_out, days_out


@kernel
def buyer_terms(prob: np.ndarray, days: np.ndarray, reacting: np.ndarray, p: float, tighten: float,
                slow: float, tier: np.ndarray, denied: np.ndarray, foreign: np.ndarray,
                transit: np.ndarray, working_days: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each buyer's licence terms under pressure ``p``: its tier's terms after :func:`tightened`.

    Args:
        prob, days, reacting, p, tighten, slow: as :func:`tightened`, per tier.
        tier: each buyer's tier ``[B]``.
        denied: buyers refused outright (military end use while China denies it) ``[B]``.
        foreign: buyers outside China ``[B]``.
        transit: months of shipping from China to each buyer ``[B]``.
        working_days: working days per month (review days to months).

    Returns:
        ``(approval probability, review days, expected lead in months)``, each ``[B]``; a
        buyer in China has no lead.
    """
    prob_t, days_t = tightened(prob, days, reacting, p, tighten, slow)
    n = tier.size
    approve, review, lead = np.empty(n), np.empty(n), np.zeros(n)
    for b in range(n):
        approve[b] = 0.0 if denied[b] else prob_t[tier[b]]
        review[b] = days_t[tier[b]]
        if foreign[b]:
            lead[b] = review[b] / working_days + transit[b]
    return approve, review, lead
