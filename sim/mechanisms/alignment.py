"""Global South alignment: a yearly logit choice between circle A, circle B and neither.

Utilities (article 004, D70): circle B offers concrete value (China's package of financing,
construction and purchasing, as % of GDP a year) and supply security (how much of the
group's magnet need China's supply filled); circle A offers its own, smaller packages and
security and institutional value. Both gain from peers: the GDP share of the other choosers
already in the circle. Staying where one is carries an inertia bonus; staying unaligned
keeps a hedging value.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel


def utilities(package_a: np.ndarray, package_b: np.ndarray, security_a: np.ndarray,
              supply_fill: np.ndarray, peer_a: np.ndarray, peer_b: np.ndarray, current: np.ndarray,
              w: dict) -> np.ndarray:
    """Utility of circles A, B and U for each chooser, ``[N, 3]``.

    Args:
        package_a, package_b: concrete offers, % of the chooser's GDP per year, ``[N]``.
        security_a: security and institutional value of circle A, index in [0, 1], ``[N]``.
        supply_fill: share of the chooser's magnet need met over the past months, ``[N]``.
        peer_a, peer_b: GDP share of the other choosers in A and in B, ``[N]``.
        current: index of each chooser's current circle (0 A, 1 B, 2 U), ``[N]``.
        w: weights ``concrete, supply, security, peer, hedge, inertia``.
    """
    v = np.zeros((package_a.size, 3))
    v[:, 0] = w["concrete"] * package_a + w["security"] * security_a + w["peer"] * peer_a
    v[:, 1] = w["concrete"] * package_b + w["supply"] * supply_fill + w["peer"] * peer_b
    v[:, 2] = w["hedge"]
    v[np.arange(package_a.size), current] += w["inertia"]
    return v


def choice_probabilities(v: np.ndarray) -> np.ndarray:
    """Multinomial-logit probabilities of each row of utilities ``[N, 3]``."""
    e = np.exp(v - v.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def peer_shares(circle: np.ndarray, gdp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each chooser, the GDP share of the *other* choosers in circle A and in B."""
    total = gdp.sum() - gdp
    room = np.maximum(total, 1e-12)   # no division by zero: a lone chooser's peers hold nothing
    a, b = (circle == 0) * gdp, (circle == 1) * gdp
    in_a = np.where(total > 0, a.sum() - a, 0.0) / room
    in_b = np.where(total > 0, b.sum() - b, 0.0) / room
    return in_a, in_b


def draw(probabilities: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Circle index per chooser from one uniform draw each (inverse CDF)."""
    return np.minimum((uniforms[:, None] > np.cumsum(probabilities, axis=1)).sum(axis=1), 2)


@kernel
def months_in_circle(months: np.ndarray, circle: np.ndarray, which: int) -> np.ndarray:
    """Months each country has been in circle ``which`` after one more month: one more for its
    members, 0 for every other country ``[C]`` (a month's step, compiled: it runs every month)."""
    out = np.zeros(months.size)
    for c in range(months.size):
        if circle[c] == which:
            out[c] = months[c] + 1.0
    return out
