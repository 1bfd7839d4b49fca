"""Synthetic micrographs with known truth (for tests, docs and checking a workflow).

- :func:`disc_image`: bright discs (HAADF-like) with lognormal diameters on a noisy
  background, some placed as touching pairs and some cut by the image edge.
- :func:`fringe_image`: lattice fringes of given d-spacings and directions (e.g. 3.38 A
  {111} fringes with a weak 6.76 A superstructure modulation) with noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cationx._validation import check_int, check_nonnegative, check_positive
from cationx.errors import InputError

__all__ = ["SyntheticDiscs", "disc_image", "fringe_image"]


@dataclass(frozen=True, slots=True)
class SyntheticDiscs:
    """Image and truth: per disc centre (row, col, px), diameter (nm) and whether it is cut by
    the edge (``on_edge``) or placed touching another disc (``touching``)."""

    image: np.ndarray
    pixel_nm: float
    centers_px: np.ndarray
    diameters_nm: np.ndarray
    on_edge: np.ndarray
    touching: np.ndarray

    @property
    def inside_diameters_nm(self) -> np.ndarray:
        return self.diameters_nm[~self.on_edge]


def _render(shape: tuple[int, int], centers: np.ndarray, radii_px: np.ndarray) -> np.ndarray:
    """Union of discs with linear edge anti-aliasing (coverage ~ r - distance + 0.5)."""
    img = np.zeros(shape)
    yy, xx = np.indices(shape, dtype=float)
    for (cy, cx), r in zip(centers, radii_px, strict=True):
        y0, y1 = int(max(cy - r - 2, 0)), int(min(cy + r + 3, shape[0]))
        x0, x1 = int(max(cx - r - 2, 0)), int(min(cx + r + 3, shape[1]))
        dist = np.hypot(yy[y0:y1, x0:x1] - cy, xx[y0:y1, x0:x1] - cx)
        cover = np.clip(r - dist + 0.5, 0.0, 1.0)
        img[y0:y1, x0:x1] = np.maximum(img[y0:y1, x0:x1], cover)
    return img


def disc_image(
    n_discs: int = 40,
    *,
    median_nm: float = 2.1,
    sigma: float = 0.14,
    pixel_nm: float = 0.1,
    shape: tuple[int, int] = (512, 512),
    n_touching_pairs: int = 4,
    n_edge: int = 4,
    noise: float = 0.08,
    blur_px: float = 0.8,
    rng: int | np.random.Generator | None = None,
) -> SyntheticDiscs:
    """Bright lognormal discs on a dark noisy background.

    Diameters are drawn from a lognormal with median ``median_nm`` and log-sd ``sigma``.
    ``n_touching_pairs`` of the discs are placed tangent to a partner; ``n_edge`` discs are
    centred on the image border.  The rest do not overlap (gap >= 3 px).  The image is
    background 0.1, particles 1.0, Gaussian probe blur ``blur_px`` and Gaussian noise of sd
    ``noise``.
    """
    from scipy import ndimage as ndi

    gen = np.random.default_rng(rng)
    n = check_int(n_discs, "n_discs", minimum=1)
    px = check_positive(pixel_nm, "pixel_nm")
    check_positive(median_nm, "median_nm")
    check_nonnegative(sigma, "sigma")
    h, w = shape
    diam = median_nm * np.exp(sigma * gen.standard_normal(n))
    radii = diam / px / 2.0
    centers = np.zeros((n, 2))
    on_edge = np.zeros(n, dtype=bool)
    touching = np.zeros(n, dtype=bool)
    placed = 0

    def free(c: np.ndarray, r: float, upto: int, skip: int = -1) -> bool:
        for j in range(upto):
            if j == skip:
                continue
            if np.hypot(*(c - centers[j])) < r + radii[j] + 3:
                return False
        return True

    tries = 0
    while placed < n and tries < 200000:
        tries += 1
        i = placed
        r = radii[i]
        if i < n_edge:  # centred on a random edge
            side = gen.integers(4)
            pos = gen.uniform(r + 4, (w if side < 2 else h) - r - 4)
            c = np.array([0.0, pos]) if side == 0 else np.array([h - 1.0, pos]) if side == 1 else \
                np.array([pos, 0.0]) if side == 2 else np.array([pos, w - 1.0])
            if free(c, r, placed):
                centers[i], on_edge[i] = c, True
                placed += 1
            continue
        c = np.array([gen.uniform(r + 4, h - r - 4), gen.uniform(r + 4, w - r - 4)])
        if not free(c, r, placed):
            continue
        pair = (i - n_edge) < 2 * n_touching_pairs and (i - n_edge) % 2 == 1
        if pair:  # tangent to the previous disc
            prev = i - 1
            ang = gen.uniform(0, 2 * np.pi)
            c = centers[prev] + (radii[prev] + r) * np.array([np.sin(ang), np.cos(ang)])
            if not (r + 4 < c[0] < h - r - 4 and r + 4 < c[1] < w - r - 4) or not free(c, r, placed, skip=prev):
                continue
            touching[i] = touching[prev] = True
        centers[i] = c
        placed += 1
    if placed < n:
        raise InputError(f"could place only {placed} of {n} discs without overlap; use a larger shape")
    img = 0.1 + 0.9 * _render((h, w), centers, radii)
    if blur_px > 0:
        img = ndi.gaussian_filter(img, blur_px)
    img = img + noise * gen.standard_normal(img.shape)
    return SyntheticDiscs(img, px, centers, diam, on_edge, touching)


def fringe_image(
    d_angstrom: Sequence[float] = (3.38, 6.76),
    angles_deg: Sequence[float] = (30.0, 30.0),
    amplitudes: Sequence[float] = (1.0, 0.25),
    *,
    pixel_nm: float = 0.02,
    shape: tuple[int, int] = (256, 256),
    noise: float = 0.3,
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Sum of cosine fringes ``a cos(2 pi r . n / d + random phase)`` plus Gaussian noise.

    The direction ``n`` of each g is at ``angles_deg`` from the +x (column) axis,
    counter-clockwise as seen on screen (rows point down), the convention of
    :class:`~cationx.microscopy.fringes.FringeSpot`.
    """
    gen = np.random.default_rng(rng)
    px = check_positive(pixel_nm, "pixel_nm")
    if not len(d_angstrom) == len(angles_deg) == len(amplitudes):
        raise InputError("d_angstrom, angles_deg and amplitudes need the same length")
    yy, xx = np.indices(shape, dtype=float)
    img = np.zeros(shape)
    for d, ang, a in zip(d_angstrom, angles_deg, amplitudes, strict=True):
        g = 1.0 / (check_positive(d, "d_angstrom") / 10.0)  # 1/nm
        th = np.deg2rad(ang)
        img += a * np.cos(2 * np.pi * g * px * (xx * np.cos(th) - yy * np.sin(th)) + gen.uniform(0, 2 * np.pi))
    return img + noise * gen.standard_normal(shape)
