"""FFT shells: pair weights of atoms on a rational grid of the lattice as exact
cross-correlations of occupancy grids (zero-padded FFTs), grouped into shells of equal
distance; on orthogonal axes the spectra are folded onto one octant and inverted by DCTs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cationx.crystal.debye._common import _Atoms, _pairs, _scratch
from cationx.crystal.debye.fftlib import Transforms, transforms_for
from cationx.crystal.debye.grid import _OFFSET_SCALE, _grid_classes, _OffGridError, _padded
from cationx.crystal.debye.qsums import PairShells
from cationx.errors import InputError


def _padded_rfftn(dens: np.ndarray, shape: tuple[int, ...], out: np.ndarray, tf: Transforms) -> None:
    """``out[...] = rfftn(dens, s=shape)``, transforming only the non-zero part along each
    axis first (the zero padding need not be transformed along the axes done earlier);
    the last two transforms run in place in ``out`` (shape (p0, p1, p2/2 + 1), complex)
    where the backend allows it."""
    e0, e1 = dens.shape[0], dens.shape[1]
    out[:e0, :e1] = tf.rfft(dens, n=shape[2], axis=2)
    out[:e0, e1:] = 0
    part = tf.fft_inplace(out[:e0], axis=1)
    if part.ctypes.data != out.ctypes.data:  # a copy (numpy, or pocketfft after all)
        out[:e0] = part
    out[e0:] = 0
    full = tf.fft_inplace(out, axis=0)
    if full.ctypes.data != out.ctypes.data:
        out[...] = full


def _fold_spectrum(spec: np.ndarray, shape: tuple[int, ...], offsets: np.ndarray) -> np.ndarray:
    """Fold the half spectrum of a real correlation onto one octant of frequencies.

    ``spec`` is the ``rfftn`` layout (p0, p1, p2/2 + 1) of a real circular correlation
    ``c(d)`` over grid displacements ``d`` (complex, or real for an autocorrelation); the true
    displacement is ``u = d + o`` with ``o_j`` in {-1/2, 0, 1/2} per axis.  The mean of ``c``
    over the eight per-axis sign flips of ``u``, ``g(u)``, has the spectrum
    ``T(k) = mean over the sign flips of Re(phi(k) S(k))`` with
    ``phi(k) = exp(-2 pi i sum_j k_j o_j / p_j)``: real and even in every axis, so only
    ``0 <= k_j <= p_j/2`` is needed.  ``c`` real gives ``S(-k) = conj S(k)``, so folding axes
    0 and 1 and taking the real part covers all eight flips.  Returns ``T / prod(p)`` of
    shape (p0/2 + 1, p1/2 + 1, p2/2 + 1), ready for :func:`_octant_inverse`.
    """
    h0, h1, h2 = (q // 2 for q in shape)

    def phase(ax: int, sign: int) -> np.ndarray:
        return np.exp(-2j * np.pi * sign * offsets[ax] * np.arange(shape[ax] // 2 + 1) / shape[ax])

    def fold(a: np.ndarray, ax: int, h: int) -> np.ndarray:
        """Entries k = 0 .. h along ``ax`` plus their mirrors -k (index p - k; -h is h
        itself since p = 2h), each with its phase; the mirrors are a reversed view."""
        a = np.moveaxis(a, ax, 0)
        dt = np.dtype(complex) if offsets[ax] else a.dtype
        out = _scratch(f"fold{ax}_{dt.kind}", (h + 1, *a.shape[1:]), dt)
        np.multiply(a[0], 2.0, out=out[0])
        lo, hi = a[1 : h + 1], a[-1 : -h - 1 : -1]
        if offsets[ax]:
            ph = phase(ax, 1)[1:].reshape((h,) + (1,) * (a.ndim - 1))
            np.multiply(lo, ph, out=out[1:])
            tmp = _scratch(f"fold{ax}_tmp", out[1:].shape, complex)
            np.multiply(hi, np.conj(ph), out=tmp)
            out[1:] += tmp
        else:
            np.add(lo, hi, out=out[1:])
        return np.moveaxis(out, 0, ax)

    f1 = fold(fold(spec[:, :, : h2 + 1], 0, h0), 1, h1)
    scale = 0.25 / float(np.prod(shape))
    if offsets[2]:
        ph = phase(2, 1) * scale
        return f1.real * ph.real[None, None, :] - f1.imag * ph.imag[None, None, :]
    out = f1.real * scale if np.iscomplexobj(f1) else f1 * scale
    return out


def _octant_inverse(
    folded: np.ndarray, shape: tuple[int, ...], offsets: np.ndarray, extent: np.ndarray, tf: Transforms | None = None
) -> np.ndarray:
    """``g(u)`` for ``u_j = |o_j| + 0 .. extent_j - 1`` from folded spectra (leading axes
    batch): per axis a DCT-I of length p_j/2 + 1 (o_j = 0) or a DCT-III of length p_j/2
    (o_j = +-1/2), which is the inverse DFT of a real even sequence (scipy's unnormalised
    DCTs carry the factor 2 of the paired terms), on an eighth of the points of a full
    inverse FFT.  ``tf``: the transforms (default: chosen by the size of ``shape``)."""
    if tf is None:
        tf = transforms_for(int(np.prod(shape)), 1)
    out = folded
    lead = folded.ndim - 3
    for j in range(3):
        ax = lead + j
        if offsets[j]:
            out = tf.dct(out[(slice(None),) * ax + (slice(0, shape[j] // 2),)], 3, ax)
        else:
            out = tf.dct(out, 1, ax)
        out = out[(slice(None),) * ax + (slice(0, int(extent[j])),)]
    return out


def estimate_fft_memory_gib(grid_extent: Any, n_grids: int) -> float:
    """Peak memory (GiB) of the FFT route for a grid of ``grid_extent`` points per axis."""
    p = _padded(np.asarray(grid_extent, dtype=int))
    m_real = p[0] * p[1] * p[2]
    m_cplx = p[0] * p[1] * (p[2] // 2 + 1)
    crop = int(np.prod(2 * np.asarray(grid_extent) - 1))
    total = 16 * m_cplx * (n_grids + 2) + 8 * m_real * 2 + crop * 8 * 3
    return total / 2**30


def _integer_metric(gg: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(R, unit) with gg = unit * R, R integer, when the grid metric allows it."""
    g0 = float(np.min(np.diag(gg)))
    for m in (1, 2, 3, 4, 6, 12):
        r = gg / g0 * m
        if np.allclose(r, np.round(r), rtol=0, atol=1e-9):
            return np.round(r).astype(np.int64), g0 / m
    return None


def _rational_denominator(x: np.ndarray, max_den: int = 24) -> int | None:
    for m in range(1, max_den + 1):
        if np.allclose(x * m, np.round(x * m), rtol=0, atol=1e-6):
            return m
    return None


def _fft_shells(atoms: _Atoms, lattice: np.ndarray, grid: tuple[int, int, int], memory_limit_gib: float, workers: int | None) -> PairShells:
    pos, sp, occ, ns = atoms.positions, atoms.species, atoms.occupancy, atoms.n_species
    lat = np.asarray(lattice, dtype=float)
    ng = np.asarray(grid, dtype=int)
    frac = pos @ np.linalg.inv(lat)
    g, classes, cls = _grid_classes(frac, ng)
    g_cols = np.ascontiguousarray(g.T)  # column reductions of an (N, 3) array are slow
    g -= g_cols.min(axis=1)
    extent = g_cols.max(axis=1) - g_cols.min(axis=1) + 1
    if len(classes) > 64:
        raise _OffGridError(
            f"{len(classes)} distinct offsets from the {tuple(grid)} grid: the positions are not on a rational "
            "grid of the lattice; use method='histogram' or 'exact'"
        )
    gcode = np.flatnonzero(np.bincount(cls * ns + sp))
    groups = [(int(k // ns), int(k % ns)) for k in gcode]
    need = estimate_fft_memory_gib(extent, len(groups))
    if need > memory_limit_gib:
        raise InputError(
            f"the FFT route needs about {need:.1f} GiB for a {tuple(int(e) for e in extent)} grid, "
            f"over memory_limit_gib = {memory_limit_gib}"
        )
    shape = _padded(extent)
    # numpy's pocketfft on small grids (no scipy import), scipy's with threads on large ones
    tf = transforms_for(int(np.prod(shape)), workers)
    flat = np.ravel_multi_index(g.T, tuple(extent))
    spec_shape = (shape[0], shape[1], shape[2] // 2 + 1)
    bank = _scratch("spectra", (len(groups), *spec_shape), complex)
    spectra = {grp: bank[k] for k, grp in enumerate(groups)}
    for k, (c, s) in enumerate(groups):
        m = (cls == c) & (sp == s)
        dens = np.bincount(flat[m], weights=occ[m], minlength=int(np.prod(extent))).reshape(tuple(extent))
        _padded_rfftn(dens, shape, bank[k], tf)
    # displacement per index of the (circular) correlation: 0..p/2 then negative; indices
    # between e-1 and p-e+1 are displacements no pair has (their values are rounding noise,
    # and their distances exceed the cluster diameter along that axis)
    axes_d = [np.where(np.arange(p) < (p + 1) // 2, np.arange(p), np.arange(p) - p) for p in shape]
    a_mat = lat / ng[:, None]  # rows: grid step vectors (A)
    gg = a_mat @ a_mat.T
    intm = _integer_metric(gg)
    # largest pair distance (twice the largest distance from the box centre); beyond it only noise
    cols = np.ascontiguousarray(pos.T)
    centre = 0.5 * (cols.min(axis=1) + cols.max(axis=1))
    cols -= centre[:, None]
    rmax = 2.0 * float(np.sqrt(np.einsum("ij,ij->j", cols, cols).max())) + 1e-6
    pairs = _pairs(ns)
    # (species pair, offset difference) -> list of (class1, class2)
    plan: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for c1, s1 in groups:
        for c2, s2 in groups:
            if s1 <= s2:
                do = tuple((classes[c2] - classes[c1]).tolist())
                # within one species the offset differences -do and do give mirrored
                # correlations (C(d) = C'(-d)) with the same distances: keep do >= 0 only
                if s1 == s2 and do < (0, 0, 0):
                    continue
                plan.setdefault((s1, s2, *do), []).append((c1, c2))
    by_do: dict[tuple[int, ...], list[tuple[int, int, list[tuple[int, int]]]]] = {}
    for key, members in plan.items():
        by_do.setdefault(tuple(key[2:]), []).append((key[0], key[1], members))
    # one integer key per distance when the metric and all offset differences are rational:
    # r^2 = unit / den^2 * key, so equal distances from different offset classes merge exactly
    dens = [_rational_denominator(np.asarray(k, dtype=float) / _OFFSET_SCALE) for k in by_do]
    den = math.lcm(*[int(d) for d in dens]) if intm is not None and all(d is not None for d in dens) else None
    def spec_of(s: int, t: int, members: list[tuple[int, int]]) -> np.ndarray:
        """Spectrum of the summed correlations (a scratch array, valid until the next call)."""
        auto = all((c1, s) == (c2, t) for c1, c2 in members)  # |F|^2: real
        acc = _scratch("product_real" if auto else "product", spec_shape, float if auto else complex)
        tmp = _scratch("term_real" if auto else "term", spec_shape, float if auto else complex)
        for k, (c1, c2) in enumerate(members):
            a = spectra[(c1, s)]
            dst = acc if k == 0 else tmp
            if auto:
                np.multiply(a.real, a.real, out=dst)
                dst += np.square(a.imag, out=_scratch("square", spec_shape, float))
            else:
                np.conjugate(a, out=dst)
                dst *= spectra[(c2, t)]
            if k:
                acc += tmp
        c1, c2 = members[0]
        if s != t or np.any(classes[c2] != classes[c1]):
            acc *= 2.0  # s -> t and t -> s, or do and its mirror -do
        return acc

    def corr_of(s: int, t: int, members: list[tuple[int, int]]) -> np.ndarray:
        return tf.irfftn(spec_of(s, t, members), shape).ravel()

    if den is not None and intm is not None:
        im, unit = intm
        # the largest key: |den * d| <= den * (e - 1) + den per axis
        span = den * (np.asarray(shape) // 2 + 1)
        kmax = int(np.abs(im).sum() * int(span.max()) ** 2) + 1
    if den is not None and intm is not None and kmax <= 50_000_000:
        w_key = np.zeros((len(pairs), kmax))
        present = np.zeros(kmax, dtype=bool)
        diagonal = not (im[0, 1] or im[0, 2] or im[1, 2])
        half_offsets = (-_OFFSET_SCALE // 2, 0, _OFFSET_SCALE // 2)
        folded_groups = [dc for dc in sorted(by_do) if diagonal and all(v in half_offsets for v in dc)]

        def folded_group(do_code: tuple[int, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
            """Distances keep under per-axis sign flips: fold the correlations onto one octant."""
            items = by_do[do_code]
            do_arr = np.asarray(do_code, dtype=float) / _OFFSET_SCALE
            uu = [np.rint(den * (np.arange(int(extent[k])) + abs(do_arr[k]))).astype(np.int64) for k in range(3)]
            key = ((im[0, 0] * uu[0] ** 2)[:, None, None] + (im[1, 1] * uu[1] ** 2)[None, :, None]
                   + (im[2, 2] * uu[2] ** 2)[None, None, :]).ravel()
            orbit = ((2 - (uu[0] == 0))[:, None, None] * (2 - (uu[1] == 0))[None, :, None]
                     * (2 - (uu[2] == 0))[None, None, :]).ravel().astype(float)
            folded = np.stack([_fold_spectrum(spec_of(s, t, members), shape, do_arr) for s, t, members in items])
            gk = _octant_inverse(folded, shape, do_arr, extent, tf).reshape(len(items), -1)
            gk *= orbit
            return key, [np.bincount(key, weights=row, minlength=kmax) for row in gk]

        for do_code in folded_groups:
            key, contrib = folded_group(do_code)
            present[key] = True
            for (s, t, _), w in zip(by_do[do_code], contrib, strict=True):
                w_key[pairs.index((s, t))] += w
        for do_code, items in sorted(by_do.items()):
            if do_code in folded_groups:
                continue
            do_arr = np.asarray(do_code, dtype=float) / _OFFSET_SCALE
            xs = [den * axes_d[k] + np.rint(den * do_arr[k]).astype(np.int64) for k in range(3)]
            x0, x1, x2 = xs[0][:, None, None], xs[1][None, :, None], xs[2][None, None, :]
            key = (im[0, 0] * xs[0] ** 2)[:, None, None] + (im[1, 1] * xs[1] ** 2)[None, :, None] + (im[2, 2] * xs[2] ** 2)[None, None, :]
            if im[0, 1]:
                key = key + 2 * im[0, 1] * x0 * x1
            if im[0, 2]:
                key = key + 2 * im[0, 2] * x0 * x2
            if im[1, 2]:
                key = key + 2 * im[1, 2] * x1 * x2
            key = key.ravel()
            present[key] = True
            for s, t, members in items:
                w_key[pairs.index((s, t))] += np.bincount(key, weights=corr_of(s, t, members), minlength=kmax)
        keys = np.flatnonzero(present)
        r_all = np.sqrt(keys * unit) / den
        keep = r_all <= rmax
        r_all, w_all = r_all[keep], w_key[:, keys[keep]]
    else:
        shell_key: list[np.ndarray] = []
        shell_w: list[np.ndarray] = []
        for do_code, items in sorted(by_do.items()):
            do_arr = np.asarray(do_code, dtype=float) / _OFFSET_SCALE
            uu = [axes_d[k] + do_arr[k] for k in range(3)]
            x0, x1, x2 = uu[0][:, None, None], uu[1][None, :, None], uu[2][None, None, :]
            r2 = (gg[0, 0] * x0**2 + gg[1, 1] * x1**2 + gg[2, 2] * x2**2
                  + 2 * gg[0, 1] * x0 * x1 + 2 * gg[0, 2] * x0 * x2 + 2 * gg[1, 2] * x1 * x2).ravel()
            ukey, inv = np.unique(np.round(r2, 8), return_inverse=True)
            inv = inv.ravel()
            w_do = np.zeros((len(pairs), ukey.size))
            for s, t, members in items:
                w_do[pairs.index((s, t))] += np.bincount(inv, weights=corr_of(s, t, members), minlength=ukey.size)
            keep = np.sqrt(ukey) <= rmax
            shell_key.append(ukey[keep])
            shell_w.append(w_do[:, keep])
        merged, where = np.unique(np.concatenate(shell_key), return_inverse=True)
        where = where.ravel()
        w_cat = np.concatenate(shell_w, axis=1)
        w_all = np.zeros((len(pairs), merged.size))
        for k in range(len(pairs)):
            w_all[k] = np.bincount(where, weights=w_cat[k], minlength=merged.size)
        r_all = np.sqrt(merged)
    return PairShells(r_all, w_all, np.zeros_like(w_all), tuple(pairs), "fft")
