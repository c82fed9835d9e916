"""Investment outside China: does a candidate plant clear its investor's hurdle?

The investor values a plant at the price it expects to last (China's price plus a share of
today's ex-China premium: the premium is expected to fade as China can always undercut), plus
the host government's production subsidy, or the contract floor if higher; less unit cost.
Cash flows at 80% utilisation over the horizon are discounted at the hurdle rate from first
output; the capex net of grants is paid at the decision.
"""

from __future__ import annotations

import numpy as np

UTILISATION = 0.8  # assumption: a new plant's average load over its first decade


def expected_price(price_cn: float, price_row: float, persistence: float) -> float:
    """Price an investor expects to last: China's plus ``persistence`` of the premium."""
    return price_cn + persistence * max(price_row - price_cn, 0.0)


def lead_months(permitting: float, construction: float, opposition: float) -> float:
    """Months from decision to first output; opposition (0-1) can double permitting."""
    return permitting * (1.0 + opposition) + construction


def project_npv(margin_usd_per_kg: float, capacity_tpy: float, capex_usd: float, grant_share: float,
                hurdle: float, horizon_years: float, lead: float) -> float:
    """Net present value (USD) at the decision of a plant with a constant unit margin.

    Args:
        margin_usd_per_kg: expected price plus subsidy (or floor) minus unit cost.
        capacity_tpy: nameplate output, t/yr (all outputs valued through the margin).
        capex_usd: investment cost.
        grant_share: share of capex paid by a government grant.
        hurdle: investor's discount rate per year.
        horizon_years: years of output valued.
        lead: months from decision to first output.
    """
    cash = margin_usd_per_kg * capacity_tpy * 1000.0 * UTILISATION
    annuity = (1.0 - (1.0 + hurdle) ** -horizon_years) / hurdle if hurdle > 0 else horizon_years
    return cash * annuity * (1.0 + hurdle) ** -(lead / 12.0) - capex_usd * (1.0 - grant_share)


def is_election(abs_month: int, election_months: np.ndarray) -> bool:
    """Whether an absolute month (year*12 + month-1) is one of the US election months."""
    return bool(np.any(election_months == abs_month))
