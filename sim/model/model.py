"""The rhythm-sim model: construction, the staged monthly schedule, and data collection.

State is held in arrays over *buyers* (country stocks first, then one component inventory
per defense program), materials and origin classes, declared in :mod:`sim.model.state`;
agents own their behaviour. Each month runs SPEC §5's stages in the order of
:data:`SCHEDULE`: production must precede the markets that sell its output, and shipments
arrive before producers kit, so a tonne approved this month can be used at the earliest
when it lands.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from agents import Country, DefenseProducer, Refiner
from sim.mechanisms.licensing import DecisionQueue, LicenceQueue
from sim.mechanisms.transit import Pipeline
from sim.model.clearing import MarketClearing
from sim.model.decisions import Decisions
from sim.model.ledger import Ledger
from sim.model.policy import Policy
from sim.model.production import Production
from sim.model.recorder import Recorder
from sim.model.regime import PolicyState
from sim.model.upgrades import Upgrades
from sim.model.world import PlantArrays, World
from sim.vocab import CIRCLES, N_CLASSES, OUTPUT

WARMUP_MONTHS = 6   # months run before the start so stocks and queues settle; not recorded
TRANSIT_HORIZON = 24  # longest transit, months
QUEUE_HORIZON = 24  # longest licence review, months
STREAMS = ("plants", "licences", "budget", "alignment", "politics", "upgrades")  # independent streams per mechanism


@dataclass(frozen=True)
class Stage:
    """One step of the monthly schedule: the model's ``method(t)`` and the live state
    (:class:`~sim.model.state.ModelState`) it reads and writes."""

    number: int                # the stage's number in docs/ODD.md 1.3
    method: str                # name of the model's method, called with the month index
    reads: tuple[str, ...]     # live state it reads and does not write
    writes: tuple[str, ...]    # state it assigns or changes in place (and may read)
    warm_up: bool = True       # also runs in the warm-up months (False: from month 0 on)


# Stage 2 acts on this month's licences, rationing and allocation, so it precedes the markets;
# stage 7's decisions take effect from next month on.
SCHEDULE = (
    Stage(1, "_fire_events", (), ("quota_used", "terms")),
    Stage(2, "_set_eligibility", (), ("eligible",)),
    Stage(2, "_vote_budget", (), ("countries", "streams")),
    Stage(2, "_club_month", ("cn_dependence", "plant_start", "price", "trust", "use", "countries"),
          ("member", "member_since", "offtake", "terms", "tier_before_club"), warm_up=False),
    Stage(2, "_china_reacts", ("circle", "member", "stockpiles", "use"), ("terms",), warm_up=False),
    Stage(2, "_align", ("countries", "fill"), ("circle", "streams", "terms"), warm_up=False),
    Stage(2, "_count_months_in_b", ("circle",), ("months_in_b",), warm_up=False),
    Stage(3, "_produce", ("export_ema", "plant_start", "subsidy"),
          ("cost", "fiscal", "hold", "ledger", "plant_stock", "shortfall", "use")),
    Stage(4, "_clear_markets", ("bom_scale", "eligible", "last_shortfall", "member", "offtake", "producers", "terms",
                                "use"),
          ("cn_dependence", "cn_exports", "countries", "export_ema", "fiscal", "hold", "plant_stock", "price",
           "queue", "quota_used", "stockpiles", "streams", "transit")),
    Stage(5, "_arrive", (), ("hold", "transit")),
    Stage(6, "_use_material", ("bom_scale", "eligible", "use"),
          ("delivered", "fill", "hold", "ledger", "producers", "shortfall")),
    Stage(6, "_upgrade", ("delivered", "eligible", "hold", "plant_start", "producers", "shortfall", "terms", "transit",
                          "use"),
          ("bom_scale", "frontier", "gen_current", "gen_downgraded", "gen_level", "gen_reason", "plant_level",
           "plant_licensed", "plant_reached", "upgrade_out"), warm_up=False),
    Stage(7, "_accrue_fiscal", ("plant_start", "refiners"), ("fiscal",), warm_up=False),
    Stage(7, "_invest", ("price",), ("fiscal", "grant", "plant_start", "refiners", "reversals", "streams", "subsidy",
                                     "trust"),
          warm_up=False),
    Stage(7, "_carry_shortfall", ("shortfall",), ("last_shortfall",)),
    Stage(8, "_check_balance", ("hold", "plant_stock", "queue", "stockpiles", "transit"), ("ledger",)),
)


class RhythmModel(Production, MarketClearing, Decisions, Upgrades, mesa.Model):
    """Rare-earth and magnet supply chain, 2026-2035, one month per step.

    Args:
        world: the indexed world (countries, plants, programs), from :func:`sim.model.world.build_world`.
        policy: regime, US policy and market settings, from :func:`sim.model.policy.build_policy`.
        seed: seed of the model's one random generator.
    """

    def __init__(self, world: World, policy: Policy, seed: int | None = None):
        super().__init__(rng=seed)
        self.world, self.policy = world, policy
        self.n_c, self.n_p = len(world.countries), len(world.programs)
        self._build_streams()
        self._build_countries()
        self._build_plants()
        self._build_producers()
        self._build_buyers()
        self._build_club()
        self._build_terms()
        self._build_flows()
        self._build_upgrades()
        self._build_stocks()
        self._warm_up()

    # ---- construction -----------------------------------------------------------------------
    def _build_streams(self) -> None:
        # One stream per mechanism, all spawned from the model's seed: changing one mechanism's
        # settings (say Taiwan's vote odds) leaves the others' draws alone (common random numbers).
        children = self.rng.bit_generator.seed_seq.spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}

    def _build_countries(self) -> None:
        w = self.world
        self.countries = [Country(self, i) for i in range(self.n_c)]
        # Every country's strategic stockpile in one array, each country's a view of its row,
        # so totals and records take one call.
        self.stockpiles = np.array([c.stockpile for c in self.countries])
        for c in self.countries:
            c.stockpile = self.stockpiles[c.index]
        self.us = w.countries.index("US") if "US" in w.countries else -1
        self.taiwan = self.countries[w.countries.index("TW")] if "TW" in w.countries else None
        self.circle = np.array([CIRCLES.index(c) for c in w.circle])
        self.months_in_b = np.zeros(self.n_c)
        self.fill = np.ones(self.n_c)
        self.subsidy, self.grant = w.subsidy.copy(), w.grant.copy()
        self.reversals = 0

    def _build_plants(self) -> None:
        w = self.world
        # Every plant's schedule and unsold output in arrays (each refiner's a view of its row),
        # so the production kernel and the markets read all plants at once.
        self.plant_start = w.r_start.astype(np.int64)
        self.plant_stock = np.zeros((len(w.refiners), w.recipe.shape[1], N_CLASSES))
        self.refiners = [Refiner(self, r) for r in range(len(w.refiners))]   # each draws its slip
        chinese = np.array([r.chinese for r in self.refiners], dtype=bool)
        room = self.policy.refiner_inventory_months * (w.r_cap + w.r_heavy)   # t of unsold output kept
        output = np.array([OUTPUT[s] for s in w.r_stage], dtype=np.int64)
        self._plants = PlantArrays(w.r_stage.astype(np.int64), output,
                                   w.r_site.astype(np.int64), chinese, w.r_ramp.astype(np.int64),
                                   w.r_qual.astype(np.int64), w.r_cap.astype(float), w.r_heavy.astype(float),
                                   w.r_feed.astype(float), room.astype(float), w.r_cost.astype(float))
        self.ex_china = [r for r in self.refiners if not r.chinese]
        self.by_stage = [[r for r in self.refiners if r.stage == s] for s in range(len(w.recipe))]
        self._ex_idx = np.array([r.index for r in self.ex_china], dtype=int)
        self._ex_output = np.array([OUTPUT[r.stage] for r in self.ex_china], dtype=int)
        self.offtake = np.zeros((len(self.ex_china), self.n_c + self.n_p))
        self.offtake[:, : self.n_c] = w.r_offtake[self._ex_idx]
        # DPAS ratings bind US persons only (15 CFR 700): plants sited in the US serve rated
        # orders first; abroad a US defense order queues like any other.
        self.rated_sellers = np.array([r.site == self.us for r in self.ex_china], dtype=bool)
        self._ex_floor = w.r_floor[self._ex_idx].astype(float)   # USD/kg guaranteed for each one's main output

    def _build_producers(self) -> None:
        groups: dict[tuple, list[int]] = {}
        for i, p in enumerate(self.world.programs):
            groups.setdefault((p.country, p.producer), []).append(i)
        self.producers = [DefenseProducer(self, idx) for idx in groups.values()]

    def _build_buyers(self) -> None:
        w, n_c = self.world, self.n_c
        self.buyer_country = np.concatenate([np.arange(n_c), [p.country for p in w.programs]]).astype(int)
        self.us_program = np.array([p.country == self.us for p in w.programs], dtype=bool)
        self.rated = np.concatenate([np.zeros(n_c, bool), self.us_program])
        self.foreign = self.buyer_country != w.cn
        self._domestic_programs = np.nonzero(~self.foreign[n_c:])[0] + n_c
        self._lead_cn = w.transit_cn[self.buyer_country].astype(np.int64)
        self._to_country = (self.buyer_country[None, :] == np.arange(n_c)[:, None]).astype(float)   # [C, B] sums buyers by country

    def _build_club(self) -> None:
        """The allied club (S21): nobody a member yet, no one metered, all dependent on China."""
        self.member = np.zeros(self.n_c, dtype=bool)
        self.member_since = np.full(self.n_c, -1)
        self.trust = self.world.club_trust.copy()
        self.tier_before_club = np.full(self.n_c, -1)
        self.cn_dependence = np.ones(self.n_c)

    def _build_terms(self) -> None:
        """The policy in force at the start: config events dated before it are applied now."""
        self.terms = PolicyState(self.world, self.policy, self.buyer_country, self.n_c)
        self.events_at = {}
        for event in self.policy.events:
            if event.t < 0:
                self.terms.apply(event)
            else:
                self.events_at.setdefault(event.t, []).append(event)

    def _build_flows(self) -> None:
        n_c, pol = self.n_c, self.policy
        n_b, n_m = len(self.buyer_country), self.world.recipe.shape[1]
        self.hold = np.zeros((n_b, n_m, N_CLASSES))
        self.eligible = np.ones((n_b, N_CLASSES), dtype=bool)
        self.transit = Pipeline((n_b, n_m, N_CLASSES), TRANSIT_HORIZON)
        if pol.approval_at == "decision":   # terms in force at the decision, not at filing
            self.queue = DecisionQueue(n_b, n_m, QUEUE_HORIZON, lambda: self.terms.approve_prob,
                                       self.streams["licences"])
        else:
            self.queue = LicenceQueue(n_b, n_m, QUEUE_HORIZON)
        self.use = np.zeros((n_c, n_m))
        self.shortfall = np.zeros((n_c, n_m))
        self.last_shortfall = np.zeros((n_c, n_m))
        self.cost = np.zeros((3, 2, 2))
        self.export_ema = np.zeros(n_m)
        self.quota_used = np.zeros(n_m)
        self.fiscal = np.zeros(n_c)
        self.cn_exports = np.zeros((n_c, n_m))
        self.delivered = np.zeros(self.n_p)
        gradient = self.terms.buyer_gradient[self.foreign].mean()
        self.price = np.stack([pol.base_price, pol.base_price * gradient], axis=1)

    def _build_stocks(self) -> None:
        """Stocks at their targets, Chinese-origin (D7, D59: supply chains ran through China)."""
        self._produce(0, dry_run=True)
        self.hold[: self.n_c, :, 0] = self.world.cover[:, None] * self.use
        targets = np.zeros((self.n_p, self.use.shape[1]))
        for producer in self.producers:
            producer.inventory_targets(0, targets)
        self.hold[self.n_c:, :, 0] = targets
        self.ledger = Ledger(self.policy.start, self.policy.check_conservation)

    def _warm_up(self) -> None:
        """Run the warm-up months, then open the books and start recording at month 0."""
        for t in range(-WARMUP_MONTHS, 0):
            self._month(t)
        self.ledger.open(self._material_totals())
        self.fiscal[:] = 0.0   # costs count from the start month; the warm-up only fills pipelines
        self.recorder = Recorder(self, self.policy.months)
        self.t = 0

    # ---- the schedule -----------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month and record it."""
        self._month(self.t)
        self.recorder.record(self.t)
        self.t += 1

    def run(self) -> None:
        """Run every month of the horizon."""
        for _ in range(self.policy.months):
            self.step()

    def _month(self, t: int) -> None:
        """Run the stages of :data:`SCHEDULE` in order (warm-up months: those marked ``warm_up``)."""
        for stage in SCHEDULE:
            if t >= 0 or stage.warm_up:
                getattr(self, stage.method)(t)

    def _fire_events(self, t: int) -> None:
        """The quota year turns in January; dated config events of this month fire (S16)."""
        if (self.policy.start_abs + t) % 12 == 0:
            self.quota_used[:] = 0.0
        for event in self.events_at.get(t, ()):
            self.terms.apply(event)

    def _set_eligibility(self, t: int) -> None:
        """Origin classes each buyer accepts this month, ``[B, K]``.

        Civil buyers take anything; defense programs need qualified supply (established
        Chinese-origin chains or qualified non-China plants), and US programs refuse Chinese
        content from the DFARS month on (D51).
        """
        e = np.ones((len(self.buyer_country), N_CLASSES), dtype=bool)
        e[self.n_c:, 1] = False
        if t >= self.policy.dfars_month:
            e[self.n_c:, 0] &= ~self.us_program
        self.eligible = e

    def _vote_budget(self, t: int) -> None:
        """Taiwan's legislature votes on its special defense budget (S17)."""
        if self.taiwan is not None:
            self.taiwan.vote_special_budget(t)

    def _arrive(self, t: int) -> None:
        """Shipments due this month land in their buyers' stocks (S7)."""
        self.hold += self.transit.arrive(t)

    def _carry_shortfall(self, t: int) -> None:
        """This month's full shortfall (production, programs, civil use) is what next month's
        prices react to (S11)."""
        self.last_shortfall = self.shortfall.copy()

    def _check_balance(self, t: int) -> None:
        """Stocks are non-negative and material is conserved (S15)."""
        totals = self._material_totals() if self.ledger.enabled else None
        self.ledger.check(t, totals, self.hold, self.world.countries)

    def _material_totals(self) -> np.ndarray:
        """Tonnes of each material anywhere in the system, ``[M]``."""
        return (self.hold.sum(axis=(0, 2)) + self.transit.in_transit().sum(axis=(0, 2))
                + self.queue.queued().sum(axis=0)
                + self.stockpiles.sum(axis=2).sum(axis=0) + self.plant_stock.sum(axis=2).sum(axis=0))
