"""Stage 4 of the monthly schedule: markets clear.

Buyers order up to their targets; China serves its own programs first; ex-China supply goes
to rated orders, offtake and then pro rata; the rest of the need goes to China's licence
regime; government stocks release and buy; prices move. A mixin of
:class:`sim.model.model.RhythmModel`, kept apart because it is the schedule's largest stage.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.licensing import grant_exports
from sim.mechanisms.market import clear_ex_china, update_price
from sim.mechanisms.reserves import release_stockpiles
from sim.model.state import ModelState
from sim.vocab import MAGNET


class MarketClearing(ModelState):
    """The markets stage; reads and writes the state declared in :class:`ModelState`."""

    def _needs(self, t: int, eligible: np.ndarray) -> np.ndarray:
        """Tonnes each buyer orders this month (an order-up-to rule).

        A buyer tops its position (eligible stock + in transit + queued lots at their expected
        approval rate) up to its cover target plus use over the expected lead time (review +
        shipping), so longer licence reviews mean more material tied up in the pipeline.
        """
        target = np.zeros(self.hold.shape[:2])
        target[: self.n_c] = (self.world.cover + self.terms.lead[: self.n_c])[:, None] * self.use
        for producer in self.producers:
            producer.inventory_targets(t, target[self.n_c:])
        have = (self.hold * eligible[:, None, :]).sum(axis=2)
        expected = self.queue.queued() * self.terms.approve_prob[:, None]
        need = np.maximum(target - have - self.transit.in_transit().sum(axis=2) - expected, 0.0)
        need[self.world.cn] = 0.0   # China's own stock is the pool its plants fill
        return need

    def _clear_markets(self, t: int) -> None:
        """Allocate this month's supply to the buyers that may take it (S4-S8, S11, S19)."""
        pol, cn, eligible = self.policy, self.world.cn, self.eligible
        need = self._needs(t, eligible)
        # Domestic first: Chinese programs are served from the domestic pool before exports.
        for b in self._domestic_programs:
            give = np.minimum(need[b], self.hold[cn, :, 0])
            self.hold[cn, :, 0] -= give
            self.hold[b, :, 0] += give
            need[b] = 0.0
        # Ex-China supply: rated defense orders, then offtake, then pro rata. Under China's
        # extraterritorial rule (D13) foreign military buyers may not take foreign-made goods
        # with Chinese-origin content (class 0): their re-export licence would be denied.
        sellable = eligible.copy()
        if self.terms.extraterritorial:
            sellable[self.terms.military & self.foreign, 0] = False
        stock = self.plant_stock[self._ex_idx]
        got = np.zeros(self.hold.shape)
        clear_ex_china(stock, need, self.rated * self.terms.rated_share, self.offtake, sellable, self.rated_sellers, got)
        sold = self.plant_stock[self._ex_idx] - stock
        self.plant_stock[self._ex_idx] = stock
        # A floor guarantees the plant's main output (NdPr for separation, magnets, ...);
        # the host government pays the top-up.
        main = sold[np.arange(self._ex_idx.size), self._ex_output].sum(axis=1)
        top_up = np.maximum(self._ex_floor - self.price[self._ex_output, 1], 0.0)
        np.add.at(self.fiscal, self.world.r_site[self._ex_idx], top_up * main * 1000.0)
        self.transit.ship(t, pol.ex_transit, got)
        need -= got.sum(axis=2)
        received = got[: self.n_c, MAGNET].copy()   # magnets each country's buyers receive, by origin class
        self._china_exports(t, np.maximum(need, 0.0))
        received[:, 0] += self.cn_exports[:, MAGNET]   # direct from China: Chinese origin
        total = received.sum(axis=1)
        share = np.where(total > 0, received[:, 0] / np.maximum(total, 1e-12), self.cn_dependence)
        self.cn_dependence = 0.9 * self.cn_dependence + 0.1 * share   # smoothed over about a year
        if t >= 0:   # strategic stocks are not touched while the warm-up fills the pipelines
            self._release_stockpiles(t, need, eligible)
            for country in self.countries:          # reserves buy at the rest-of-world price
                if country.reserve_left > 0:        # most countries keep no reserve budget
                    self.fiscal[country.index] += country.buy_reserve(
                        t, self.hold[country.index], self.use[country.index], self.price[:, 1])
        self._update_prices()

    def _china_exports(self, t: int, residual: np.ndarray) -> None:
        """Decide due licences, then file this month's applications by tier priority (S6)."""
        pol, cn, terms = self.policy, self.world.cn, self.terms
        shipped, denied = self.queue.decide(t)
        filed = np.zeros_like(shipped)
        granted = grant_exports(self.hold[cn, :, 0], denied, pol.domestic_cover * self.use[cn],
                                np.maximum(terms.quota - self.quota_used, 0.0), residual * self.foreign[:, None],
                                terms.priority, terms.controlled, self.quota_used, shipped, filed)
        self.queue.file(t, filed, terms.approve_prob, terms.review_days, terms.review_cv, pol.lots,
                        pol.working_days, self.streams["licences"])
        self.transit.ship_each(t, self._lead_cn, shipped, 0)   # from China: Chinese origin
        self.cn_exports = self._to_country @ shipped
        self.export_ema = 0.5 * self.export_ema + 0.5 * granted

    def _release_stockpiles(self, t: int, residual: np.ndarray, eligible: np.ndarray) -> None:
        """Release on shortage: to defense programs, club members' programs, then industry (S8)."""
        w = self.world
        short = self.hold[: self.n_c].sum(axis=2) < w.release_months[:, None] * self.use   # [C, M]
        release_stockpiles(self.stockpiles, self.hold, residual, eligible, short, self.buyer_country, self.member,
                           self.policy.club.share_stockpiles, self.terms.extraterritorial, w.release_months, self.use)

    def _update_prices(self) -> None:
        """China's price moves on its own fill, the rest of the world's on the others' fill and the
        use-weighted buyer gradient over China's price (S11)."""
        pol, cn, use, short = self.policy, self.world.cn, self.use, self.last_shortfall
        row = self.foreign[: self.n_c]
        row_use = use[row]
        total = row_use.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            fill_cn = np.where(use[cn] > 0, 1.0 - short[cn] / use[cn], 1.0)
            fill_row = np.where(total > 0, 1.0 - short[row].sum(axis=0) / total, 1.0)
        gradient = (row_use * self.terms.buyer_gradient[: self.n_c][row][:, None]).sum(axis=0) / np.maximum(total, 1e-12)
        self.price[:, 0] = update_price(self.price[:, 0], pol.base_price, pol.premium, fill_cn, pol.price_speed)
        self.price[:, 1] = update_price(self.price[:, 1], self.price[:, 0] * gradient, pol.premium,
                                        fill_row, pol.price_speed)
