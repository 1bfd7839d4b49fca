"""Parameter sweeps and replicate ensembles, serially or on dask.distributed.

Every task (swept value ``k``, replicate ``r``) draws its random numbers from
``numpy.random.SeedSequence(root_seed, spawn_key=(k, r))``: the sizes and the kinetics of a
task depend only on the root seed and the task's indices, never on which worker ran it,
in which order, or how many workers there were.  Results are gathered by index.

:func:`open_client` starts a :class:`distributed.LocalCluster` (one thread per worker) or
connects to an existing scheduler; an unreachable address fails within ``timeout_s``
seconds with one :class:`~cationx.errors.InputError` line.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_int, check_positive
from cationx.errors import CationxError, InputError

__all__ = ["SWEEP_PARAMS", "SweepResult", "limit_row", "open_client", "parse_param", "run_task", "sweep"]

# CLI name -> make_ensemble keyword
SWEEP_PARAMS = {
    "size-sd-nm": "size_sd_nm",
    "diameter-nm": "diameter_nm",
    "alpha": "alpha",
    "k1": "k1",
    "k": "k",
    "sigma": "sigma",
    "coupling": "coupling",
    "sites": "sites",
    "ncs": "n_ncs",
    "nc-conc": "nc_conc_molar",
    "host-per-site": "host_per_site",
}
_INT_PARAMS = {"sites", "n_ncs", "host_per_site"}


def parse_param(text: str) -> tuple[str, np.ndarray]:
    """Parse ``NAME=A:B:K`` (K evenly spaced values) or ``NAME=v1,v2,...``."""
    if "=" not in text:
        raise InputError(f"--param must look like NAME=A:B:K or NAME=v1,v2; got {text!r}")
    name, spec = (p.strip() for p in text.split("=", 1))
    if name not in SWEEP_PARAMS:
        raise InputError(f"--param name must be one of {', '.join(SWEEP_PARAMS)}; got {name!r}")
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise ValueError
            a, b, k = float(parts[0]), float(parts[1]), int(parts[2])
        else:
            values = np.array([float(v) for v in spec.split(",") if v.strip()])
    except ValueError:
        raise InputError(f"--param {name} must be A:B:K or a comma-separated list of numbers; got {spec!r}") from None
    if ":" in spec:
        if k < 1:
            raise InputError(f"--param {name}: the count K must be >= 1, got {k}")
        values = np.linspace(a, b, k)
    if values.size == 0 or not np.isfinite(values).all():
        raise InputError(f"--param {name} needs finite values; got {spec!r}")
    return name, values


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """One sweep task: build the ensemble, titrate, fit apparent Hill on totals and free ions.

    ``task`` holds ``root_seed``, ``index``, ``replicate``, ``ensemble`` (keywords of
    :func:`~cationx.ensemble.make_ensemble`), ``additions``, ``time_per_addition_s``,
    ``epsilon`` and ``method``.  Returns a flat, JSON-safe row.
    """
    from cationx.ensemble.simulate import titrate
    from cationx.ensemble.system import make_ensemble

    seq = np.random.SeedSequence(task["root_seed"], spawn_key=(task["index"], task["replicate"]))
    gen = np.random.default_rng(seq)
    ens = make_ensemble(**task["ensemble"], rng=gen)
    res = titrate(
        ens,
        task["additions"],
        time_per_addition_s=task["time_per_addition_s"],
        epsilon=task["epsilon"],
        method=task["method"],
        rng=gen,
        threads=1,  # parallelism comes from the tasks; results do not depend on threads
    )
    row: dict[str, Any] = {
        "index": task["index"],
        "replicate": task["replicate"],
        "value": task["value"],
        "sites_mean": float(ens.sites.mean()),
        "sites_sd": float(ens.sites.std()),
        "events": int(res.events[-1]),
        "max_fraction_doped": float(res.fraction_doped.max()),
    }
    for against in ("total", "free"):
        key = f"n_hill_{against}"
        try:
            fit = res.hill(against, ci="stderr")
            row[key] = fit.params["n_hill"].value
            row[f"{key}_stderr"] = fit.params["n_hill"].stderr
            row[f"k_half_{against}"] = fit.params["k_half"].value
            row[f"r2_{against}"] = fit.r2
        except CationxError:
            row[key] = row[f"{key}_stderr"] = row[f"k_half_{against}"] = row[f"r2_{against}"] = math.nan
    return row


def limit_row(ensemble_kwargs: dict[str, Any], additions: Any, *, sample: int = 100_000, seed: int = 0) -> dict[str, float]:
    """Apparent Hill coefficients of the large-N equilibrium (mean field) of a size distribution.

    The distribution of sites is estimated from ``sample`` NCs drawn with ``seed``; the
    titration at ``additions`` comes from :func:`~cationx.ensemble.canonical.mean_field_titration`.
    """
    from cationx.cooperative.fits import Titration, fit_hill
    from cationx.ensemble.canonical import mean_field_titration
    from cationx.ensemble.system import make_ensemble

    kw = {**ensemble_kwargs, "n_ncs": sample}
    ens = make_ensemble(**kw, rng=seed)
    counts = np.bincount(ens.group)
    models = [ens.model_for(int(n)) for n in ens.unique_sites]
    totals = np.asarray(additions, dtype=float)
    lim = mean_field_titration(models, counts, totals, nc_conc_molar=kw.get("nc_conc_molar", 1.0), host_initial_molar=kw.get("host_initial_molar", 0.0))
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for against, x in (("total", totals), ("free", lim.free_ions_per_nc)):
            try:
                fit = fit_hill(Titration.from_arrays(x, lim.fraction_exchanged), against=against, ci="none")
                out[f"n_hill_{against}_limit"] = fit.params["n_hill"].value
            except CationxError:
                out[f"n_hill_{against}_limit"] = math.nan
    return out


@dataclass(frozen=True, slots=True)
class SweepResult:
    """One row per task (``table``) and per swept value (``summary()``: mean, sd over replicates)."""

    param: str
    values: np.ndarray
    replicates: int
    root_seed: int
    table: pd.DataFrame
    additions: np.ndarray
    limits: pd.DataFrame | None = None

    def summary(self) -> pd.DataFrame:
        cols = ["n_hill_total", "n_hill_free", "k_half_total", "max_fraction_doped", "sites_sd"]
        grouped = self.table.groupby("index")[cols]
        mean = grouped.mean().add_suffix("_mean")
        sd = grouped.std(ddof=1).add_suffix("_sd") if self.replicates > 1 else grouped.std(ddof=0).add_suffix("_sd") * np.nan
        out = pd.concat([mean, sd], axis=1)
        out.insert(0, self.param, self.values[out.index.to_numpy()])
        out = out.reset_index(drop=True)
        if self.limits is not None:
            out = pd.concat([out, self.limits.reset_index(drop=True)], axis=1)
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "values": self.values,
            "replicates": self.replicates,
            "root_seed": self.root_seed,
            "additions": self.additions,
            "summary": self.summary(),
            "tasks": self.table,
        }


def _tasks(param: str, values: np.ndarray, replicates: int, root_seed: int, base: dict[str, Any], run: dict[str, Any]) -> list[dict[str, Any]]:
    key = SWEEP_PARAMS[param]
    tasks = []
    for k, v in enumerate(values):
        ens_kw = dict(base)
        if key in _INT_PARAMS:
            if float(v) != int(v):
                raise InputError(f"--param {param} takes integers, got {v!r}")
            ens_kw[key] = int(v)
        else:
            ens_kw[key] = float(v)
        for r in range(replicates):
            tasks.append({"root_seed": root_seed, "index": k, "replicate": r, "value": float(v), "ensemble": ens_kw, **run})
    return tasks


def sweep(
    param: str,
    values: Any,
    *,
    ensemble: dict[str, Any],
    additions: Any,
    time_per_addition_s: float,
    replicates: int = 3,
    root_seed: int = 0,
    epsilon: float = 0.03,
    method: str = "fast",
    client: Any = None,
    progress: bool = False,
    limit: bool = False,
) -> SweepResult:
    """Run ``replicates`` titrations at every value of ``param`` and fit apparent Hill coefficients.

    Parameters
    ----------
    param
        A key of :data:`SWEEP_PARAMS` (CLI spelling, e.g. ``"size-sd-nm"``).
    values
        The values of ``param``.
    ensemble
        Keywords of :func:`~cationx.ensemble.make_ensemble` common to every task.
    additions, time_per_addition_s, epsilon, method
        As in :func:`~cationx.ensemble.titrate`.
    client
        A :class:`distributed.Client` (tasks run on its workers) or None (serial).
    progress
        A progress bar on stderr.
    limit
        Also fit the large-N equilibrium (mean field) of each value's size distribution
        (:func:`limit_row`; columns ``n_hill_total_limit``, ``n_hill_free_limit``).
    """
    if param not in SWEEP_PARAMS:
        raise InputError(f"param must be one of {', '.join(SWEEP_PARAMS)}; got {param!r}")
    vals = as_1d_array(values, "values")
    reps = check_int(replicates, "replicates", minimum=1, maximum=10_000)
    seed = check_int(root_seed, "seed", minimum=0)
    run = {
        "additions": as_1d_array(additions, "additions").tolist(),
        "time_per_addition_s": check_positive(time_per_addition_s, "time_per_addition_s"),
        "epsilon": float(epsilon),
        "method": method,
    }
    tasks = _tasks(param, vals, reps, seed, ensemble, run)
    # validate once, locally, so bad input fails before any work is shipped
    from cationx.ensemble.system import make_ensemble

    make_ensemble(**tasks[0]["ensemble"], rng=0)
    rows = _execute(tasks, client, progress)
    table = pd.DataFrame(rows).sort_values(["index", "replicate"]).reset_index(drop=True)
    limits = None
    if limit:
        limits = pd.DataFrame([limit_row(t["ensemble"], run["additions"], seed=seed) for t in tasks if t["replicate"] == 0])
    return SweepResult(param, vals, reps, seed, table, np.asarray(run["additions"]), limits)


def _execute(tasks: Sequence[dict[str, Any]], client: Any, progress: bool) -> list[dict[str, Any]]:
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc="tasks", file=sys.stderr, leave=False, delay=2.0)
    rows: list[dict[str, Any]] = []
    try:
        if client is None:
            for t in tasks:
                rows.append(run_task(t))
                if bar is not None:
                    bar.update(1)
        else:
            from distributed import as_completed

            futures = client.map(run_task, list(tasks), pure=False)
            for fut in as_completed(futures, loop=client.loop):
                rows.append(fut.result())
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return rows


def _probe(address: str, timeout_s: float) -> None:
    """Fail fast with one InputError unless ``address`` answers dask's connection handshake.

    Checked in a private event loop before a Client is made: a Client that fails half-way
    (refused, timed out, or a server that is not a dask scheduler) can keep the
    interpreter waiting at exit.
    """
    import asyncio

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await connect(address, timeout=timeout_s)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), timeout_s + 1.0))
    except Exception as exc:  # any failure means: not a reachable dask scheduler
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(f"cannot reach the dask scheduler at {address!r} within {timeout_s:g} s ({reason})") from None


@contextlib.contextmanager
def open_client(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    processes: bool = True,
    timeout_s: float = 5.0,
) -> Iterator[Any]:
    """A dask Client: on ``scheduler`` (address) or on a new LocalCluster of ``workers``."""
    from distributed import Client, LocalCluster

    if scheduler is not None and workers is not None:
        raise InputError("give --workers or --scheduler, not both")
    if scheduler is not None:
        _probe(scheduler, timeout_s)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                client = Client(scheduler, timeout=f"{timeout_s}s", set_as_default=False)
        except Exception as exc:  # the probe passed, but the Client could not start
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise InputError(f"cannot reach the dask scheduler at {scheduler!r} within {timeout_s:g} s ({reason})") from None
        try:
            yield client
        finally:
            client.close()
        return
    import os

    n = check_int(workers, "workers", minimum=1, maximum=1024) if workers is not None else (os.cpu_count() or 1)
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
