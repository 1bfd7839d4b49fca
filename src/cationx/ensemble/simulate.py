"""Titrations (additions in steps) and kinetics (one addition at once) of an NC ensemble.

:func:`titrate` adds incoming ions in steps (cumulative totals per NC, increasing), lets
the ensemble evolve for ``time_per_addition_s`` after each, and records it;
:func:`kinetics` adds everything at ``t = 0`` and records at the requested times.  Both
return an :class:`EnsembleResult` with, per record point, the fractions of host (no step),
doped (1..n-1 steps) and exchanged (all n steps) NCs, the full histogram of steps per NC,
free ions and free host cations, and exact ion bookkeeping.

The long-time limit of a monodisperse titration is the canonical ensemble of
:mod:`cationx.ensemble.canonical`; for large N it is the equilibrium engine
(:func:`cationx.cooperative.solve_titration`) at ``nc_conc_molar = N/(N_A V)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import (
    as_1d_array,
    check_choice,
    check_int,
    check_positive,
    check_range,
    check_sorted,
)
from cationx.ensemble.kernels import Pool, RunStats, advance_exact, advance_fast
from cationx.ensemble.system import Ensemble
from cationx.errors import FitError, InputError
from cationx.fitting import FitResult

__all__ = ["METHODS", "EnsembleResult", "kinetics", "titrate"]

METHODS = ("fast", "exact")
DEFAULT_EPSILON = 0.03


@dataclass(frozen=True, slots=True)
class EnsembleResult:
    """An ensemble recorded at P points (after each addition, or at each time).

    Per-NC quantities are averages over the N NCs.  ``dopant_histogram[k, i]`` is the
    number of NCs that have taken ``i`` steps (hold ``m h i`` incoming ions) at point ``k``;
    every row sums to N.  ``*_count`` arrays are exact integers (ions in the pool and
    added), so ``added_ions_count == free_ions_count + m h sum_i i histogram_i`` and
    ``free_host_count == host_initial_count + h sum_i i histogram_i`` exactly.
    """

    ensemble: Ensemble
    method: str
    epsilon: float
    time_s: np.ndarray
    added_ions_count: np.ndarray
    free_ions_count: np.ndarray
    free_host_count: np.ndarray
    dopant_histogram: np.ndarray
    fraction_host: np.ndarray
    fraction_doped: np.ndarray
    fraction_exchanged: np.ndarray
    doped_steps_count: np.ndarray
    events: np.ndarray
    leaps: np.ndarray
    rejected: np.ndarray
    final_state: np.ndarray

    @property
    def total_ions_per_nc(self) -> np.ndarray:
        return self.added_ions_count / self.ensemble.n_ncs

    @property
    def free_ions_per_nc(self) -> np.ndarray:
        return self.free_ions_count / self.ensemble.n_ncs

    @property
    def free_host_per_nc(self) -> np.ndarray:
        return self.free_host_count / self.ensemble.n_ncs

    @property
    def free_ion_molar(self) -> np.ndarray:
        return self.free_ions_count * self.ensemble.molar_per_count

    @property
    def free_host_molar(self) -> np.ndarray:
        return self.free_host_count * self.ensemble.molar_per_count

    @property
    def mean_steps(self) -> np.ndarray:
        """Mean steps taken per NC (``h`` host cations released per step)."""
        idx = np.arange(self.dopant_histogram.shape[1])
        return self.dopant_histogram @ idx / self.ensemble.n_ncs

    @property
    def released_host_per_nc(self) -> np.ndarray:
        """Host cations released per NC (``h`` times the mean steps)."""
        return self.ensemble.host_per_site * self.mean_steps

    @property
    def product_fraction(self) -> np.ndarray:
        """Product material: host cations replaced / host cations of the sample."""
        return self.released_host_per_nc * self.ensemble.n_ncs / float(self.ensemble.host_cations.sum())

    @property
    def bound_ions_per_nc(self) -> np.ndarray:
        return self.ensemble.ions_per_site * self.mean_steps

    @property
    def dopants_per_nc(self) -> np.ndarray:
        """Incoming ions held by doped (1..n-1 steps) NCs, per NC of the ensemble."""
        return self.ensemble.ions_per_site * self.doped_steps_count / self.ensemble.n_ncs

    COLUMNS = (
        "time_s",
        "total_ions_per_nc",
        "free_ions_per_nc",
        "bound_ions_per_nc",
        "free_host_per_nc",
        "released_host_per_nc",
        "product_fraction",
        "free_ion_molar",
        "free_host_molar",
        "fraction_host",
        "fraction_doped",
        "fraction_exchanged",
        "dopants_per_nc",
        "events",
    )

    def to_frame(self) -> pd.DataFrame:
        """One row per record point (histogram: :meth:`histogram_frame`)."""
        return pd.DataFrame({c: getattr(self, c) for c in self.COLUMNS})

    def histogram_frame(self) -> pd.DataFrame:
        """Histogram of steps per NC: columns ``steps_0`` .. ``steps_nmax``, one row per point."""
        cols = [f"steps_{i}" for i in range(self.dopant_histogram.shape[1])]
        frame = pd.DataFrame(self.dopant_histogram, columns=cols)
        frame.insert(0, "total_ions_per_nc", self.total_ions_per_nc)
        frame.insert(0, "time_s", self.time_s)
        return frame

    def hill(self, against: str = "total", *, ci: str = "stderr") -> FitResult:
        """Apparent Hill fit of the fraction exchanged vs total (or free) ions per NC.

        Uses :func:`cationx.cooperative.fits.fit_hill`; on totals the coefficient is
        descriptive (it includes depletion), on free ions it is the textbook one.
        """
        import warnings

        from cationx.cooperative.fits import Titration, fit_hill
        from cationx.errors import InterpretationWarning

        check_choice(against, "against", ("total", "free"))
        fe = self.fraction_exchanged
        if not (fe.min() < 0.5 < fe.max()):
            raise FitError(
                f"the fraction exchanged stays within {fe.min():.3g}..{fe.max():.3g}: a Hill fit "
                "needs points on both sides of the midpoint (extend the additions)"
            )
        x = self.total_ions_per_nc if against == "total" else self.free_ions_per_nc
        order = np.argsort(x, kind="stable")
        t = Titration.from_arrays(x[order], self.fraction_exchanged[order])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InterpretationWarning)
            return fit_hill(t, against=against, ci=ci)

    def to_dict(self, *, histogram: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ensemble": self.ensemble.summary(),
            "method": self.method,
            "epsilon": self.epsilon,
        }
        for c in self.COLUMNS:
            out[c] = getattr(self, c)
        out["added_ions_count"] = self.added_ions_count
        out["free_ions_count"] = self.free_ions_count
        out["free_host_count"] = self.free_host_count
        out["leaps"] = self.leaps
        out["rejected_leaps"] = self.rejected
        if histogram:
            out["dopant_histogram"] = self.dopant_histogram
        return out


class _Recorder:
    def __init__(self, ens: Ensemble):
        self.ens = ens
        self.nmax = int(ens.sites.max())
        self.rows: dict[str, list[Any]] = {k: [] for k in (
            "time_s", "added", "free", "host", "hist", "f_host", "f_doped", "f_exch", "doped_steps",
            "events", "leaps", "rejected")}

    def record(self, t: float, state: np.ndarray, pool: Pool, stats: RunStats) -> None:
        n = self.ens.sites
        exch = state == n
        host = state == 0
        doped = ~(exch | host)
        nn = state.size
        r = self.rows
        r["time_s"].append(t)
        r["added"].append(pool.added_ions)
        r["free"].append(pool.free_ions)
        r["host"].append(pool.free_host)
        r["hist"].append(np.bincount(state, minlength=self.nmax + 1))
        r["f_host"].append(np.count_nonzero(host) / nn)
        r["f_doped"].append(np.count_nonzero(doped) / nn)
        r["f_exch"].append(np.count_nonzero(exch) / nn)
        r["doped_steps"].append(int(state[doped].sum()))
        r["events"].append(stats.events)
        r["leaps"].append(stats.leaps)
        r["rejected"].append(stats.rejected)

    def result(self, method: str, epsilon: float, state: np.ndarray) -> EnsembleResult:
        r = self.rows
        i64 = np.int64
        arrays = dict(
            time_s=np.array(r["time_s"], dtype=float),
            added_ions_count=np.array(r["added"], dtype=i64),
            free_ions_count=np.array(r["free"], dtype=i64),
            free_host_count=np.array(r["host"], dtype=i64),
            dopant_histogram=np.array(r["hist"], dtype=i64).reshape(len(r["hist"]), self.nmax + 1),
            fraction_host=np.array(r["f_host"], dtype=float),
            fraction_doped=np.array(r["f_doped"], dtype=float),
            fraction_exchanged=np.array(r["f_exch"], dtype=float),
            doped_steps_count=np.array(r["doped_steps"], dtype=i64),
            events=np.array(r["events"], dtype=i64),
            leaps=np.array(r["leaps"], dtype=i64),
            rejected=np.array(r["rejected"], dtype=i64),
            final_state=state.copy(),
        )
        for a in arrays.values():
            a.setflags(write=False)
        return EnsembleResult(ensemble=self.ens, method=method, epsilon=epsilon, **arrays)


def _check_run(ens: Any, method: str, epsilon: Any) -> float:
    if not isinstance(ens, Ensemble):
        raise InputError("ensemble must be an Ensemble (use cationx.ensemble.make_ensemble)")
    check_choice(method, "method", METHODS)
    return check_range(epsilon, "epsilon", 1e-6, 0.5)


def _progress(total: int, enabled: bool, desc: str) -> Any:
    if not enabled:
        return None
    import sys

    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False, delay=2.0)


def _run(
    ens: Ensemble,
    schedule: list[tuple[int, float]],
    *,
    method: str,
    epsilon: float,
    rng: Any,
    progress: bool,
    desc: str,
    threads: int | None = None,
) -> EnsembleResult:
    """Apply ``schedule`` = [(ions to add now, then seconds to run before recording), ...]."""
    if threads is not None:
        check_int(threads, "threads", minimum=1, maximum=1024)
    gen = np.random.default_rng(rng)
    state = np.zeros(ens.n_ncs, dtype=np.int64)
    pool = Pool(free_ions=0, free_host=ens.host_initial_count, added_ions=0)
    stats = RunStats()
    rec = _Recorder(ens)
    bar = _progress(len(schedule), progress, desc)
    t = 0.0
    try:
        for add, span in schedule:
            pool.free_ions += add
            pool.added_ions += add
            if method == "fast":
                advance_fast(ens, state, pool, span, gen, stats, epsilon=epsilon, threads=threads)
            else:
                advance_exact(ens, state, pool, span, gen, stats)
            t += span
            rec.record(t, state, pool, stats)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return rec.result(method, epsilon, state)


def titrate(
    ensemble: Ensemble,
    total_ions_per_nc: Any,
    *,
    time_per_addition_s: float,
    method: str = "fast",
    epsilon: float = DEFAULT_EPSILON,
    rng: Any = None,
    progress: bool = False,
    threads: int | None = None,
) -> EnsembleResult:
    """Titrate: add ions in steps up to each cumulative total, wait, record.

    Parameters
    ----------
    ensemble
        From :func:`~cationx.ensemble.make_ensemble`.
    total_ions_per_nc
        Cumulative incoming ions added per NC after each addition; strictly increasing,
        first value > 0.  Each becomes a whole number of ions, ``round(total * N)``.
    time_per_addition_s
        Time the ensemble evolves after each addition before it is recorded (s; with
        ``k_off`` in M^-1 s^-1).  Long enough = the equilibrium titration.
    method
        ``"fast"`` (leaping numba kernel) or ``"exact"`` (direct-method Gillespie).
    epsilon
        Pool leap condition of the fast method (relative change of a pool count per leap).
    rng
        Seed or :class:`numpy.random.Generator`.
    progress
        Show a progress bar (stderr) over the additions.
    threads
        numba threads of the fast method (None: all cores); results do not depend on it.
    """
    eps = _check_run(ensemble, method, epsilon)
    totals = as_1d_array(total_ions_per_nc, "additions")
    check_sorted(totals, "additions", strict=True)
    if totals[0] <= 0:
        raise InputError(f"additions must be > 0 (cumulative ions per NC), got {totals[0]!r}")
    span = check_positive(time_per_addition_s, "time_per_addition_s")
    counts = np.rint(totals * ensemble.n_ncs).astype(np.int64)
    adds = np.diff(counts, prepend=0)
    schedule = [(int(a), span) for a in adds]
    return _run(ensemble, schedule, method=method, epsilon=eps, rng=rng, progress=progress, desc="additions", threads=threads)


def kinetics(
    ensemble: Ensemble,
    total_ions_per_nc: float,
    times_s: Any,
    *,
    method: str = "fast",
    epsilon: float = DEFAULT_EPSILON,
    rng: Any = None,
    progress: bool = False,
    threads: int | None = None,
) -> EnsembleResult:
    """Add ``total_ions_per_nc`` at once at t = 0 and record at ``times_s`` (increasing, >= 0)."""
    eps = _check_run(ensemble, method, epsilon)
    total = check_positive(total_ions_per_nc, "total_ions_per_nc")
    times = as_1d_array(times_s, "times_s")
    check_sorted(times, "times_s", strict=True)
    if times[0] < 0:
        raise InputError(f"times_s must be >= 0, got {times[0]!r}")
    spans = np.diff(times, prepend=0.0)
    schedule = [(round(total * ensemble.n_ncs) if k == 0 else 0, float(s)) for k, s in enumerate(spans)]
    return _run(ensemble, schedule, method=method, epsilon=eps, rng=rng, progress=progress, desc="time points", threads=threads)
