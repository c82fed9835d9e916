"""Data collection: per-month arrays during a run, one tidy table at the end.

A month's record is a copy of the model state the outputs are made of; every output that is a
function of those copies (cover days, export and GDP shares, capacity shares, unit costs) is
computed once over all months when the table is built, not month by month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.refiner import NEVER
from sim.calendar import month_dates
from sim.mechanisms.allocation import allocate_orders
from sim.mechanisms.exports import export_shares
from sim.mechanisms.metrics import lag_series, mean_of
from sim.mechanisms.production import planned_rate
from sim.model.upgrade_records import UpgradeRecords
from sim.model.world import years_since_2024
from sim.vocab import CIRCLES, DAYS_PER_MONTH, MAGNET, MARKETS, MATERIALS, N_CLASSES, STAGES

B = CIRCLES.index("B")


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
        self.stockpiles = np.zeros((months, n_c, n_m, N_CLASSES))   # t in strategic stockpiles
        self.use = np.zeros((months, n_c, n_m))                      # t/month used
        self.price = np.zeros((months, n_m, len(MARKETS)))
        self.plant_start = np.zeros((months, len(w.refiners)), dtype=np.int64)
        self.tariff_rise = np.zeros((months, n_c))
        self.months_in_b = np.zeros((months, n_c))
        self.fiscal = np.zeros((months, n_c))
        self.cn_magnet_exports = np.zeros((months, n_c))
        self.cost = np.zeros((months,) + model.cost.shape)           # [T, stage, market, (t made, USD)]
        self.america_first = np.zeros(months, dtype=bool)
        self.circle = np.zeros((months, n_c), dtype=int)
        self.us_subsidy = np.zeros(months)
        self.member = np.zeros((months, n_c), dtype=bool)
        self.pressure = np.zeros(months)
        self.extraterritorial = np.zeros(months, dtype=bool)
        self.upgrades = UpgradeRecords(model, months)

    def record(self, t: int) -> None:
        """Store month ``t`` of the model's state."""
        m = self.model
        terms = m.terms
        self.deliveries[t] = m.delivered
        self.shortfall[t] = m.shortfall
        self.stockpiles[t] = m.stockpiles
        self.use[t] = m.use
        self.price[t] = m.price
        self.plant_start[t] = m.plant_start
        self.tariff_rise[t] = terms.tariff_rise
        self.months_in_b[t] = m.months_in_b
        self.fiscal[t] = m.fiscal
        self.cn_magnet_exports[t] = m.cn_exports[:, MAGNET]
        self.cost[t] = m.cost
        self.america_first[t] = terms.america_first
        self.circle[t] = m.circle
        self.us_subsidy[t] = m.subsidy[m.us] if m.us >= 0 else 0.0
        self.member[t] = m.member
        self.pressure[t] = terms.pressure
        self.extraterritorial[t] = terms.extraterritorial
        self.upgrades.record(t)

    # ---- outputs computed from the records, over all months at once ------------------------
    @property
    def cover_days(self) -> np.ndarray:
        """Days of use each country's stockpile covers, per material ``[T, C, M]`` (0 where unused)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.use > 0, self.stockpiles.sum(axis=3) / (self.use / DAYS_PER_MONTH), 0.0)

    @property
    def export_share(self) -> np.ndarray:
        """Share of China's exports going to each country ``[T, C]`` (:func:`export_shares`)."""
        w, pol = self.model.world, self.model.policy
        years = years_since_2024(pol.start_abs, np.arange(self.months))
        return export_shares(w.export_share0, w.export_growth, years, self.tariff_rise, pol.elasticity,
                             self.months_in_b / 12.0, pol.uplift_b, pol.rest_share, pol.rest_growth, w.cn)

    @property
    def capacity_share(self) -> np.ndarray:
        """Non-Chinese plants' share of each stage's ramped capacity ``[T, S]`` (0 with none)."""
        plants = self.model._plants
        cap = _ramp(self.plant_start, plants.ramp_months) * plants.cap
        total = _per_stage(cap, plants.stage)
        foreign = _per_stage(cap * ~plants.chinese, plants.stage)
        return np.where(total > 0, foreign / np.where(total > 0, total, 1.0), 0.0)

    @property
    def decided(self) -> np.ndarray:
        """Candidate plants an investor has decided to build, per stage ``[T, S]``."""
        w = self.model.world
        chosen = w.r_candidate & (self.plant_start < NEVER)   # a candidate starts at NEVER until decided
        return _per_stage(chosen.astype(float), self.model._plants.stage)

    @property
    def unit_cost(self) -> np.ndarray:
        """Output-weighted unit cost per stage and market, USD/kg ``[T, S, market]``; NaN when nothing was made."""
        made, usd = self.cost[..., 0], self.cost[..., 1]
        return np.where(made > 0, usd / np.maximum(made, 1e-12) / 1000.0, np.nan)

    def circle_b_share(self, countries: np.ndarray | None = None) -> np.ndarray:
        """Circle B's share of the GDP of ``countries`` (all when None) each month ``[T]``; 0 with none."""
        m = self.model
        w = m.world
        years = years_since_2024(m.policy.start_abs, np.arange(self.months))
        gdp = w.gdp0 * (1.0 + w.gdp_growth) ** years[:, None]   # USD bn, [T, C] (sim.model.world.gdp_at)
        in_b = self.circle == B
        if countries is not None:
            if not countries.size:
                return np.zeros(self.months)
            gdp, in_b = gdp[:, countries], in_b[:, countries]
        return np.where(in_b, gdp, 0.0).sum(axis=1) / gdp.sum(axis=1)

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
        cover, exports = self.cover_days, self.export_share
        for c, cid in enumerate(w.countries):
            for k, mat in enumerate(MATERIALS):
                out.append(("shortfall_t", f"{mat}:{cid}", self.shortfall[:, c, k]))
                out.append(("stockpile_cover_days", f"{mat}:{cid}", cover[:, c, k]))
            out.append(("fiscal_cost_usd", cid, self.fiscal[:, c]))
            out.append(("china_magnet_exports_t", cid, self.cn_magnet_exports[:, c]))
            if c != w.cn:
                out.append(("china_export_share", cid, exports[:, c]))
        out.append(("china_magnet_exports_t", "total", self.cn_magnet_exports.sum(axis=1)))
        for k, mat in enumerate(MATERIALS):
            for j, market in enumerate(MARKETS):
                out.append(("price_usd_per_kg", f"{mat}:{market}", self.price[:, k, j]))
        capacity, decided, unit_cost = self.capacity_share, self.decided, self.unit_cost
        for s, stage in enumerate(STAGES):
            out.append(("nonchina_capacity_share", stage, capacity[:, s]))
            out.append(("plants_decided", stage, decided[:, s]))
            for j, market in enumerate(MARKETS):   # output-weighted unit cost; NaN when nothing was made
                out.append(("production_cost_usd_per_kg", f"{stage}:{market}", unit_cost[:, s, j]))
        out.append(("circle_b_share_gdp", "world", self.circle_b_share()))
        out.append(("circle_b_share_gdp", "global_south", self.circle_b_share(self.model.policy.choosers)))
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
        dates = month_dates(self.model.policy.start, T).astype("datetime64[s]")   # pandas' unit: no conversion
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
    """Each of ``names`` repeated ``repeat`` times, as a categorical with sorted categories: text
    columns of a tidy table are a few dozen names repeated thousands of times, and a string array
    of every row would cost more than the run's arithmetic."""
    categories = sorted(set(names))
    index = {name: i for i, name in enumerate(categories)}
    codes = np.array([index[name] for name in names], dtype=np.int8 if len(categories) < 127 else np.int16)
    return pd.Categorical.from_codes(np.repeat(codes, repeat), categories=categories)


def _ramp(start: np.ndarray, ramp_months: np.ndarray) -> np.ndarray:
    """Share of nameplate of each plant in each month, ``[T, R]`` from ``start[T, R]`` (the month's
    schedules): :func:`sim.mechanisms.production.ramp_share` for every month at once."""
    t = np.arange(start.shape[0])[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        ramp = np.where(ramp_months == 0, 1.0, np.minimum(1.0, (t - start + 1) / ramp_months))
    return np.where(t >= start, ramp, 0.0)


def _per_stage(values: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Sum of ``values[T, R]`` over each stage's plants, ``[T, S]``: one bincount over all months
    (each bin sums its plants in refiner order, as a month's bincount would)."""
    n_s = len(STAGES)
    bins = (np.arange(values.shape[0])[:, None] * n_s + stage).ravel()
    return np.bincount(bins, values.ravel(), minlength=values.shape[0] * n_s).reshape(-1, n_s)
