"""Write ``src/cationx/data/xray_table.json``: the xraydb numbers the crystal code needs at start-up.

Importing xraydb (SQLAlchemy + SciPy interpolation) costs about 0.3 s, more than a small Debye
pattern takes to compute.  This script copies, from the installed xraydb, for the elements H-Cf:

- the atomic number (``xraydb.atomic_number``);
- the Waasmaier-Kirfel coefficients of the neutral atom (offset c, scales a_i, exponents b_i of
  f0(s) = c + sum a_i exp(-b_i s^2), from xraydb's ``Waasmaier`` table);
- f' and f'' (``xraydb.f1_chantler``, ``xraydb.f2_chantler``) at the photon energies of the
  K-alpha1 and K-alpha2 lines in :data:`cationx.crystal.powder.ANODES`, keyed by the energy in eV
  rounded to 6 decimals exactly as :func:`cationx.crystal.formfactors.anomalous` computes it.

Every other wavelength, and every element or ion not in the file, still goes to xraydb.
``tests/crystal/test_xray_table.py`` checks the file against the installed xraydb to 1e-12.

Usage::

    python tools/make_xray_table.py        # rewrite the file
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cationx" / "data" / "xray_table.json"
Z_MAX = 98  # Cf: the range cationx accepts
CHANTLER_Z_MAX = 92  # xraydb's Chantler table ends at U; heavier elements keep going to xraydb


def build() -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import xraydb

    from cationx.crystal.formfactors import HC_EV_ANGSTROM
    from cationx.crystal.powder import ANODES

    xdb = xraydb.get_xraydb()
    wk = {r.ion: r for r in xdb.get_cache("Waasmaier")}
    elements: dict[str, dict] = {}
    for z in range(1, Z_MAX + 1):
        sym = xraydb.atomic_symbol(z)
        entry: dict = {"z": int(xraydb.atomic_number(sym))}
        if sym in wk:
            r = wk[sym]
            entry["wk"] = [float(r.offset), json.loads(r.scale), json.loads(r.exponents)]
        elements[sym] = entry
    anomalous: dict[str, dict[str, list[float]]] = {}
    for lines in ANODES.values():
        for lam in lines:
            energy = round(HC_EV_ANGSTROM / lam, 6)
            anomalous[repr(energy)] = {
                sym: [float(xraydb.f1_chantler(sym, energy)), float(xraydb.f2_chantler(sym, energy))]
                for sym in elements
                if elements[sym]["z"] <= CHANTLER_Z_MAX
            }
    return {
        "provenance": {
            "source": f"xraydb {xraydb.__version__} (Waasmaier & Kirfel 1995; Chantler, NIST FFAST)",
            "generated": date.today().isoformat(),
            "by": "tools/make_xray_table.py",
            "energies": "eV, round(hc / lambda, 6) for the K-alpha1/2 lines of cationx.crystal.powder.ANODES",
        },
        "elements": elements,
        "anomalous": anomalous,
    }


def main() -> None:
    OUT.write_text(json.dumps(build(), separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
