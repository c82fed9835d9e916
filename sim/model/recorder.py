"""Data collection: per-month arrays during a run, one tidy table at the end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import month_dates
from sim.mechanisms.allocation import allocate_orders
from sim.mechanisms.exports import export_shares
from sim.mechanisms.metrics import lag_series, mean_of
from sim.mechanisms.production import planned_rate
from sim.model.upgrade_records import UpgradeRecords
from sim.model.world import gdp_at, years_since_2024
from sim.vocab import CIRCLES, DAYS_PER_MONTH, MAGNET, MARKETS, MATERIALS, STAGES


class Recorder:
    """Preallocated per-month records of one model run.

    Args:
        model: the model being recorded.
        months: number of months to record.
    """

    def __init__(self, model, months: int):
        self.model = model
        w = model.world
        n_c, n_m = len(w.countries), len(MATERIALS)
        self.months = months
        self.deliveries = np.zeros((months, len(w.programs)))
        self.shortfall = np.zeros((months, n_c, n_m))
        self.cover_days = np.zeros((months, n_c, n_m))
        self.price = np.zeros((months, n_m, len(MARKETS)))
        self.capacity_share = np.zeros((months, len(STAGES)))
        self.export_share = np.zeros((months, n_c))
        self.circle_b = np.zeros(months)
        self.fiscal = np.zeros((months, n_c))
        self.cn_magnet_exports = np.zeros((months, n_c))
        self.unit_cost = np.full((months, len(STAGES), len(MARKETS)), np.nan)
        self.america_first = np.zeros(months, dtype=bool)
        self.circle = np.zeros((months, n_c), dtype=int)
        self.decided = np.zeros((months, len(STAGES)))
        self.us_subsidy = np.zeros(months)
        self.circle_b_south = np.zeros(months)
        self.member = np.zeros((months, n_c), dtype=bool)
        self.pressure = np.zeros(months)
        self.extraterritorial = np.zeros(months, dtype=bool)
        self.upgrades = UpgradeRecords(model, months)

    def record(self, t: int) -> None:
        """Store month ``t`` of the model's state."""
        m, w = self.model, self.model.world
        self.deliveries[t] = m.delivered
        self.america_first[t] = m.terms.america_first
        self.shortfall[t] = m.shortfall
        stockpile = m.stockpiles.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cover_days[t] = np.where(m.use > 0, stockpile / (m.use / DAYS_PER_MONTH), 0.0)
        self.price[t] = m.price
        for s, plants in enumerate(m.by_stage):
            cap = np.array([r.ramp(t) * w.r_cap[r.index] for r in plants])
            foreign = np.array([not r.chinese for r in plants])
            self.capacity_share[t, s] = cap[foreign].sum() / cap.sum() if cap.sum() > 0 else 0.0
        pol = m.policy
        self.export_share[t] = export_shares(
            w.export_share0, w.export_growth, years_since_2024(pol.start_abs, t), m.terms.tariff_rise,
            pol.elasticity, m.months_in_b / 12.0, pol.uplift_b, pol.rest_share, pol.rest_growth, w.cn)
        gdp = gdp_at(w, m.policy.start_abs, t)
        self.circle[t] = m.circle
        for r in m.refiners:
            if r.candidate and r.decided_at is not None:
                self.decided[t, r.stage] += 1
        self.us_subsidy[t] = m.subsidy[m.us] if m.us >= 0 else 0.0
        in_b = m.circle == CIRCLES.index("B")
        self.circle_b[t] = gdp[in_b].sum() / gdp.sum()
        south = pol.choosers
        self.circle_b_south[t] = gdp[south][in_b[south]].sum() / gdp[south].sum() if south.size else 0.0
        self.member[t] = m.member
        self.pressure[t] = m.terms.pressure
        self.extraterritorial[t] = m.terms.extraterritorial
        self.fiscal[t] = m.fiscal
        self.cn_magnet_exports[t] = m.cn_exports[:, MAGNET]
        made, usd = m.cost[..., 0], m.cost[..., 1]
        self.unit_cost[t] = np.where(made > 0, usd / np.maximum(made, 1e-12) / 1000.0, np.nan)
        self.upgrades.record(t)

    def budget_passed_at(self) -> int:
        """Month Taiwan's special budget passed, or the horizon if it never did."""
        tw = self.model.taiwan
        return self.months if tw is None or tw.budget_passed_at is None else tw.budget_passed_at

    def _program_lags(self, p, plan: np.ndarray, delivered: np.ndarray):
        """Program lag and per-customer lag: the plan is the FCFS contract schedule with every
        order funded; actual deliveries follow the rule of each month and wait for budgets."""
        opened = np.maximum(p.order_month, 0)
        actual_open = np.where(p.order_special, np.maximum(opened, self.budget_passed_at() + 1), opened)
        fcfs = np.zeros(self.months, dtype=bool)
        p_orders = allocate_orders(plan, p.order_units, p.order_month, p.order_score, fcfs, opened)
        # The arms-transfer strategy (D55) governs US transfers only.
        rule = self.america_first if p.country == self.model.us else fcfs
        d_orders = allocate_orders(delivered, p.order_units, p.order_month, p.order_score, rule, actual_open)
        return lag_series(np.cumsum(plan), np.cumsum(delivered), p.order_country, p_orders, d_orders)

    def series(self) -> list[tuple[str, str, np.ndarray]]:
        """Every output series as ``(metric, entity, values[T])``."""
        w, T = self.model.world, self.months
        out: list[tuple[str, str, np.ndarray]] = []
        by_country: dict[int, list] = {}
        high_end: dict[int, list] = {}
        for i, p in enumerate(w.programs):
            plan = planned_rate(np.arange(T), p.rate, p.target, p.ramp)
            lag, per_country = self._program_lags(p, plan, self.deliveries[:, i])
            out += [("delivery_lag_months", p.pid, lag), ("delivery_lag_cycles", p.pid, lag / p.cycle),
                    ("deliveries_units", p.pid, self.deliveries[:, i]),
                    ("planned_units", p.pid, plan)]
            for c, series in per_country.items():
                by_country.setdefault(c, []).append((series, p.cycle))
                if p.high_end:
                    high_end.setdefault(c, []).append((series, p.cycle))
        members, lag_m, lag_c = [], [], []
        for c, items in sorted(by_country.items()):
            months = mean_of([s for s, _ in items], T)
            cycles = mean_of([s / cyc for s, cyc in items], T)
            cid = w.countries[c]
            out += [("delivery_lag_months", f"country:{cid}", months),
                    ("delivery_lag_cycles", f"country:{cid}", cycles)]
            members.append(c)
            lag_m.append(months)
            lag_c.append(cycles)
        for c, items in sorted(high_end.items()):   # the customer's high-end programs only
            out += [("delivery_lag_months", f"high_end:{w.countries[c]}", mean_of([a for a, _ in items], T)),
                    ("delivery_lag_cycles", f"high_end:{w.countries[c]}", mean_of([a / cyc for a, cyc in items], T))]
        # A circle's lag: mean over the customer countries in that circle in each month.
        inside = self.circle[:, members].T if members else np.zeros((0, T), int)
        for k, circle in enumerate(CIRCLES):
            mask = inside == k
            if not mask.any():
                continue
            n = np.maximum(mask.sum(axis=0), 1)
            out += [("delivery_lag_months", f"circle:{circle}", (np.array(lag_m) * mask).sum(axis=0) / n),
                    ("delivery_lag_cycles", f"circle:{circle}", (np.array(lag_c) * mask).sum(axis=0) / n)]
            
        for c, cid in enumerate(w.countries):
            for k, mat in enumerate(MATERIALS):
                out.append(("shortfall_t", f"{mat}:{cid}", self.shortfall[:, c, k]))
                out.append(("stockpile_cover_days", f"{mat}:{cid}", self.cover_days[:, c, k]))
            out.append(("fiscal_cost_usd", cid, self.fiscal[:, c]))
            out.append(("china_magnet_exports_t", cid, self.cn_magnet_exports[:, c]))
            if c != w.cn:
                out.append(("china_export_share", cid, self.export_share[:, c]))
        out.append(("china_magnet_exports_t", "total", self.cn_magnet_exports.sum(axis=1)))
        for k, mat in enumerate(MATERIALS):
            for j, market in enumerate(MARKETS):
                out.append(("price_usd_per_kg", f"{mat}:{market}", self.price[:, k, j]))
        for s, stage in enumerate(STAGES):
            out.append(("nonchina_capacity_share", stage, self.capacity_share[:, s]))
            out.append(("plants_decided", stage, self.decided[:, s]))
            for j, market in enumerate(MARKETS):   # output-weighted unit cost; NaN when nothing was made
                out.append(("production_cost_usd_per_kg", f"{stage}:{market}", self.unit_cost[:, s, j]))
        out.append(("circle_b_share_gdp", "world", self.circle_b))
        out.append(("circle_b_share_gdp", "global_south", self.circle_b_south))
        for c in self.model.policy.club.candidates:
            out.append(("club_member", w.countries[c], self.member[:, c].astype(float)))
        out.append(("club_members", "club", self.member.sum(axis=1).astype(float)))
        out.append(("regime_pressure", "CN", self.pressure))
        out.append(("extraterritorial_rule", "CN", self.extraterritorial.astype(float)))
        for k, circle in enumerate(CIRCLES):
            out.append(("circle_members", f"circle:{circle}", (self.circle == k).sum(axis=1).astype(float)))
        out.append(("america_first_rule", "US", self.america_first.astype(float)))
        out.append(("production_subsidy_usd_per_kg", "US", self.us_subsidy))
        if self.model.taiwan is not None:
            passed = (np.arange(T) >= self.budget_passed_at()).astype(float)
            out.append(("special_budget_passed", "TW", passed))
        return out + self.upgrades.series(self.circle)

    def frame(self, scenario: str, seed: int) -> pd.DataFrame:
        """The tidy table: ``month, scenario, seed, metric, entity, value``."""
        series = self.series()
        T = self.months
        dates = month_dates(self.model.policy.start, T)
        n = len(series) * T
        return pd.DataFrame({
            "month": np.tile(dates, len(series)),
            "scenario": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[scenario]),
            "seed": np.int64(seed),
            "metric": _coded([s[0] for s in series], T),
            "entity": _coded([s[1] for s in series], T),
            "value": np.concatenate([s[2] for s in series]).astype(float),
        })


def _coded(names: list[str], repeat: int) -> pd.Categorical:
    """Each of ``names`` repeated ``repeat`` times, as a categorical: text columns of a tidy table
    are a few dozen names repeated thousands of times, and a string array of every row would cost
    more than the run's arithmetic."""
    categories, codes = np.unique(np.array(names, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(np.repeat(codes, repeat), categories=categories)


