"""The physics layer: Q and 2-theta, polarisation, form factors and Debye-Waller factors
combined with the pair sums into coherent, Laue and thermal diffuse intensity
(:func:`debye_intensity`, :func:`debye_pattern`), averages and maxima."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cationx._validation import as_1d_array, check_positive
from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.crystal.debye.routes import PairSums, pair_sums
from cationx.errors import InputError
from cationx.units import q_to_two_theta, two_theta_to_q


def q_from_two_theta(two_theta_deg: Any, wavelength_angstrom: float) -> np.ndarray:
    """Scattering vector Q = 4 pi sin(theta) / lambda in 1/A for 2-theta in degrees."""
    lam = check_positive(wavelength_angstrom, "wavelength_angstrom")
    tt = as_1d_array(two_theta_deg, "two_theta_deg")
    if (tt <= 0).any() or (tt >= 180).any():
        raise InputError("two_theta_deg must lie in (0, 180) degrees")
    return two_theta_to_q(tt, lam)


def two_theta_from_q(q_inv_angstrom: Any, wavelength_angstrom: float) -> np.ndarray:
    """2-theta in degrees for Q in 1/A; Q must not exceed 4 pi / lambda."""
    lam = check_positive(wavelength_angstrom, "wavelength_angstrom")
    q = as_1d_array(q_inv_angstrom, "q_inv_angstrom")
    s = q * lam / (4.0 * np.pi)
    if (s > 1).any() or (q < 0).any():
        raise InputError(f"q_inv_angstrom must lie in [0, {4 * np.pi / lam:.6g}] for wavelength {lam} A")
    return q_to_two_theta(q, lam)


def polarisation_factor(two_theta_deg: Any, monochromator_two_theta_deg: float | None = None) -> np.ndarray:
    """Polarisation factor of an unpolarised beam, optionally after a monochromator.

    ``(1 + cos^2 2theta_m cos^2 2theta) / (1 + cos^2 2theta_m)``; without a monochromator
    ``(1 + cos^2 2theta) / 2``.  The Debye equation is already orientationally averaged, so
    no Lorentz factor applies to I(2theta).
    """
    tt = np.radians(as_1d_array(two_theta_deg, "two_theta_deg"))
    c2m = 1.0 if monochromator_two_theta_deg is None else math.cos(math.radians(float(monochromator_two_theta_deg))) ** 2
    return (1.0 + c2m * np.cos(tt) ** 2) / (1.0 + c2m)


# ---------------------------------------------------------------- intensity


@dataclass(frozen=True, slots=True)
class DebyePattern:
    """Debye-equation powder intensity of a cluster (electron units squared per cluster).

    ``intensity = (coherent + laue + thermal_diffuse) * polarisation``; the components are
    given before polarisation.  ``n_atoms`` counts atoms (rows), ``n_sites`` positions
    (when known; atoms of different elements may share a position); averages over sizes
    or configurations give weighted means.  ``self_scattering = sum p |f|^2`` and ``mean_f = sum p f /
    sum p`` serve the reduced PDF.  ``two_theta_deg`` is None for a pattern in Q only.
    """

    q_inv_angstrom: np.ndarray
    intensity: np.ndarray
    coherent: np.ndarray
    laue: np.ndarray
    thermal_diffuse: np.ndarray
    polarisation: np.ndarray
    self_scattering: np.ndarray
    mean_f: np.ndarray
    n_atoms: int
    n_occupied: float
    method: str
    two_theta_deg: np.ndarray | None = None
    wavelength_angstrom: float | None = None
    n_sites: int | None = None

    @property
    def x(self) -> np.ndarray:
        """2-theta in degrees when known, else Q."""
        return self.q_inv_angstrom if self.two_theta_deg is None else self.two_theta_deg

    def maxima(self, *, min_prominence: float = 0.005) -> list[dict[str, float]]:
        """Local maxima of the intensity (see :func:`find_maxima`)."""
        return find_maxima(self.x, self.intensity, min_prominence=min_prominence, x_name="two_theta_deg" if self.two_theta_deg is not None else "q_inv_angstrom")

    def reduced_pdf(self, r_angstrom: Any) -> np.ndarray:
        """Reduced pair distribution function G(r) in 1/A^2.

        ``F(Q) = Q [I(Q) - sum p |f|^2] / (N |<f>|^2)`` with ``N = sum p`` (Faber-Ziman
        weighting) and ``G(r) = (2 / pi) int F(Q) sin(Q r) dQ`` over the pattern's Q range
        (trapezoid rule; no termination damping).  For a finite cluster G(r) falls to
        zero beyond the particle diameter.
        """
        r = as_1d_array(r_angstrom, "r_angstrom")
        q = self.q_inv_angstrom
        i_pol = self.intensity / self.polarisation
        denom = self.n_occupied * np.abs(self.mean_f) ** 2
        fq = q * (i_pol - self.self_scattering) / denom
        order = np.argsort(q)
        q, fq = q[order], fq[order]
        return (2.0 / np.pi) * np.trapezoid(fq[None, :] * np.sin(np.multiply.outer(r, q)), q, axis=1)

    def to_frame(self) -> Any:
        import pandas as pd

        data: dict[str, Any] = {}
        if self.two_theta_deg is not None:
            data["two_theta_deg"] = self.two_theta_deg
        data.update(
            q_inv_angstrom=self.q_inv_angstrom, intensity=self.intensity, coherent=self.coherent,
            laue=self.laue, thermal_diffuse=self.thermal_diffuse, polarisation=self.polarisation,
        )
        return pd.DataFrame(data)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "n_atoms": self.n_atoms,
            "n_sites": self.n_sites,
            "n_occupied": float(self.n_occupied),
            "wavelength_angstrom": self.wavelength_angstrom,
            "q_inv_angstrom": self.q_inv_angstrom.tolist(),
            "intensity": self.intensity.tolist(),
            "coherent": self.coherent.tolist(),
            "laue": self.laue.tolist(),
            "thermal_diffuse": self.thermal_diffuse.tolist(),
            "maxima": self.maxima(),
        }
        if self.two_theta_deg is not None:
            out["two_theta_deg"] = self.two_theta_deg.tolist()
        return out


def _check_form_factors(form_factors: Any, n_species: int, n_q: int) -> np.ndarray:
    ff = np.array(form_factors, dtype=complex, copy=True)
    if ff.ndim == 1 and ff.size == n_species:
        ff = np.repeat(ff[:, None], n_q, axis=1)
    if ff.shape != (n_species, n_q):
        raise InputError(f"form_factors must have shape (n_species, n_q) = ({n_species}, {n_q}), got {ff.shape}")
    if not np.isfinite(ff).all():
        raise InputError("form_factors must be finite")
    return ff


def debye_intensity(
    sums: PairSums,
    form_factors: Any,
    *,
    b_iso: Any = None,
    thermal_diffuse: bool = True,
    two_theta_deg: Any = None,
    wavelength_angstrom: float | None = None,
    polarisation: bool = True,
    monochromator_two_theta_deg: float | None = None,
) -> DebyePattern:
    """Combine pair sums with complex form factors into I(Q) (and I(2theta)).

    Parameters
    ----------
    sums : from :func:`pair_sums`.
    form_factors : complex (n_species, n_q) ``f0 + f' + i f''`` in electrons (or one
        constant per species).
    b_iso : per-species isotropic displacement B in A^2 (default 0).
    thermal_diffuse : add the self-scattering the Debye-Waller factor removes from i = j.
    two_theta_deg, wavelength_angstrom : the 2-theta grid belonging to ``sums.q_inv_angstrom``
        (then the polarisation factor is applied unless ``polarisation=False``).
    """
    q = sums.q_inv_angstrom
    ns = sums.occupancy_sum.size
    ff = _check_form_factors(form_factors, ns, q.size)
    b = np.zeros(ns) if b_iso is None else as_1d_array(b_iso, "b_iso")
    if b.size != ns:
        raise InputError(f"b_iso must have one value per species ({ns}), got {b.size}")
    tw = np.exp(-np.multiply.outer(b, q**2) / (16.0 * np.pi**2))  # (S, nq)
    ft = ff * tw
    coherent = np.zeros(q.size)
    for k, (s, t) in enumerate(sums.pairs):
        coherent += np.real(ft[s] * np.conj(ft[t])) * sums.sums[k]
    abs2 = np.abs(ft) ** 2
    laue = sums.occupancy_variance @ abs2
    for s in range(ns):
        for t in range(ns):
            if sums.shared_site[s, t]:
                laue -= sums.shared_site[s, t] * np.real(ft[s] * np.conj(ft[t]))
    self_sc = sums.occupancy_sum @ (np.abs(ff) ** 2)
    tds = sums.occupancy_sum @ (np.abs(ff) ** 2 - abs2) if thermal_diffuse else np.zeros(q.size)
    n_occ = float(sums.occupancy_sum.sum())
    mean_f = (sums.occupancy_sum @ ff) / n_occ if n_occ > 0 else np.zeros(q.size, dtype=complex)
    tt = None
    if two_theta_deg is not None:
        tt = as_1d_array(two_theta_deg, "two_theta_deg")
        if tt.size != q.size:
            raise InputError("two_theta_deg must match the Q grid of the pair sums")
        pol = polarisation_factor(tt, monochromator_two_theta_deg) if polarisation else np.ones(q.size)
    else:
        pol = np.ones(q.size)
    total = (coherent + laue + tds) * pol
    return DebyePattern(
        q, total, coherent, laue, tds, pol, self_sc, mean_f, sums.n_atoms, n_occ, sums.method, tt,
        None if wavelength_angstrom is None else float(wavelength_angstrom),
    )


def debye_pattern(
    positions_angstrom: Any,
    species: Any,
    occupancy: Any,
    form_factors: Any,
    *,
    q_inv_angstrom: Any = None,
    two_theta_deg: Any = None,
    wavelength_angstrom: float = CU_KALPHA1_ANGSTROM,
    b_iso: Any = None,
    site: Any = None,
    method: str = "auto",
    lattice_matrix: Any = None,
    grid: tuple[int, int, int] | None = None,
    thermal_diffuse: bool = True,
    polarisation: bool = True,
    monochromator_two_theta_deg: float | None = None,
    bin_width_angstrom: float = 1e-4,
    memory_limit_gib: float = 4.0,
    workers: int | None = None,
) -> DebyePattern:
    """Debye-equation pattern of a cluster given as plain arrays.

    Give either ``q_inv_angstrom`` or ``two_theta_deg`` (with ``wavelength_angstrom``,
    default Cu K-alpha1 1.54056 A).  ``form_factors`` is complex (n_species, n_q) on that
    grid, or a callable ``f(q) -> (n_species, n_q)``.  See :func:`pair_sums` and
    :func:`debye_intensity` for the rest.
    """
    if (q_inv_angstrom is None) == (two_theta_deg is None):
        raise InputError("give exactly one of q_inv_angstrom and two_theta_deg")
    if two_theta_deg is not None:
        tt = as_1d_array(two_theta_deg, "two_theta_deg")
        q = q_from_two_theta(tt, wavelength_angstrom)
    else:
        tt = None
        q = as_1d_array(q_inv_angstrom, "q_inv_angstrom")
    sums = pair_sums(
        positions_angstrom, species, occupancy, q, method=method, site=site,
        n_species=None if callable(form_factors) else np.asarray(form_factors).shape[0],
        lattice_matrix=lattice_matrix, grid=grid, bin_width_angstrom=bin_width_angstrom,
        memory_limit_gib=memory_limit_gib, workers=workers,
    )
    ff = form_factors(q) if callable(form_factors) else form_factors
    return debye_intensity(
        sums, ff, b_iso=b_iso, thermal_diffuse=thermal_diffuse, two_theta_deg=tt,
        wavelength_angstrom=wavelength_angstrom if tt is not None else None,
        polarisation=polarisation, monochromator_two_theta_deg=monochromator_two_theta_deg,
    )


def average_patterns(patterns: list[DebyePattern], weights: Any) -> DebyePattern:
    """Weighted mean of patterns on one grid (size distributions, configurations)."""
    if not patterns:
        raise InputError("patterns must not be empty")
    w = as_1d_array(weights, "weights")
    if w.size != len(patterns) or (w < 0).any() or w.sum() <= 0:
        raise InputError("weights must be non-negative, one per pattern, with a positive sum")
    w = w / w.sum()
    p0 = patterns[0]
    for p in patterns[1:]:
        if p.q_inv_angstrom.shape != p0.q_inv_angstrom.shape or not np.allclose(p.q_inv_angstrom, p0.q_inv_angstrom):
            raise InputError("patterns must share one Q grid")

    def mean(attr: str) -> np.ndarray:
        return sum(wi * getattr(p, attr) for wi, p in zip(w, patterns, strict=True))

    n_occ = float(sum(wi * p.n_occupied for wi, p in zip(w, patterns, strict=True)))
    mean_f = sum(wi * p.mean_f * p.n_occupied for wi, p in zip(w, patterns, strict=True)) / n_occ
    return DebyePattern(
        p0.q_inv_angstrom, mean("intensity"), mean("coherent"), mean("laue"), mean("thermal_diffuse"),
        p0.polarisation, mean("self_scattering"), mean_f,
        round(float(sum(wi * p.n_atoms for wi, p in zip(w, patterns, strict=True)))), n_occ, p0.method,
        p0.two_theta_deg, p0.wavelength_angstrom,
        None if any(p.n_sites is None for p in patterns)
        else round(float(sum(wi * (p.n_sites or 0) for wi, p in zip(w, patterns, strict=True)))),
    )


def find_maxima(x: Any, y: Any, *, min_prominence: float = 0.005, x_name: str = "two_theta_deg") -> list[dict[str, float]]:
    """Local maxima of ``y(x)`` with prominence above ``min_prominence * max(y)``.

    Each maximum's position is refined by a parabola through the top three points.
    Returns ``[{x_name: ..., "intensity": ..., "relative_intensity": ...}]`` sorted by x,
    ``relative_intensity`` scaled so the strongest maximum is 100.
    """
    from cationx._peaks import prominent_maxima

    xa = as_1d_array(x, "x")
    ya = as_1d_array(y, "y")
    if xa.size != ya.size:
        raise InputError("x and y must have equal lengths")
    top = float(np.max(ya)) if ya.size else 0.0
    idx = prominent_maxima(ya, min_prominence * top if top > 0 else None)
    out = []
    for i in idx:
        xi, yi = float(xa[i]), float(ya[i])
        if 0 < i < ya.size - 1:
            y0, y1, y2 = ya[i - 1], ya[i], ya[i + 1]
            den = y0 - 2 * y1 + y2
            if den < 0:
                delta = 0.5 * (y0 - y2) / den
                step = 0.5 * (xa[i + 1] - xa[i - 1])
                xi = float(xa[i] + delta * step)
                yi = float(y1 - 0.25 * (y0 - y2) * delta)
        out.append({x_name: xi, "intensity": yi})
    ymax = max((m["intensity"] for m in out), default=1.0)
    for m in out:
        m["relative_intensity"] = 100.0 * m["intensity"] / ymax
    return out
