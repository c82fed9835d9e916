"""Stage 4 of the monthly schedule: markets clear.

Buyers order up to their targets; China serves its own programs first; ex-China supply goes
to rated orders, offtake and then pro rata; the rest of the need goes to China's licence
regime; government stocks release and buy; prices move. A mixin of
:class:`sim.model.model.RhythmModel`, kept apart because it is the schedule's largest stage.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.licensing import ration_by_priority
from sim.mechanisms.market import allocate_ex_china, update_price
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
            for j, p in enumerate(producer.programs):
                target[self.n_c + p] = producer.inventory_target(j, t)
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
        received = np.zeros((self.n_c, eligible.shape[1]))   # magnets each country's buyers receive, by origin class
        floor_paid = np.zeros(self.n_c)
        for m in range(need.shape[1]):
            inv = self.plant_stock[self._ex_idx, m]
            if inv.sum() <= 0:
                continue
            rated = need[:, m] * self.rated * self.terms.rated_share
            got, sold = allocate_ex_china(inv, rated, self.offtake, need[:, m] - rated, sellable,
                                          self.rated_sellers)
            if m == MAGNET:
                received += got[: self.n_c]
            self.plant_stock[self._ex_idx, m] -= sold
            # A floor guarantees the plant's main output (NdPr for separation, magnets, ...);
            # the host government pays the top-up.
            for s, floor, site in self._floors[m]:
                top_up = max(floor - self.price[m, 1], 0.0)
                if top_up > 0.0:   # no top-up adds nothing
                    floor_paid[site] += top_up * sold[s].sum() * 1000.0
            self.transit.ship(t, pol.ex_transit, got, (slice(None), m))
            need[:, m] -= got.sum(axis=1)
        self.fiscal += floor_paid
        self._china_exports(t, np.maximum(need, 0.0))
        received[:, 0] += self.cn_exports[:, MAGNET]   # direct from China: Chinese origin
        total = received.sum(axis=1)
        share = np.where(total > 0, received[:, 0] / np.maximum(total, 1e-12), self.cn_dependence)
        self.cn_dependence = 0.9 * self.cn_dependence + 0.1 * share   # smoothed over about a year
        if t >= 0:   # strategic stocks are not touched while the warm-up fills the pipelines
            self._release_stockpiles(t, need, eligible)
            for country in self.countries:          # reserves buy at the rest-of-world price
                self.fiscal[country.index] += country.buy_reserve(
                    t, self.hold[country.index], self.use[country.index], self.price[:, 1])
        self._update_prices()

    def _china_exports(self, t: int, residual: np.ndarray) -> None:
        """Decide due licences, then file this month's applications by tier priority."""
        pol, cn = self.policy, self.world.cn
        approved, denied = self.queue.decide(t)
        self.hold[cn, :, 0] += denied.sum(axis=0)
        lead = self._lead_cn
        shipped = approved.copy()
        exportable = np.maximum(self.hold[cn, :, 0] - pol.domestic_cover * self.use[cn], 0.0)
        exportable = np.minimum(exportable, np.maximum(self.terms.quota - self.quota_used, 0.0))
        granted = np.zeros_like(residual)
        for m in range(residual.shape[1]):
            granted[:, m] = ration_by_priority(exportable[m], residual[:, m] * self.foreign, self.terms.priority)
        self.hold[cn, :, 0] -= granted.sum(axis=0)
        self.quota_used += granted.sum(axis=0)
        terms = self.terms
        direct = granted * ~terms.controlled   # live: an event may license a material (D12)
        shipped += direct
        self.queue.file(t, granted * terms.controlled, terms.approve_prob, terms.review_days,
                        terms.review_cv, pol.lots, pol.working_days, self.streams["licences"])
        for b in np.nonzero(shipped.sum(axis=1) > 0)[0]:
            self.transit.ship(t, int(lead[b]), shipped[b], (b, slice(None), 0))
        self.cn_exports = np.zeros_like(self.cn_exports)
        np.add.at(self.cn_exports, self.buyer_country, shipped)
        self.export_ema = 0.5 * self.export_ema + 0.5 * granted.sum(axis=0)

    def _release_stockpiles(self, t: int, residual: np.ndarray, eligible: np.ndarray) -> None:
        """Release on shortage (a country's commercial cover below its release level): to its
        defense programs first, then, where the club shares stockpiles, to other members'
        programs whose country is short, then to its own industry."""
        w, n_c = self.world, self.n_c
        share = self.policy.club.share_stockpiles
        program_country = self.buyer_country[n_c:]
        short = self.hold[:n_c].sum(axis=2) < w.release_months[:, None] * self.use   # [C, M]
        for country in self.countries:
            c = country.index
            if country.stockpile.sum() <= 0:
                continue
            buyers = list(np.nonzero(program_country == c)[0] + n_c)
            if share and self.member[c]:
                buyers += list(np.nonzero(self.member[program_country] & (program_country != c))[0] + n_c)
            for m in np.nonzero(country.stockpile.sum(axis=1) > 0)[0]:
                for b in buyers:
                    if short[self.buyer_country[b], m] and residual[b, m] > 0:
                        classes = eligible[b].copy()
                        if self.terms.extraterritorial and self.buyer_country[b] != c:
                            classes[0] = False   # a cross-border transfer of Chinese content (D13)
                        got = country.release_stockpile(m, residual[b, m], classes)
                        self.hold[b, m] += got
                        residual[b, m] -= got.sum()
                if short[c, m]:
                    gap = w.release_months[c] * self.use[c, m] - self.hold[c, m].sum()
                    self.hold[c, m] += country.release_stockpile(m, gap)

    def _update_prices(self) -> None:
        pol, cn = self.policy, self.world.cn
        use, short = self.use, self.last_shortfall
        with np.errstate(invalid="ignore", divide="ignore"):
            fill_cn = np.where(use[cn] > 0, 1.0 - short[cn] / use[cn], 1.0)
            row_use = np.delete(use, cn, axis=0)
            fill_row = np.where(row_use.sum(0) > 0, 1.0 - np.delete(short, cn, 0).sum(0) / row_use.sum(0), 1.0)
            weights = row_use / np.maximum(row_use.sum(axis=0), 1e-12)
        gradient = (weights * self.terms.buyer_gradient[: self.n_c][self.foreign[: self.n_c]][:, None]).sum(axis=0)
        self.price[:, 0] = update_price(self.price[:, 0], pol.base_price, pol.premium, fill_cn, pol.price_speed)
        self.price[:, 1] = update_price(self.price[:, 1], self.price[:, 0] * gradient, pol.premium,
                                        fill_row, pol.price_speed)
