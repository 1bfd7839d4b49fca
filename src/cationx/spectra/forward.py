"""Forward model: realistic synthetic titrations from the cooperative exchange model.

Absorbance at addition k (Beer-Lambert, NCs diluted by the added volume)::

    A_k(l) = (V_0 / V_k) C_0 L [ f_unex,k eps(D) h(l) + f_ex,k eps_p p(l) ] + noise

- ``h``: host spectrum normalised to 1 at the first exciton (a Gaussian exciton of width
  ``exciton_width_nm`` on a continuum of higher transitions rising to the blue);
- ``p``: product (Cu2Se-like) band-to-band absorption ``(E - E_g)^1.5`` above the gap
  ``product_gap_ev``, normalised to 1 at the reference 1.82 eV, scaled so that full exchange
  gives ``product_absorbance_ref`` at 1.82 eV;
- the fractions ``f_unex`` (pure + doped host) and ``f_ex`` come from
  :func:`cationx.cooperative.solve_titration` at the cumulative ions per NC of the additions.

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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_int, check_nonnegative, check_positive
from cationx.cooperative.equilibrium import (
    ExchangeState,
    solve_titration,
    total_at_fraction_exchanged,
)
from cationx.cooperative.models import SequentialModel, make_model
from cationx.spectra.axes import HC_EV_NM, nm_to_ev
from cationx.spectra.sizing import cumulative_ions_per_nc, diameter_nm, extinction_per_molar_cm

__all__ = [
    "DEMO_SEED",
    "SyntheticTitration",
    "host_spectrum",
    "make_demo",
    "product_spectrum",
    "synthesize_titration",
    "write_titration",
]

DEMO_SEED = 2013


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

    def to_frame(self) -> pd.DataFrame:
        frame = self.state.to_frame()
        frame.insert(0, "label", list(self.labels))
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "half_exchange_ions_per_nc": self.half_exchange_ions_per_nc,
            "nc_conc_molar": self.nc_conc_molar,
            "exciton_nm": self.exciton_nm,
            "ions_per_nc": self.ions_per_nc,
        }


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
    fit_nc_conc: float = 1.0,
    rng: int | np.random.Generator | None = None,
) -> SyntheticTitration:
    """Synthesise a titration (see the module docstring).

    Parameters
    ----------
    model
        The exchange model (default: White et al. 2013 closed form, n = 20, K1 = 1e-2,
        alpha = 55, per-NC units).
    additions
        Number of equal additions (spectra = additions + 1).
    max_ions_per_nc
        Ions per NC after the last addition (default 2.2 x the half-exchange point).
    fit_nc_conc
        NC concentration used in the equilibrium (1 = per-NC units, as in the paper).
    """
    mdl = model if model is not None else make_model("white2013", sites=20, k1=1e-2, alpha=55.0)
    n_add = check_int(additions, "additions", minimum=2)
    rng = np.random.default_rng(rng)
    t50 = total_at_fraction_exchanged(mdl, 0.5, nc_conc_molar=fit_nc_conc)
    x_max = 2.2 * t50 if max_ions_per_nc is None else check_positive(max_ions_per_nc, "max_ions_per_nc")
    w = np.arange(400.0, 900.5, 1.0) if wavelength_nm is None else np.asarray(wavelength_nm, dtype=float)
    wp = np.arange(600.0, 900.5, 1.0) if pl_wavelength_nm is None else np.asarray(pl_wavelength_nm, dtype=float)
    d = diameter_nm(material, exciton_nm)
    eps = extinction_per_molar_cm(material, d)
    c0 = check_positive(exciton_absorbance, "exciton_absorbance") / (eps * path_length_cm)
    v0 = check_positive(start_volume_ml, "start_volume_ml")
    vol = check_positive(addition_volume_ul, "addition_volume_ul")
    vols = np.full(n_add, vol)
    titrant = x_max * c0 * v0 * 1e-3 / (n_add * vol * 1e-6)
    table = cumulative_ions_per_nc(vols, titrant, nc_conc_molar=c0, start_volume_ml=v0)
    x = table["ions_per_nc"].to_numpy()
    state = solve_titration(mdl, x, nc_conc_molar=fit_nc_conc)
    dil = 1.0 / table["volume_ratio"].to_numpy()
    h = host_spectrum(w, exciton_nm)
    p = product_spectrum(w, gap_ev=product_gap_ev)
    a_host = exciton_absorbance * h
    a_prod = check_nonnegative(product_absorbance_ref, "product_absorbance_ref") * p
    absorb = dil[:, None] * (state.fraction_unexchanged[:, None] * a_host + state.fraction_exchanged[:, None] * a_prod)
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
        w, absorb, wp, pl, vols, float(titrant), v0, c0, path_length_cm, material, exciton_nm, x, state, mdl, t50, labels
    )


def write_titration(syn: SyntheticTitration, folder: str | Path, *, digits: int = 6, name: str = "titration") -> Path:
    """Write the spectra as generic CSV files and a TOML description into ``folder``; returns the TOML path."""
    from cationx.io.write import atomic_write_text

    out = Path(folder)
    fmt = f"%.{digits}g"
    abs_frame = pd.DataFrame(syn.absorbance.T, columns=list(syn.labels))
    abs_frame.insert(0, "wavelength_nm", syn.wavelength_nm)
    pl_frame = pd.DataFrame(syn.pl.T, columns=list(syn.labels))
    pl_frame.insert(0, "wavelength_nm", syn.pl_wavelength_nm)
    atomic_write_text(out / f"{name}_absorbance.csv", abs_frame.to_csv(index=False, float_format=fmt))
    atomic_write_text(out / f"{name}_pl.csv", pl_frame.to_csv(index=False, float_format=fmt))
    vols = ", ".join(f"{v:g}" for v in syn.volumes_ul)
    m = syn.model
    toml = f"""# Synthetic titration made by cationx.spectra.forward (model: {m.name}, n = {m.sites}).
# Truth: half exchange at {syn.half_exchange_ions_per_nc:.6g} ions per NC.
title = "Synthetic CdSe + Cu+ titration"

[sample]
material = "{syn.material}"
phase = "zincblende"
path_length_cm = {syn.path_length_cm:g}
start_volume_ml = {syn.start_volume_ml:g}

[titrant]
ion = "Cu+"
concentration_molar = {syn.titrant_molar:.8g}

[additions]
volumes_ul = [{vols}]

[absorbance]
file = "{name}_absorbance.csv"

[pl]
file = "{name}_pl.csv"

[processing]
dilution_correction = true

[fit]
model = "{m.name if m.name in ("white2013", "ladder", "independent", "mwc") else "white2013"}"
sites = {m.sites}
ions_per_site = {m.ions_per_site}
"""
    return atomic_write_text(out / f"{name}.toml", toml)


def make_demo(folder: str | Path) -> Path:
    """Write the bundled demo titration (``cationx/data/demo``) into ``folder``; returns the TOML.

    White et al. 2013 closed form (n = 20, K1 = 1e-2, alpha = 55, per-NC units), 20 additions
    of 10 uL into 3.0 mL, CdSe with its first exciton at 590 nm, absorbance 400-900 nm and
    PL 600-900 nm on 2 nm steps, seed :data:`DEMO_SEED`.
    """
    syn = synthesize_titration(
        wavelength_nm=np.arange(400.0, 900.5, 2.0),
        pl_wavelength_nm=np.arange(600.0, 900.5, 2.0),
        rng=DEMO_SEED,
    )
    return write_titration(syn, folder, digits=5, name="demo")
