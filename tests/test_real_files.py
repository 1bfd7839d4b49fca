"""Every file in tests/data/real reads with a plausible axis, or is refused with one clear line.

Parametrised over the folder, so a file added there is covered without editing this test:
it must either read (every block / scan / spectrum it holds, with a sanity check of the axis
range) or raise a CationxError whose message is one line naming the file. The files listed in
READABLE must read; those in REFUSED must be refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cationx.errors import CationxError

REAL = Path(__file__).resolve().parent / "data" / "real"
FILES = sorted(p.name for p in REAL.iterdir() if p.is_file()) if REAL.is_dir() else []

READABLE = {
    "LG4X_0-150W_Kratos_NiW.vms", "LG4X_Mutlipak_PHI.npl", "pynxtools_regular_SPECS.vms",
    "pynxtools_irregular_SPECS.vms", "pynxtools_Scienta_Ag3d_0001.txt", "NIST_Si_640c_SmartLab.ras",
    "srfit_si.cif", "pyteomics_test.mzML", "imperial_Run_5_UV-Vis.csv", "imperial_run6_uvvis.csv",
    "imperial_run6_fl_emission.csv", "jasco_v670_cdse5.csv", "jasco_v670_cdse8.csv", "jasco_fl_cdse5.txt",
}
REFUSED = {"PROVENANCE.md", "imperial_LICENSE.txt"}


def _finite_axis(x: np.ndarray, lo: float, hi: float, what: str) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    assert x.size >= 3 and np.all(np.isfinite(x)), f"{what}: axis has {x.size} points or non-finite values"
    assert lo <= x.min() < x.max() <= hi, f"{what}: axis {x.min():g}..{x.max():g} outside [{lo}, {hi}]"
    return float(x.min()), float(x.max())


def _read(p: Path) -> list[tuple[float, float]]:
    """Read everything in ``p`` with the reader its content calls for; return the axis ranges."""
    from cationx.io.scienta import is_scienta
    from cationx.io.vamas import is_vamas

    suffix = p.suffix.lower()
    if is_vamas(p) or is_scienta(p) or suffix in (".vms", ".npl"):
        from cationx.io.xps import list_blocks, read_spectrum

        out = []
        for b in list_blocks(p):
            s = read_spectrum(p, block=b["index"])
            assert np.all(np.isfinite(s.intensity))
            out.append(_finite_axis(s.binding_energy_ev, -50.0, 2000.0, f"{p.name} block {b['index']}"))
        return out
    if suffix in (".ras", ".xy", ".xye"):
        from cationx.io.xrd import list_scans, read_pattern

        return [_finite_axis(read_pattern(p, scan=s["index"]).two_theta_deg, 0.0, 180.0, p.name) for s in list_scans(p)]
    if suffix == ".cif":
        from cationx.crystal.library import load_structure

        cell = load_structure(p).cell
        assert all(1.0 < a < 100.0 for a in cell[:3]) and all(30.0 < g < 150.0 for g in cell[3:])
        return [(min(cell[:3]), max(cell[:3]))]
    if suffix in (".mzml", ".mzxml"):
        from cationx.io.massspec import read_spectrum

        out = []
        k = 0
        while True:
            try:
                sp = read_spectrum(p, index=k)
            except CationxError as exc:
                if k and "out of range" in str(exc):
                    return out
                raise
            out.append(_finite_axis(sp.mz, 1.0, 1e6, f"{p.name} spectrum {k}"))
            k += 1
    from cationx.io.spectra import read_spectra

    data = read_spectra(p)
    limits = {"nm": (100.0, 3000.0), "eV": (0.1, 10.0), "cm-1": (10.0, 1e5)}
    return [_finite_axis(s.x, *limits.get(s.x_unit, (-np.inf, np.inf)), f"{p.name} {s.label!r}") for s in data]


@pytest.mark.filterwarnings("ignore::cationx.errors.CationxWarning")
@pytest.mark.parametrize("name", FILES)
def test_real_file_reads_or_is_refused_in_one_line(name):
    p = REAL / name
    try:
        ranges = _read(p)
    except CationxError as exc:
        msg = str(exc)
        assert name not in READABLE, f"{name} should read, got: {msg}"
        assert msg.strip() and "\n" not in msg.strip() and len(msg) < 400, f"not one clear line: {msg!r}"
        assert p.name in msg or p.stem in msg, f"the message does not name the file: {msg!r}"
        return
    assert name not in REFUSED, f"{name} should have been refused"
    assert ranges, f"{name}: nothing read"


def test_the_folder_is_there_and_listed():
    # a fresh clone has the files; the two lists name only files that exist
    assert REAL.is_dir() and (REAL / "PROVENANCE.md").exists()
    assert (READABLE | REFUSED) <= set(FILES)
