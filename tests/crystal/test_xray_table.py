"""The bundled xraydb numbers (cationx/data/xray_table.json) equal the installed xraydb's to 1e-12."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cationx.crystal import _xray_table
from cationx.crystal.formfactors import HC_EV_ANGSTROM, anomalous, f0
from cationx.crystal.powder import ANODES

xraydb = pytest.importorskip("xraydb")

TOL = 1e-12


def test_provenance_and_coverage() -> None:
    t = _xray_table.table()
    assert t["provenance"]["by"] == "tools/make_xray_table.py"
    assert "xraydb" in t["provenance"]["source"]
    assert len(t["elements"]) == 98
    # the default wavelengths of the command line hit the table
    for lines in ANODES.values():
        for lam in lines:
            assert repr(round(HC_EV_ANGSTROM / lam, 6)) in t["anomalous"]


def test_atomic_numbers_match_xraydb() -> None:
    for sym, entry in _xray_table.table()["elements"].items():
        assert entry["z"] == xraydb.atomic_number(sym), sym


def test_waasmaier_kirfel_match_xraydb() -> None:
    rows = {r.ion: r for r in xraydb.get_xraydb().get_cache("Waasmaier")}
    s = np.linspace(0.0, 6.0, 61)  # sin(theta)/lambda in 1/A, the range of the fit
    for sym, entry in _xray_table.table()["elements"].items():
        offset, scale, expo = entry["wk"]
        r = rows[sym]
        assert offset == pytest.approx(float(r.offset), rel=TOL, abs=TOL)
        np.testing.assert_allclose(scale, json.loads(r.scale), rtol=TOL, atol=0)
        np.testing.assert_allclose(expo, json.loads(r.exponents), rtol=TOL, atol=0)
        # and the form factor cationx evaluates from them is xraydb's
        np.testing.assert_allclose(f0(sym, 4 * np.pi * s), xraydb.f0(sym, s), rtol=TOL, atol=TOL)


def test_anomalous_match_xraydb() -> None:
    for key, row in _xray_table.table()["anomalous"].items():
        energy = float(key)
        for sym, (fp, fpp) in row.items():
            assert abs(fp - float(xraydb.f1_chantler(sym, energy))) <= TOL * max(1.0, abs(fp)), (sym, key)
            assert abs(fpp - float(xraydb.f2_chantler(sym, energy))) <= TOL * max(1.0, abs(fpp)), (sym, key)
    # a wavelength off the table goes to xraydb and gives its numbers
    fp, fpp = anomalous("Cu", 1.0)
    e = round(HC_EV_ANGSTROM / 1.0, 6)
    assert (fp, fpp) == (float(xraydb.f1_chantler("Cu", e)), float(xraydb.f2_chantler("Cu", e)))
