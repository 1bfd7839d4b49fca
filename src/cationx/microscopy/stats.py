"""Size statistics of a particle population: mean with its confidence interval, and a lognormal.

The mean's interval is Student's t interval (``scipy.stats.t``).  The lognormal is fitted by
maximum likelihood with the location fixed at zero (``scipy.stats.lognorm.fit(d, floc=0)``):
``mu`` and ``sigma`` are the mean and sd of ln(d / nm); the geometric mean is exp(mu) (the
median of the lognormal) and the geometric sd exp(sigma).  The Kolmogorov-Smirnov p-value is
computed against the fitted distribution; because the parameters come from the same data the
p-value is optimistic (a Lilliefors-type correction would lower it), so read p < 0.05 as a clear
misfit and p > 0.05 as "not contradicted", not as proof of lognormality.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_fraction
from cationx.errors import InputError, InterpretationWarning

__all__ = ["MIN_RELIABLE_N", "LognormalFit", "SizeStatistics", "size_statistics"]

MIN_RELIABLE_N = 10


@dataclass(frozen=True, slots=True)
class LognormalFit:
    mu: float
    sigma: float
    mu_stderr: float
    geometric_mean_nm: float
    geometric_sd: float
    mean_nm: float
    ks_statistic: float
    ks_pvalue: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "mu": self.mu,
            "sigma": self.sigma,
            "mu_stderr": self.mu_stderr,
            "geometric_mean_nm": self.geometric_mean_nm,
            "geometric_sd": self.geometric_sd,
            "mean_nm": self.mean_nm,
            "ks_statistic": self.ks_statistic,
            "ks_pvalue": self.ks_pvalue,
            "ks_note": "p-value against the fitted lognormal; optimistic because the parameters come from the same data",
        }

    def pdf(self, d_nm: np.ndarray) -> np.ndarray:
        from scipy import stats

        return stats.lognorm.pdf(np.asarray(d_nm, dtype=float), self.sigma, loc=0.0, scale=math.exp(self.mu))


@dataclass(frozen=True, slots=True)
class SizeStatistics:
    n_particles: int
    mean_diameter_nm: float
    sd_diameter_nm: float
    median_diameter_nm: float
    sem_nm: float
    confidence: float
    ci_low_nm: float
    ci_high_nm: float
    min_nm: float
    max_nm: float
    lognormal: LognormalFit | None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_particles": self.n_particles,
            "mean_diameter_nm": self.mean_diameter_nm,
            "sd_diameter_nm": self.sd_diameter_nm,
            "median_diameter_nm": self.median_diameter_nm,
            "sem_nm": self.sem_nm,
            "confidence": self.confidence,
            "ci_mean_nm": [self.ci_low_nm, self.ci_high_nm],
            "min_diameter_nm": self.min_nm,
            "max_diameter_nm": self.max_nm,
            "lognormal": None if self.lognormal is None else self.lognormal.to_dict(),
            "warnings": list(self.warnings),
        }

    def to_frame(self) -> pd.DataFrame:
        d = self.to_dict()
        lo = d.pop("lognormal") or {}
        d.pop("warnings")
        d["ci_mean_nm"] = f"{self.ci_low_nm:.4g}..{self.ci_high_nm:.4g}"
        d.update({f"lognormal_{k}": v for k, v in lo.items() if k != "ks_note"})
        return pd.DataFrame({"quantity": list(d), "value": list(d.values())})


def size_statistics(diameters_nm: Any, *, confidence: float = 0.95) -> SizeStatistics:
    """Statistics of particle diameters (nm): mean, sd (n-1), median, t-interval of the mean,
    and a lognormal fit with a KS goodness-of-fit p-value.

    With fewer than :data:`MIN_RELIABLE_N` particles the numbers are still given but a warning
    says they are unreliable; with fewer than 2 the sd and intervals are NaN; the lognormal
    needs 3 or more.
    """
    from scipy import stats

    conf = check_fraction(confidence, "confidence", open_low=True, open_high=True)
    d = np.asarray(diameters_nm, dtype=float).ravel()
    if d.size and (not np.all(np.isfinite(d)) or np.any(d <= 0)):
        raise InputError("diameters_nm must be finite and > 0")
    msgs: list[str] = []
    n = int(d.size)
    if n < MIN_RELIABLE_N:
        text = (f"only {n} particle(s) measured: size statistics are unreliable "
                f"(need at least {MIN_RELIABLE_N}, better 100 or more)")
        msgs.append(text)
        warnings.warn(text, InterpretationWarning, stacklevel=2)
    nan = math.nan
    if n == 0:
        return SizeStatistics(0, nan, nan, nan, nan, conf, nan, nan, nan, nan, None, tuple(msgs))
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else nan
    sem = sd / math.sqrt(n) if n > 1 else nan
    if n > 1:
        tq = float(stats.t.ppf(0.5 + conf / 2, n - 1))
        lo, hi = mean - tq * sem, mean + tq * sem
    else:
        lo = hi = nan
    logn = None
    if n >= 3 and float(d.max()) > float(d.min()):
        s, _, scale = stats.lognorm.fit(d, floc=0)
        ks = stats.kstest(d, "lognorm", args=(s, 0, scale))
        mu = math.log(scale)
        logn = LognormalFit(mu=mu, sigma=float(s), mu_stderr=float(s) / math.sqrt(n),
                            geometric_mean_nm=float(scale), geometric_sd=math.exp(s),
                            mean_nm=math.exp(mu + s * s / 2), ks_statistic=float(ks.statistic),
                            ks_pvalue=float(ks.pvalue))
    return SizeStatistics(n, mean, sd, float(np.median(d)), sem, conf, lo, hi, float(d.min()),
                          float(d.max()), logn, tuple(msgs))
