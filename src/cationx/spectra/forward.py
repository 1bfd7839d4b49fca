"""Forward model: realistic synthetic titrations from the cooperative exchange model.

Absorbance at addition k (Beer-Lambert, NCs diluted by the added volume)::

    A_k(l) = (V_0 / V_k) C_0 L [ f_host,k eps(D) h(l) + f_prod,k eps_p p(l) ] + noise

In real units (the default) the NC holds the host cations its size implies (Yu et al. 2003
sizing from the exciton, bulk density), the model has one step per host cation, the
equilibrium is solved at the true NC concentration, and the exciton height tracks pristine
NCs (``f_host = ML_0``) while the 1.82 eV band tracks the product material (``f_prod`` = mean
exchanged steps / n).  ``nc_conc_error`` makes the true NC concentration differ from the
Beer-Lambert one the analysis will compute (an extinction-coefficient error), as in a real
experiment.  ``units="per_nc"`` with the paper's model reproduces the earlier per-NC synthesis.

- ``h``: host spectrum normalised to 1 at the first exciton (a Gaussian exciton of width
  ``exciton_width_nm`` on a continuum of higher transitions rising to the blue);
- ``p``: product (Cu2Se-like) band-to-band absorption ``(E - E_g)^1.5`` above the gap
  ``product_gap_ev``, normalised to 1 at the reference 1.82 eV, scaled so that full exchange
  gives ``product_absorbance_ref`` at 1.82 eV;
- the fractions come from :func:`cationx.cooperative.solve_titration` at the cumulative ions
  per NC of the additions (``exciton_tracks``: ``host`` pristine NCs, or ``unexchanged`` pure +
  doped; ``product_tracks``: ``product`` material, or ``exchanged`` whole NCs).

PL (per nm): the host band-edge band (Gaussian, ``host_pl_nm``) scales with the pure-host
fraction, the dopant (defect) band is Gaussian *in energy* at ``defect_pl_ev`` and scales
with the dopants per NC; it is converted to a density per nm with the Jacobian
``hc / lambda^2``.  Noise is Gaussian with standard deviation ``noise`` (absorbance) and
``pl_noise`` (PL), drawn from ``rng``.

Cumulative ions per NC come from the additions exactly as
:func:`cationx.spectra.sizing.cumulative_ions_per_nc` computes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._lazy import moved_names
from cationx._validation import check_int, check_nonnegative, check_positive
from cationx.cooperative.equilibrium import (
    ExchangeState,
    solve_titration,
    total_at_fraction_exchanged,
)
from cationx.cooperative.models import SequentialModel, make_model
from cationx.errors import InputError
from cationx.spectra.axes import HC_EV_NM, nm_to_ev
from cationx.spectra.sizing import cumulative_ions_per_nc, diameter_nm, extinction_per_molar_cm

__all__ = [
    "SyntheticTitration",
    "host_spectrum",
    "product_spectrum",
    "synthesize_titration",
]


def host_spectrum(wavelength_nm: np.ndarray, exciton_nm: float, *, width_nm: float = 12.0) -> np.ndarray:
    """Host absorbance shape, 1 at the exciton, with a continuum rising to the blue."""
    w = np.asarray(wavelength_nm, dtype=float)
    exciton = np.exp(-0.5 * ((w - exciton_nm) / width_nm) ** 2)
    edge = 1.0 / (1.0 + np.exp((w - (exciton_nm - 30.0)) / 9.0))
    continuum = 0.9 * edge * (1.0 + (exciton_nm - w).clip(0) / 60.0)
    shape = exciton + continuum
    scale = float(np.interp(exciton_nm, w, shape)) if w[0] <= exciton_nm <= w[-1] else 1.0
    return shape / scale


def product_spectrum(wavelength_nm: np.ndarray, *, gap_ev: float = 1.2, reference_ev: float = 1.82) -> np.ndarray:
    """Featureless band-to-band absorbance ``(E - E_g)^1.5``, 1 at ``reference_ev``."""
    e = nm_to_ev(np.asarray(wavelength_nm, dtype=float))
    shape = np.clip(e - gap_ev, 0, None) ** 1.5
    return shape / (reference_ev - gap_ev) ** 1.5


@dataclass(frozen=True, slots=True)
class SyntheticTitration:
    """A synthetic titration and the truth it was made from."""

    wavelength_nm: np.ndarray
    absorbance: np.ndarray
    pl_wavelength_nm: np.ndarray
    pl: np.ndarray
    volumes_ul: np.ndarray
    titrant_molar: float
    start_volume_ml: float
    nc_conc_molar: float
    path_length_cm: float
    material: str
    exciton_nm: float
    ions_per_nc: np.ndarray
    state: ExchangeState
    model: SequentialModel
    half_exchange_ions_per_nc: float
    labels: tuple[str, ...]
    units: str = "molar"
    reference_half_width_nm: float = 3.0
    exciton_tracks: str = "host"
    product_tracks: str = "product"
    nc_conc_error: float = 1.0

    def to_frame(self) -> pd.DataFrame:
        frame = self.state.to_frame()
        frame.insert(0, "label", list(self.labels))
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "half_exchange_ions_per_nc": self.half_exchange_ions_per_nc,
            "nc_conc_molar": self.nc_conc_molar,
            "nc_conc_error": self.nc_conc_error,
            "units": self.units,
            "exciton_nm": self.exciton_nm,
            "ions_per_nc": self.ions_per_nc,
        }


# the demo's truth: interface-penalised nucleation, one step per host cation, a few doped NCs
DEMO_SIGMA = 10**-3.5
DEMO_MIDPOINT_PER_HOST = 1.15  # product half-exchanged at 1.15 Cu+ per host cation (15 % free)


def real_units_model(material: str, exciton_nm: float, nc_conc_molar: float, *, phase: str = "zincblende") -> SequentialModel:
    """The demo's truth for an NC sized from its exciton: ``nucleation`` with n = N, sigma = 10^-3.5
    and k placing the product midpoint at 1.15 N Cu+ per NC at ``nc_conc_molar``."""
    import math

    from cationx.cooperative.fits import _affinity_for_midpoint
    from cationx.cooperative.models import nucleation
    from cationx.spectra.sizing import host_cations_per_nc

    n = round(host_cations_per_nc(material, diameter_nm(material, exciton_nm), phase=phase))
    unit = nucleation(n, 1.0, DEMO_SIGMA)
    ln_k = _affinity_for_midpoint(unit, "product", 0.5, DEMO_MIDPOINT_PER_HOST * n, nc_conc_molar, 0.0)
    return nucleation(n, math.exp(ln_k), DEMO_SIGMA)


def _fraction(state: ExchangeState, name: str) -> np.ndarray:
    return state.observable(name)


def synthesize_titration(
    model: SequentialModel | None = None,
    *,
    additions: int = 20,
    max_ions_per_nc: float | None = None,
    material: str = "CdSe",
    exciton_nm: float = 590.0,
    exciton_absorbance: float = 0.3,
    path_length_cm: float = 1.0,
    start_volume_ml: float = 3.0,
    addition_volume_ul: float = 10.0,
    wavelength_nm: Sequence[float] | np.ndarray | None = None,
    pl_wavelength_nm: Sequence[float] | np.ndarray | None = None,
    product_absorbance_ref: float = 0.1,
    product_gap_ev: float = 1.2,
    host_pl_nm: float | None = None,
    defect_pl_ev: float = 1.6,
    defect_pl_width_ev: float = 0.15,
    host_pl_height: float = 1000.0,
    defect_pl_height: float = 300.0,
    noise: float = 0.002,
    pl_noise: float = 2.0,
    units: str = "molar",
    nc_conc_error: float = 1.0,
    exciton_tracks: str = "host",
    product_tracks: str = "product",
    reference_half_width_nm: float | None = None,
    rng: int | np.random.Generator | None = None,
) -> SyntheticTitration:
    """Synthesise a titration (see the module docstring).

    Parameters
    ----------
    model
        The exchange model (default, real units: :func:`real_units_model` for the sized NC;
        per-NC units: White et al. 2013 closed form, n = 20, K1 = 1e-2, alpha = 55).
    additions
        Number of equal additions (spectra = additions + 1).
    max_ions_per_nc
        Ions per NC after the last addition, as the analysis will compute them from the
        Beer-Lambert NC concentration (default 2.2 x the half-exchange point).
    units
        ``"molar"``: the equilibrium at the true NC concentration; ``"per_nc"``: NC
        concentration 1 M (the paper's units).
    nc_conc_error
        True NC concentration / the Beer-Lambert one (real units only).
    exciton_tracks, product_tracks
        The fractions the exciton height and the 1.82 eV band follow (see the module docstring).
    reference_half_width_nm
        The analysis setting written into the description: the window averaged at 1.82 eV
        (default 40 nm in real units, where the host does not absorb; 3 nm per-NC).
    """
    from cationx._validation import check_choice

    check_choice(units, "units", ("molar", "per_nc"))
    check_choice(exciton_tracks, "exciton_tracks", ("host", "unexchanged"))
    check_choice(product_tracks, "product_tracks", ("product", "exchanged"))
    err = check_positive(nc_conc_error, "nc_conc_error")
    if units == "per_nc" and err != 1.0:
        raise InputError("nc_conc_error applies to real units only")
    n_add = check_int(additions, "additions", minimum=2)
    rng = np.random.default_rng(rng)
    w = np.arange(400.0, 900.5, 1.0) if wavelength_nm is None else np.asarray(wavelength_nm, dtype=float)
    wp = np.arange(600.0, 900.5, 1.0) if pl_wavelength_nm is None else np.asarray(pl_wavelength_nm, dtype=float)
    # size the NC as a measurement would: from the apparent peak of the host spectrum (the
    # continuum under the exciton moves it ~0.6 nm to the blue of the Gaussian's centre)
    fine = np.arange(exciton_nm - 20.0, exciton_nm + 20.0, 0.005)
    h_fine = host_spectrum(fine, exciton_nm)
    apparent_nm = float(fine[np.argmax(h_fine)])
    d = diameter_nm(material, apparent_nm)
    eps = extinction_per_molar_cm(material, d)
    peak = exciton_absorbance * float(h_fine.max())
    c0 = check_positive(peak, "exciton_absorbance") / (eps * path_length_cm)
    c_true = c0 * err if units == "molar" else 1.0
    if model is not None:
        mdl = model
    elif units == "molar":
        mdl = real_units_model(material, apparent_nm, c_true)
    else:
        mdl = make_model("white2013", sites=20, k1=1e-2, alpha=55.0)
    # half exchange of the fraction the 1.82 eV band follows, in the stated (Beer-Lambert) units
    if product_tracks == "exchanged":
        t50_true = total_at_fraction_exchanged(mdl, 0.5, nc_conc_molar=c_true)
    else:
        t_full = total_at_fraction_exchanged(mdl, 0.999, nc_conc_molar=c_true)
        grid = np.linspace(0.0, t_full, 4001)
        prod = solve_titration(mdl, grid, nc_conc_molar=c_true).product_fraction
        t50_true = float(np.interp(0.5, prod, grid))
    scale = err if units == "molar" else 1.0  # stated ions per NC = true x (true / stated NC conc)
    t50 = t50_true * scale
    x_max = 2.2 * t50 if max_ions_per_nc is None else check_positive(max_ions_per_nc, "max_ions_per_nc")
    v0 = check_positive(start_volume_ml, "start_volume_ml")
    vol = check_positive(addition_volume_ul, "addition_volume_ul")
    vols = np.full(n_add, vol)
    titrant = x_max * c0 * v0 * 1e-3 / (n_add * vol * 1e-6)
    table = cumulative_ions_per_nc(vols, titrant, nc_conc_molar=c0, start_volume_ml=v0)
    x = table["ions_per_nc"].to_numpy()
    state = solve_titration(mdl, x / scale, nc_conc_molar=c_true)
    dil = 1.0 / table["volume_ratio"].to_numpy()
    h = host_spectrum(w, exciton_nm)
    p = product_spectrum(w, gap_ev=product_gap_ev)
    a_host = exciton_absorbance * h
    a_prod = check_nonnegative(product_absorbance_ref, "product_absorbance_ref") * p
    f_host = _fraction(state, exciton_tracks)
    f_prod = _fraction(state, product_tracks)
    absorb = dil[:, None] * (f_host[:, None] * a_host + f_prod[:, None] * a_prod)
    absorb = absorb + rng.normal(0.0, noise, absorb.shape) if noise > 0 else absorb
    hp = exciton_nm + 15.0 if host_pl_nm is None else host_pl_nm
    host_pl = np.exp(-0.5 * ((wp - hp) / 15.0) ** 2)
    e = nm_to_ev(wp)
    defect_e = np.exp(-0.5 * ((e - defect_pl_ev) / defect_pl_width_ev) ** 2)
    defect = defect_e * HC_EV_NM / wp**2  # per-nm density of a band Gaussian in energy
    defect = defect / defect.max()
    dop = state.dopants_per_nc / max(float(state.dopants_per_nc.max()), 1e-300)
    pl = dil[:, None] * (
        host_pl_height * state.fraction_host[:, None] * host_pl + defect_pl_height * dop[:, None] * defect
    )
    pl = pl + rng.normal(0.0, pl_noise, pl.shape) if pl_noise > 0 else pl
    labels = tuple(f"add{k:02d}" for k in range(n_add + 1))
    return SyntheticTitration(
        w, absorb, wp, pl, vols, float(titrant), v0, c0, path_length_cm, material, exciton_nm, x, state, mdl, t50, labels,
        units=units,
        reference_half_width_nm=(40.0 if units == "molar" else 3.0) if reference_half_width_nm is None else reference_half_width_nm,
        exciton_tracks=exciton_tracks,
        product_tracks=product_tracks,
        nc_conc_error=err,
    )


# moved to cationx.titration.demo (files belong to the titration workflow); old names kept as
# deprecated aliases
_MOVED = ("DEMO_NC_CONC_ERROR", "DEMO_SEED", "make_demo", "write_titration")
__getattr__ = moved_names("cationx.spectra.forward", {name: "cationx.titration.demo" for name in _MOVED})
