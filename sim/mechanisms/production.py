"""Plants' monthly output, conversion by recipe, and kitting of defense units (S2, S3, S9).

Origin classes (0 = Chinese content, 1 = non-China unqualified, 2 = non-China qualified):
an output's class is the lowest of its plant's class and its inputs' classes. The monthly
work is compiled (:mod:`sim.mechanisms.jit`): a few dozen plants and three classes, where a
call per plant would cost more than the arithmetic.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import kernel
from sim.vocab import HEAVY, LIGHT, SEPARATION

TINY = 1e-15   # t; what is left of a draw below this counts as met


@kernel
def ramp_share(t: int, start: np.ndarray, ramp_months: np.ndarray) -> np.ndarray:
    """Share of nameplate each plant has in month ``t``: 0 before its start, then a linear ramp.

    Args:
        t: month index.
        start: month index of each plant's first output, ``[R]``.
        ramp_months: months to full output, ``[R]`` (0: full at once).
    """
    out = np.zeros(start.size)
    for r in range(start.size):
        if t >= start[r]:
            out[r] = 1.0 if ramp_months[r] == 0 else min(1.0, (t - start[r] + 1) / ramp_months[r])
    return out


@kernel
def plant_class(t: int, start: np.ndarray, qual_months: np.ndarray, chinese: np.ndarray) -> np.ndarray:
    """Origin class of each plant's output in month ``t``: 0 Chinese, else 2 once qualified, 1 before."""
    out = np.zeros(start.size, dtype=np.int64)
    for r in range(start.size):
        if not chinese[r]:
            out[r] = 2 if t >= start[r] + qual_months[r] else 1
    return out


@kernel
def _take_lowest_first(avail: np.ndarray, amount: float, first: int, eligible: np.ndarray, into: np.ndarray) -> None:
    """Add to ``into[K]`` up to ``amount`` taken from ``avail[K]`` (minus what ``into`` holds),
    over the ``eligible`` classes from ``first`` on, lowest class first."""
    left = amount
    for k in range(first, avail.size):
        if not eligible[k]:
            continue
        step = min(avail[k] - into[k], left)
        into[k] += step
        left -= step
        if left <= TINY:
            break


@kernel
def _convert(capacity: float, recipe: np.ndarray, avail: np.ndarray, plant_class: int,
             out: np.ndarray, used: np.ndarray) -> None:
    """:func:`convert` into zeroed ``out[K]`` and ``used[M, K]``."""
    n_m, n_k = avail.shape
    every = np.ones(n_k, dtype=np.bool_)
    left = capacity
    for k in range(plant_class, -1, -1):
        if left <= 0:
            break
        amount = left   # the scarcest input, counting classes k and above, bounds the batch
        for m in range(n_m):
            if recipe[m] > 0:
                have = 0.0
                for j in range(k, n_k):
                    have += avail[m, j] - used[m, j]
                amount = min(amount, have / recipe[m])
        if amount <= 0:
            continue
        for m in range(n_m):
            if recipe[m] > 0:
                _take_lowest_first(avail[m], amount * recipe[m], k, every, used[m])
        out[k] += amount
        left -= amount


def convert(capacity: float, recipe: np.ndarray, avail: np.ndarray,
            plant_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Make up to ``capacity`` tonnes of output from inputs in ``avail``.

    Args:
        capacity: most output this month, t.
        recipe: t of each input material per t of output, ``[M]``.
        avail: input stock per material and class, ``[M, K]``.
        plant_class: the best class this plant can give (0 for Chinese plants).

    Returns:
        ``(output[K], used[M, K])``: output by class and inputs consumed.
    """
    avail = np.asarray(avail, dtype=float)
    out, used = np.zeros(avail.shape[1]), np.zeros_like(avail)
    _convert(float(capacity), np.asarray(recipe, dtype=float), avail, int(plant_class), out, used)
    return out, used


@kernel
def _wanted(r: int, ramp: float, util: np.ndarray, stage: np.ndarray, output: np.ndarray, chinese: np.ndarray,
            cap: np.ndarray, heavy: np.ndarray, feed: np.ndarray, room: np.ndarray, stock: np.ndarray,
            out: np.ndarray) -> None:
    """Plant ``r``'s wanted output per material into ``out[M]``: its ramped capacity run at
    ``util[M]`` (separation: light oxide up to its feed, heavy oxide as a by-product); a plant
    outside China makes no more than the room its unsold stock leaves."""
    out[:] = 0.0
    if ramp == 0.0:
        return
    if stage[r] == SEPARATION:
        out[LIGHT] = min(cap[r] * ramp * util[LIGHT], feed[r])
        out[HEAVY] = heavy[r] * ramp * util[HEAVY]
    else:
        out[output[r]] = cap[r] * ramp * util[output[r]]
    if not chinese[r]:
        for m in range(out.size):
            held = 0.0
            for k in range(stock.shape[2]):
                held += stock[r, m, k]
            out[m] = min(out[m], max(room[r] - held, 0.0))


@kernel
def produce_plants(t: int, dry_run: bool, stage: np.ndarray, output: np.ndarray, site: np.ndarray,
                   chinese: np.ndarray, start: np.ndarray, ramp_months: np.ndarray, qual_months: np.ndarray,
                   cap: np.ndarray, heavy: np.ndarray, feed: np.ndarray, room: np.ndarray, unit_cost: np.ndarray,
                   recipe: np.ndarray, cn: int, cn_target: np.ndarray, subsidy: np.ndarray,
                   hold: np.ndarray, plant_stock: np.ndarray, req: np.ndarray, short: np.ndarray,
                   cost: np.ndarray, flows: np.ndarray, fiscal: np.ndarray) -> None:
    """One month of every plant, stage by stage and in plant order within a stage (S2, S3).

    Each plant wants its ramped capacity (China's plants run to fill the domestic pool to
    ``cn_target``, ex-China plants up to their unsold-stock room), books its inputs as its
    site's need, and converts what its site's stock allows; China's output goes to the
    domestic pool at once. ``dry_run``: only the need is booked, nothing is made.

    Args:
        t: month index.
        dry_run: book the need only (the stocks at construction).
        stage, output, site, chinese, start, ramp_months, qual_months: per plant ``[R]``.
        cap, heavy, feed, room, unit_cost: per plant ``[R]``: main output t/month, heavy
            oxide t/month, mined feed t/month, unsold stock kept t, unit cost USD/kg.
        recipe: t of each input per t of output, ``[stage, M]``.
        cn: China's country index.
        cn_target: t China aims to hold in its pool per material, ``[M]``.
        subsidy: USD/kg production subsidy of each country for plants sited there, ``[C]``.
        hold: buyers' stocks ``[B, M, K]`` (inputs taken, China's output added; in place).
        plant_stock: plants' unsold output ``[R, M, K]`` (in place).
        req: t of each material each country needs this month, ``[C, M]`` (added to).
        short: t each country's plants lacked, ``[C, M]`` (added to).
        cost: ``[stage, CN/ROW, (t made, USD)]`` (added to).
        flows: ``[(made, used), M]`` t for the ledger (added to).
        fiscal: USD of public spending per country ``[C]`` (subsidies added).
    """
    n_r, n_m, n_k = plant_stock.shape
    ramp = ramp_share(t, start, ramp_months)
    made_class = plant_class(t, start, qual_months, chinese)
    wanted = np.zeros(n_m)
    util = np.ones(n_m)
    full = np.ones(n_m)
    out = np.zeros(n_k)
    taken = np.zeros((n_m, n_k))
    for s in range(recipe.shape[0]):
        util[:] = 1.0
        if not dry_run:   # China runs the share of its capacity that fills its pool to the target
            capacity = np.zeros(n_m)
            for r in range(n_r):
                if stage[r] == s and chinese[r]:
                    _wanted(r, ramp[r], full, stage, output, chinese, cap, heavy, feed, room, plant_stock, wanted)
                    capacity += wanted
            for m in range(n_m):
                held = 0.0
                for k in range(n_k):
                    held += hold[cn, m, k]
                gap = max(cn_target[m] - held, 0.0)
                util[m] = min(gap / capacity[m], 1.0) if capacity[m] > 0 else 0.0
        for r in range(n_r):
            if stage[r] != s:
                continue
            _wanted(r, ramp[r], util if chinese[r] else full, stage, output, chinese, cap, heavy, feed, room,
                    plant_stock, wanted)
            top = wanted.max()
            if top <= 0.0:   # not started, not decided, or full: makes and needs nothing
                continue
            at = site[r]
            for m in range(n_m):
                req[at, m] += top * recipe[s, m]
            if dry_run:
                continue
            for m in range(n_m):
                have = 0.0
                for k in range(n_k):
                    have += hold[at, m, k]
                if top * recipe[s, m] - have > 0.0:   # a covered input adds nothing to the shortfall
                    short[at, m] += top * recipe[s, m] - have
            total = 0.0
            if s == SEPARATION:   # feed is mined concentrate, outside the ledger
                for m in range(n_m):
                    plant_stock[r, m, made_class[r]] += wanted[m]
                    flows[0, m] += wanted[m]
                    total += wanted[m]
            else:
                out[:] = 0.0
                taken[:] = 0.0
                _convert(wanted[output[r]], recipe[s], hold[at], made_class[r], out, taken)
                for k in range(n_k):
                    plant_stock[r, output[r], k] += out[k]
                    total += out[k]
                hold[at] -= taken
                for m in range(n_m):
                    flows[1, m] += taken[m].sum()
                flows[0, output[r]] += total
            market = 0 if chinese[r] else 1
            cost[s, market, 0] += total
            cost[s, market, 1] += total * (1000.0 * unit_cost[r])
            if chinese[r]:   # China's plants sell into the domestic pool at once
                hold[cn] += plant_stock[r]
                plant_stock[r] = 0.0
            else:            # host-country production subsidy (e.g. US 45X)
                fiscal[at] += subsidy[at] * total * 1000.0


@kernel
def _kit(wanted: float, bom: np.ndarray, avail: np.ndarray, eligible: np.ndarray, used: np.ndarray) -> float:
    """:func:`kit_units` into zeroed ``used[M, K]``; returns the units started."""
    n_m, n_k = avail.shape
    units = wanted
    for m in range(n_m):
        if bom[m] > 0:
            have = 0.0
            for k in range(n_k):
                if eligible[k]:
                    have += avail[m, k]
            units = min(units, have / bom[m])
    units = max(0.0, units)
    for m in range(n_m):
        if bom[m] > 0:
            _take_lowest_first(avail[m], units * bom[m], 0, eligible, used[m])
    return units


def kit_units(wanted: float, bom: np.ndarray, avail: np.ndarray,
              eligible: np.ndarray) -> tuple[float, np.ndarray]:
    """Start as many of ``wanted`` units as the eligible inventory allows.

    Args:
        wanted: units to start.
        bom: t of each material per unit, ``[M]``.
        avail: inventory per material and class, ``[M, K]``.
        eligible: classes this program may use, ``[K]`` of bool.

    Returns:
        ``(units, used[M, K])``.
    """
    avail = np.asarray(avail, dtype=float)
    used = np.zeros_like(avail)
    units = _kit(float(wanted), np.asarray(bom, dtype=float), avail, np.asarray(eligible, dtype=np.bool_), used)
    return float(units), used


@kernel
def _planned_at(t: float, rate: float, target: float, ramp_months: int) -> float:
    """:func:`planned_rate` in one month."""
    if target <= 0 or target == rate:
        return rate
    return rate + (target - rate) * min(max(t / max(ramp_months, 1), 0.0), 1.0)


@kernel
def _planned(t: np.ndarray, rate: float, target: float, ramp_months: int) -> np.ndarray:
    out = np.empty(t.size)
    for i in range(t.size):
        out[i] = _planned_at(t[i], rate, target, ramp_months)
    return out


def planned_rate(t: np.ndarray | int, rate: float, target: float, ramp_months: int) -> np.ndarray:
    """Planned deliveries per month: linear ramp from ``rate`` to ``target`` (if set).

    Args:
        t: month indices (or one month).
        rate: units/month at month 0.
        target: units/month at the end of the ramp (0 or ``rate``: no ramp).
        ramp_months: months the ramp takes.
    """
    t = np.asarray(t, dtype=float)
    return _planned(t.ravel(), float(rate), float(target), int(ramp_months)).reshape(t.shape)


@kernel
def planned_starts(t: int, rate: np.ndarray, target: np.ndarray, ramp_months: np.ndarray,
                   cycle: np.ndarray) -> np.ndarray:
    """Units each program's plan wants kitted in month ``t``: those due one cycle later, ``[n]``."""
    out = np.empty(rate.size)
    for j in range(rate.size):
        out[j] = _planned_at(float(t + cycle[j]), rate[j], target[j], ramp_months[j])
    return out


@kernel
def inventory_targets(t: int, programs: np.ndarray, rate: np.ndarray, target: np.ndarray, ramp_months: np.ndarray,
                      cycle: np.ndarray, backlog: np.ndarray, inventory_months: np.ndarray, bom: np.ndarray,
                      bom_scale: np.ndarray, out: np.ndarray) -> None:
    """Component inventory each program aims to hold: ``inventory_months`` of its planned starts
    (plus its backlog spread over those months) at the bill of the generation in production.

    Writes t per material into ``out[p]`` for each of the producer's ``programs`` (``[n]``);
    ``bom_scale`` is per program of the world ``[P]``, the other arrays per program of the producer.
    """
    plans = planned_starts(t, rate, target, ramp_months, cycle)
    for j in range(programs.size):
        starts = plans[j] + backlog[j] / max(inventory_months[j], 1.0)
        out[programs[j]] = inventory_months[j] * bom_scale[programs[j]] * starts * bom[j]


@kernel
def kit_programs(t: int, programs: np.ndarray, n_c: int, rate: np.ndarray, target: np.ndarray,
                 ramp_months: np.ndarray, cycle: np.ndarray, surge: np.ndarray, bom: np.ndarray,
                 bom_scale: np.ndarray, hold: np.ndarray, eligible: np.ndarray, backlog: np.ndarray,
                 wip: np.ndarray, delivered: np.ndarray, used: np.ndarray, unmet: np.ndarray) -> None:
    """One month of a defense producer's programs: kit what inventory allows, then deliver (S9).

    Each program wants its planned starts (those due one cycle later) plus its backlog, up to
    ``surge`` times the plan; it kits as many units as its eligible component inventory
    allows, lowest origin class first; the units finish one cycle later.

    Args:
        t: month index.
        programs: the producer's program indices ``[n]``; program ``p``'s buyer row is ``n_c + p``.
        n_c: number of countries (the buyer rows before the programs').
        rate, target, ramp_months, cycle, surge: per program ``[n]``: the plan's units/month at
            month 0 and after its ramp, the ramp's months, months from kit to delivery, the
            most starts per month as a multiple of the plan.
        bom: t of each material per unit as configured, ``[n, M]``.
        bom_scale: each program's need relative to its configured bill (the generation in
            production, S24), ``[P]``.
        hold: buyers' stocks ``[B, M, K]`` (components taken, in place).
        eligible: classes each buyer may use, ``[B, K]``.
        backlog: units planned and not yet kitted ``[n]`` (in place).
        wip: units finishing in each coming month, a ring ``[n, H]`` (in place).
        delivered, used, unmet: out, at each program's index: units delivered ``[P]``, t
            consumed and t missing ``[P, M]``.
    """
    n_m, n_k = hold.shape[1], hold.shape[2]
    horizon = wip.shape[1]
    taken = np.zeros((n_m, n_k))
    plans = planned_starts(t, rate, target, ramp_months, cycle)
    for j in range(programs.size):
        p, plan = programs[j], plans[j]
        b = n_c + p
        need = bom[j] * bom_scale[p]
        wanted = min(plan + backlog[j], surge[j] * plan) if plan > 0 else backlog[j]
        taken[:] = 0.0
        units = _kit(wanted, need, hold[b], eligible[b], taken)
        hold[b] -= taken
        for m in range(n_m):
            used[p, m] = taken[m].sum()
            unmet[p, m] = (wanted - units) * need[m]
        backlog[j] = max(0.0, backlog[j] + plan - units)
        wip[j, (t + cycle[j]) % horizon] += units
        slot = t % horizon
        delivered[p] = wip[j, slot]
        wip[j, slot] = 0.0


@kernel
def consume_civil(want: np.ndarray, magnets: np.ndarray, fill: np.ndarray, shortfall: np.ndarray) -> float:
    """Each country uses its civil magnet need from its stock, Chinese-origin (lowest class) first (S9).

    Args:
        want: t each country needs this month ``[C]``.
        magnets: each country's magnet stock by class ``[C, K]`` (in place).
        fill: smoothed share of civil need met, 0-1 ``[C]`` (in place: 0.8 old + 0.2 this month).
        shortfall: t of magnet need unmet ``[C]`` (added to).

    Returns:
        Tonnes used in all.
    """
    total = 0.0
    for c in range(want.size):
        left = want[c]
        for k in range(magnets.shape[1]):
            take = min(magnets[c, k], left)
            magnets[c, k] -= take
            left -= take
        used = want[c] - left
        if want[c] > 0:
            fill[c] = 0.8 * fill[c] + 0.2 * used / want[c]
        shortfall[c] += left
        total += used
    return total
