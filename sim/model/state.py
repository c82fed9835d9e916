"""The state :class:`~sim.model.model.RhythmModel` owns, declared once.

Every attribute a stage of the monthly schedule reads or writes is declared here, with its
unit and shape; the stages' mixins (:mod:`~sim.model.production`, :mod:`~sim.model.clearing`,
:mod:`~sim.model.decisions`) derive from :class:`ModelState`, so what they read is declared
where they can see it. The builders that set these values are in :mod:`~sim.model.model`;
which stage reads and writes which of them is its ``SCHEDULE``, and
``tests/test_model_construction.py`` checks both against a running model.

Axes: C countries, P defense programs, B buyers (the C countries' commercial stocks, then one
component inventory per program), M materials (:data:`sim.vocab.MATERIALS`), K origin
classes (:data:`sim.vocab.CLASSES`), R plants, X ex-China plants.
"""

from __future__ import annotations

import numpy as np

from agents import Country, DefenseProducer, Refiner
from sim.config.events import Event
from sim.mechanisms.licensing import DecisionQueue, LicenceQueue
from sim.mechanisms.transit import Pipeline
from sim.model.ledger import Ledger
from sim.model.policy import Policy
from sim.model.recorder import Recorder
from sim.model.regime import PolicyState
from sim.model.world import PlantArrays, World


class ModelState:
    """Declarations only: the values are set by the model's builders."""

    # ---- constants: set at construction, written by no stage ------------------------------
    world: World                      # the indexed world (countries, plants, programs)
    policy: Policy                    # the run's settings
    n_c: int                          # number of countries, C
    n_p: int                          # number of defense programs, P
    us: int                           # country index of the US (-1: not in the world)
    taiwan: Country | None            # Taiwan's agent, whose legislature votes its budget (None: not in the world)
    ex_china: list[Refiner]           # [X] the plants that are not Chinese, in refiner order
    by_stage: list[list[Refiner]]     # plants of each stage (separation, metal, magnet)
    _plants: PlantArrays              # the plants' constants the production kernel reads, each [R]
    _ex_idx: np.ndarray               # [X] refiner index of each ex-China plant
    _ex_output: np.ndarray            # [X] main output material of each ex-China plant
    rated_sellers: np.ndarray         # [X] bool: sited in the US, so DPAS-rated orders come first (15 CFR 700)
    _ex_floor: np.ndarray             # [X] USD/kg price floor guaranteed for each ex-China plant's main output
    buyer_country: np.ndarray         # [B] country index of each buyer
    us_program: np.ndarray            # [P] bool: a US program
    rated: np.ndarray                 # [B] bool: a buyer whose orders may be DPAS-rated (US programs)
    foreign: np.ndarray               # [B] bool: a buyer outside China
    _domestic_programs: np.ndarray    # buyer indices of China's own programs
    _lead_cn: np.ndarray              # [B] months of shipping from China
    _to_country: np.ndarray           # [C, B] 1 where buyer b is (in) country c: a product sums buyers by country
    events_at: dict[int, list[Event]]  # month index -> config events dated then (those before the start already applied)
    recorder: Recorder                # per-month records, from month 0 (set after the warm-up)
    t: int                            # the next month to run (0 = the start month)

    # ---- live state: what the stages read and write month by month ------------------------
    streams: dict[str, np.random.Generator]   # one random stream per mechanism (model.STREAMS)
    terms: PolicyState                # China's regime terms and the US levers in force (events move them)
    eligible: np.ndarray              # [B, K] bool: origin classes each buyer may use this month
    countries: list[Country]          # [C] the countries' agents (stockpile, reserve budget, budget vote)
    refiners: list[Refiner]           # [R] the plants' agents (their decisions; schedule and stock live in the arrays)
    plant_start: np.ndarray           # [R] month index of each plant's first output (agents.refiner.NEVER: undecided)
    producers: list[DefenseProducer]  # the defense firms' agents (work in progress, backlog)
    stockpiles: np.ndarray            # [C, M, K] t in strategic stockpiles; each country's is a view of its row
    plant_stock: np.ndarray           # [R, M, K] t of unsold plant output; each refiner's inventory is a view of its row
    hold: np.ndarray                  # [B, M, K] t held by each buyer
    transit: Pipeline                 # [B, M, K] t shipped, by month of arrival
    queue: LicenceQueue | DecisionQueue   # [B, M] t of licence lots waiting for China's decision
    use: np.ndarray                   # [C, M] t/month used (smoothed: half last month's, half this month's need)
    shortfall: np.ndarray             # [C, M] t/month of need not met this month (production inputs, programs, civil)
    last_shortfall: np.ndarray        # [C, M] t/month, last month's shortfall: what prices react to
    cost: np.ndarray                  # [stage, market CN/ROW, (t made, USD)] of this month's output
    price: np.ndarray                 # [M, market CN/ROW] USD/kg
    export_ema: np.ndarray            # [M] t/month China grants for export (smoothed)
    quota_used: np.ndarray            # [M] t of this calendar year's export quota granted
    cn_exports: np.ndarray            # [C, M] t China shipped to each country this month
    fiscal: np.ndarray                # [C] USD of public spending this month (subsidies, grants, floors, reserves)
    delivered: np.ndarray             # [P] units delivered this month
    offtake: np.ndarray               # [X, B] share of each ex-China plant's output contracted to each buyer (plus the club's pool)
    circle: np.ndarray                # [C] circle index (0 A, 1 B, 2 U); the Global South's choices move it
    months_in_b: np.ndarray           # [C] months since the country last joined circle B (0 outside B)
    fill: np.ndarray                  # [C] smoothed share of civil magnet need met, 0-1 (supply security)
    subsidy: np.ndarray               # [C] USD/kg production subsidy for non-Chinese plants sited there (US elections may end it)
    grant: np.ndarray                 # [C] share of a new plant's capex the host government pays
    reversals: int                    # US subsidy reversals so far
    member: np.ndarray                # [C] bool: a member of the allied club (S21)
    member_since: np.ndarray          # [C] month index the country joined the club (-1: not a member)
    trust: np.ndarray                 # [C] trust in the club's leader, 0-1
    tier_before_club: np.ndarray      # [C] tier China gave a member before metering it (-1: not metered)
    cn_dependence: np.ndarray         # [C] smoothed Chinese-origin share of the magnets each country receives, 0-1
    ledger: Ledger                    # the material balance (flows booked by production and use, checked monthly)

    # ---- upgrade cadence (S23-S25; sim.model.upgrades) -------------------------------------
    magnet_plants: np.ndarray         # refiner indices of the magnet plants (constant)
    plan_pad: np.ndarray              # [N, G+1] planned cut-in month of each ladder's generations, NEVER-padded (constant)
    cut_in: np.ndarray                # [N, G+1] the same plus each generation's other-cause slip (constant)
    _ex_magnet: np.ndarray            # refiner indices of the magnet plants outside China (constant)
    _cn_magnet: np.ndarray            # refiner indices of China's magnet plants (constant)
    _ladder_country: np.ndarray       # [N] country index of each ladder's buyer (constant; so are the four below)
    _ladder_military: np.ndarray      # [N] bool: a defense program
    _ladder_buyer: np.ndarray         # [N] buyer index (country stock or program inventory)
    _ladder_domestic: np.ndarray      # [N] bool: a buyer in China
    _ladder_q: np.ndarray             # [N] months to qualify a supplier at a level
    _ladder_program: np.ndarray       # [N] program index (-1: a civil sector)
    _ladder_share: np.ndarray         # [N] civil share of the country's magnet use (programs 0)
    _owner: dict                      # program index -> (its producer's index in producers, the program's index there)
    frontier: int                     # China's frontier level this month (index into tech.levels)
    plant_level: np.ndarray           # [R] technology level of each plant (magnet plants move; others keep their start value)
    plant_reached: np.ndarray         # [R, L] month each plant reached each level (NEVER: not yet)
    plant_licensed: np.ndarray        # [R, L] bool: reached with licensed Chinese technology
    gen_current: np.ndarray           # [N] index of each ladder's generation in production
    gen_level: np.ndarray             # [N] level that generation embodies (lower than it needs when downgraded)
    gen_downgraded: np.ndarray        # [N] bool: cut in at a lower level than it needs
    gen_reason: list[str]             # [N] the cut-in rule's verdict on the generation due ("ready", "access", "qualification", "supply")
    bom_scale: np.ndarray             # [P] each program's need per unit relative to its configured bill of materials
    upgrade_out: np.ndarray           # [6, N] this month's generation lag, plan lag, cut-in slip, material slip, old-generation and downgraded units

