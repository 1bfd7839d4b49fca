"""Lattice fringes: d-spacings from the power spectrum of an image region.

Method
------
1. The region (mean removed) is multiplied by a round (elliptical) Hann window and Fourier transformed
   (``numpy.fft``); the power spectrum ``P = |F|^2`` is centred.
2. The background at each spatial frequency |g| is the azimuthal median of ``P`` in a ring
   (spots are sparse, so the median ignores them; Thon rings and amorphous background follow
   |g|).  ``ratio = P / background``.
3. Spots are local maxima of ``ratio`` (``skimage.feature.peak_local_max``) above a threshold
   chosen so that white noise gives on average fewer than ``false_alarm`` spurious spots per
   spectrum: ``ratio`` of a pure-noise bin is exponential with median 1, so
   ``threshold = ln(N / false_alarm) / ln 2`` for ``N`` bins.  Frequencies below 3 bins (the
   DC peak and window leakage) and above 90 % of the Nyquist frequency (d < 2.2 pixels) are
   excluded, as is anything 1e-8 below the strongest non-DC bin (window leakage in very smooth
   images) or below the power the rounding of the stored grey levels can produce (the
   quantisation floor: ``q^2/12 x sum(w^2)`` per bin times ``ln(N/false_alarm)`` in a noisy
   region, times ``N`` in a clean one, where the rounding error of a periodic pattern is itself
   periodic; ``q`` is the grey-level step, 1 for 8/16-bit images), and of each Friedel pair
   (``g``, ``-g``) only one is kept.
4. Sub-bin position: three-point Gaussian (log-parabola) interpolation along each axis.  Its
   uncertainty in bins is ``sqrt(b^2 + 1/ratio)``: ``b = 0.05`` bounds the interpolation bias
   for a Hann-windowed sinusoid (checked in the tests over the whole sub-bin range) and
   ``1/sqrt(ratio)`` is the noise term of the interpolation.  A relative calibration
   uncertainty of the pixel size (``calibration_rel``) is added in quadrature: it is usually
   the largest term (1-2 % for a TEM magnification) and is zero unless given.
5. ``d = 1/|g|`` with ``sigma_d = sigma_g / |g|^2``.  Spots are grouped into families of equal
   |g| (the family d averages the statistical uncertainties; the calibration part is added
   once, in quadrature) and checked for harmonics: fundamentals are taken strongest first, and
   a weaker collinear spot whose g is n times (n = 2, 3, 4) a fundamental's is its order n.
6. A pair with ratio d1/d2 close to 2 is flagged (``kind``: ``half-order`` when the longer
   spacing is the weaker spot, ``second-order`` when it is the stronger, e.g. 400 of 200,
   ``not-collinear``).  A weak spot at half the frequency of a strong lattice spot can be a superstructure (e.g. Cu vacancy ordering in beta-Cu2Se: 6.7 A = 2 d111
   of the antifluorite cell, a = 5.85 A, d111 = 3.38 A) or an artifact; the flag lists the
   evidence this analysis can compute and what to check in the microscope data.

The Fourier-filtered image keeps Gaussian masks (sd ``filter_radius`` bins) around the chosen
spots and their Friedel mates in the un-windowed transform of the region.

Hand-written parts (no library provides them): the ring-median background, the harmonic
grouping and the cubic indexing, all a few lines of numpy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_int, check_nonnegative, check_positive
from cationx.constants import GAUSSIAN_FWHM_PER_SIGMA
from cationx.errors import InputError, InterpretationWarning
from cationx.microscopy._deps import require

__all__ = [
    "FringeAnalysis",
    "FringeSpot",
    "analyse_fringes",
    "cubic_reflections",
    "index_cubic",
    "parse_region",
]

INTERP_BIAS_BINS = 0.05
MIN_K_BINS = 3.0
NYQUIST_FRACTION = 0.9
DYNAMIC_RANGE = 1e-8
HARMONIC_ORDERS = (2, 3, 4)
SPOT_COLUMNS = ["id", "d_angstrom", "d_uncertainty_angstrom", "g_inv_nm", "g_uncertainty_inv_nm", "angle_deg",
                "ratio", "relative_power", "width_inv_nm", "d_px", "kx_bins", "ky_bins", "family", "order",
                "fundamental_id"]


@dataclass(frozen=True, slots=True)
class FringeSpot:
    """One spot of the power spectrum (one of a Friedel pair).

    ``angle_deg`` is the direction of g from the +x (column) axis, counter-clockwise as seen on
    screen (rows point down), in [0, 180).  ``ratio`` is the spot power over the ring-median
    background; ``relative_power`` is the power over that of the strongest spot.
    """

    id: int
    kx_bins: float
    ky_bins: float
    g_inv_nm: float
    g_uncertainty_inv_nm: float
    d_angstrom: float
    d_uncertainty_angstrom: float
    d_px: float
    angle_deg: float
    ratio: float
    relative_power: float
    width_inv_nm: float
    family: int = 0
    order: int = 1
    fundamental_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "d_angstrom": self.d_angstrom,
            "d_uncertainty_angstrom": self.d_uncertainty_angstrom,
            "g_inv_nm": self.g_inv_nm,
            "g_uncertainty_inv_nm": self.g_uncertainty_inv_nm,
            "angle_deg": self.angle_deg,
            "ratio": self.ratio,
            "relative_power": self.relative_power,
            "width_inv_nm": self.width_inv_nm,
            "d_px": self.d_px,
            "kx_bins": self.kx_bins,
            "ky_bins": self.ky_bins,
            "family": self.family,
            "order": self.order,
            "fundamental_id": self.fundamental_id,
        }


@dataclass(frozen=True, slots=True)
class FringeAnalysis:
    """Spots, families, harmonics, ratio-2 flags (and optional cubic indexing) of one region."""

    region: tuple[int, int, int, int]
    pixel_nm: float
    calibration_rel: float
    ratio_threshold: float
    spots: tuple[FringeSpot, ...]
    families: tuple[dict[str, Any], ...]
    ratio_flags: tuple[dict[str, Any], ...]
    cell_matches: tuple[dict[str, Any], ...] | None
    log_power: np.ndarray
    region_image: np.ndarray
    filtered: np.ndarray
    filtered_spot_ids: tuple[int, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fundamentals(self) -> tuple[FringeSpot, ...]:
        return tuple(s for s in self.spots if s.order == 1)

    @property
    def harmonics(self) -> tuple[FringeSpot, ...]:
        return tuple(s for s in self.spots if s.order > 1)

    def to_frame(self) -> pd.DataFrame:
        """One row per spot (d, uncertainty, direction, power, family, harmonic order)."""
        return pd.DataFrame([s.to_dict() for s in self.spots], columns=SPOT_COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        x0, y0, w, h = self.region
        return {
            "region": {"x0": x0, "y0": y0, "width": w, "height": h},
            "pixel_nm": self.pixel_nm,
            "calibration_rel": self.calibration_rel,
            "reciprocal_bin_inv_nm": [1.0 / (w * self.pixel_nm), 1.0 / (h * self.pixel_nm)],
            "ratio_threshold": self.ratio_threshold,
            "n_spots": len(self.spots),
            "spots": [s.to_dict() for s in self.spots],
            "fundamentals": [s.id for s in self.fundamentals],
            "harmonics": [{"id": s.id, "order": s.order, "fundamental_id": s.fundamental_id}
                          for s in self.harmonics],
            "families": list(self.families),
            "ratio_flags": list(self.ratio_flags),
            "cell_matches": None if self.cell_matches is None else list(self.cell_matches),
            "filtered_spot_ids": list(self.filtered_spot_ids),
            "warnings": list(self.warnings),
        }


def parse_region(text: str | Sequence[int] | None, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """``"x0,y0,w,h"`` (pixels; x = column, y = row) checked against an image of ``shape``.

    None gives the largest centred square (FFT bins are then equal along x and y).
    """
    h_img, w_img = shape
    if text is None:
        side = min(h_img, w_img)
        if side < 16:
            raise InputError(f"image of {w_img} x {h_img} pixels is too small for a power spectrum (16 x 16 at least)")
        return ((w_img - side) // 2, (h_img - side) // 2, side, side)
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 4:
            raise InputError(f"--region must be x0,y0,w,h (four integers), got {text!r}")
        try:
            vals = [int(p) for p in parts]
        except ValueError:
            raise InputError(f"--region must be four integers x0,y0,w,h, got {text!r}") from None
    else:
        vals = [check_int(v, "region") for v in text]
        if len(vals) != 4:
            raise InputError(f"region must be (x0, y0, w, h), got {text!r}")
    x0, y0, w, h = vals
    if x0 < 0 or y0 < 0 or w < 16 or h < 16:
        raise InputError(f"--region needs x0, y0 >= 0 and w, h >= 16 pixels, got {x0},{y0},{w},{h}")
    if x0 + w > w_img or y0 + h > h_img:
        raise InputError(
            f"--region {x0},{y0},{w},{h} lies outside the {w_img} x {h_img} (width x height) image"
        )
    return (x0, y0, w, h)


def cubic_reflections(a_angstrom: float, d_min_angstrom: float, centering: str = "F") -> list[tuple[tuple[int, int, int], float]]:
    """Reflections ``(h, k, l)`` (h >= k >= l >= 0) of a cubic cell with d >= ``d_min``.

    ``centering``: ``P`` (all), ``I`` (h+k+l even), ``F`` (h, k, l all odd or all even; the
    antifluorite and zinc-blende cells).
    """
    a = check_positive(a_angstrom, "match_cell_angstrom")
    c = centering.upper()
    if c not in ("P", "I", "F"):
        raise InputError(f"centering must be P, I or F; got {centering!r}")
    nmax = int((a / d_min_angstrom) ** 2) + 1
    hmax = math.isqrt(nmax) + 1
    out = []
    for hh in range(hmax + 1):
        for kk in range(hh + 1):
            for ll in range(kk + 1):
                n = hh * hh + kk * kk + ll * ll
                if n == 0 or n > nmax:
                    continue
                if c == "I" and (hh + kk + ll) % 2:
                    continue
                if c == "F" and len({hh % 2, kk % 2, ll % 2}) > 1:
                    continue
                d = a / math.sqrt(n)
                if d >= d_min_angstrom:
                    out.append(((hh, kk, ll), d))
    out.sort(key=lambda r: -r[1])
    return out


def index_cubic(d_angstrom: Sequence[float], a_angstrom: float, *, centering: str = "F",
                tolerance_pct: float = 3.0) -> list[dict[str, Any]]:
    """Nearest cubic reflection for each d (mismatch in %), and whether d is twice a reflection
    (a doubled period: superstructure candidate) when no reflection matches."""
    ds = [check_positive(d, "d_angstrom") for d in d_angstrom]
    if not ds:
        return []
    refl = cubic_reflections(a_angstrom, min(ds) * 0.8, centering)
    out = []
    for d in ds:
        best = min(refl, key=lambda r: abs(d - r[1]) / r[1]) if refl else None
        row: dict[str, Any] = {"d_angstrom": d, "hkl": None, "d_hkl_angstrom": None, "mismatch_pct": None,
                               "matched": False, "doubled_hkl": None, "doubled_mismatch_pct": None}
        if best is not None:
            mis = 100.0 * (d - best[1]) / best[1]
            row.update(hkl=list(best[0]), d_hkl_angstrom=best[1], mismatch_pct=mis,
                       matched=abs(mis) <= tolerance_pct)
        if not row["matched"]:
            half = min(refl, key=lambda r: abs(d / 2 - r[1]) / r[1]) if refl else None
            if half is not None:
                mis2 = 100.0 * (d / 2 - half[1]) / half[1]
                if abs(mis2) <= tolerance_pct:
                    row.update(doubled_hkl=list(half[0]), doubled_mismatch_pct=mis2)
        out.append(row)
    return out


def _hann2d(h: int, w: int) -> np.ndarray:
    """Elliptical (rotationally symmetric for a square) Hann window filling the region.

    A separable Hann window leaks power along the kx and ky axes; for smooth images that
    cross of leakage rises above the ring background and shows up as false spots.  The
    round window leaks isotropically, which the ring median absorbs.
    """
    yy, xx = np.indices((h, w), dtype=float)
    r = np.hypot((yy - (h - 1) / 2) / (h / 2), (xx - (w - 1) / 2) / (w / 2))
    return np.where(r < 1.0, 0.5 + 0.5 * np.cos(np.pi * np.minimum(r, 1.0)), 0.0)


def _ring_background(power: np.ndarray, kr: np.ndarray) -> np.ndarray:
    """Azimuthal median of ``power`` in unit-width rings of ``kr`` (bins), mapped back."""
    from scipy import ndimage as ndi

    ring = np.rint(kr).astype(int)
    idx = np.arange(ring.max() + 1)
    med = np.asarray(ndi.median(power, labels=ring, index=idx), dtype=float)
    med = np.where(np.isfinite(med) & (med > 0), med, np.nan)
    good = np.isfinite(med)
    med = np.interp(idx, idx[good], med[good])
    return med[ring]


def _interp(lm: float, l0: float, lp: float) -> tuple[float, float]:
    """Three-point Gaussian interpolation on log values: offset (bins) and log-curvature."""
    curv = lm - 2 * l0 + lp
    if curv >= 0:
        return 0.0, curv
    off = 0.5 * (lm - lp) / curv
    return float(np.clip(off, -0.5, 0.5)), curv


def _angle(gx: float, gy: float) -> float:
    """Direction of g (physical units: bins differ along x and y in a rectangular region)."""
    ang = math.degrees(math.atan2(-gy, gx)) % 180.0
    return 0.0 if math.isclose(ang, 180.0) else ang


def _angle_diff(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def _quantisation_floor(sub: np.ndarray, win: np.ndarray, false_alarm: float) -> float:
    """Power that the rounding of the stored grey levels can put into one bin of the windowed spectrum.

    The grey-level step ``q`` is the smallest gap between distinct values of the region (1 for an
    integer image, the float32/float64 spacing otherwise); rounding adds an error of variance
    ``q^2 / 12`` per pixel, i.e. ``q^2 / 12 x sum(w^2)`` per bin when it is white.  It is white only
    when the image noise exceeds ``q`` (noise dithers the rounding); in a clean image (a noise-free
    simulation, a strongly filtered micrograph) the rounding error of a periodic pattern is itself
    periodic and its whole energy, ``N`` times more, can land in a few harmonic bins.  The floor is
    the white level times the detection factor ``ln(N / false_alarm)`` for a noisy region, and the
    whole rounding energy for a clean one.
    """
    from cationx._noise import noise_first_differences as _noise

    vals = np.unique(sub)
    gaps = np.diff(vals)
    q = float(gaps.min()) if gaps.size else 0.0
    q = max(q, float(np.finfo(np.float64).eps * np.max(np.abs(vals))))
    white = q * q / 12.0 * float(np.sum(win * win))
    n = sub.size
    noise = min(_noise(sub.ravel()), _noise(sub.T.ravel()))
    return white * (math.log(n / false_alarm) if noise > q else float(n))


def _power_spectrum(sub: np.ndarray, pixel_nm: float) -> tuple[np.ndarray, ...]:
    """Hann-windowed, centred power spectrum of a region and its spatial-frequency grid.

    Returns (window, power, kx, ky, dgx, dgy, |g|, kr): ``kx``, ``ky`` are bin indices from
    the centre, ``dgx``, ``dgy`` the bin widths in 1/nm, ``|g|`` in 1/nm and ``kr`` the radius
    in bins of the finer axis.
    """
    h, w = sub.shape
    win = _hann2d(h, w)
    spec = np.fft.fftshift(np.fft.fft2((sub - sub.mean()) * win))
    power = spec.real**2 + spec.imag**2
    ky, kx = np.indices((h, w), dtype=float)
    ky -= h // 2
    kx -= w // 2
    dgx, dgy = 1.0 / (w * pixel_nm), 1.0 / (h * pixel_nm)
    gmag = np.hypot(kx * dgx, ky * dgy)
    return win, power, kx, ky, dgx, dgy, gmag, gmag / min(dgx, dgy)


def _detect(sub: np.ndarray, pixel_nm: float, false_alarm: float, d_range: tuple[float, float] | None,
            calibration_rel: float) -> tuple[list[dict[str, Any]], np.ndarray, float]:
    require("skimage")
    from skimage.feature import peak_local_max

    h, w = sub.shape
    win, power, kx, ky, dgx, dgy, gmag, kr = _power_spectrum(sub, pixel_nm)
    bg = _ring_background(power, kr)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(bg > 0, power / bg, 0.0)
    thr = math.log(h * w / false_alarm) / math.log(2.0)
    # the DC peak and window leakage inside MIN_K_BINS; beyond 90 % of Nyquist the rings are cut by
    # the array edge and the spectrum of smooth (interpolated) images sits at the float floor
    allowed = (kr >= MIN_K_BINS) & (kr <= NYQUIST_FRACTION * min(h, w) / 2)
    # one of each Friedel pair: the upper half-plane on screen (ky < 0), or ky == 0 with kx > 0
    allowed &= (ky < 0) | ((ky == 0) & (kx > 0))
    if d_range is not None:
        lo, hi = d_range
        with np.errstate(divide="ignore"):
            d_ang = np.where(gmag > 0, 10.0 / gmag, np.inf)
        allowed &= (d_ang >= lo) & (d_ang <= hi)
    # dynamic-range floor: in very smooth (interpolated, low-pass filtered) images the window's
    # discretisation leakage at high |g| is 1e-10 of the low-|g| power and can still beat the ring
    # median; nothing 1e-8 below the strongest non-DC bin is a fringe
    floor = max(DYNAMIC_RANGE * float(power[kr >= MIN_K_BINS].max()), _quantisation_floor(sub, win, false_alarm))
    allowed &= power > floor
    peaks = peak_local_max(np.where(allowed, ratio, 0.0), min_distance=2, threshold_abs=thr, exclude_border=False)
    logp = np.log(np.maximum(power, np.finfo(float).tiny))
    found = []
    seen: set[tuple[int, int]] = set()
    for r0, c0 in peaks:
        # the ratio maximum can sit one bin off the power maximum (the ring background steps)
        r1, r2, c1, c2 = max(r0 - 1, 0), min(r0 + 2, h), max(c0 - 1, 0), min(c0 + 2, w)
        rr, cc = np.unravel_index(np.argmax(power[r1:r2, c1:c2]), (r2 - r1, c2 - c1))
        r, c = int(r1 + rr), int(c1 + cc)
        if not (0 < r < h - 1 and 0 < c < w - 1) or not allowed[r, c] or (r, c) in seen:
            continue
        seen.add((r, c))
        ox, cx_ = _interp(logp[r, c - 1], logp[r, c], logp[r, c + 1])
        oy, cy_ = _interp(logp[r - 1, c], logp[r, c], logp[r + 1, c])
        fkx, fky = kx[r, c] + ox, ky[r, c] + oy
        gx, gy = fkx * dgx, fky * dgy
        g = math.hypot(gx, gy)
        rt = float(ratio[r, c])
        sk = math.sqrt(INTERP_BIAS_BINS**2 + 1.0 / rt)
        # radial uncertainty: project the per-axis bin uncertainty on the g direction
        ux, uy = gx / g, gy / g
        sg_stat = sk * math.hypot(ux * dgx, uy * dgy)
        sg = math.hypot(sg_stat, calibration_rel * g)
        # spot width: Gaussian sd from the log-curvature (bins), as FWHM in 1/nm
        sdx = math.sqrt(-1.0 / cx_) if cx_ < 0 else math.nan
        sdy = math.sqrt(-1.0 / cy_) if cy_ < 0 else math.nan
        fwhm = GAUSSIAN_FWHM_PER_SIGMA * math.hypot(ux * sdx * dgx, uy * sdy * dgy)
        d_nm = 1.0 / g
        found.append({
            "kx": fkx, "ky": fky, "g": g, "sg": sg, "d": 10.0 * d_nm, "sd": 10.0 * sg / g**2,
            "d_px": d_nm / pixel_nm, "angle": _angle(gx, gy), "ratio": rt, "power": float(power[r, c]),
            "width": fwhm,
        })
    return found, np.log10(np.maximum(power, np.finfo(float).tiny)), thr


def _families(spots: list[FringeSpot]) -> list[list[int]]:
    """Group spots of equal |g| (within 3 combined sd or 1.5 % of g)."""
    order = sorted(range(len(spots)), key=lambda i: spots[i].g_inv_nm)
    groups: list[list[int]] = []
    for i in order:
        s = spots[i]
        if groups:
            ref = spots[groups[-1][0]]
            tol = max(3 * math.hypot(s.g_uncertainty_inv_nm, ref.g_uncertainty_inv_nm), 0.015 * ref.g_inv_nm)
            if abs(s.g_inv_nm - ref.g_inv_nm) <= tol:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _quadrant_presence(sub: np.ndarray, pixel_nm: float, g: float, angle: float, false_alarm: float) -> int | None:
    """In how many of the four quadrants of the region a spot at (g, angle) is found again."""
    h, w = sub.shape
    qh, qw = h // 2, w // 2
    if qh < 32 or qw < 32:
        return None
    count = 0
    th = math.radians(angle)
    for r0 in (0, qh):
        for c0 in (0, qw):
            q = sub[r0:r0 + qh, c0:c0 + qw]
            _, power, _, _, dgx, dgy, _, kr = _power_spectrum(q, pixel_nm)
            bg = _ring_background(power, kr)
            ratio = power / np.where(bg > 0, bg, np.inf)
            ex, ey = g * math.cos(th) / dgx, -g * math.sin(th) / dgy
            rr, cc = round(ey + qh // 2), round(ex + qw // 2)
            if not (1 <= rr < qh - 1 and 1 <= cc < qw - 1):
                continue
            local = ratio[rr - 1:rr + 2, cc - 1:cc + 2].max()
            # one look at 9 bins: threshold for a 1 % false alarm there
            if local > math.log(9 / 0.01) / math.log(2.0):
                count += 1
    return count


def _stat_rel(s: FringeSpot, calibration_rel: float) -> float:
    rel = s.d_uncertainty_angstrom / s.d_angstrom
    return math.sqrt(max(rel * rel - calibration_rel * calibration_rel, 0.0))


_CHECKS = [
    "superstructure: the half-order spot also appears in SAED/FFT of other particles with the same zone axis, "
    "not in the support or vacuum; for an F-centred cell a g/2 spot cannot arise from double diffraction inside "
    "one crystal; it should vanish above the order-disorder transition (about 400 K for Cu2Se)",
    "artifact: the spot also appears in an FFT of the support or vacuum (scan noise, detector pattern), two "
    "overlapping crystals (moire), resampled or compressed images, or Fresnel fringes at an edge",
]


def _ratio_flags(spots: list[FringeSpot], sub: np.ndarray, pixel_nm: float, angle_tol: float,
                 false_alarm: float, calibration_rel: float = 0.0,
                 cell: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Pairs with d1/d2 near 2.  ``kind``: ``half-order`` (the lower-frequency spot is the weaker:
    a superstructure or an artifact), ``second-order`` (the lower-frequency spot is the stronger:
    an ordinary second order such as 400 of 200), ``not-collinear`` (two different planes)."""
    flags = []
    for a in spots:
        for b in spots:
            if b.g_inv_nm <= a.g_inv_nm:
                continue
            r = a.d_angstrom / b.d_angstrom
            # the pixel-size calibration cancels in a ratio: statistical parts only
            sr = r * math.hypot(_stat_rel(a, calibration_rel), _stat_rel(b, calibration_rel))
            if abs(r - 2.0) > max(3 * sr, 0.06):
                continue
            dang = _angle_diff(a.angle_deg, b.angle_deg)
            collinear = dang <= angle_tol
            axis = min(_angle_diff(a.angle_deg, 0.0), _angle_diff(a.angle_deg, 90.0)) <= 2.0
            weaker = a.relative_power < b.relative_power
            head = f"d = {a.d_angstrom:.2f} A is {r:.3f} x d = {b.d_angstrom:.2f} A"
            for_super: list[str] = []
            for_artifact: list[str] = []
            quads = None
            if not collinear:
                kind = "not-collinear"
                text = f"{head} but the directions differ by {dang:.1f} deg: not a harmonic pair; two different lattice planes"
            elif not weaker:
                kind = "second-order"
                text = (f"{head} along the same direction ({a.angle_deg:.1f} deg) and the longer spacing is the stronger "
                        "spot: an ordinary second order (e.g. 400 of 200) or a non-linear imaging term, not a "
                        "superstructure question")
            else:
                kind = "half-order"
                text = (f"{head} along the same direction ({a.angle_deg:.1f} deg): a weak spot at half the frequency of "
                        "a stronger one. It can be a superstructure (a doubled period, e.g. ordered Cu vacancies at "
                        "2 d111 in beta-Cu2Se) or an artifact.")
                quads = _quadrant_presence(sub, pixel_nm, a.g_inv_nm, a.angle_deg, false_alarm)
                if abs(r - 2.0) <= 2 * sr:
                    for_super.append(f"commensurate: ratio {r:.3f} +/- {sr:.3f} is 2 within its uncertainty")
                else:
                    for_artifact.append(f"ratio {r:.3f} +/- {sr:.3f} is not exactly 2 (incommensurate modulation or moire?)")
                if quads is not None:
                    (for_super if quads >= 3 else for_artifact).append(
                        f"the half-frequency spot is found again in {quads} of the 4 quadrants of the region"
                        + ("" if quads >= 3 else " (local: a defect, an edge, or an overlapping crystal?)"))
                if axis:
                    for_artifact.append("the direction is along an image axis: rule out scan or read-out "
                                        "periodicities (check the FFT of a vacuum or support region)")
                if any(abs(a.d_px - p) < 0.3 for p in (8.0, 16.0)):
                    for_artifact.append(f"the period is {a.d_px:.1f} pixels, the JPEG block size or a multiple: "
                                        "use the original, uncompressed file")
                m = (cell or {}).get(a.id)
                if m is not None and m["matched"]:
                    for_artifact.append(f"d = {a.d_angstrom:.2f} A is itself the {''.join(map(str, m['hkl']))} "
                                        "reflection of the given cell: an ordinary lattice spacing, no doubled period")
                elif m is not None and m["doubled_hkl"]:
                    for_super.append(f"no reflection of the given cell has d = {a.d_angstrom:.2f} A; it is twice "
                                     f"d({''.join(map(str, m['doubled_hkl']))}): a doubled period of the cell")
            flags.append({
                "kind": kind,
                "d_large_angstrom": a.d_angstrom, "d_small_angstrom": b.d_angstrom,
                "spot_ids": [a.id, b.id], "ratio": r, "ratio_uncertainty": sr,
                "angle_difference_deg": dang, "collinear": collinear,
                "power_ratio_half_to_full": a.relative_power / b.relative_power,
                "axis_aligned": axis, "quadrants_with_half_spot": quads,
                "interpretation": text,
                "evidence_for_superstructure": for_super,
                "evidence_for_artifact": for_artifact,
                "check": list(_CHECKS) if kind == "half-order" else [],
            })
    return flags


def _fourier_filter(sub: np.ndarray, spots: Sequence[FringeSpot], radius_bins: float) -> np.ndarray:
    h, w = sub.shape
    spec = np.fft.fftshift(np.fft.fft2(sub))
    ky, kx = np.indices((h, w), dtype=float)
    ky -= h // 2
    kx -= w // 2
    mask = np.zeros((h, w))
    mask[h // 2, w // 2] = 1.0  # keep the mean
    for s in spots:
        for sign in (1.0, -1.0):
            mask = np.maximum(mask, np.exp(-((kx - sign * s.kx_bins) ** 2 + (ky - sign * s.ky_bins) ** 2)
                                           / (2 * radius_bins**2)))
    return np.real(np.fft.ifft2(np.fft.ifftshift(spec * mask)))


def analyse_fringes(
    image: np.ndarray,
    pixel_nm: float,
    *,
    region: str | Sequence[int] | None = None,
    false_alarm: float = 0.01,
    d_range_angstrom: tuple[float, float] | None = None,
    max_spots: int = 12,
    calibration_rel: float = 0.0,
    angle_tol_deg: float = 3.0,
    match_cell_angstrom: float | None = None,
    centering: str = "F",
    filter_spot_ids: Sequence[int] | None = None,
    filter_radius_bins: float = 2.0,
) -> FringeAnalysis:
    """Find lattice-fringe spots in the power spectrum of a region and report d-spacings.

    Parameters
    ----------
    image
        2-D grey image (not modified).
    pixel_nm
        Pixel size in nm.
    region
        ``"x0,y0,w,h"`` in pixels (x = column); default: the largest centred square.
    false_alarm
        Expected number of white-noise maxima above the detection threshold per spectrum.
    d_range_angstrom
        Keep only spots with d in [lo, hi] angstrom.
    max_spots
        Keep the strongest ``max_spots`` spots (one per Friedel pair).
    calibration_rel
        Relative uncertainty of the pixel size (e.g. 0.02), added in quadrature.
    angle_tol_deg
        Two spots are collinear (candidate harmonics) if their directions differ by less.
    match_cell_angstrom
        Cubic lattice constant: index each d against hkl (``centering`` P, I or F).
    filter_spot_ids
        Spots kept in the Fourier-filtered image (default: all).
    filter_radius_bins
        Gaussian mask sd around each kept spot, in FFT bins.
    """
    px = check_positive(pixel_nm, "pixel_nm")
    img = np.asarray(image, dtype=np.float64)
    if img.ndim != 2:
        raise InputError(f"image must be 2-D, got shape {img.shape}")
    fa = check_positive(false_alarm, "false_alarm")
    cal = check_nonnegative(calibration_rel, "calibration_rel")
    nmax = check_int(max_spots, "max_spots", minimum=1)
    if d_range_angstrom is not None:
        lo, hi = (check_positive(v, "d_range_angstrom") for v in d_range_angstrom)
        if not lo < hi:
            raise InputError(f"d_range_angstrom must have lo < hi, got {d_range_angstrom}")
        d_range: tuple[float, float] | None = (lo, hi)
    else:
        d_range = None
    x0, y0, w, h = parse_region(region, img.shape)  # type: ignore[arg-type]
    sub = img[y0:y0 + h, x0:x0 + w].copy()
    if float(sub.max()) == float(sub.min()):
        raise InputError("the region is uniform: no fringes to analyse")
    found, logp, thr = _detect(sub, px, fa, d_range, cal)
    found.sort(key=lambda s: -s["power"])
    found = found[:nmax]
    pmax = found[0]["power"] if found else 1.0
    spots = [FringeSpot(i + 1, s["kx"], s["ky"], s["g"], s["sg"], s["d"], s["sd"], s["d_px"], s["angle"],
                        s["ratio"], s["power"] / pmax, s["width"]) for i, s in enumerate(found)]
    msgs: list[str] = []

    # harmonics: fundamentals are chosen by power (strongest first); a weaker collinear spot at
    # n times its g (n = 2, 3, 4) is its order n.  A spot stronger than another is never that
    # one's harmonic (a weak spot at g/2 is a half-order flag, not the strong spot's fundamental).
    by_power = sorted(spots, key=lambda s: -s.relative_power)
    order: dict[int, tuple[int, int | None]] = {s.id: (1, None) for s in spots}
    has_harmonics: set[int] = set()
    for i, a in enumerate(by_power):
        if order[a.id][0] != 1:
            continue
        for b in by_power[i + 1:]:
            if order[b.id][0] != 1 or b.id in has_harmonics or _angle_diff(a.angle_deg, b.angle_deg) > angle_tol_deg:
                continue
            n = b.g_inv_nm / a.g_inv_nm
            nn = round(n)
            sn = n * math.hypot(_stat_rel(a, cal), _stat_rel(b, cal))
            if nn in HARMONIC_ORDERS and abs(n - nn) <= max(3 * sn, 0.02 * nn):
                order[b.id] = (nn, a.id)
                has_harmonics.add(a.id)
    fam = _families(spots)
    fam_of = {spots[i].id: k + 1 for k, grp in enumerate(fam) for i in grp}
    spots = [FringeSpot(s.id, s.kx_bins, s.ky_bins, s.g_inv_nm, s.g_uncertainty_inv_nm, s.d_angstrom,
                        s.d_uncertainty_angstrom, s.d_px, s.angle_deg, s.ratio, s.relative_power, s.width_inv_nm,
                        fam_of[s.id], order[s.id][0], order[s.id][1]) for s in spots]
    families = []
    for k, grp in enumerate(fam):
        members = [spots[i] for i in grp]
        # average the statistical parts only: the pixel-size calibration is common to every spot
        # and does not shrink with their number; it is added back once, in quadrature
        wts = np.array([1.0 / (m.d_angstrom * _stat_rel(m, cal)) ** 2 for m in members])
        dm = float(np.sum(wts * [m.d_angstrom for m in members]) / wts.sum())
        sd_fam = math.hypot(1.0 / math.sqrt(wts.sum()), cal * dm)
        families.append({"family": k + 1, "d_angstrom": dm, "d_uncertainty_angstrom": sd_fam,
                         "spot_ids": [m.id for m in members], "angles_deg": [m.angle_deg for m in members]})
    matches = None
    if match_cell_angstrom is not None:
        matches = tuple(dict(m, spot_id=s.id) for m, s in zip(
            index_cubic([s.d_angstrom for s in spots], match_cell_angstrom, centering=centering), spots, strict=True))
    by_spot = {m["spot_id"]: m for m in matches} if matches else None
    flags = _ratio_flags(spots, sub, px, angle_tol_deg, fa, cal, by_spot)
    if not spots:
        text = f"no spots above the detection threshold (ratio {thr:.1f} to the ring background)"
        msgs.append(text)
        warnings.warn(text, InterpretationWarning, stacklevel=2)
    for s in spots:
        if s.d_px < 2.5:
            text = f"spot {s.id} (d = {s.d_angstrom:.2f} A) is only {s.d_px:.1f} pixels: close to Nyquist, may be aliased"
            msgs.append(text)
            warnings.warn(text, InterpretationWarning, stacklevel=2)
    if any(f["kind"] == "half-order" for f in flags):
        text = ("a weak spot at half the frequency of a stronger one was found: superstructure or artifact; "
                "see ratio_flags for the evidence")
        msgs.append(text)
        warnings.warn(text, InterpretationWarning, stacklevel=2)
    if filter_spot_ids is None:
        chosen = spots
    else:
        ids = {check_int(i, "filter spot id", minimum=1) for i in filter_spot_ids}
        missing = ids - {s.id for s in spots}
        if missing:
            raise InputError(f"filter spot id(s) {sorted(missing)} not found; spots are 1..{len(spots)}")
        chosen = [s for s in spots if s.id in ids]
    filtered = _fourier_filter(sub, chosen, check_positive(filter_radius_bins, "filter_radius_bins"))
    return FringeAnalysis((x0, y0, w, h), px, cal, thr, tuple(spots), tuple(families), tuple(flags), matches,
                          logp, sub, filtered, tuple(s.id for s in chosen), tuple(msgs))
