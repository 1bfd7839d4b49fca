"""Diffraction axes: Bragg angle 2-theta, scattering vector Q and spacing d, one set for all.

``d = lambda / (2 sin theta)``, ``Q = 4 pi sin(theta) / lambda = 2 pi / d``; angles in degrees,
lambda and d in angstrom, Q in 1/A.  Plain NumPy, no validation: a ``lambda / 2d`` (or
``Q lambda / 4 pi``) above 1 has no Bragg angle and gives NaN.  Domain functions that must
refuse such input (:func:`cationx.crystal.debye.two_theta_from_q`,
:func:`cationx.physics.strain.bragg_two_theta_deg`) check first and then call these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "d_to_q",
    "d_to_two_theta",
    "q_to_d",
    "q_to_two_theta",
    "two_theta_to_d",
    "two_theta_to_q",
]


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _two_theta_from_sin(s: np.ndarray) -> np.ndarray:
    out = np.full(s.shape, np.nan)
    ok = (s >= 0) & (s <= 1)
    out[ok] = 2 * np.degrees(np.arcsin(s[ok]))
    return out


def two_theta_to_d(two_theta_deg: Any, wavelength_angstrom: float) -> np.ndarray:
    """Bragg: d = lambda / (2 sin theta), in A."""
    return wavelength_angstrom / (2 * np.sin(np.radians(_arr(two_theta_deg)) / 2))


def d_to_two_theta(d_angstrom: Any, wavelength_angstrom: float) -> np.ndarray:
    """Bragg: 2 theta (deg) = 2 asin(lambda / 2d); NaN where lambda > 2d."""
    return _two_theta_from_sin(wavelength_angstrom / (2 * _arr(d_angstrom)))


def two_theta_to_q(two_theta_deg: Any, wavelength_angstrom: float) -> np.ndarray:
    """Q = 4 pi sin(theta) / lambda in 1/A."""
    return 4 * np.pi * np.sin(np.radians(_arr(two_theta_deg)) / 2) / wavelength_angstrom


def q_to_two_theta(q_inv_angstrom: Any, wavelength_angstrom: float) -> np.ndarray:
    """2 theta (deg) = 2 asin(Q lambda / 4 pi); NaN where Q > 4 pi / lambda or Q < 0."""
    return _two_theta_from_sin(_arr(q_inv_angstrom) * wavelength_angstrom / (4 * np.pi))


def d_to_q(d_angstrom: Any) -> np.ndarray:
    """Q = 2 pi / d in 1/A."""
    return 2 * np.pi / _arr(d_angstrom)


def q_to_d(q_inv_angstrom: Any) -> np.ndarray:
    """d = 2 pi / Q in A."""
    return 2 * np.pi / _arr(q_inv_angstrom)
