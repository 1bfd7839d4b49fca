"""Kinetic model curves A(t) (absorbance, or any signal proportional to a concentration).

Time ``t`` is measured from the addition (t = 0); rate constants are in inverse units of
``t`` and are positive for a decay.  (Yao et al., J. Chem. Phys. 159, 014704 (2023) write
``ln A = k t + I`` and so print negative k for the Cu case, "-0.15 vs -0.011"; the
magnitudes are the same.)

- first order:   ``A = A_inf + (A0 - A_inf) exp(-k t)``
- two stage:     first order with rate ``k1`` up to ``t_break`` and ``k2`` after it,
  continuous at ``t_break``: ``A = A_inf + (A0 - A_inf) exp(-k1 min(t, tb) - k2 max(t - tb, 0))``
- bi-exponential: ``A = A_inf + a_fast exp(-k_fast t) + a_slow exp(-k_slow t)``
  (two parallel populations, the alternative to two sequential stages)
"""

from __future__ import annotations

import numpy as np

__all__ = ["biexponential", "first_order", "two_stage"]


def first_order(t: np.ndarray, a0: float, k: float, a_inf: float = 0.0) -> np.ndarray:
    """First-order decay from ``a0`` at t = 0 towards ``a_inf`` with rate ``k``."""
    t = np.asarray(t, dtype=float)
    return a_inf + (a0 - a_inf) * np.exp(-k * t)


def two_stage(t: np.ndarray, a0: float, k1: float, k2: float, t_break: float, a_inf: float = 0.0) -> np.ndarray:
    """Two sequential first-order stages joined continuously at ``t_break``."""
    t = np.asarray(t, dtype=float)
    exponent = -k1 * np.minimum(t, t_break) - k2 * np.maximum(t - t_break, 0.0)
    return a_inf + (a0 - a_inf) * np.exp(exponent)


def biexponential(
    t: np.ndarray, a_fast: float, k_fast: float, a_slow: float, k_slow: float, a_inf: float = 0.0
) -> np.ndarray:
    """Sum of two exponential decays and a constant."""
    t = np.asarray(t, dtype=float)
    return a_inf + a_fast * np.exp(-k_fast * t) + a_slow * np.exp(-k_slow * t)
