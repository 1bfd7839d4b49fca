"""Benchmark of cationx.ensemble in real units: h-convergence, the large titration, dask scaling.

Run: ``python benchmarks/run.py ensemble`` (``CATIONX_BENCH_QUICK=1`` for a 10x smaller
smoke run).  No peer program simulates this system; the h = 1 run is the reference of
the coarse-step runs, and the exact Gillespie route is the tested reference of the kernel.

Model: a 4.0 nm zinc-blende CdSe NC (host cations from cationx.materials: 597 Cd), 2 Cu+
per Cd, at 2.4 uM NCs, the ``nucleation`` preset with k = 1e4 M^-1 per host cation (the
sigmoid then sits near the stoichiometric 2 x 597 ions per NC) and sigma = 0.01,
coarse-grained as in tests/cooperative/test_real_units.py: a step of h host cations has
k_step = k^h and the same sigma.  50 additions to 1.1 x full exchange, 100 s each,
k_off = 1e3 M^-1 s^-1.
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

K_HOST = 1e4  # M^-1 per host cation (m = 2)
SIGMA = 0.01
NC = 2.4e-6  # M
K_OFF = 1e3
TPA = 100.0  # s per addition
DIAM = 4.0
H_VALUES = (1, 2, 5, 10, 20, 30, 60)


def model_kwargs(h: int, n_ncs: int) -> dict:
    return dict(model="nucleation", n_ncs=n_ncs, diameter_nm=DIAM, host_per_site=h, k=K_HOST**h,
                sigma=SIGMA, nc_conc_molar=NC, k_off=K_OFF)


def additions(points: int = 50) -> np.ndarray:
    from cationx.materials import host_cations_per_nc

    full = 2 * float(host_cations_per_nc("CdSe", DIAM))
    return np.linspace(1, points, points) / points * 1.1 * full


def _h_convergence(n_ncs: int, reps: int) -> tuple[list[str], int]:
    from cationx.ensemble import make_ensemble, titrate

    tot = additions()
    curves = {}
    walls = {}
    for h in H_VALUES:
        ens = make_ensemble(**model_kwargs(h, n_ncs))
        t0 = time.perf_counter()
        curves[h] = np.array([titrate(ens, tot, time_per_addition_s=TPA, rng=100 + r).fraction_exchanged for r in range(reps)])
        walls[h] = (time.perf_counter() - t0) / reps
    ref = curves[1]
    rows = []
    best = 1
    for h in H_VALUES:
        c = curves[h]
        diff = c.mean(axis=0) - ref.mean(axis=0)
        se = np.sqrt(c.var(axis=0, ddof=1) / reps + ref.var(axis=0, ddof=1) / reps)
        rms = float(np.sqrt(np.mean(diff**2)))
        se_rms = float(np.sqrt(np.mean(se**2)))
        z = rms / se_rms if se_rms > 0 else 0.0
        if h > 1 and z <= 1.0:
            best = h
        sites = int(make_ensemble(**model_kwargs(h, 1)).sites[0])
        rows.append(f"| {h} | {sites} | {walls[h]:.2f} | {rms:.4f} | {float(np.abs(diff).max()):.4f} | {se_rms:.4f} | {z:.2f} |")
    return rows, best


def _headline(n_ncs: int, h: int, threads: int | None = None) -> tuple[str, float]:
    from cationx.ensemble import make_ensemble, titrate

    tot = additions()
    titrate(make_ensemble(**model_kwargs(h, 5000)), tot[:2], time_per_addition_s=1.0, rng=0)  # compile
    ens = make_ensemble(**model_kwargs(h, n_ncs))
    t0 = time.perf_counter()
    res = titrate(ens, tot, time_per_addition_s=TPA, rng=0, threads=threads)
    wall = time.perf_counter() - t0
    ev = int(res.events[-1])
    label = "all" if threads is None else str(threads)
    row = (
        f"| {n_ncs:,} NCs x {int(ens.host_cations[0])} Cd (h = {h}, {int(ens.sites[0])} steps), 50 additions x {TPA:g} s | {label} | "
        f"{wall:.1f} | {ev:,} | {ev / wall:,.0f} | {int(res.leaps[-1]):,} / {int(res.rejected[-1]):,} | {res.fraction_exchanged[-1]:.3f} |"
    )
    return row, wall


def _scaling(n_ncs: int, h: int) -> list[str]:
    from cationx.ensemble.sweep import open_client, sweep

    base = model_kwargs(h, n_ncs)
    add = additions(30)
    rows = []
    tables = []
    base_wall = None
    for workers in (1, 2):
        with open_client(workers=workers, processes=True) as client:
            client.run(lambda: __import__("cationx.ensemble.kernels"))  # compile/load once per worker
            sweep("size-sd-nm", [0.0], ensemble={**base, "n_ncs": 20}, additions=add[:3], time_per_addition_s=1.0, replicates=workers, client=client)
            t0 = time.perf_counter()
            res = sweep("size-sd-nm", [0.0, 0.2, 0.4, 0.6], ensemble=base, additions=add, time_per_addition_s=TPA, replicates=1, root_seed=7, client=client)
            wall = time.perf_counter() - t0
        tables.append(res.table)
        ev = int(res.table["events"].sum())
        base_wall = base_wall or wall
        rows.append(f"| {workers} | 4 tasks x {n_ncs:,} NCs (4 nm +/- 0..0.6 nm, h = {h}), 30 additions x {TPA:g} s | {wall:.1f} | {base_wall / wall:.2f} | {ev / wall:,.0f} |")
    same = tables[0].equals(tables[1])
    rows.append(f"\nIdentical task tables with 1 and 2 workers (bit-identical, DataFrame.equals): {same}.")
    return rows


def main() -> str:
    from run import machine

    quick = os.environ.get("CATIONX_BENCH_QUICK") == "1"
    load = os.getloadavg()[0]
    n_big = 10_000 if quick else 100_000
    out = ["## ensemble (cationx.ensemble, real units)", "", f"Machine: {machine()}; load average at start {load:.1f}", ""]
    out += [
        f"Model: 4.0 nm CdSe (597 Cd), 2 Cu+ per Cd, {NC:g} M NCs, `nucleation` k = {K_HOST:g} M^-1 per Cd, sigma = {SIGMA:g}, "
        f"k_step = k^h; 50 additions to 1.1 x 1,194 ions/NC, {TPA:g} s each, k_off = {K_OFF:g} M^-1 s^-1; fast kernel, eps = 0.03.",
        "",
        "h-convergence (fraction exchanged over the 50 additions vs h = 1; SE of the difference from the replicates):",
        "",
        "| h | steps per NC | wall s per replicate | rms diff | max diff | rms SE | rms diff / SE |",
        "|---|---|---|---|---|---|---|",
    ]
    rows, best = _h_convergence(100 if quick else 300, 3 if quick else 4)
    out += rows
    out += ["", f"Coarsest h within 1 SE of h = 1: {best}.", ""]
    out += [
        "| run | numba threads | wall s | events | events/s | leaps accepted / rejected | final fraction exchanged |",
        "|---|---|---|---|---|---|---|",
    ]
    out.append(_headline(n_big, best)[0])
    for threads in (1, 2):
        out.append(_headline(n_big // 10, best, threads)[0])
    out += ["", "Dask LocalCluster (processes, one thread each), 4 sweep tasks:", "",
            "| workers | work | wall s | speed-up | events/s |", "|---|---|---|---|---|"]
    out += _scaling(2_000 if quick else 10_000, best)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(main())
