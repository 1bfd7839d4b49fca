"""Size-histogram statistics: mean +/- sd and a lognormal description.

The lognormal maximum-likelihood estimates have a closed form (mean and standard
deviation of ln D), so no numerical fit is needed; intervals are the exact normal-theory
ones for ``mu`` (Student t) and ``sigma`` (chi-square).  :func:`lognormal_from_mean_sd`
converts a reported mean +/- sd (e.g. 2.1 +/- 0.3 nm for the Cu2Se clusters of White,
Banerjee, Jain 2017, HAADF-STEM) into lognormal parameters by matching moments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cationx._validation import as_1d_array, check_fraction, check_positive
from cationx.errors import InputError

__all__ = ["SizeStatistics", "lognormal_from_mean_sd", "size_statistics"]


def lognormal_from_mean_sd(mean_nm: float, sd_nm: float) -> tuple[float, float]:
    """``(mu, sigma)`` of ln D for a lognormal with arithmetic mean and sd as given."""
    m = check_positive(mean_nm, "mean_nm")
    s = check_positive(sd_nm, "sd_nm")
    sigma2 = math.log1p((s / m) ** 2)
    return math.log(m) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True, slots=True)
class SizeStatistics:
    """Summary of a size sample (nm)."""

    n: int
    mean_nm: float
    sd_nm: float
    sem_nm: float
    mean_ci_nm: tuple[float, float]
    lognormal_mu: float
    lognormal_sigma: float
    lognormal_mu_ci: tuple[float, float]
    lognormal_sigma_ci: tuple[float, float]
    ci_level: float

    @property
    def median_nm(self) -> float:
        return math.exp(self.lognormal_mu)

    @property
    def geometric_sd(self) -> float:
        return math.exp(self.lognormal_sigma)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean_nm": self.mean_nm,
            "sd_nm": self.sd_nm,
            "relative_sd": self.sd_nm / self.mean_nm,
            "sem_nm": self.sem_nm,
            "mean_ci_nm": list(self.mean_ci_nm),
            "lognormal_mu": self.lognormal_mu,
            "lognormal_sigma": self.lognormal_sigma,
            "lognormal_mu_ci": list(self.lognormal_mu_ci),
            "lognormal_sigma_ci": list(self.lognormal_sigma_ci),
            "lognormal_median_nm": self.median_nm,
            "geometric_sd": self.geometric_sd,
            "ci_level": self.ci_level,
        }

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])


def size_statistics(diameters_nm: Any, *, ci_level: float = 0.95) -> SizeStatistics:
    """Mean +/- sd (sample sd, ddof = 1) and lognormal estimates of a diameter sample."""
    d = as_1d_array(diameters_nm, "diameters_nm", min_length=2)
    if np.any(d <= 0):
        raise InputError("diameters_nm must all be > 0")
    level = check_fraction(ci_level, "ci_level", open_low=True, open_high=True)
    n = d.size
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    sem = sd / math.sqrt(n)
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    ln = np.log(d)
    mu, s_ln = float(ln.mean()), float(ln.std(ddof=1))
    sig_lo = s_ln * math.sqrt((n - 1) / stats.chi2.ppf(0.5 + level / 2, n - 1))
    sig_hi = s_ln * math.sqrt((n - 1) / stats.chi2.ppf(0.5 - level / 2, n - 1))
    half = t * s_ln / math.sqrt(n)
    return SizeStatistics(
        n, mean, sd, sem, (mean - t * sem, mean + t * sem), mu, s_ln, (mu - half, mu + half), (sig_lo, sig_hi), level
    )
