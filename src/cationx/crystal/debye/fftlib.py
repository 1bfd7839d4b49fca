"""The transforms of the FFT shells route, on NumPy's or SciPy's pocketfft by grid size.

Small grids (a few nm clusters, under :data:`SCIPY_FROM_POINTS` padded points) use
``numpy.fft``, which is loaded with NumPy anyway; importing ``scipy.fft`` costs ~0.2 s of
start-up, longer than such a grid takes to transform.  Large grids use ``scipy.fft`` for its
worker threads and in-place transforms.  NumPy has no DCT, so the DCT-I and DCT-III (SciPy's
unnormalised definitions) are written here as the real FFTs of their even extensions; the
test suite checks them, and the shells of both backends, against SciPy.

The choice depends on the grid size only, never on what happens to be imported, so one input
always gives the same numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SCIPY_FROM_POINTS", "Transforms", "transforms_for"]

SCIPY_FROM_POINTS = 2**18  # padded grid points from which scipy.fft (threads, in place) is used


class Transforms:
    """rfft / fft / irfftn / dct on one backend (``"numpy"`` or ``"scipy"``)."""

    def __init__(self, backend: str, workers: int | None = 1) -> None:
        if backend not in ("numpy", "scipy"):
            raise ValueError(f"unknown FFT backend {backend!r}")
        self.backend = backend
        self.workers = workers
        if backend == "scipy":
            import scipy.fft

            self._sp = scipy.fft

    def rfft(self, x: np.ndarray, n: int, axis: int) -> np.ndarray:
        if self.backend == "scipy":
            return self._sp.rfft(x, n=n, axis=axis, workers=self.workers)
        return np.fft.rfft(x, n=n, axis=axis)

    def fft_inplace(self, x: np.ndarray, axis: int) -> np.ndarray:
        """FFT along ``axis``, in place where the backend can (check the result's buffer)."""
        if self.backend == "scipy":
            return self._sp.fft(x, axis=axis, overwrite_x=True, workers=self.workers)
        return np.fft.fft(x, axis=axis)

    def irfftn(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        if self.backend == "scipy":
            return self._sp.irfftn(x, s=shape, workers=self.workers)
        return np.fft.irfftn(x, s=shape, axes=tuple(range(x.ndim - len(shape), x.ndim)))

    def dct(self, x: np.ndarray, kind: int, axis: int) -> np.ndarray:
        """Unnormalised DCT-I (``kind=1``) or DCT-III (``kind=3``) along ``axis``."""
        if self.backend == "scipy":
            return self._sp.dct(x, type=kind, axis=axis)
        if kind == 1:
            return dct1(x, axis)
        if kind == 3:
            return dct3(x, axis)
        raise ValueError(f"DCT type {kind} is not provided")


def transforms_for(n_points: int, workers: int | None) -> Transforms:
    """The backend for a padded grid of ``n_points`` points."""
    if n_points >= SCIPY_FROM_POINTS:
        return Transforms("scipy", workers)
    return Transforms("numpy", 1)


def dct1(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``y_k = x_0 + (-1)^k x_(N-1) + 2 sum_(n=1)^(N-2) x_n cos(pi k n / (N-1))`` (real input, N >= 2)."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    n = x.shape[-1]
    if n < 2:
        raise ValueError("DCT-I needs at least 2 points")
    ext = np.concatenate([x, x[..., n - 2 : 0 : -1]], axis=-1)  # even extension, length 2N - 2
    y = np.fft.rfft(ext, axis=-1)
    return np.moveaxis(y.real, -1, axis)


def dct3(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``y_k = x_0 + 2 sum_(n=1)^(N-1) x_n cos(pi (2k + 1) n / (2N))`` (real input)."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    n = x.shape[-1]
    w = np.full(n, 2.0)
    w[0] = 1.0
    z = x * (w * np.exp(0.5j * np.pi * np.arange(n) / n))
    y = np.fft.ifft(z, n=2 * n, axis=-1)[..., :n].real * (2 * n)
    return np.moveaxis(y, -1, axis)
