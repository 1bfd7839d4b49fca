"""Isotope envelopes of clusters: cationx vs IsoSpecPy, molmass and pyteomics (same process).

Run: ``python benchmarks/run.py massspec``.  Set ``CATIONX_BENCH_ISOSPEC_999=0`` to skip
the IsoSpecPy run at 99.9 % coverage (seconds and gigabytes).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

FORMULA = "Cd34S33(L)"
HILL = "C18H34Cd34O2S33"


def _best(fn: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    """Best-of-``repeat`` seconds per call."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t) / number)
    return min(times)


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def main() -> str:
    import IsoSpecPy
    import molmass
    from pyteomics import mass as pmass
    from pyteomics import version as pyteomics_version

    from cationx.massspec import envelope, envelopes, parse_formula
    from cationx.massspec.envelope import _element_power, _from_parts

    f = parse_formula(FORMULA, charge=1)

    def cold() -> None:
        _element_power.cache_clear()
        _from_parts(f, 1 - 1e-12)

    t_cold = _best(cold, repeat=9, number=20)
    t_warm = _best(lambda: envelope(f), repeat=9, number=50)
    env = envelope(f)

    t_molmass = _best(lambda: molmass.Formula(HILL).spectrum(), repeat=3)
    mm = molmass.Formula(HILL).spectrum()
    mm_peak = mm.peak.mz if hasattr(mm.peak, "mz") else mm.peak.mass
    t_pyteomics_avg = _best(lambda: pmass.calculate_mass(formula=HILL, average=True), repeat=7, number=20)
    py_avg = pmass.calculate_mass(formula=HILL, average=True)

    iso_rows = []
    for cov in (0.9, 0.99):
        t0 = time.perf_counter()
        n = len(IsoSpecPy.IsoTotalProb(cov, formula=HILL).masses)
        iso_rows.append((cov, n, time.perf_counter() - t0))
    if os.environ.get("CATIONX_BENCH_ISOSPEC_999", "1") != "0":
        t0 = time.perf_counter()
        n = len(IsoSpecPy.IsoTotalProb(0.999, formula=HILL).masses)
        iso_rows.append((0.999, n, time.perf_counter() - t0))

    family = [f"Ag{a}Cd{b}S33+" for a in range(40) for b in range(25)][:1000]
    parsed = [parse_formula(t) for t in family]

    def batch_cold() -> None:
        _element_power.cache_clear()
        envelopes(parsed)

    t_batch_cold = _best(batch_cold, repeat=5)
    t_batch_warm = _best(lambda: envelopes(parsed), repeat=5)
    t_batch_text = _best(lambda: envelopes(family), repeat=3)
    sample = [parse_formula(t).hill() for t in family[:: len(family) // 40]]
    t_mm_each = _best(lambda: [molmass.Formula(h).spectrum() for h in sample], repeat=2) / len(sample)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Mass spectrometry: isotope envelopes (`bench_massspec.py`)",
        "",
        f"Load average at the start of the run: {load:.1f} (shared machine; timings are wall clock).",
        "",
        f"Versions: IsoSpecPy {IsoSpecPy.__version__ if hasattr(IsoSpecPy, '__version__') else '?'}, "
        f"molmass {molmass.__version__}, pyteomics {pyteomics_version.__version__}. Best of N wall-clock.",
        "",
        f"### {FORMULA} (+1): one envelope",
        "",
        "| program | what | time | most abundant m/z | average |",
        "|---|---|---|---|---|",
        f"| cationx, cold (element cache cleared) | exact aggregated envelope, 1 - 1e-12 | {_fmt(t_cold)} | {env.most_abundant_mz:.4f} | {env.average_mass_da:.4f} |",
        f"| cationx, warm (element powers cached) | same | {_fmt(t_warm)} | | |",
        f"| molmass `Formula.spectrum()` (own NIST table) | aggregated spectrum | {_fmt(t_molmass)} | {mm_peak:.4f} (neutral) | {molmass.Formula(HILL).mass:.4f} |",
        f"| pyteomics `calculate_mass(average=True)` | average mass only (no envelope for Cd34) | {_fmt(t_pyteomics_avg)} | - | {py_avg:.4f} |",
    ]
    for cov, n, t in iso_rows:
        lines.append(f"| IsoSpecPy `IsoTotalProb({cov})` | fine structure, {n:,} isotopologues | {_fmt(t)} | - | - |")
    lines += [
        "",
        "Target: under 0.5 ms for this envelope (cold). Average masses differ between the tables",
        "(periodictable CIAAW 2021 centre-of-range abundances vs molmass/pyteomics), see docs/massspec.md.",
        "",
        "### 1,000 formulas AgaCdbS33 (+1), a = 0..39, b = 0..24",
        "",
        "| program | time for 1,000 | per formula |",
        "|---|---|---|",
        f"| cationx `envelopes`, parsed, cold cache | {_fmt(t_batch_cold)} | {_fmt(t_batch_cold / 1000)} |",
        f"| cationx `envelopes`, parsed, warm cache | {_fmt(t_batch_warm)} | {_fmt(t_batch_warm / 1000)} |",
        f"| cationx `envelopes`, from text (parsing included) | {_fmt(t_batch_text)} | {_fmt(t_batch_text / 1000)} |",
        f"| molmass `spectrum()` (40 sampled, extrapolated) | {_fmt(t_mm_each * 1000)} | {_fmt(t_mm_each)} |",
        "",
        "Target: under 40 ms for the 1,000.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
