"""Size-histogram statistics: mean +/- sd and a lognormal description.

The lognormal maximum-likelihood estimates have a closed form (mean and standard
deviation of ln D), so no numerical fit is needed; intervals are the exact normal-theory
ones for ``mu`` (Student t) and ``sigma`` (chi-square).  :func:`lognormal_from_mean_sd`
converts a reported mean +/- sd (e.g. 2.1 +/- 0.3 nm for the Cu2Se clusters of White,
Banerjee, Jain 2017, HAADF-STEM) into lognormal parameters by matching moments.
:func:`fit_size_histogram` fits a lognormal to a histogram (bin centres and counts) when
the individual sizes are not available, through :func:`cationx.fitting.fit_curve`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cationx._validation import as_1d_array, check_fraction, check_matching_lengths, check_positive
from cationx.errors import InputError
from cationx.fitting import FitResult

__all__ = ["SizeStatistics", "fit_size_histogram", "lognormal_from_mean_sd", "size_statistics"]


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


def fit_size_histogram(
    bin_centers_nm: Any,
    counts: Any,
    *,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit ``counts = N * width * lognormal_pdf(D; mu, sigma)`` to a size histogram.

    Equal bin widths are required (the width is the spacing of the centres).  Counts are
    weighted by their Poisson standard deviation ``sqrt(max(count, 1))``, taken as known
    (the covariance is not rescaled by the reduced chi-square; Wald intervals).
    Parameters ``mu``, ``sigma`` (of ln D) and ``n_total``; the result's ``extra`` holds the
    implied mean and sd in nm.  With the individual sizes, prefer :func:`size_statistics`.
    ``ci``, ``ci_level``, ``n_boot``, ``rng`` are the fit contract's keyword tail
    (:mod:`cationx.fitting`); there is no ``sigma`` because the Poisson weights are fixed.
    """
    from cationx.fitting import Parameters, fit_curve

    x = as_1d_array(bin_centers_nm, "bin_centers_nm", min_length=4)
    c = as_1d_array(counts, "counts", min_length=4)
    check_matching_lengths([x, c], ["bin_centers_nm", "counts"])
    if np.any(x <= 0):
        raise InputError("bin_centers_nm must all be > 0")
    if np.any(c < 0) or c.sum() <= 0:
        raise InputError("counts must be >= 0 with a positive total")
    order = np.argsort(x)
    x, c = x[order], c[order]
    widths = np.diff(x)
    if not np.allclose(widths, widths[0], rtol=1e-6):
        raise InputError("bin_centers_nm must be equally spaced")
    w = float(widths[0])
    mean0 = float(np.sum(x * c) / c.sum())
    sd0 = float(np.sqrt(np.sum(c * (x - mean0) ** 2) / c.sum())) or w
    mu0, s0 = lognormal_from_mean_sd(mean0, max(sd0, w / 2))
    params = Parameters()
    params.add("mu", value=mu0)
    params.add("sigma", value=s0, min=1e-6)
    params.add("n_total", value=float(c.sum()), min=0.0)

    def model(v: Any, xx: np.ndarray) -> np.ndarray:
        return v["n_total"] * w * stats.lognorm.pdf(xx, v["sigma"], scale=np.exp(v["mu"]))

    res = fit_curve(model, params, x, c, sigma=np.sqrt(np.maximum(c, 1.0)), model_name="lognormal histogram",
                    ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng, scale_covar=False)
    mu, sg = res.value("mu"), res.value("sigma")
    mean = math.exp(mu + sg**2 / 2)
    sd = mean * math.sqrt(math.expm1(sg**2))
    import dataclasses

    return dataclasses.replace(res, extra={"mean_nm": mean, "sd_nm": sd, "median_nm": math.exp(mu), "bin_width_nm": w})
