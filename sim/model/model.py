"""The rhythm-sim model: construction, the staged monthly schedule, and data collection.

State is held in arrays over *buyers* (country stocks first, then one component inventory
per defense program), materials and origin classes; agents own their behaviour. Each month
runs SPEC §5's stages in order: production must precede the markets that sell its output,
and shipments arrive before producers kit, so a tonne approved this month can be used at
the earliest when it lands.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents import Country, DefenseProducer, Refiner
from sim.mechanisms.licensing import DecisionQueue, LicenceQueue
from sim.mechanisms.market import sum_like_numpy
from sim.mechanisms.transit import Pipeline
from sim.model.clearing import MarketClearing
from sim.model.decisions import Decisions, output_material
from sim.model.ledger import Ledger
from sim.model.recorder import Recorder
from sim.model.regime import PolicyState
from sim.model.world import Policy, World
from sim.vocab import CIRCLES, MAGNET, N_CLASSES, OUTPUT

WARMUP_MONTHS = 6   # months run before the start so stocks and queues settle; not recorded
TRANSIT_HORIZON = 24  # longest transit, months
QUEUE_HORIZON = 24  # longest licence review, months
STREAMS = ("plants", "licences", "budget", "alignment", "politics")  # independent streams per mechanism


class RhythmModel(MarketClearing, Decisions, mesa.Model):
    """Rare-earth and magnet supply chain, 2026-2035, one month per step.

    Args:
        world: the indexed world (countries, plants, programs), from :func:`sim.model.world.build_world`.
        policy: regime, US policy and market settings, from :func:`sim.model.world.build_policy`.
        seed: seed of the model's one random generator.
    """

    def __init__(self, world: World, policy: Policy, seed: int | None = None):
        super().__init__(rng=seed)
        self.world, self.policy = world, policy
        w, n_c, n_p = world, len(world.countries), len(world.programs)
        n_b, n_m = n_c + n_p, world.recipe.shape[1]
        self.n_c, self.n_p = n_c, n_p
        self.refiner_inventory_months = policy.refiner_inventory_months
        # One stream per mechanism, all spawned from the model's seed: changing one mechanism's
        # settings (say Taiwan's vote odds) leaves the others' draws alone (common random numbers).
        children = self.rng.bit_generator.seed_seq.spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}
        self.countries = [Country(self, i) for i in range(n_c)]
        # Every country's strategic stockpile in one array, each country's a view of its row,
        # so totals and records take one call.
        self.stockpiles = np.array([c.stockpile for c in self.countries])
        for c in self.countries:
            c.stockpile = self.stockpiles[c.index]
        self.us = w.countries.index("US") if "US" in w.countries else -1
        # Plants not yet started slip by an exponential delay (D33, D36: slips are the norm).
        late = (w.r_start >= 0) & (w.r_slip_mean > 0) & ~w.r_candidate   # candidates slip when decided
        slip = np.where(late, np.round(self.streams["plants"].exponential(np.maximum(w.r_slip_mean, 1e-9))), 0)
        self.refiners = [Refiner(self, r, int(w.r_start[r] + slip[r])) for r in range(len(w.refiners))]
        # Every plant's unsold output in one array, each refiner's inventory a view of its row,
        # so the markets read and draw all sellers of a material at once.
        self.plant_stock = np.zeros((len(self.refiners), n_m, N_CLASSES))
        for r in self.refiners:
            r.inventory = self.plant_stock[r.index]
        self.ex_china = [r for r in self.refiners if not r.chinese]
        self.by_stage = [[r for r in self.refiners if r.stage == s] for s in range(len(w.recipe))]
        self._recipes = w.recipe.tolist()   # inputs per t of output, per stage
        self._ex_idx = np.array([r.index for r in self.ex_china], dtype=int)
        self._ex_output = output_material(w.r_stage[self._ex_idx])
        self.offtake = np.zeros((len(self.ex_china), n_b))
        self.offtake[:, :n_c] = w.r_offtake[self._ex_idx]   # live: the club's pool adds to it
        # DPAS ratings bind US persons only (15 CFR 700): plants sited in the US serve rated
        # orders first; abroad a US defense order queues like any other.
        self.rated_sellers = np.array([r.site == self.us for r in self.ex_china], dtype=bool)
        # Sellers whose main output each material is, for price floors: (seller, floor, site).
        self._floors = [[(s, float(w.r_floor[r.index]), r.site) for s, r in enumerate(self.ex_china)
                         if OUTPUT[r.stage] == m] for m in range(n_m)]
        self.producers = self._make_producers()
        self.taiwan = self.countries[w.countries.index("TW")] if "TW" in w.countries else None
        self.circle = np.array([CIRCLES.index(c) for c in w.circle])   # live: Global South choices move it
        self.fill = np.ones(n_c)        # smoothed share of civil magnet need met (supply security)
        self.subsidy, self.grant = w.subsidy.copy(), w.grant.copy()   # live: US elections may reverse them
        self.reversals = 0
        # The allied club (S21): membership, trust in the leader, the tier China gave a member
        # before metering it (-1: not metered), and each country's Chinese-origin share of the
        # magnets it receives (its dependence, smoothed).
        self.member = np.zeros(n_c, dtype=bool)
        self.member_since = np.full(n_c, -1)
        self.trust = w.club_trust.copy()
        self.tier_before_club = np.full(n_c, -1)
        self.cn_dependence = np.ones(n_c)
        self.months_in_b = np.zeros(n_c)   # months each country has been in circle B since it joined (exports, S13)

        self.buyer_country = np.concatenate([np.arange(n_c), [p.country for p in w.programs]]).astype(int)
        self.us_program = np.array([p.country == self.us for p in w.programs], dtype=bool)
        self.rated = np.concatenate([np.zeros(n_c, bool), self.us_program])
        self.foreign = self.buyer_country != w.cn
        self._domestic_programs = np.nonzero(~self.foreign[n_c:])[0] + n_c
        self._lead_cn = w.transit_cn[self.buyer_country].astype(int).tolist()   # months from China per buyer
        self.terms = PolicyState(w, policy, self.buyer_country, n_c)
        self.events_at: dict[int, list] = {}
        for event in policy.events:
            if event.t < 0:             # dated before the start: already in force
                self.terms.apply(event)
            else:
                self.events_at.setdefault(event.t, []).append(event)

        self.hold = np.zeros((n_b, n_m, N_CLASSES))
        self.transit = Pipeline((n_b, n_m, N_CLASSES), TRANSIT_HORIZON)
        if policy.approval_at == "decision":   # terms in force at the decision, not at filing
            self.queue = DecisionQueue(n_b, n_m, QUEUE_HORIZON, lambda: self.terms.approve_prob,
                                       self.streams["licences"])
        else:
            self.queue = LicenceQueue(n_b, n_m, QUEUE_HORIZON)
        self.use = np.zeros((n_c, n_m))
        self.shortfall = np.zeros((n_c, n_m))
        self.last_shortfall = np.zeros((n_c, n_m))  # last month's, all uses: what prices react to
        self.cost = np.zeros((3, 2, 2))             # [stage, market CN/ROW, (t made, USD)] this month
        self.export_ema = np.zeros(n_m)
        self.quota_used = np.zeros(n_m)
        self.fiscal = np.zeros(n_c)
        self.cn_exports = np.zeros((n_c, n_m))
        self.delivered = np.zeros(n_p)               # units delivered this month, per program
        self.price = np.stack([policy.base_price, policy.base_price * self.terms.buyer_gradient[self.foreign].mean()], axis=1)
        self._initial_stocks()
        self.ledger = Ledger(policy.start, policy.check_conservation)
        for t in range(-WARMUP_MONTHS, 0):
            self._month(t, kit=False)
        self.ledger.open(self._material_totals())
        self.fiscal[:] = 0.0   # costs count from the start month; the warm-up only fills pipelines
        self.recorder = Recorder(self, policy.months)
        self.t = 0

    # ---- construction helpers -------------------------------------------------------------
    def _make_producers(self) -> list[DefenseProducer]:
        groups: dict[tuple, list[int]] = {}
        for i, p in enumerate(self.world.programs):
            groups.setdefault((p.country, p.producer), []).append(i)
        return [DefenseProducer(self, idx) for idx in groups.values()]

    def _initial_stocks(self) -> None:
        """Stocks at their targets, Chinese-origin (D7, D59: supply chains ran through China)."""
        w = self.world
        self._produce(0, dry_run=True)
        self.hold[: self.n_c, :, 0] = w.cover[:, None] * self.use
        for producer in self.producers:
            for j, p in enumerate(producer.programs):
                self.hold[self.n_c + p, :, 0] = producer.inventory_target(j, 0)

    # ---- the schedule ---------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month and record it."""
        self._month(self.t, kit=True)
        self.recorder.record(self.t)
        self.t += 1

    def _month(self, t: int, kit: bool) -> None:
        if (self.policy.start_abs + t) % 12 == 0:   # 1. scheduled events: the quota year turns,
            self.quota_used[:] = 0.0                 #    and dated config events fire
        for event in self.events_at.get(t, ()):
            self.terms.apply(event)
        eligible = self.eligibility(t)               # 2. policy: DFARS origin rule by date;
        if self.taiwan is not None:                  #    Taiwan's legislature votes its budget;
            self.taiwan.vote_special_budget(t)
        if t >= 0:
            self._club_month(t)                      #    allies review the club, China meters members;
            self._china_reacts(t)                    #    China answers the club, tariffs, stockpiles;
            if (self.policy.start_abs + t) % 12 + 1 == self.policy.decision_month:
                self._align(t)                       #    the Global South chooses its circle
            self.months_in_b = (self.months_in_b + 1) * (self.circle == CIRCLES.index("B"))
        self._produce(t)                             # 3. refiners and magnet makers
        self._clear_markets(t, eligible, kit)        # 4. ex-China allocation, licences, stockpiles
        self.hold += self.transit.arrive(t)          # 5. shipments arrive
        self._use_material(t, eligible, kit)         # 6. defense units kitted/delivered; civil use
        self._accrue_fiscal(t)                       # 7. plants under construction draw funds;
        if t >= 0:                                   #    elections, investment decisions
            self._invest(t)
        self.last_shortfall = self.shortfall.copy()
        totals = self._material_totals() if self.ledger.enabled else None   # 8. the balance
        self.ledger.check(t, totals, self.hold, self.world.countries)

    def eligibility(self, t: int) -> np.ndarray:
        """Origin classes each buyer accepts, ``[B, K]``.

        Civil buyers take anything; defense programs need qualified supply (established
        Chinese-origin chains or qualified non-China plants), and US programs refuse Chinese
        content from the DFARS month on (D51).
        """
        e = np.ones((len(self.buyer_country), N_CLASSES), dtype=bool)
        e[self.n_c:, 1] = False
        if t >= self.policy.dfars_month:
            e[self.n_c:, 0] &= ~self.us_program
        return e

    def _produce(self, t: int, dry_run: bool = False) -> None:
        w, cn = self.world, self.world.cn
        n_m = self.use.shape[1]
        # Month totals build on plain lists, in the same order of additions as arrays would,
        # and become arrays at the end: each plant adds a few numbers, where numpy calls cost more.
        req = [[0.0] * n_m for _ in self.countries]
        short = [[0.0] * n_m for _ in self.countries]
        cost = [[[0.0, 0.0], [0.0, 0.0]] for _ in self.by_stage]   # [stage][CN/ROW][t, USD]
        for c in self.countries:
            req[c.index][MAGNET] = c.civil_demand(t)
        for stage, plants in enumerate(self.by_stage):
            util = 1.0 if dry_run else self._china_utilisation(t, plants)
            recipe = self._recipes[stage]
            for r in plants:
                wanted = r.wanted_list(t, util if r.chinese else 1.0)
                top = max(wanted)
                if top <= 0.0:   # not started, not decided, or full: makes and needs nothing
                    continue
                inputs = [top * q for q in recipe]
                site_req = req[r.site]
                for m, x in enumerate(inputs):
                    site_req[m] += x
                if dry_run:
                    continue
                stock = self.hold[r.site]
                site_short = short[r.site]
                for m, have in enumerate(stock.sum(axis=1).tolist()):
                    if inputs[m] - have > 0.0:   # a covered input adds nothing to the shortfall
                        site_short[m] += inputs[m] - have
                made, used = r.produce(t, wanted, stock)
                self.ledger.flow(made, used)
                total = sum_like_numpy(made)
                stage_cost = cost[stage][int(not r.chinese)]
                stage_cost[0] += total
                stage_cost[1] += total * (1000.0 * w.r_cost[r.index])
                if not r.chinese:   # host-country production subsidy (e.g. US 45X)
                    self.fiscal[r.site] += self.subsidy[r.site] * total * 1000.0
                if r.chinese:   # China's plants sell into the domestic pool at once
                    self.hold[cn] += r.inventory
                    r.inventory[:] = 0.0
        self.cost[:] = cost
        req = np.array(req)
        self.use = req if dry_run else 0.5 * self.use + 0.5 * req
        self.shortfall = np.array(short)

    def _china_utilisation(self, t: int, plants: list[Refiner]) -> np.ndarray:
        """Share of China's capacity run per output: fill the domestic pool to its target."""
        cn = self.world.cn
        cap = sum((r.wanted(t, 1.0) for r in plants if r.chinese), np.zeros(self.use.shape[1]))
        target = self.world.cover[cn] * (self.use[cn] + self.export_ema)
        gap = np.maximum(target - self.hold[cn].sum(axis=1), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(cap > 0, np.minimum(gap / cap, 1.0), 0.0)

    def _use_material(self, t: int, eligible: np.ndarray, kit: bool) -> None:
        n_c = self.n_c
        # Components a program may no longer use (DFARS) go back to its country's industry.
        stranded = self.hold[n_c:] * ~eligible[n_c:, None, :]
        self.hold[n_c:] -= stranded
        np.add.at(self.hold, self.buyer_country[n_c:], stranded)
        delivered = np.zeros(self.n_p)
        if kit:
            for producer in self.producers:
                idx = np.array(producer.programs) + n_c
                inventory = self.hold[idx]
                done, used, unmet = producer.kit_and_deliver(t, inventory, eligible[idx])
                self.hold[idx] = inventory
                delivered[producer.programs] = done
                self.ledger.flow(0.0, used.sum(axis=0))
                np.add.at(self.shortfall, self.buyer_country[idx], unmet)
        self.delivered = delivered
        civil = np.zeros(self.use.shape[1])
        for country in self.countries:
            used, unmet = country.consume_civil(t, self.hold[country.index])
            if used + unmet > 0:
                self.fill[country.index] = 0.8 * self.fill[country.index] + 0.2 * used / (used + unmet)
            civil[MAGNET] += used
            self.shortfall[country.index, MAGNET] += unmet
        self.ledger.flow(0.0, civil)

    def _material_totals(self) -> np.ndarray:
        """Tonnes of each material anywhere in the system, ``[M]``."""
        return (self.hold.sum(axis=(0, 2)) + self.transit.in_transit().sum(axis=(0, 2))
                + self.queue.queued().sum(axis=0)
                + self.stockpiles.sum(axis=2).sum(axis=0) + self.plant_stock.sum(axis=2).sum(axis=0))

    def run(self) -> None:
        """Run every month of the horizon."""
        for _ in range(self.policy.months):
            self.step()
