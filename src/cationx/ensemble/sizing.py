"""Nanocrystal sizes for the ensemble: diameter distributions and steps per NC.

Host cations per NC come from the toolkit's one sizing table,
:func:`cationx.materials.host_cations_per_nc` (a 4.0 nm zinc-blende CdSe NC holds 597 Cd);
an NC of ``N`` host cations has ``n = round(N / h)`` exchange steps of ``h`` host cations
each (``host_per_site``; ``h = 1`` is one step per host cation, the physical stoichiometry).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cationx._validation import check_int, check_nonnegative, check_positive
from cationx.materials import host_cations_per_nc

__all__ = ["sample_diameters", "sites_from_diameter"]


def sites_from_diameter(
    diameter_nm: Any, *, host_per_site: int = 1, material: str = "CdSe", phase: str = "zincblende"
) -> np.ndarray:
    """Exchange steps per NC: host cations / ``host_per_site``, rounded, at least 1 (int array)."""
    h = check_int(host_per_site, "host_per_site", minimum=1)
    raw = host_cations_per_nc(material, np.atleast_1d(np.asarray(diameter_nm, dtype=float)), phase=phase)
    return np.maximum(np.rint(raw / h).astype(np.int64), 1)


def sample_diameters(
    n_ncs: int, diameter_nm: float, size_sd_nm: float = 0.0, *, rng: Any = None
) -> np.ndarray:
    """Draw NC diameters from a lognormal with the given mean and standard deviation (nm).

    ``size_sd_nm = 0`` gives a monodisperse sample (no random numbers drawn).  The
    lognormal parameters are ``sigma^2 = ln(1 + (sd/mean)^2)``, ``mu = ln(mean) - sigma^2/2``.
    """
    mean = check_positive(diameter_nm, "diameter_nm")
    sd = check_nonnegative(size_sd_nm, "size_sd_nm")
    if sd == 0.0:
        return np.full(n_ncs, mean)
    sigma2 = math.log1p((sd / mean) ** 2)
    gen = np.random.default_rng(rng)
    return gen.lognormal(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2), size=n_ncs)
