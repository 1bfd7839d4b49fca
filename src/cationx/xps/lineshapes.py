"""XPS line shapes, parameterised by centre, height and width F (eV; the FWHM except for ``gl``).

- ``gl``: Gaussian-Lorentzian *product* (the CasaXPS ``GL(m)`` form),
  ``exp(-4 ln2 (1 - m) u^2) / (1 + 4 m u^2)``, ``u = (x - c)/F``, ``m`` the Lorentzian
  fraction (White et al. 2013 fitted Cu 2p3/2 with 30 % Gaussian / 70 % Lorentzian, m = 0.7).
- ``sgl``: Gaussian-Lorentzian *sum*, ``(1 - m) G + m L`` with the same F.
- ``voigt``: convolution (:func:`scipy.special.voigt_profile`); ``m`` sets the Lorentzian
  width ``F_L = m F`` and the Gaussian width follows from the Olivero-Longbothum
  approximation (J. Quant. Spectrosc. Radiat. Transfer 17, 233 (1977)) so that the total
  FWHM is F.
- ``gauss`` and ``lorentz``.

All shapes peak at ``height`` at ``x = center``.  :func:`unit_area` gives the area of a
unit-height peak of width F (closed forms where they exist, quadrature for ``gl``).
Written here because lmfit's built-in models parameterise by area and sigma, and the
product form is not among them.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import integrate
from scipy.special import voigt_profile

__all__ = ["SHAPES", "peak", "unit_area"]

SHAPES = ("gl", "sgl", "voigt", "gauss", "lorentz")
_LN2 = math.log(2.0)


def _gauss(u: np.ndarray) -> np.ndarray:
    return np.exp(-4 * _LN2 * u**2)


def _lorentz(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + 4 * u**2)


def _voigt_widths(fwhm: float, m: float) -> tuple[float, float]:
    f_l = m * fwhm
    f_g2 = (fwhm - 0.5346 * f_l) ** 2 - 0.2166 * f_l**2
    f_g = math.sqrt(max(f_g2, 0.0))
    return f_g / (2 * math.sqrt(2 * _LN2)), f_l / 2  # sigma, gamma (HWHM)


def peak(x: np.ndarray, center: float, height: float, fwhm: float, shape: str = "gl", mix: float = 0.3) -> np.ndarray:
    """One peak of the given ``shape`` (see module docstring); ``mix`` is the Lorentzian fraction."""
    x = np.asarray(x, dtype=float)
    u = (x - center) / fwhm
    if shape == "gl":
        return height * np.exp(-4 * _LN2 * (1 - mix) * u**2) / (1 + 4 * mix * u**2)
    if shape == "sgl":
        return height * ((1 - mix) * _gauss(u) + mix * _lorentz(u))
    if shape == "gauss":
        return height * _gauss(u)
    if shape == "lorentz":
        return height * _lorentz(u)
    if shape == "voigt":
        sigma, gamma = _voigt_widths(fwhm, mix)
        if sigma == 0:
            return height * _lorentz(u)
        return height * voigt_profile(x - center, sigma, gamma) / voigt_profile(0.0, sigma, gamma)
    raise ValueError(f"unknown shape {shape!r}")


@lru_cache(maxsize=256)
def _gl_unit_area(mix: float) -> float:
    def f(u: float) -> float:
        return math.exp(-4 * _LN2 * (1 - mix) * u * u) / (1 + 4 * mix * u * u)

    val, _ = integrate.quad(f, -np.inf, np.inf, limit=200)
    return val


def unit_area(shape: str, fwhm: float, mix: float = 0.3) -> float:
    """Area of a unit-height peak of FWHM ``fwhm``."""
    g = fwhm * math.sqrt(math.pi / (4 * _LN2))
    lor = math.pi * fwhm / 2
    if shape == "gauss":
        return g
    if shape == "lorentz":
        return lor
    if shape == "sgl":
        return (1 - mix) * g + mix * lor
    if shape == "gl":
        return fwhm * _gl_unit_area(round(float(mix), 12))
    if shape == "voigt":
        sigma, gamma = _voigt_widths(fwhm, mix)
        if sigma == 0:
            return lor
        return 1.0 / float(voigt_profile(0.0, sigma, gamma))
    raise ValueError(f"unknown shape {shape!r}")
