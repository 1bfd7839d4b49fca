"""Fast re-evaluation of a powder profile while occupancies, cell scale and size change.

Refinement and phase identification evaluate the same structure hundreds of times with
different site occupancies, an isotropic cell scale and a crystallite size.  The
reflection families and the per-site geometric sums

    G_site(hkl) = sum over the positions of the site of exp(2 pi i h.x)

do not change, so they are computed once; each evaluation only recomputes form factors at
the new d-spacings, F = sum_site occ f exp(-B s^2) G_site, LP and the profile.  The result
equals :func:`cationx.crystal.powder.powder_pattern` (tests/crystal check this).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cationx.constants import CU_KALPHA1_ANGSTROM, KALPHA2_RATIO
from cationx.crystal.formfactors import anomalous, f0
from cationx.crystal.powder import (
    _families,
    _kalpha2_of,
    _tch,
    d_to_two_theta,
    lorentz_polarization,
    profile_sum,
    resolve_wavelength,
)
from cationx.crystal.structure import Structure
from cationx.units import two_theta_to_d

__all__ = ["PatternEngine"]


class PatternEngine:
    """Profile of one structure on a fixed 2-theta grid, as a function of (occupancies, cell scale, size).

    Parameters
    ----------
    structure : Structure
    two_theta_deg : array
        The grid (deg).
    wavelength_angstrom : float or str
    kalpha2 : bool
    dispersion : bool
    monochromator_two_theta_deg : float, optional
    profile : str
    instrument_fwhm_deg : float
    scherrer_k : float
    max_cell_scale : float
        Largest cell scale the engine must serve (reflections are enumerated for it).
    """

    def __init__(
        self,
        structure: Structure,
        two_theta_deg: np.ndarray,
        *,
        wavelength_angstrom: float | str = CU_KALPHA1_ANGSTROM,
        kalpha2: bool = False,
        dispersion: bool = True,
        monochromator_two_theta_deg: float | None = None,
        profile: str = "pseudo-voigt",
        instrument_fwhm_deg: float = 0.05,
        scherrer_k: float = 0.9,
        max_cell_scale: float = 1.1,
    ) -> None:
        self.structure = structure
        self.x = np.asarray(two_theta_deg, dtype=float)
        lam1, lam2 = resolve_wavelength(wavelength_angstrom)
        if kalpha2 and lam2 is None:
            lam2 = _kalpha2_of(lam1)
        self.lines = [(lam1, 1.0)] + ([(lam2, KALPHA2_RATIO)] if kalpha2 and lam2 else [])
        self.wavelength_angstrom = lam1
        self.dispersion = dispersion
        self.mono = monochromator_two_theta_deg
        self.profile = profile
        self.inst = float(instrument_fwhm_deg)
        self.k = float(scherrer_k)
        hi = min(float(self.x.max()) + 15.0, 179.0)
        lam_max = max(lam for lam, _ in self.lines)
        d_min = float(two_theta_to_d(hi, lam_max)) / max_cell_scale
        reps, mult, d0 = _families(structure, d_min)
        self.hkl = reps
        self.multiplicity = mult.astype(float)
        self.d0 = d0
        table = structure.expand()
        self.labels = list(structure.labels)
        self.elements = {s.label: s.element for s in structure.sites}
        self.b_iso = {s.label: s.b_iso for s in structure.sites}
        self.base_occ = {s.label: s.occupancy for s in structure.sites}
        self.geom: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for label in self.labels:
            sel = table.site == label
            phase = 2 * np.pi * (reps.astype(float) @ table.frac[sel].T)
            self.geom[label] = (np.cos(phase).sum(axis=1), np.sin(phase).sum(axis=1))
        self.disp = {}
        for lam, _ in self.lines:
            self.disp[lam] = {
                e: (complex(*anomalous(e, lam)) if dispersion else 0j) for e in set(self.elements.values())
            }

    def f_squared(
        self,
        occupancies: Mapping[str, float] | None = None,
        cell_scale: float = 1.0,
        lam: float | None = None,
        b_extra: float = 0.0,
    ) -> np.ndarray:
        """<|F|^2> per family (Friedel average) for these occupancies and cell scale.

        ``b_extra`` (A^2) is added to every site's B (an overall displacement parameter).
        """
        occ = dict(self.base_occ)
        if occupancies:
            occ.update(occupancies)
        lam = self.wavelength_angstrom if lam is None else lam
        d = self.d0 * cell_scale
        s = 1 / (2 * d)
        q = 4 * np.pi * s
        fe = {e: np.asarray(f0(e, q), dtype=complex) + self.disp[lam][e] for e in set(self.elements.values())}
        fp = np.zeros(d.size, dtype=complex)
        fm = np.zeros(d.size, dtype=complex)
        for label in self.labels:
            o = occ[label]
            if o == 0:
                continue
            c, sn = self.geom[label]
            w = o * np.exp(-(self.b_iso[label] + b_extra) * s**2)
            f = fe[self.elements[label]] * w
            fp += f * (c + 1j * sn)
            fm += f * (c - 1j * sn)
        return 0.5 * (np.abs(fp) ** 2 + np.abs(fm) ** 2)

    def sticks(
        self, occupancies: Mapping[str, float] | None = None, cell_scale: float = 1.0, b_extra: float = 0.0
    ) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """[(two_theta_deg, intensity m|F|^2 LP, wavelength)] for each line of the source."""
        out = []
        for lam, weight in self.lines:
            d = self.d0 * cell_scale
            tt = d_to_two_theta(d, lam)
            ok = np.isfinite(tt)
            inten = weight * self.multiplicity[ok] * self.f_squared(occupancies, cell_scale, lam, b_extra)[ok] * lorentz_polarization(tt[ok], self.mono)
            out.append((tt[ok], inten, lam))
        return out

    def profile_curve(
        self,
        occupancies: Mapping[str, float] | None = None,
        cell_scale: float = 1.0,
        size_nm: float | None = None,
        zero_shift_deg: float = 0.0,
        b_extra: float = 0.0,
    ) -> np.ndarray:
        """Unnormalised profile on the grid (same units as the stick intensities x 1/deg).

        ``zero_shift_deg`` moves every peak by that much 2-theta (a zero-point error);
        ``b_extra`` is an overall B (A^2) added to every site.
        """
        y = np.zeros_like(self.x)
        for tt, inten, lam in self.sticks(occupancies, cell_scale, b_extra):
            th = np.radians(tt) / 2
            w_size = np.zeros_like(tt) if size_nm is None else np.degrees(self.k * lam / (10 * size_nm * np.cos(th)))
            w_inst = np.full_like(tt, self.inst)
            if self.profile == "gaussian":
                fw, eta = np.sqrt(w_inst**2 + w_size**2), np.zeros_like(tt)
            elif self.profile == "lorentzian":
                fw, eta = w_inst + w_size, np.ones_like(tt)
            else:
                fw, eta = _tch(w_inst, w_size)
            y += profile_sum(self.x, tt + zero_shift_deg, fw, eta, inten)
        return y


def chebyshev_background(x: np.ndarray, coefficients: Sequence[float]) -> np.ndarray:
    """Chebyshev series on x mapped to [-1, 1] over its own range."""
    lo, hi = float(x.min()), float(x.max())
    t = (2 * x - lo - hi) / (hi - lo) if hi > lo else np.zeros_like(x)
    return np.polynomial.chebyshev.chebval(t, list(coefficients))


def chebyshev_basis(x: np.ndarray, n: int) -> np.ndarray:
    """(len(x), n) Chebyshev basis on x mapped to [-1, 1]."""
    lo, hi = float(x.min()), float(x.max())
    t = (2 * x - lo - hi) / (hi - lo) if hi > lo else np.zeros_like(x)
    return np.polynomial.chebyshev.chebvander(t, n - 1) if n > 0 else np.zeros((x.size, 0))
