"""cationx.constants: values with their provenance, and every use takes them from there."""

import ast
import pathlib

import pytest

from cationx import constants as c

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "cationx"


def test_exact_si_constants():
    # 2019 SI definition (CODATA 2018): exact
    assert c.AVOGADRO == 6.02214076e23
    assert c.ELEMENTARY_CHARGE == 1.602176634e-19
    assert c.PLANCK == 6.62607015e-34
    assert c.SPEED_OF_LIGHT == 299792458.0
    assert c.BOLTZMANN == 1.380649e-23
    assert c.GAS_CONSTANT == pytest.approx(8.31446261815324, rel=1e-15)
    assert c.HBAR == pytest.approx(1.0545718176461565e-34, rel=1e-15)


def test_measured_constants_codata_2022_as_scipy():
    scipy_constants = pytest.importorskip("scipy.constants")
    assert c.ELECTRON_MASS == 9.1093837139e-31
    assert c.VACUUM_PERMITTIVITY == 8.8541878188e-12
    # the same CODATA edition as scipy.constants (SciPy >= 1.15), so either gives the same numbers
    assert c.ELECTRON_MASS == pytest.approx(scipy_constants.m_e, rel=1e-9)
    assert c.VACUUM_PERMITTIVITY == pytest.approx(scipy_constants.epsilon_0, rel=1e-9)
    assert c.GAS_CONSTANT == pytest.approx(scipy_constants.R, rel=1e-15)


def test_cu2se_lattice_white_2017():
    from cationx.materials import CU2SE_LATTICE_ANGSTROM
    from cationx.physics.lspr import formula_unit_density_cm3

    assert CU2SE_LATTICE_ANGSTROM == 5.85
    assert formula_unit_density_cm3() == pytest.approx(4 / (5.85e-8) ** 3, rel=1e-15)


def test_derived_constants():
    assert c.HC_EV_NM == pytest.approx(c.PLANCK * c.SPEED_OF_LIGHT / c.ELEMENTARY_CHARGE * 1e9, rel=1e-15)
    assert c.HC_EV_NM == pytest.approx(1239.841984, abs=1e-6)  # CODATA 2018 h c
    assert c.BOLTZMANN_EV == pytest.approx(8.617333262e-5, rel=1e-10)  # CODATA 2018 k in eV/K
    assert c.ZERO_CELSIUS_K == 273.15
    assert c.GAUSSIAN_FWHM_PER_SIGMA == pytest.approx(2.3548200450309493, rel=1e-15)


def test_xray_lines_bearden_1967():
    assert c.CU_KALPHA1_ANGSTROM == 1.54056
    assert c.CU_KALPHA2_ANGSTROM == 1.54439
    assert c.ANODES["Cu"] == (1.54056, 1.54439)
    assert c.ANODES["Mo"] == (0.70930, 0.71359)
    assert c.ANODES["Co"] == (1.78897, 1.79285)
    assert c.KALPHA2_RATIO == 0.5
    assert c.CU_KALPHA_ANGSTROM == pytest.approx((2 * 1.54056 + 1.54439) / 3, rel=1e-15)
    assert c.CU_KALPHA_ANGSTROM == pytest.approx(1.541837, abs=1e-6)
    # Hoelzer et al. 1997 (8047.8227 eV) agrees with Bearden to 2.5e-5 relative
    assert c.HC_EV_NM * 10 / 8047.8227 == pytest.approx(c.CU_KALPHA1_ANGSTROM, rel=3e-5)
    for l1, l2 in c.ANODES.values():
        assert l2 > l1 > 0


def test_importing_constants_needs_no_numpy():
    src = (SRC / "constants.py").read_text()
    assert "import numpy" not in src


def test_no_retyped_constants_in_src():
    # Cu K-alpha lines and the SI constants appear as numbers only in cationx.constants; the
    # modules other work is rewriting (ensemble, cooperative, io, titration) are left out here
    facts = {1.54056, 1.5406, 1.54439, 6.02214076e23, 1.602176634e-19, 6.62607015e-34, 9.1093837015e-31, 9.1093837139e-31, 8.8541878188e-12,
             1.380649e-23, 8.617333262e-5, 1239.84198, 1239.8419843320026, 12398.419843320026, 2.3548200450309493, 2.3548, 273.15}
    skip_dirs = {"ensemble", "cooperative", "io", "titration"}
    hits = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if path.name == "constants.py" or rel.parts[0] in skip_dirs:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, float) and node.value in facts:
                hits.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert not hits, "\n".join(hits)
