"""Stochastic kinetics of the ensemble: the exact reference and the fast leaping kernel.

Two routes advance the same system (:mod:`cationx.ensemble.system`) over a time span:

:func:`advance_exact`
    Gillespie's direct method on the whole system: every event updates the shared pool,
    so it samples the chemical master equation exactly.  Plain NumPy, O(N) per event;
    the tested reference (small ensembles).
:func:`advance_fast`
    A numba kernel with two nested controls.

    *Pool leaps.*  The pool (free ions ``F``, free host ``H``) is frozen for a leap of
    length ``tau``; given the pool the NCs are independent.  A step moves ``M = m h`` ions
    and ``h`` host cations; the uptake propensity goes as ``(F)_M ~ F^M`` (and as
    ``H^-(h-1)``), the release as ``(H)_h^(1/h) ~ H``, so a pool change ``dF, dH`` changes
    their logarithms by about ``M dF / F`` and ``h dH / H``.  A leap is accepted only if
    ``F' >= 0``, ``M |dF| <= eps F`` and ``h |dH| <= eps H``: every pool propensity changes
    by at most about ``eps`` (the leap condition of Cao, Gillespie & Petzold, J. Chem.
    Phys. 124, 044109 (2006), applied to the shared species, but checked on the realised
    change after the leap); otherwise the NCs are restored and ``tau`` is halved.  While
    fewer than :data:`LEAP_MIN_EVENTS` (10) net steps would pass that test
    (``eps F < 10 M^2`` or ``eps H < 10 h^2``: a small pool, e.g. right after the first
    uptake, or a few NCs) the kernel takes exact whole-system direct-method events instead,
    and it returns to leaps only when twice as many would fit (hysteresis, kept between
    calls): leaps of a few steps at a frozen small pool, or switching whenever the pool
    fluctuates across one threshold, biased the mean free-ion count by 0.4-4.7 % in the
    paper's toy at N = 10-200 (tests at N = 10, in exact events, and N = 250, in leaps near
    the threshold, against the exact canonical ensemble).  The
    rejected leap is redrawn, not conditioned (unlike Anderson's post-leap checks, J. Chem.
    Phys. 128, 054103 (2008)), which slightly disfavours large pool excursions within one
    leap; the bias vanishes as ``eps -> 0`` and is checked against the exact routes in the
    tests, not bounded analytically.  After an accepted leap ``tau`` is rescaled so that
    the same net flux would use 70 % of the allowed change (at most doubling).

    *Per-NC steps.*  Inside a leap each NC runs its own exact SSA at the frozen pool,
    except where its up-rates are flat (``|ln K_{i+1} - ln K_{j+1}| <= flatness`` over a
    run of states 1..n-1, e.g. every intermediate of the ``white2013`` preset): there, if
    at least 10 events are expected and the run extends 4 standard deviations plus the
    drift beyond the current state on both sides, the NC jumps by
    ``Poisson(up tau) - Poisson(down tau)`` (exact for constant rates; the 4-sigma reach
    bounds the chance of leaving the run below ~1e-4, and a draw that lands outside is
    discarded for one exact event).  NCs in the top run or fully exchanged take an exact
    leap of the walk *reflected* at n (state n has no up-move): ``N ~ Poisson((u + v) tau)``
    clock rings, ``Binomial(N, u/(u+v))`` of them up; the up-rings at n are discarded,
    which needs only the end point and the minimum of the free walk (sampled from its
    exact conditional law, reflection principle); the run must extend beyond 8 standard
    deviations plus the drift.  So intermediates and exchanged NCs cost O(1) per leap
    whatever the number of events; host NCs (state 0) are always exact.

Random numbers: the fast kernel takes a 32-bit seed drawn from the caller's
:class:`numpy.random.Generator` at every call and reseeds numba's generator for every
block of 2048 NCs in every leap (and for every exact event) from (seed, counter, block),
so a run is a pure function of the seed whether the blocks run on 1 or many threads
(numba ``prange``) or workers.

Hand-written because no library simulates a shared-pool birth-death ensemble of 1e5
chains with per-chain leaping (GillesPy2/StochKit would need one species per NC state).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from cationx.ensemble.system import Ensemble

__all__ = ["Pool", "RunStats", "advance_exact", "advance_fast", "falling", "log_falling", "pool_rates"]

LEAP_MIN_EVENTS = 10.0
BLOCK = 2048  # NCs per random stream (fixed, so results do not depend on threads)
REACH_SD = 4.0


@dataclass(slots=True)
class Pool:
    """Mutable pool counts: free incoming ions and free host cations (integers)."""

    free_ions: int
    free_host: int
    added_ions: int


@dataclass(slots=True)
class RunStats:
    events: int = 0
    leaps: int = 0
    rejected: int = 0
    tau: float = 0.0
    exact_mode: bool = True  # the fast kernel's pool regime, kept between calls (hysteresis)


@numba.njit(cache=True)
def falling(count: int, m: int) -> float:
    """Falling factorial ``count (count-1) ... (count-m+1)`` (0 when count < m)."""
    if count < m:
        return 0.0
    out = 1.0
    for k in range(m):
        out *= count - k
    return out


@numba.njit(cache=True)
def log_falling(count: int, m: int) -> float:
    """``ln`` of the falling factorial (``-inf`` when count < m); no overflow for large m."""
    if count < m:
        return -math.inf
    out = 0.0
    for k in range(m):
        out += math.log(count - k)
    return out


@numba.njit(cache=True)
def pool_rates(free_ions, free_host, m, hh, log_mpc, log_koff):
    """Pool factors of one step (``m`` = ions per step, ``hh`` = host cations per step).

    Returns ``(ln a_up, a_down)``: an NC in state ``i`` steps up at ``exp(ln a_up + ln K_{i+1})``
    and down at ``a_down``, with ``D(H) = (H)_h mu^h`` (``mu = 1/(N_A V)``)::

        a_down = k_off D(H)^(1/h)
        a_up   = k_off (F)_{mh} mu^{mh} / D(H + h)^((h-1)/h)

    so ``a_up(F, H) K / a_down(F - mh, H + h) = K (F)_{mh} mu^{(m-1)h} / (H+h)_h`` (detailed
    balance with the canonical ensemble), for ``h = 1`` plain mass action (``k_off H mu`` and
    ``k_off K (F)_m mu^m``), and for any ``h`` a release rate ~ ``k_off d`` (not ``d^h``), so the
    time scale does not depend on the step size.
    """
    ld_next = log_falling(free_host + hh, hh) + hh * log_mpc
    log_up = log_koff + log_falling(free_ions, m) + m * log_mpc - (hh - 1) / hh * ld_next
    ld = log_falling(free_host, hh)
    down = 0.0 if ld == -math.inf else math.exp(log_koff + (ld + hh * log_mpc) / hh)
    return log_up, down


# ------------------------------------------------------------------------------- exact


def advance_exact(
    ens: Ensemble, state: np.ndarray, pool: Pool, t_span: float, rng: np.random.Generator, stats: RunStats
) -> None:
    """Direct-method Gillespie over ``t_span`` seconds; updates ``state`` and ``pool`` in place."""
    m = ens.ions_per_site
    hh = ens.host_per_site
    log_mpc = math.log(ens.molar_per_count)
    n = ens.sites
    base = ens.offsets[ens.group]
    lk = ens.log_k_next
    t = 0.0
    while True:
        log_up, down = pool_rates(pool.free_ions, pool.free_host, m, hh, log_mpc, math.log(ens.k_off))
        up = np.where(state < n, np.exp(log_up + lk[base + state]), 0.0)
        dn = np.where(state > 0, down, 0.0)
        rates = np.concatenate([up, dn])
        a0 = rates.sum()
        if a0 <= 0.0:
            return
        t += rng.exponential(1.0 / a0)
        if t > t_span:
            return
        k = int(np.searchsorted(np.cumsum(rates), rng.random() * a0, side="right"))
        k = min(k, rates.size - 1)
        j = k % state.size
        step = 1 if k < state.size else -1
        state[j] += step
        pool.free_ions -= m * step
        pool.free_host += hh * step
        stats.events += 1


# -------------------------------------------------------------------------------- fast


@numba.njit(cache=True)
def _walk_minimum(steps, end):
    """Minimum of a +-1 walk of ``steps`` steps from 0 conditioned to end at ``end``.

    Reflection principle: ``P(min <= -a | end) = C(N, k - a) / C(N, k)`` with ``k = (N - end)/2``
    for ``a >= max(0, -end)``, whatever the step probabilities; sampled by inversion
    (bisection on ``a``).
    """
    if steps == 0:
        return 0
    k0 = (steps - end) // 2
    lg_n = math.lgamma(steps + 1.0)
    base_lc = lg_n - math.lgamma(k0 + 1.0) - math.lgamma(steps - k0 + 1.0)
    log_u = math.log(1.0 - np.random.random())  # noqa: NPY002  (U in (0, 1])
    lo_a = max(0, -end)
    hi_a = k0 + 1
    while hi_a - lo_a > 1:
        mid = (lo_a + hi_a) // 2
        k = k0 - mid
        if lg_n - math.lgamma(k + 1.0) - math.lgamma(steps - k + 1.0) - base_lc >= log_u:
            lo_a = mid
        else:
            hi_a = mid
    return -lo_a


@numba.njit(cache=True)
def _advance_nc(i, n, base, lk, seg_lo, seg_hi, log_up, down, tau):
    """Advance one NC from state ``i`` by ``tau`` at a frozen pool (up-rate ``exp(log_up + ln K)``);
    returns (state, events)."""
    t = 0.0
    events = 0
    while True:
        up = math.exp(log_up + lk[base + i]) if i < n else 0.0
        dn = down if i > 0 else 0.0
        tot = up + dn
        if tot <= 0.0:
            break
        rem = tau - t
        lam = tot * rem
        if lam > LEAP_MIN_EVENTS:
            lo = seg_lo[base + i]
            hi = seg_hi[base + i]
            drift = (up - dn) * rem
            sd = math.sqrt(lam)
            if i + max(drift, 0.0) + REACH_SD * sd + 1.0 <= hi and i + min(drift, 0.0) - REACH_SD * sd - 1.0 >= lo:
                f = np.random.poisson(up * rem)  # noqa: NPY002 (numba generator, seeded per call)
                b = np.random.poisson(dn * rem)  # noqa: NPY002 (numba generator, seeded per call)
                new = i + f - b
                if lo <= new <= hi:
                    return new, events + f + b
            elif n >= 2 and i >= seg_lo[base + n - 1]:
                # top run or fully exchanged: a constant-rate walk whose up-moves are discarded at n
                top_lo = seg_lo[base + n - 1]
                u = up if i < n else math.exp(log_up + lk[base + n - 1])
                rate = u + dn
                lam_r = rate * rem
                sd_r = math.sqrt(lam_r)
                y0 = n - i
                if y0 + abs(u - dn) * rem + 2.0 * REACH_SD * sd_r + 2.0 <= n - top_lo:
                    rings = np.random.poisson(lam_r)  # noqa: NPY002
                    ups = np.random.binomial(rings, u / rate)  # noqa: NPY002
                    w = rings - 2 * ups  # free walk of the distance below n
                    blocked = max(0, -y0 - _walk_minimum(rings, w))
                    new = n - (y0 + w + blocked)
                    if new >= top_lo:
                        return new, events + rings - blocked
        dt = np.random.exponential(1.0 / tot)  # noqa: NPY002 (numba generator, seeded per call)
        if dt >= rem:
            break
        t += dt
        if np.random.random() * tot < up:  # noqa: NPY002
            i += 1
        else:
            i -= 1
        events += 1
    return i, events


@numba.njit(cache=True)
def _exact_event(state, sites, base, lk, log_up, down, t_left, counts, m, hh):
    """One direct-method event of the whole system; returns its waiting time, or -1 past ``t_left``."""
    n_nc = state.size
    a0 = 0.0
    for j in range(n_nc):
        i = state[j]
        if i < sites[j]:
            a0 += math.exp(log_up + lk[base[j] + i])
        if i > 0:
            a0 += down
    if a0 <= 0.0:
        return -1.0
    dt = np.random.exponential(1.0 / a0)  # noqa: NPY002
    if dt > t_left:
        return -1.0
    target = np.random.random() * a0  # noqa: NPY002
    acc = 0.0
    for j in range(n_nc):
        i = state[j]
        if i < sites[j]:
            acc += math.exp(log_up + lk[base[j] + i])
            if acc >= target:
                state[j] = i + 1
                counts[0] -= m
                counts[1] += hh
                return dt
        if i > 0:
            acc += down
            if acc >= target:
                state[j] = i - 1
                counts[0] += m
                counts[1] -= hh
                return dt
    # rounding: the last NC with a move takes the event
    for j in range(n_nc - 1, -1, -1):
        i = state[j]
        if i > 0:
            state[j] = i - 1
            counts[0] += m
            counts[1] -= hh
            return dt
        if i < sites[j]:
            state[j] = i + 1
            counts[0] -= m
            counts[1] += hh
            return dt
    return dt


@numba.njit(cache=True)
def _block_seed(seed, leap, block):
    """A 32-bit seed for (call seed, leap counter, block): a splitmix64 finaliser."""
    z = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
    z += np.uint64(leap) * np.uint64(0xBF58476D1CE4E5B9)
    z += np.uint64(block) * np.uint64(0x94D049BB133111EB)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.uint32(z & np.uint64(0xFFFFFFFF))


@numba.njit(cache=True)
def _leap_block(b, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, leap, nets, evs):
    """Advance the NCs of block ``b`` by ``tau``; its random stream depends on (seed, leap, b) only."""
    np.random.seed(_block_seed(seed, leap, b))  # noqa: NPY002 (numba generator, seeded per block)
    start = b * BLOCK
    stop = min(state.size, start + BLOCK)
    net = 0
    ev = 0
    for j in range(start, stop):
        i0 = state[j]
        backup[j] = i0
        i1, e = _advance_nc(i0, sites[j], base[j], lk, seg_lo, seg_hi, log_up, down, tau)
        state[j] = i1
        net += i1 - i0
        ev += e
    nets[b] = net
    evs[b] = ev


@numba.njit(cache=True, parallel=True)
def _leap_parallel(n_blocks, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, leap, nets, evs):
    for b in numba.prange(n_blocks):
        _leap_block(b, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, leap, nets, evs)


@numba.njit(cache=True)
def _leap_serial(n_blocks, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, leap, nets, evs):
    for b in range(n_blocks):
        _leap_block(b, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, leap, nets, evs)


#: the pool is frozen for leaps only while the leap condition allows at least this many net
#: steps in one leap; below, exact whole-system events (leaps of a few steps at a frozen small
#: pool biased the mean free-ion count by +4.7 % at N = 10 and -0.5 % at N = 40: paper toy,
#: eps = 0.03)
LEAP_MIN_EVENTS = 10
#: ... and the kernel returns from exact events to leaps only at twice that pool (hysteresis:
#: switching back and forth whenever the pool fluctuates across one threshold biased the mean
#: free-ion count by 0.4 %: paper toy, N = 200, eps = 0.03)
LEAP_RESUME_FACTOR = 2.0


@numba.njit(cache=True)
def _advance_pool(state, sites, base, lk, seg_lo, seg_hi, counts, m, hh, mpc, k_off, t_span, eps, tau0, seed, parallel, out):
    """Pool-leap loop over ``t_span``; counts = [free ions, free host];
    out = [events, leaps, rejected, tau, exact mode] (the last two also read at the start).

    A step takes ``m`` ions (``m h`` of the model) and releases ``hh`` host cations.  Every
    leap and every exact event reseeds from (seed, counter, block), so the result does not
    depend on the number of threads that run the blocks.
    """
    n_nc = state.size
    n_blocks = (n_nc + BLOCK - 1) // BLOCK
    nets = np.zeros(n_blocks, dtype=np.int64)
    evs = np.zeros(n_blocks, dtype=np.int64)
    backup = state.copy()
    t = 0.0
    tau = tau0
    exact_mode = out[4] != 0.0
    log_mpc = math.log(mpc)
    log_koff = math.log(k_off)
    counter = 0
    while t < t_span:
        counter += 1
        if tau > t_span - t:
            tau = t_span - t
        f_count = counts[0]
        h_count = counts[1]
        log_up, down = pool_rates(f_count, h_count, m, hh, log_mpc, log_koff)
        room = min(eps * f_count / (m * m), eps * h_count / (hh * hh))  # net steps a leap may hold
        if exact_mode:
            exact_mode = room < LEAP_RESUME_FACTOR * LEAP_MIN_EVENTS
        else:
            exact_mode = room < LEAP_MIN_EVENTS
        if exact_mode:
            # pool too small to freeze: one exact direct-method event (whole system)
            np.random.seed(_block_seed(seed, counter, n_blocks))  # noqa: NPY002
            dt = _exact_event(state, sites, base, lk, log_up, down, t_span - t, counts, m, hh)
            if dt < 0.0:
                break
            t += dt
            out[0] += 1
            continue
        if parallel and n_blocks > 1:
            _leap_parallel(n_blocks, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, counter, nets, evs)
        else:
            _leap_serial(n_blocks, state, backup, sites, base, lk, seg_lo, seg_hi, log_up, down, tau, seed, counter, nets, evs)
        net = nets.sum()
        ev = evs.sum()
        d_f = -m * net
        d_h = hh * net
        ok = f_count + d_f >= 0 and h_count + d_h >= 0
        ok = ok and abs(d_f) * m <= eps * f_count
        ok = ok and abs(d_h) * hh <= eps * h_count
        if ok:
            counts[0] = f_count + d_f
            counts[1] = h_count + d_h
            t += tau
            out[0] += ev
            out[1] += 1
            # next leap: at most double, and aim the net change at 70 % of what is allowed
            grow = 2.0 if net == 0 else min(2.0, 0.7 * room / abs(net))
            tau *= max(grow, 0.5)
        else:
            state[:] = backup
            out[2] += 1
            tau *= 0.5
    out[3] = tau
    out[4] = 1.0 if exact_mode else 0.0


def advance_fast(
    ens: Ensemble,
    state: np.ndarray,
    pool: Pool,
    t_span: float,
    rng: np.random.Generator,
    stats: RunStats,
    *,
    epsilon: float,
    threads: int | None = None,
) -> None:
    """Leaping kernel over ``t_span`` seconds; updates ``state``, ``pool`` and ``stats``.

    ``threads``: numba threads for the blocks of NCs (None: numba's default, all cores);
    the numbers do not depend on it.
    """
    if t_span <= 0:
        return
    if threads is not None:
        numba.set_num_threads(min(int(threads), numba.config.NUMBA_NUM_THREADS))
    counts = np.array([pool.free_ions, pool.free_host], dtype=np.int64)
    out = np.zeros(5)
    out[4] = 1.0 if stats.exact_mode else 0.0
    tau0 = stats.tau if stats.tau > 0 else t_span * 1e-6
    base = ens.offsets[ens.group]
    seed = int(rng.integers(0, 2**32))
    _advance_pool(
        state, ens.sites, base, ens.log_k_next, ens.seg_lo, ens.seg_hi, counts,
        ens.ions_per_site, ens.host_per_site, ens.molar_per_count, ens.k_off, float(t_span), float(epsilon),
        float(tau0), seed, threads != 1, out,
    )
    pool.free_ions = int(counts[0])
    pool.free_host = int(counts[1])
    stats.events += int(out[0])
    stats.leaps += int(out[1])
    stats.rejected += int(out[2])
    stats.tau = float(out[3])
    stats.exact_mode = bool(out[4])


@numba.njit(cache=True)
def _sample_endpoints(i0, n, lk, seg_lo, seg_hi, log_up, down, tau, count, seed):
    """``count`` independent end states of one NC started at ``i0`` (a testing hook)."""
    np.random.seed(seed)  # noqa: NPY002
    out = np.empty(count, dtype=np.int64)
    for k in range(count):
        out[k], _ = _advance_nc(i0, n, 0, lk, seg_lo, seg_hi, log_up, down, tau)
    return out
