"""An ensemble of nanocrystals sharing one finite pool of ions: sizes, rate tables, pool.

N NCs in a volume V (litres) at NC concentration ``C = N / (N_A V)``.  NC ``j`` has
``n_j`` exchange steps and is in state ``i_j`` (steps taken, 0..n_j).  The pool holds
integer counts: ``F`` free incoming ions and ``H`` free host cations.  The stoichiometry is
the equilibrium engine's (:mod:`cationx.cooperative.models`): a step holds ``h`` host
cations (``host_per_site``), takes ``m h`` incoming ions (``m = ions_per_host``, 2 for Cu+
into Cd2+) and releases ``h`` host cations::

    ML_i + m h M+  ->  ML_{i+1} + h Cd2+     propensity  k_off K_{i+1} (F)_{mh} mu^{mh} / D(H+h)^((h-1)/h)
    ML_{i+1} + h Cd2+  ->  ML_i + m h M+     propensity  k_off D(H)^(1/h),   D(H) = (H)_h mu^h

with ``mu = 1/(N_A V)``, ``K_i`` the engine's step constants (M^(-(m-1) h)) and ``(F)_k =
F (F-1) ... (F-k+1)`` the falling factorial (stochastic mass action: an NC cannot take
ions that are not there, nor give back host cations that are not in solution).  For
``h = 1`` this is plain mass action, ``k_off K c^m`` and ``k_off d``; for a coarse step the
``h``-th order release is written as ``k_off`` times the geometric mean of its host
factors (about ``k_off d``) and the uptake carries the rest of the ratio, so the time scale
does not depend on ``h`` (``d^h`` would span hundreds of decades over a titration) and the
ratio of the two propensities, hence the equilibrium, is exactly mass action's.  ``h = 1`` is
one step per host cation (a 4 nm CdSe NC: ~600 steps, exchanged by ~1,200 Cu+); a coarse
``h`` is a speed/resolution trade-off measured in benchmarks/RESULTS.md.

Detailed balance holds exactly: the stationary distribution is the canonical ensemble
``P(i_1..i_N) ~ prod_j exp(g_{i_j}) (N_A V)^{-(m-1) h S} / (F! H!)`` with ``S = sum_j i_j``,
``F = F_tot - m h S``, ``H = H_0 + h S``; its large-N limit at fixed ``C`` is the equilibrium
engine's mass balance (:mod:`cationx.ensemble.canonical`).

Conservation is exact by construction: ``F + m h S`` equals the ions added and ``H - h S``
the host cations present at the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from cationx._validation import check_int, check_nonnegative, check_positive
from cationx.constants import AVOGADRO
from cationx.cooperative.models import (
    MAX_SITES,
    SequentialModel,
    check_model_parameters,
    make_model,
)
from cationx.ensemble.sizing import sample_diameters, sites_from_diameter
from cationx.errors import InputError
from cationx.materials import MATERIALS, PHASES

__all__ = ["MAX_NCS", "Ensemble", "make_ensemble"]

MAX_NCS = 10_000_000
DEFAULT_FLATNESS = 0.01


@dataclass(frozen=True, slots=True)
class Ensemble:
    """A simulated NC sample: sizes, per-step constants, the pool's starting counts.

    Attributes
    ----------
    ions_per_host, host_per_site
        ``m`` and ``h``: a step takes ``m h`` ions and releases ``h`` host cations.
    sites
        Exchange steps per NC, shape (N,); host cations per NC are ``h sites``.
    diameter_nm
        Diameters (N,) when built from sizes, else None.
    group, unique_sites, offsets
        NC ``j`` uses rate table ``offsets[group[j]] .. + unique_sites[group[j]]``.
    log_k_next
        Flat table: at ``offsets[g] + i``, ``ln K_{i+1}`` of size group ``g`` (``-inf`` at
        ``i = n``), K in M^(-(m-1) h).
    seg_lo, seg_hi
        Flat tables: the run of states around ``i`` whose up-rates agree within
        ``flatness`` (natural log) and which have both moves (1..n-1); ``[i, i]`` at the ends.
    molar_per_count
        ``1/(N_A V) = C/N``: a count in the pool times this is a concentration in M.
    host_initial_count
        Free host cations at the start (integer).
    """

    model: str
    parameters: dict[str, Any]
    ions_per_host: int
    host_per_site: int
    sites: np.ndarray
    diameter_nm: np.ndarray | None
    material: str | None
    phase: str | None
    group: np.ndarray
    unique_sites: np.ndarray
    offsets: np.ndarray
    log_k_next: np.ndarray
    seg_lo: np.ndarray
    seg_hi: np.ndarray
    nc_conc_molar: float
    host_initial_count: int
    k_off: float
    flatness: float

    @property
    def n_ncs(self) -> int:
        return int(self.sites.size)

    @property
    def ions_per_site(self) -> int:
        """Incoming ions taken per step, ``m h``."""
        return self.ions_per_host * self.host_per_site

    @property
    def host_cations(self) -> np.ndarray:
        """Host cations per NC, ``h n_j``, shape (N,)."""
        return self.sites * self.host_per_site

    @property
    def molar_per_count(self) -> float:
        return self.nc_conc_molar / self.n_ncs

    @property
    def volume_l(self) -> float:
        """The sample volume ``V = N / (N_A C)`` in litres."""
        return self.n_ncs / (AVOGADRO * self.nc_conc_molar)

    def model_for(self, sites: int) -> SequentialModel:
        """The cooperative model of an NC with ``sites`` steps (same preset and constants)."""
        return make_model(self.model, sites=int(sites), ions_per_host=self.ions_per_host,
                          host_per_site=self.host_per_site, **_constants(self.parameters))

    def summary(self) -> dict[str, Any]:
        host = self.host_cations
        out: dict[str, Any] = {
            "model": self.model,
            "parameters": dict(self.parameters),
            "ions_per_host": self.ions_per_host,
            "host_per_site": self.host_per_site,
            "ions_per_site": self.ions_per_site,
            "ncs": self.n_ncs,
            "sites_mean": float(self.sites.mean()),
            "sites_sd": float(self.sites.std()),
            "sites_min": int(self.sites.min()),
            "sites_max": int(self.sites.max()),
            "host_cations_mean": float(host.mean()),
            "host_cations_sd": float(host.std()),
            "nc_conc_molar": self.nc_conc_molar,
            "host_initial_molar": self.host_initial_count * self.molar_per_count,
            "volume_l": self.volume_l,
            "k_off": self.k_off,
        }
        if self.diameter_nm is not None:
            out["material"] = self.material
            out["phase"] = self.phase
            out["diameter_mean_nm"] = float(self.diameter_nm.mean())
            out["diameter_sd_nm"] = float(self.diameter_nm.std())
        return out

    def to_dict(self) -> dict[str, Any]:
        return self.summary()


_CONSTANTS = ("k1", "alpha", "l_allosteric", "k", "sigma", "coupling")


def _constants(params: dict[str, Any]) -> dict[str, Any]:
    return {k: params[k] for k in _CONSTANTS if k in params}


@numba.njit(cache=True)
def _segments(log_k: np.ndarray, flatness: float, lo: np.ndarray, hi: np.ndarray) -> None:
    """Greedy runs of states 1..n-1 whose ``ln K_{i+1}`` stay within ``flatness`` of the first."""
    n = log_k.size
    lo[0] = 0
    hi[0] = 0
    lo[n] = n
    hi[n] = n
    start = 1
    while start <= n - 1:
        ref = log_k[start]
        end = start
        while end + 1 <= n - 1 and abs(log_k[end + 1] - ref) <= flatness:
            end += 1
        for i in range(start, end + 1):
            lo[i] = start
            hi[i] = end
        start = end + 1


def make_ensemble(
    model: str = "white2013",
    *,
    n_ncs: int,
    k1: float | None = None,
    alpha: float | None = None,
    l_allosteric: float | None = None,
    k: float | None = None,
    sigma: float | None = None,
    coupling: float | None = None,
    sites: int | None = None,
    diameter_nm: float | None = None,
    size_sd_nm: float = 0.0,
    host_per_site: int = 1,
    material: str = "CdSe",
    phase: str = "zincblende",
    ions_per_host: int = 2,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
    k_off: float = 1.0,
    flatness: float = DEFAULT_FLATNESS,
    rng: Any = None,
) -> Ensemble:
    """Build an ensemble: ``sites`` (monodisperse) or sizes from ``diameter_nm`` +/- ``size_sd_nm``.

    Parameters
    ----------
    model, k1, alpha, l_allosteric, k, sigma, coupling
        A preset of :func:`cationx.cooperative.make_model` (names: ``cooperative.PRESETS``;
        each takes only its own constants), built for every NC size.
    n_ncs
        Number of NCs simulated (N >= 1).
    sites
        Steps per NC for a monodisperse ensemble (give this or ``diameter_nm``).
    diameter_nm, size_sd_nm, material, phase
        Lognormal diameters (mean, sd in nm); host cations from
        :func:`cationx.materials.host_cations_per_nc`, steps = host cations / ``host_per_site``.
    host_per_site, ions_per_host
        ``h`` host cations per step and ``m`` incoming ions per host cation: a step takes
        ``m h`` ions and releases ``h`` host cations (as the equilibrium engine).
    nc_conc_molar
        NC concentration C in M (1 = the engine's per-NC units); fixes the volume.
    host_initial_molar
        Free host cation at the start, M (rounded to a whole number of ions).
    k_off
        Release rate constant (sets the time scale only).
    flatness
        Largest ``|ln K_{i+1} - ln K_{j+1}|`` inside one leap segment (the per-NC leap
        condition; 0.01 = rates within 1 %).
    rng
        Seed or Generator for the size draw.
    """
    given = {"k1": k1, "alpha": alpha, "l_allosteric": l_allosteric, "k": k, "sigma": sigma, "coupling": coupling}
    check_model_parameters(model, **given)
    n = check_int(n_ncs, "ncs", minimum=1, maximum=MAX_NCS)
    h = check_int(host_per_site, "host_per_site", minimum=1, maximum=MAX_SITES)
    m = check_int(ions_per_host, "ions_per_host", minimum=1, maximum=8)
    c_nc = check_positive(nc_conc_molar, "nc_conc_molar")
    h0 = check_nonnegative(host_initial_molar, "host_initial_molar")
    koff = check_positive(k_off, "k_off")
    flat = check_nonnegative(flatness, "flatness")
    sd = check_nonnegative(size_sd_nm, "size_sd_nm")
    if (sites is None) == (diameter_nm is None):
        raise InputError("give exactly one of sites and diameter_nm")
    diam = None
    mat = ph = None
    if sites is not None:
        if sd > 0:
            raise InputError("size_sd_nm needs diameter_nm (sites gives a monodisperse ensemble)")
        n_sites = check_int(sites, "sites", minimum=1, maximum=MAX_SITES)
        site_arr = np.full(n, n_sites, dtype=np.int64)
    else:
        from cationx._validation import check_choice

        mat = check_choice(material, "material", MATERIALS)
        ph = check_choice(phase, "phase", PHASES)
        diam = sample_diameters(n, check_positive(diameter_nm, "diameter_nm"), sd, rng=rng)
        site_arr = sites_from_diameter(diam, host_per_site=h, material=mat, phase=ph)
        if site_arr.max() > MAX_SITES:
            raise InputError(f"an NC of {diam.max():.3g} nm has {site_arr.max()} steps (limit {MAX_SITES}); raise host_per_site")
    unique, group = np.unique(site_arr, return_inverse=True)
    offsets = np.zeros(unique.size, dtype=np.int64)
    offsets[1:] = np.cumsum(unique[:-1] + 1)
    total = int(offsets[-1] + unique[-1] + 1)
    lk = np.full(total, -np.inf)
    lo = np.zeros(total, dtype=np.int64)
    hi = np.zeros(total, dtype=np.int64)
    params: dict[str, Any] = {}
    for g, ns in enumerate(unique):
        mdl = make_model(model, sites=int(ns), ions_per_host=m, host_per_site=h, **given)
        off = int(offsets[g])
        lk[off : off + ns] = mdl.log_k
        _segments(np.asarray(mdl.log_k, dtype=float), flat, lo[off : off + ns + 1], hi[off : off + ns + 1])
        params = {key: v for key, v in mdl.parameters.items() if key not in ("sites", "host_per_site", "log10_l")}
    for arr in (site_arr, group, unique, offsets, lk, lo, hi):
        arr.setflags(write=False)
    if diam is not None:
        diam.setflags(write=False)
    molar_per_count = c_nc / n
    return Ensemble(
        model=model,
        parameters=params,
        ions_per_host=m,
        host_per_site=h,
        sites=site_arr,
        diameter_nm=diam,
        material=mat,
        phase=ph,
        group=group.astype(np.int64),
        unique_sites=unique.astype(np.int64),
        offsets=offsets,
        log_k_next=lk,
        seg_lo=lo,
        seg_hi=hi,
        nc_conc_molar=c_nc,
        host_initial_count=round(h0 / molar_per_count),
        k_off=koff,
        flatness=flat,
    )
