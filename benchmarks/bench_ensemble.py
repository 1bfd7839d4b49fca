"""Benchmark of cationx.ensemble: the large titration, exact vs fast, dask scaling.

Run: ``python benchmarks/run.py ensemble`` (``CATIONX_BENCH_QUICK=1`` for a 10x smaller
smoke run).  No peer program simulates this system; the exact Gillespie route of
cationx is measured beside the fast kernel instead.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

PAPER = {"k1": 1e-2, "alpha": 55.0}


def _headline(n_ncs: int, sites: int, additions: int, tpa: float, threads: int | None = None) -> tuple[str, float]:
    from cationx.ensemble import make_ensemble, titrate

    ens = make_ensemble("white2013", n_ncs=n_ncs, sites=sites, **PAPER)
    totals = np.linspace(1.0, additions, additions) * 2 * sites * 1.6 / additions
    titrate(make_ensemble("white2013", n_ncs=5000, sites=sites, **PAPER), totals[:2], time_per_addition_s=tpa, rng=0)  # compile
    t0 = time.perf_counter()
    res = titrate(ens, totals, time_per_addition_s=tpa, rng=0, threads=threads)
    wall = time.perf_counter() - t0
    ev = int(res.events[-1])
    label = "all" if threads is None else str(threads)
    row = (
        f"| {n_ncs:,} NCs x {sites} sites, {additions} additions x {tpa:g} s | {label} | {wall:.1f} | {ev:,} | "
        f"{ev / wall:,.0f} | {int(res.leaps[-1]):,} / {int(res.rejected[-1]):,} | "
        f"{res.fraction_exchanged[-1]:.3f} |"
    )
    return row, wall


def _exact_vs_fast() -> list[str]:
    from cationx.ensemble import make_ensemble, titrate

    rows = []
    ens = make_ensemble("white2013", n_ncs=30, sites=20, **PAPER)
    totals = [10.0, 25.0, 40.0, 50.0, 60.0]
    for method in ("exact", "fast"):
        t0 = time.perf_counter()
        res = titrate(ens, totals, time_per_addition_s=5.0, method=method, rng=1)
        wall = time.perf_counter() - t0
        ev = int(res.events[-1])
        rows.append(f"| {method} | 30 NCs x 20 sites, 5 additions x 5 s | {wall:.2f} | {ev:,} | {ev / wall:,.0f} |")
    return rows


def _scaling(n_ncs: int) -> list[str]:
    from cationx.ensemble.sweep import open_client, sweep

    base = {"model": "white2013", "n_ncs": n_ncs, "diameter_nm": 4.0, "cations_per_site": 29.86, **PAPER}
    add = np.linspace(3.0, 90.0, 30)
    rows = []
    tables = []
    base_wall = None
    for workers in (1, 2):
        with open_client(workers=workers, processes=True) as client:
            client.run(lambda: __import__("cationx.ensemble.kernels"))  # compile/load once per worker
            sweep("size-sd-nm", [0.0], ensemble={**base, "n_ncs": 20}, additions=add[:3], time_per_addition_s=1.0, replicates=workers, client=client)
            t0 = time.perf_counter()
            res = sweep("size-sd-nm", [0.0, 0.2, 0.4, 0.6], ensemble=base, additions=add, time_per_addition_s=20.0, replicates=1, root_seed=7, client=client)
            wall = time.perf_counter() - t0
        tables.append(res.table)
        ev = int(res.table["events"].sum())
        base_wall = base_wall or wall
        rows.append(f"| {workers} | 4 tasks x {n_ncs:,} NCs (n ~ 20), 30 additions x 20 s | {wall:.1f} | {base_wall / wall:.2f} | {ev / wall:,.0f} |")
    same = tables[0].equals(tables[1])
    rows.append(f"\nIdentical task tables with 1 and 2 workers: {same}.")
    return rows


def main() -> str:
    from run import machine

    quick = os.environ.get("CATIONX_BENCH_QUICK") == "1"
    load = os.getloadavg()[0]
    n_big = 10_000 if quick else 100_000
    out = ["## ensemble (cationx.ensemble)", "", f"Machine: {machine()}; load average at start {load:.1f}", ""]
    out += [
        "Large titration (fast kernel, eps = 0.03, one process, `white2013`, K1 = 1e-2, alpha = 55, per-NC units):",
        "",
        "| run | numba threads | wall s | events | events/s | leaps accepted / rejected | final fraction exchanged |",
        "|---|---|---|---|---|---|---|",
    ]
    out.append(_headline(n_big, 1300, 50, 0.1)[0])
    for threads in (1, 2):
        out.append(_headline(n_big // 10, 1300, 50, 0.1, threads)[0])
    out += ["", "Exact (direct-method Gillespie, NumPy) vs fast (numba leaping) on the same small system:", "",
            "| method | system | wall s | events | events/s |", "|---|---|---|---|---|"]
    out += _exact_vs_fast()
    out += ["", "Dask LocalCluster (processes, one thread each), 4 sweep tasks:", "",
            "| workers | work | wall s | speed-up | events/s |", "|---|---|---|---|---|"]
    out += _scaling(2_000 if quick else 10_000)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(main())
