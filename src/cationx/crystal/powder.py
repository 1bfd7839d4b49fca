"""Kinematic powder diffraction from (partially occupied) structures: sticks and profiles.

For each reflection family {hkl} of a :class:`~cationx.crystal.structure.Structure`:

    F(hkl) = sum_j  occ_j [f0_j(s) + f'_j + i f''_j] exp(-B_j s^2) exp(2 pi i h.x_j)
    I(hkl) = m_hkl  <|F|^2>_Friedel  LP(theta)

with s = sin(theta)/lambda = 1/(2d), m the multiplicity (size of the orbit of hkl under
the Laue group, from gemmi's operations), |F|^2 averaged over hkl and -h-k-l (a powder
holds both; they differ when dispersion is on in a non-centrosymmetric structure), and the
Lorentz-polarisation factor of a powder diffractometer with an optional monochromator
(2 theta_m its diffraction angle; 0 or None for none):

    LP = (1 + cos^2(2 theta) cos^2(2 theta_m)) / (sin^2(theta) cos(theta) (1 + cos^2(2 theta_m)))

Form factors come from xraydb (:mod:`cationx.crystal.formfactors`); dispersion f', f''
is on by default.  Systematic absences come from gemmi (``GroupOps.systematic_absences``).

Profiles: each reflection becomes a peak of unit area (in degrees 2-theta) times I(hkl):

- ``"gaussian"``: FWHM^2 = W_inst^2 + W_size^2
- ``"lorentzian"``: FWHM = W_inst + W_size
- ``"pseudo-voigt"`` (default): a Gaussian instrument width W_inst and a Lorentzian size
  width W_size combined by Thompson, Cox & Hastings, J. Appl. Cryst. 20, 79 (1987) into
  one FWHM and mixing eta.

with the Scherrer size width W_size = K lambda / (L cos theta) (radians), L the
crystallite size (``size_nm``), K = 0.9 by default (the conventional value, and the form
PowderCell's "Debye-Scherrer broadening" uses).  K depends on what L means: for a sphere
of diameter D the FWHM constant is K = 1.107 with L = D (:data:`SPHERE_SCHERRER_K`, the
half-width of the Fourier transform of the sphere's common-volume function
1 - 3t/2D + t^3/2D^3), 0.892 with L = the cube root of the volume (0.806 D) and 0.830 with
L = the volume-weighted column length 3D/4.  So with the default K = 0.9, ``size_nm`` is
about the cube root of the crystallite volume, not a sphere diameter; pass
``scherrer_k=SPHERE_SCHERRER_K`` to give sphere diameters.
K-alpha2 (``kalpha2=True`` with a named anode) adds the alpha2 line at half the
intensity.  Written here rather than taken from pymatgen or Dans_Diffraction because
neither handles anomalous dispersion with partial occupancies, monochromator LP and
size-broadened profiles together, and both are much slower (benchmarks/bench_xrd.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_choice, check_finite, check_positive
from cationx.constants import ANODES, CU_KALPHA1_ANGSTROM, KALPHA2_RATIO
from cationx.crystal.formfactors import anomalous, electron_f, f0
from cationx.crystal.structure import Structure
from cationx.errors import InputError
from cationx.units import d_to_q, d_to_two_theta, two_theta_to_d, two_theta_to_q

# ANODES, KALPHA2_RATIO and the 2-theta/d/Q conversions live in cationx.constants and
# cationx.units; they stay importable from here
__all__ = [
    "ANODES",
    "KALPHA2_RATIO",
    "PROFILES",
    "SPHERE_SCHERRER_K",
    "PowderPattern",
    "ReflectionTable",
    "d_to_two_theta",
    "lorentz_polarization",
    "powder_pattern",
    "reflections",
    "resolve_wavelength",
    "two_theta_to_d",
    "two_theta_to_q",
]

#: Scherrer constant (FWHM) of a sphere when L is its diameter: FWHM(2 theta) = 1.1067 lambda /
#: (D cos theta); from the sphere's common-volume function (module docstring; the integral
#: breadth constant is exactly 4/3).  tests/crystal/test_powder.py recomputes it.
SPHERE_SCHERRER_K = 1.1067
PROFILES = ("gaussian", "lorentzian", "pseudo-voigt")
RADIATIONS = ("xray", "electron")
MIN_SIZE_NM = 0.1  # a Scherrer size below 1 A (less than one bond) has no meaning


def resolve_wavelength(wavelength: float | str) -> tuple[float, float | None]:
    """Return (lambda1, lambda2 or None) in A from a number or an anode name.

    ``1.5406`` -> (1.5406, None); ``"Cu"`` or ``"CuKa"`` -> (K-alpha1, K-alpha2);
    ``"CuKa1"`` -> (K-alpha1, None).
    """
    if isinstance(wavelength, str):
        text = wavelength.strip()
        for anode, (l1, l2) in ANODES.items():
            if text.lower() in (anode.lower(), f"{anode.lower()}ka"):
                return l1, l2
            if text.lower() == f"{anode.lower()}ka1":
                return l1, None
        raise InputError(
            f"wavelength must be a number in A or an anode ({', '.join(ANODES)}, e.g. 'CuKa1'), got {wavelength!r}"
        )
    lam = check_positive(wavelength, "wavelength_angstrom")
    if lam > 100:
        raise InputError(f"wavelength_angstrom must be an X-ray wavelength in A (<= 100), got {lam!r}")
    return lam, None


def _kalpha2_of(lam1: float) -> float:
    """K-alpha2 wavelength of the anode whose K-alpha1 is ``lam1`` (InputError if none is)."""
    match = [v for v in ANODES.values() if abs(v[0] - lam1) < 1e-6]
    if not match:
        raise InputError("kalpha2=True needs an anode wavelength (e.g. 'Cu' or 1.54056)")
    return match[0][1]


def lorentz_polarization(two_theta_deg: Any, monochromator_two_theta_deg: float | None = None) -> np.ndarray:
    """Powder Lorentz-polarisation factor (module docstring), dimensionless.

    ``monochromator_two_theta_deg``: diffraction angle 2 theta_m of a monochromator crystal
    (graphite 002 for Cu K-alpha: 26.6 deg); None or 0 for an unpolarised beam without one.
    """
    tt = np.radians(np.asarray(two_theta_deg, dtype=float))
    th = tt / 2
    c2m = 1.0 if not monochromator_two_theta_deg else math.cos(math.radians(monochromator_two_theta_deg)) ** 2
    return (1 + np.cos(tt) ** 2 * c2m) / (np.sin(th) ** 2 * np.cos(th) * (1 + c2m))


@dataclass(frozen=True, slots=True)
class ReflectionTable:
    """Reflection families of one structure at one wavelength.

    Arrays (one row per family, sorted by d descending): ``hkl`` (M, 3) representative
    indices, ``multiplicity``, ``d_angstrom``, ``two_theta_deg``, ``q_inv_angstrom``,
    ``f_squared`` (<|F|^2> per cell, electrons^2), ``lp`` and ``intensity``
    (m |F|^2 LP, arbitrary absolute units).  ``relative`` scales intensity to 100 at the
    strongest reflection.
    """

    structure_name: str
    wavelength_angstrom: float
    dispersion: bool
    hkl: np.ndarray
    multiplicity: np.ndarray
    d_angstrom: np.ndarray
    two_theta_deg: np.ndarray
    q_inv_angstrom: np.ndarray
    f_squared: np.ndarray
    lp: np.ndarray
    intensity: np.ndarray

    def __len__(self) -> int:
        return int(self.d_angstrom.size)

    @property
    def relative(self) -> np.ndarray:
        top = float(self.intensity.max()) if self.intensity.size else 0.0
        return 100 * self.intensity / top if top > 0 else np.zeros_like(self.intensity)

    def labels(self) -> list[str]:
        """Family labels such as ``"(1 1 1)"``."""
        return [f"({h} {k} {el})" for h, k, el in self.hkl.tolist()]

    def find(self, h: int, k: int, l: int) -> int:  # noqa: E741
        """Row index of the family containing (h k l) (same d and same |F|^2 orbit)."""
        for i, row in enumerate(self.hkl.tolist()):
            if row == [h, k, l]:
                return i
        raise InputError(f"reflection ({h} {k} {l}) is not a family representative of this table (absent or out of range)")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "h": self.hkl[:, 0],
                "k": self.hkl[:, 1],
                "l": self.hkl[:, 2],
                "multiplicity": self.multiplicity,
                "d_angstrom": self.d_angstrom,
                "two_theta_deg": self.two_theta_deg,
                "q_inv_angstrom": self.q_inv_angstrom,
                "f_squared": self.f_squared,
                "lp": self.lp,
                "intensity": self.relative,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``reflections`` list of {h, k, l, multiplicity, d_angstrom, two_theta_deg, intensity}."""
        rel = self.relative
        rows = [
            {
                "h": int(h),
                "k": int(k),
                "l": int(el),
                "multiplicity": int(m),
                "d_angstrom": float(d),
                "two_theta_deg": float(t),
                "intensity": float(i),
            }
            for (h, k, el), m, d, t, i in zip(
                self.hkl.tolist(), self.multiplicity, self.d_angstrom, self.two_theta_deg, rel, strict=True
            )
        ]
        return {
            "structure": self.structure_name,
            "wavelength_angstrom": self.wavelength_angstrom,
            "dispersion": self.dispersion,
            "reflections": rows,
        }


def _laue_rotations(structure: Structure) -> np.ndarray:
    return _laue_rotations_for(structure.spacegroup)


@lru_cache(maxsize=64)
def _laue_rotations_for(hm: str) -> np.ndarray:
    import gemmi

    ops = gemmi.SpaceGroup(hm).operations()
    rots = {tuple(np.array(op.rot).ravel() // op.DEN) for op in ops.sym_ops}
    mats = [np.array(r, dtype=int).reshape(3, 3) for r in sorted(rots)]
    mats += [-m for m in mats]
    return np.unique(np.array(mats), axis=0)


def _families(structure: Structure, d_min: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Representatives (M, 3), multiplicities (M,), d (M,) of non-absent families with d >= d_min."""
    import gemmi

    lat = structure.lattice_matrix()
    rec = structure.reciprocal_matrix()
    hmax = [math.floor(np.linalg.norm(lat[i]) / d_min) + 1 for i in range(3)]
    if math.prod(2 * h + 1 for h in hmax) > 8_000_000:
        raise InputError(
            f"d down to {d_min:.3g} A in {structure.name!r} needs more than 8 million hkl; narrow the 2-theta range"
        )
    grids = np.meshgrid(*[np.arange(-n, n + 1) for n in hmax], indexing="ij")
    hkl = np.stack([g.ravel() for g in grids], axis=1)
    hkl = hkl[np.any(hkl != 0, axis=1)]
    inv_d2 = np.einsum("ij,ij->i", hkl @ rec, hkl @ rec)
    hkl = hkl[inv_d2 <= 1 / d_min**2 * (1 + 1e-12)]
    if hkl.size == 0:
        return np.zeros((0, 3), dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    ops = gemmi.SpaceGroup(structure.spacegroup).operations()
    absent = np.asarray(ops.systematic_absences(hkl.astype(np.int32)), dtype=bool)
    hkl = hkl[~absent]
    if hkl.size == 0:
        return np.zeros((0, 3), dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    rots = _laue_rotations(structure)
    orbit = np.einsum("nj,kji->nki", hkl, rots)  # h' = h R for reciprocal vectors
    big = 2 * max(hmax) + 3
    keys = ((orbit[..., 0] + big) * big + (orbit[..., 1] + big)) * big + (orbit[..., 2] + big)
    canon = keys.max(axis=1)
    _, first, counts = np.unique(canon, return_index=True, return_counts=True)
    # representative: most non-negative indices, then lexicographically largest ((1 1 0), not (2 -1 0))
    nonneg = np.sum(orbit[first] >= 0, axis=2)
    pref = nonneg * big**3 + keys[first]
    rep_idx = np.argmax(pref, axis=1)
    reps = orbit[first, rep_idx]
    inv_d2 = np.einsum("ij,ij->i", reps @ rec, reps @ rec)
    d = 1 / np.sqrt(inv_d2)
    order = np.lexsort((-reps[:, 2], -reps[:, 1], -reps[:, 0], -d))
    return reps[order], counts[order], d[order]


def structure_factor_squared(
    structure: Structure,
    hkl: np.ndarray,
    d_angstrom: np.ndarray,
    *,
    wavelength_angstrom: float | None,
    radiation: str = "xray",
) -> np.ndarray:
    """<|F(hkl)|^2> over hkl and -h-k-l per cell; no dispersion if wavelength is None.

    X-rays: electrons^2; electrons (``radiation="electron"``, Mott-Bethe factors): A^2.
    """
    table = structure.expand()
    hkl = np.asarray(hkl, dtype=float)
    s = 1 / (2 * np.asarray(d_angstrom, dtype=float))
    q = 4 * np.pi * s
    fplus = np.zeros(len(hkl), dtype=complex)
    fminus = np.zeros(len(hkl), dtype=complex)
    for elem in sorted(set(table.element)):
        sel = table.element == elem
        if radiation == "electron":
            fe = np.asarray(electron_f(elem, q), dtype=complex)
        else:
            fe = np.asarray(f0(elem, q), dtype=complex)
            if wavelength_angstrom is not None:
                fp, fpp = anomalous(elem, wavelength_angstrom)
                fe = fe + complex(fp, fpp)
        phase = 2 * np.pi * (hkl @ table.frac[sel].T)  # (M, Ne)
        weight = table.occupancy[sel][None, :] * np.exp(-np.outer(s**2, table.b_iso[sel]))
        c = np.sum(weight * np.cos(phase), axis=1)
        sn = np.sum(weight * np.sin(phase), axis=1)
        fplus += fe * (c + 1j * sn)
        fminus += fe * (c - 1j * sn)
    return 0.5 * (np.abs(fplus) ** 2 + np.abs(fminus) ** 2)


def reflections(
    structure: Structure,
    *,
    wavelength_angstrom: float | str = CU_KALPHA1_ANGSTROM,
    two_theta_range_deg: Sequence[float] = (5.0, 90.0),
    dispersion: bool = True,
    monochromator_two_theta_deg: float | None = None,
    min_relative_intensity: float = 0.0,
    radiation: str = "xray",
) -> ReflectionTable:
    """Reflection families (sticks) of ``structure`` inside a 2-theta range.

    Parameters
    ----------
    structure : Structure
    wavelength_angstrom : float or str
        Wavelength in A, or an anode name (``"CuKa1"``; with ``"Cu"`` only alpha1 is used
        here, see :func:`powder_pattern` for the doublet).  Default Cu K-alpha1 1.54056 A.
    two_theta_range_deg : (low, high)
        Degrees, 0 <= low < high <= 180.
    dispersion : bool
        Include f' and f'' (Chantler tables) at this wavelength (default True).
    monochromator_two_theta_deg : float, optional
        Monochromator 2 theta_m for the polarisation factor.
    min_relative_intensity : float
        Drop families weaker than this percentage of the strongest (default 0: keep all
        allowed ones, including accidental near-zeros).
    radiation : {"xray", "electron"}
        ``"electron"``: Mott-Bethe scattering factors, no dispersion, and in place of LP the
        factor d^2 of a ring pattern's radial profile (intensity per unit ring length,
        I = m |F|^2 d^2; Vainshtein, Structure Analysis by Electron Diffraction, 1964).
        Give the electron wavelength (:func:`cationx.crystal.formfactors.electron_wavelength_angstrom`).
    """
    if not isinstance(structure, Structure):
        raise InputError(f"structure must be a Structure, got {type(structure).__name__}")
    lam, _ = resolve_wavelength(wavelength_angstrom)
    lo, hi = _check_range(two_theta_range_deg)
    if monochromator_two_theta_deg is not None:
        m = check_finite(monochromator_two_theta_deg, "monochromator_two_theta_deg")
        if not 0 <= m < 180:
            raise InputError(f"monochromator_two_theta_deg must lie in [0, 180), got {m!r}")
    d_min = lam / (2 * math.sin(math.radians(hi) / 2))
    reps, mult, d = _families(structure, d_min)
    tt = d_to_two_theta(d, lam)
    keep = tt >= lo
    reps, mult, d, tt = reps[keep], mult[keep], d[keep], tt[keep]
    check_choice(radiation, "radiation", RADIATIONS)
    if radiation == "electron":
        f2 = structure_factor_squared(structure, reps, d, wavelength_angstrom=None, radiation="electron")
        lp = d**2
        dispersion = False
    else:
        f2 = structure_factor_squared(structure, reps, d, wavelength_angstrom=lam if dispersion else None)
        lp = lorentz_polarization(tt, monochromator_two_theta_deg)
    inten = mult * f2 * lp
    table = ReflectionTable(
        structure_name=structure.name,
        wavelength_angstrom=lam,
        dispersion=bool(dispersion),
        hkl=reps.astype(int),
        multiplicity=mult.astype(int),
        d_angstrom=d,
        two_theta_deg=tt,
        q_inv_angstrom=d_to_q(d),
        f_squared=f2,
        lp=lp,
        intensity=inten,
    )
    thr = check_finite(min_relative_intensity, "min_relative_intensity")
    if thr > 0 and len(table):
        sel = table.relative >= thr
        table = _subset(table, sel)
    return table


def _subset(t: ReflectionTable, sel: np.ndarray) -> ReflectionTable:
    return ReflectionTable(
        structure_name=t.structure_name,
        wavelength_angstrom=t.wavelength_angstrom,
        dispersion=t.dispersion,
        hkl=t.hkl[sel],
        multiplicity=t.multiplicity[sel],
        d_angstrom=t.d_angstrom[sel],
        two_theta_deg=t.two_theta_deg[sel],
        q_inv_angstrom=t.q_inv_angstrom[sel],
        f_squared=t.f_squared[sel],
        lp=t.lp[sel],
        intensity=t.intensity[sel],
    )


def _check_range(rng: Sequence[float], name: str = "two_theta_range_deg") -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in rng)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be two numbers (low, high) in degrees, got {rng!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or not 0 <= lo < hi <= 180:
        raise InputError(f"{name} must satisfy 0 <= low < high <= 180 deg, got ({lo}, {hi})")
    return lo, hi


def _tch(w_g: np.ndarray, w_l: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Thompson-Cox-Hastings (1987): total FWHM and eta of a pseudo-Voigt from Gaussian/Lorentzian FWHMs."""
    g, lo = w_g, w_l
    fw = (
        g**5 + 2.69269 * g**4 * lo + 2.42843 * g**3 * lo**2 + 4.47163 * g**2 * lo**3 + 0.07842 * g * lo**4 + lo**5
    ) ** 0.2
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(fw > 0, lo / fw, 0.0)
    eta = 1.36603 * r - 0.47719 * r**2 + 0.11116 * r**3
    return fw, np.clip(eta, 0.0, 1.0)


def peak_shapes(x: np.ndarray, centers: np.ndarray, fwhm: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """Unit-area pseudo-Voigt peaks (eta = 0 Gaussian, 1 Lorentzian): array (len(centers), len(x))."""
    hw = fwhm[:, None] / 2
    u = ((x[None, :] - centers[:, None]) / hw) ** 2
    e = eta[:, None]
    out = ((1 - e) * math.sqrt(math.log(2) / math.pi) / hw) * np.exp(-math.log(2) * u)
    out += (e / (math.pi * hw)) / (1 + u)
    return out


#: The Gaussian part is evaluated within this many FWHM of each peak (beyond, exp(-ln2 (2*6)^2) < 1e-43).
GAUSS_WINDOW_FWHM = 6.0


def profile_sum(x: np.ndarray, centers: np.ndarray, fwhm: np.ndarray, eta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum_k weights_k * pseudo-Voigt_k(x) on a sorted grid; equals ``weights @ peak_shapes(...)``.

    The Lorentzian part is summed over the whole grid (its tails matter); the Gaussian part
    only within +/- 6 FWHM of each peak, where it is not below double-precision round-off.
    Large sums (more than 200,000 peak-points) run in a numba loop when numba is installed
    (the same arithmetic; :func:`profile_sum_numpy` is the reference the tests compare with).
    """
    x = np.ascontiguousarray(x, dtype=float)
    centers = np.ascontiguousarray(centers, dtype=float)
    fwhm = np.ascontiguousarray(fwhm, dtype=float)
    eta = np.ascontiguousarray(eta, dtype=float)
    weights = np.ascontiguousarray(weights, dtype=float)
    if centers.size * x.size > 200_000:
        kernel = _numba_kernel()
        if kernel is not None:
            lo = np.searchsorted(x, centers - GAUSS_WINDOW_FWHM * fwhm)
            hi = np.searchsorted(x, centers + GAUSS_WINDOW_FWHM * fwhm)
            return kernel(x, centers, fwhm, eta, weights, lo, hi)
    return profile_sum_numpy(x, centers, fwhm, eta, weights)


def profile_sum_numpy(x: np.ndarray, centers: np.ndarray, fwhm: np.ndarray, eta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Plain NumPy version of :func:`profile_sum`."""
    x = np.asarray(x, dtype=float)
    hw = fwhm / 2
    y = np.zeros_like(x)
    lw = weights * eta
    sel = lw != 0
    if sel.any():
        u = ((x[None, :] - centers[sel, None]) / hw[sel, None]) ** 2
        y += (lw[sel] / (math.pi * hw[sel])) @ (1 / (1 + u))
    gw = weights * (1 - eta)
    lo = np.searchsorted(x, centers - GAUSS_WINDOW_FWHM * fwhm)
    hi = np.searchsorted(x, centers + GAUSS_WINDOW_FWHM * fwhm)
    c0 = math.sqrt(math.log(2) / math.pi)
    for k in np.flatnonzero((gw != 0) & (hi > lo)):
        xs = x[lo[k] : hi[k]]
        y[lo[k] : hi[k]] += (gw[k] * c0 / hw[k]) * np.exp(-math.log(2) * ((xs - centers[k]) / hw[k]) ** 2)
    return y


@lru_cache(maxsize=1)
def _numba_kernel() -> Any:
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is optional
        return None

    ln2 = math.log(2)
    c0 = math.sqrt(ln2 / math.pi)

    @numba.njit(cache=True, fastmath=True)
    def kernel(x, centers, fwhm, eta, weights, lo, hi):  # pragma: no cover - compiled
        y = np.zeros(x.size)
        for k in range(centers.size):
            hw = fwhm[k] / 2
            inv = 1.0 / hw
            lw = weights[k] * eta[k] / (math.pi * hw)
            if lw != 0.0:
                for i in range(x.size):
                    d = (x[i] - centers[k]) * inv
                    y[i] += lw / (1.0 + d * d)
            gw = weights[k] * (1.0 - eta[k]) * c0 / hw
            if gw != 0.0:
                for i in range(lo[k], hi[k]):
                    d = (x[i] - centers[k]) / hw
                    y[i] += gw * math.exp(-ln2 * d * d)
        return y

    return kernel


@dataclass(frozen=True, slots=True)
class PowderPattern:
    """A simulated powder pattern: sticks (``reflections``) and a profile on a 2-theta grid.

    ``intensity`` is scaled so that its maximum is 100.  ``reflections2`` holds the
    K-alpha2 sticks when the doublet was included (else None).
    """

    reflections: ReflectionTable
    two_theta_deg: np.ndarray
    intensity: np.ndarray
    wavelength_angstrom: float
    size_nm: float | None
    profile: str
    instrument_fwhm_deg: float
    reflections2: ReflectionTable | None = None

    @property
    def q_inv_angstrom(self) -> np.ndarray:
        return two_theta_to_q(self.two_theta_deg, self.wavelength_angstrom)

    @property
    def d_angstrom(self) -> np.ndarray:
        return two_theta_to_d(self.two_theta_deg, self.wavelength_angstrom)

    def intensity_at(self, two_theta_deg: float) -> float:
        """Profile intensity interpolated at one angle."""
        return float(np.interp(two_theta_deg, self.two_theta_deg, self.intensity))

    def to_frame(self) -> pd.DataFrame:
        """Profile: two_theta_deg, q_inv_angstrom, d_angstrom, intensity."""
        return pd.DataFrame(
            {
                "two_theta_deg": self.two_theta_deg,
                "q_inv_angstrom": self.q_inv_angstrom,
                "d_angstrom": self.d_angstrom,
                "intensity": self.intensity,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        out = self.reflections.to_dict()
        out.update(
            {
                "size_nm": self.size_nm,
                "profile": self.profile,
                "instrument_fwhm_deg": self.instrument_fwhm_deg,
                "kalpha2": self.reflections2 is not None,
                "two_theta_deg": self.two_theta_deg,
                "q_inv_angstrom": self.q_inv_angstrom,
                "d_angstrom": self.d_angstrom,
                "intensity": self.intensity,
            }
        )
        return out


def profile_from_sticks(
    x_deg: np.ndarray,
    tables: Sequence[tuple[ReflectionTable, float]],
    *,
    size_nm: float | None,
    profile: str,
    instrument_fwhm_deg: float,
    scherrer_k: float = 0.9,
) -> np.ndarray:
    """Sum of unit-area peaks times stick intensities (unnormalised); ``tables`` = [(sticks, weight)]."""
    y = np.zeros_like(x_deg, dtype=float)
    for table, weight in tables:
        if not len(table):
            continue
        tt = table.two_theta_deg
        th = np.radians(tt) / 2
        if size_nm is None:
            w_size = np.zeros_like(tt)
        else:
            w_size = np.degrees(scherrer_k * table.wavelength_angstrom / (10 * size_nm * np.cos(th)))
        w_inst = np.full_like(tt, instrument_fwhm_deg)
        if profile == "gaussian":
            fw, eta = np.sqrt(w_inst**2 + w_size**2), np.zeros_like(tt)
        elif profile == "lorentzian":
            fw, eta = w_inst + w_size, np.ones_like(tt)
        else:
            fw, eta = _tch(w_inst, w_size)
        if np.any(fw <= 0):
            raise InputError("peak width is zero: give size_nm or instrument_fwhm_deg > 0")
        y += weight * profile_sum(x_deg, tt, fw, eta, table.intensity)
    return y


def powder_pattern(
    structure: Structure,
    *,
    wavelength_angstrom: float | str = CU_KALPHA1_ANGSTROM,
    two_theta_range_deg: Sequence[float] = (10.0, 90.0),
    step_deg: float = 0.02,
    size_nm: float | None = None,
    profile: str = "pseudo-voigt",
    instrument_fwhm_deg: float = 0.05,
    scherrer_k: float = 0.9,
    kalpha2: bool = False,
    dispersion: bool = True,
    monochromator_two_theta_deg: float | None = None,
    radiation: str = "xray",
) -> PowderPattern:
    """Simulated powder pattern (sticks + profile), maximum scaled to 100.

    Parameters
    ----------
    structure : Structure
    wavelength_angstrom : float or str
        A number (A) or an anode: ``"Cu"``/``"CuKa"`` (alpha1 + alpha2 when ``kalpha2``),
        ``"CuKa1"``.  Default 1.54056 A (Cu K-alpha1).
    two_theta_range_deg, step_deg : grid in degrees 2-theta.
    size_nm : float, optional
        Crystallite size L for Scherrer broadening (nm); None: instrument width only.
    profile : {"gaussian", "lorentzian", "pseudo-voigt"}
    instrument_fwhm_deg : float
        Instrumental FWHM (deg), >= 0; default 0.05.
    scherrer_k : float
        Scherrer constant (default 0.9: ``size_nm`` ~ cube root of the crystallite volume;
        :data:`SPHERE_SCHERRER_K` = 1.107 makes ``size_nm`` a sphere diameter).
    kalpha2 : bool
        Add the K-alpha2 line (needs an anode name, or 1.54056 which is taken as Cu).
    dispersion : bool
        Anomalous dispersion on (default) or off.
    monochromator_two_theta_deg : float, optional
        Monochromator angle for the polarisation factor.
    radiation : {"xray", "electron"}
        See :func:`reflections`; for electrons give the electron wavelength and a 2-theta
        range of a few degrees.
    """
    lam1, lam2 = resolve_wavelength(wavelength_angstrom)
    check_choice(radiation, "radiation", RADIATIONS)
    if radiation == "electron" and kalpha2:
        raise InputError("kalpha2 applies to X-ray tubes, not to electrons")
    if kalpha2 and lam2 is None:
        lam2 = _kalpha2_of(lam1)
    if not kalpha2:
        lam2 = None
    lo, hi = _check_range(two_theta_range_deg)
    if lo <= 0:
        raise InputError(f"two_theta_range_deg must start above 0 deg for a profile (d is infinite at 0), got ({lo}, {hi})")
    step = check_positive(step_deg, "step_deg")
    if (hi - lo) / step > 2_000_000:
        raise InputError(f"step_deg {step!r} gives more than 2,000,000 points over ({lo}, {hi})")
    check_choice(profile, "profile", PROFILES)
    inst = check_finite(instrument_fwhm_deg, "instrument_fwhm_deg")
    if not 0 <= inst <= 10:
        raise InputError(f"instrument_fwhm_deg must lie in [0, 10] deg, got {inst!r}")
    size = None if size_nm is None else check_positive(size_nm, "size_nm")
    if size is not None and not MIN_SIZE_NM <= size <= 1e6:
        raise InputError(f"size_nm must lie in [{MIN_SIZE_NM}, 1e6] nm, got {size!r}")
    k = check_positive(scherrer_k, "scherrer_k")
    if size is None and inst == 0:
        raise InputError("give size_nm or instrument_fwhm_deg > 0 (a profile needs a peak width)")
    x = np.arange(lo, hi + step / 2, step)
    # reflections a little outside the window still put tails into it
    base_margin = min(10.0, 0.25 * hi)
    margin = base_margin if size is None else min(60.0, base_margin + 3 * math.degrees(k * lam1 / (10 * size)))
    wide = (max(lo - margin, 0.0), min(hi + margin, 179.9))
    common = {"dispersion": dispersion, "monochromator_two_theta_deg": monochromator_two_theta_deg, "radiation": radiation}
    t1 = reflections(structure, wavelength_angstrom=lam1, two_theta_range_deg=wide, **common)
    parts = [(t1, 1.0)]
    t2 = None
    if lam2 is not None:
        t2 = reflections(structure, wavelength_angstrom=lam2, two_theta_range_deg=wide, **common)
        parts.append((t2, KALPHA2_RATIO))
    y = profile_from_sticks(x, parts, size_nm=size, profile=profile, instrument_fwhm_deg=inst, scherrer_k=k)
    top = float(y.max()) if y.size else 0.0
    y = 100 * y / top if top > 0 else y
    inside = (t1.two_theta_deg >= lo) & (t1.two_theta_deg <= hi)
    return PowderPattern(
        reflections=_subset(t1, inside),
        two_theta_deg=x,
        intensity=y,
        wavelength_angstrom=lam1,
        size_nm=size,
        profile=profile,
        instrument_fwhm_deg=inst,
        reflections2=None if t2 is None else _subset(t2, (t2.two_theta_deg >= lo) & (t2.two_theta_deg <= hi)),
    )
