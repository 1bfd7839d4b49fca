"""The whole titration analysis: files -> corrected spectra -> fractions -> fits.

:func:`analyze_titration` takes a :class:`~cationx.titration.TitrationDescription` and

1. reads the absorbance (and PL) series, checks one spectrum per addition plus the start,
   checks a common wavelength axis, flags saturated points;
2. subtracts a baseline (pybaselines) if asked, and corrects for dilution if asked
   (spectra multiplied by total volume / start volume);
3. sizes the NCs (Yu et al. 2003) from the first-exciton wavelength of the first spectrum
   (or the given one) and gets the NC concentration by Beer-Lambert, then the cumulative
   ions per NC of every addition (000 Supplementary Table S2);
4. applies the 000 product correction at 1.82 eV and computes the unexchanged (exciton)
   and exchanged (1.82 eV) fractions; tracks the exciton; finds isosbestic points and
   the SVD rank;
5. applies the 000 PL correction at 650 nm and integrates the defect band;
6. fits the exchanged fraction with the sequential model (``[fit] model``), the Hill
   equation against total ions and against the free ions the fitted model implies, all
   through :mod:`cationx.cooperative.fits`, and compares the defect PL with the fitted
   model's dopant population (least-squares scale and correlation).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx.errors import CationxError, InputError
from cationx.fitting import FitResult
from cationx.io.spectra import read_spectra
from cationx.spectra.baseline import baseline
from cationx.spectra.correction import (
    AbsorbanceCorrection,
    PLCorrection,
    correct_absorbance,
    correct_pl,
    value_at,
)
from cationx.spectra.exciton import find_exciton, saturated_mask, saturated_ranges
from cationx.spectra.isosbestic import IsosbesticPoint, SVDRank, find_isosbestic, svd_rank
from cationx.spectra.sizing import Sizing, cumulative_ions_per_nc, size_from_exciton
from cationx.spectra.spectrum import Spectrum, SpectrumSet
from cationx.titration.description import TitrationDescription

__all__ = ["TitrationAnalysis", "analyze_titration", "select_series"]


@dataclass(frozen=True, slots=True)
class TitrationAnalysis:
    """Everything the analysis produced; ``table`` has one row per spectrum."""

    title: str
    description: TitrationDescription
    wavelength_nm: np.ndarray
    absorbance: np.ndarray  # after baseline and dilution correction
    valid: np.ndarray  # False where saturated
    labels: tuple[str, ...]
    product: np.ndarray
    correction: AbsorbanceCorrection
    sizing: Sizing
    additions: pd.DataFrame
    table: pd.DataFrame
    isosbestic: tuple[IsosbesticPoint, ...]
    svd: SVDRank
    pl: PLCorrection | None
    pl_raw: np.ndarray | None
    fits: dict[str, FitResult]
    model_curve: pd.DataFrame | None  # fitted sequential model on a fine grid of ions per NC
    half_exchange_ions_per_nc: float | None
    defect_vs_dopants: dict[str, float] | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def fit_table(self) -> pd.DataFrame:
        rows = []
        for name, res in self.fits.items():
            for pname, p in res.params.items():
                rows.append(
                    {
                        "fit": name,
                        "parameter": pname,
                        "value": p.value,
                        "stderr": p.stderr,
                        "ci_low": p.ci_low,
                        "ci_high": p.ci_high,
                        "ci_method": res.ci_method,
                        "r2": res.r2,
                        "aic": res.aic,
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "spectra": len(self.labels),
            "sizing": self.sizing.to_dict(),
            "half_exchange_ions_per_nc": self.half_exchange_ions_per_nc,
            "isosbestic_points": [p.to_dict() for p in self.isosbestic],
            "svd": self.svd.to_dict(),
            "svd_rank": self.svd.rank,
            "fits": {k: v.to_dict(arrays=False) for k, v in self.fits.items()},
            "defect_vs_dopants": self.defect_vs_dopants,
            "ions_per_nc": self.table["ions_per_nc"].to_numpy(),
            "fraction_exchanged": self.table["fraction_exchanged"].to_numpy(),
            "fraction_unexchanged": self.table["fraction_unexchanged"].to_numpy(),
            "table": _columns(self.table),
            "notes": list(self.notes),
        }


def _columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Column -> list with missing values as None (strict JSON)."""
    clean = frame.astype(object).where(pd.notna(frame), None)
    return {str(c): clean[c].tolist() for c in clean.columns}


def load_series(desc: TitrationDescription, spec: Any) -> SpectrumSet:
    """The spectra of one series: every spectrum of ``file``, or the first of each of ``files``."""
    if spec.file is not None:
        return read_spectra(desc.path(spec.file), format=spec.format)
    parts = []
    for name in spec.files:
        got = read_spectra(desc.path(name), format=spec.format)
        if len(got) != 1:
            raise InputError(f"{name} holds {len(got)} spectra; with files = [...] each file must hold one")
        s = got[0]
        parts.append(Spectrum(Path(name).stem, s.x, s.y, s.x_unit, s.y_unit))
    return SpectrumSet(got.format, ", ".join(spec.files), tuple(parts), {})


def select_series(data: SpectrumSet, labels: list[str] | None, what: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The chosen spectra (all, or by label in the given order) on their common axis."""
    if labels is None:
        chosen = list(data.spectra)
    else:
        chosen = [data[lab] for lab in labels]
    sub = SpectrumSet(data.format, data.source, tuple(chosen), data.metadata)
    if len(sub) < 3:
        raise InputError(f"{what} needs at least 3 spectra (start, additions, end); {data.source} has {len(sub)}")
    x, y = sub.matrix()
    return x, y, [s.label for s in chosen]


def _product(desc: TitrationDescription, data: SpectrumSet, w: np.ndarray, y: np.ndarray, labels: list[str]) -> np.ndarray:
    spec = desc.absorbance
    if spec.product_file:
        prod_set = read_spectra(desc.path(spec.product_file))
        s = prod_set[0]
        if s.x[0] > w[0] or s.x[-1] < w[-1]:
            raise InputError(
                f"the product spectrum covers {s.x[0]:g}-{s.x[-1]:g} nm, less than the series' {w[0]:g}-{w[-1]:g} nm"
            )
        return np.interp(w, s.x, s.y)
    if spec.product == "last":
        return y[-1].copy()
    if spec.product in labels:
        return y[labels.index(spec.product)].copy()
    s = data[spec.product]
    if s.x.shape != w.shape or not np.allclose(s.x, w):
        raise InputError(f"product spectrum {spec.product!r} is not on the series' wavelength axis")
    return s.y.copy()


def analyze_titration(desc: TitrationDescription, *, rng: int | np.random.Generator | None = 0) -> TitrationAnalysis:
    """Run the analysis described in the module docstring."""
    proc = desc.processing
    notes: list[str] = []
    data = load_series(desc, desc.absorbance)
    w, raw, labels = select_series(data, desc.absorbance.spectra, "the absorbance series")
    n_add = len(desc.additions.volumes_ul)
    if raw.shape[0] != n_add + 1:
        raise InputError(
            f"{raw.shape[0]} absorbance spectra but {n_add} additions: give one addition per spectrum "
            "after the first (the first spectrum is before any addition)"
        )
    valid = np.vstack([~saturated_mask(row, reliable_max=proc.reliable_max_absorbance) for row in raw])
    if (~valid).any():
        notes.append(
            f"{int((~valid).any(axis=1).sum())} spectrum/spectra have saturated points; they are kept out of every fit"
        )
    y = raw.copy()
    if proc.baseline != "none":
        for k in range(y.shape[0]):
            y[k] = y[k] - baseline(w, y[k], proc.baseline, window=proc.baseline_window_nm)

    # sizing and concentration from the first spectrum
    s = desc.sample
    first_ok = valid[0]
    if s.exciton_nm is not None:
        ex_nm = s.exciton_nm
    elif s.diameter_nm is not None:
        ex_nm = _wavelength_for_diameter(s.material, s.diameter_nm)
    else:
        ex = find_exciton(w, y[0], window_nm=proc.exciton_window_nm, reliable_max=proc.reliable_max_absorbance, material=s.material)
        if not ex.found:
            raise InputError(f"no first exciton in the first spectrum ({ex.reason}); give [sample] exciton_nm")
        ex_nm = float(ex.wavelength_nm)  # type: ignore[arg-type]
    if not first_ok[np.argmin(np.abs(w - ex_nm))]:
        raise InputError(f"the first spectrum is saturated at its exciton ({ex_nm:.1f} nm)")
    a_ex = float(value_at(w, y[0], ex_nm)[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sizing = size_from_exciton(
            s.material,
            ex_nm,
            wavelength_uncertainty_nm=s.exciton_uncertainty_nm,
            phase=s.phase,
            density=s.density_g_cm3,
            absorbance=a_ex if a_ex > 0 else None,
            path_length_cm=s.path_length_cm,
        )
    notes.extend(str(c.message) for c in caught)
    nc_conc = s.nc_conc_molar if s.nc_conc_molar is not None else sizing.nc_conc_molar
    if nc_conc is None:
        raise InputError("cannot get the NC concentration (exciton absorbance <= 0); give [sample] nc_conc_molar")
    additions = cumulative_ions_per_nc(
        desc.additions.volumes_ul,
        desc.addition_concentrations(),
        nc_conc_molar=nc_conc,
        start_volume_ml=s.start_volume_ml,
        dilution=proc.dilution_correction,
    )
    ratio = additions["volume_ratio"].to_numpy()
    if not proc.dilution_correction and ratio[-1] > 1.1:
        notes.append(
            f"the volume grew by {100 * (ratio[-1] - 1):.0f}% over the titration; consider dilution_correction = true"
        )
    y = y * additions["dilution_factor"].to_numpy()[:, None]
    # the product spectrum comes from the processed series (or its own file, baseline applied)
    product = _product(desc, data, w, y, labels)
    if desc.absorbance.product_file and proc.baseline != "none":
        product = product - baseline(w, product, proc.baseline, window=proc.baseline_window_nm)
    x_ions = additions["ions_per_nc"].to_numpy()

    # excitons per spectrum, product correction, fractions
    ex_rows = [
        find_exciton(w, y[k], window_nm=proc.exciton_window_nm, reliable_max=proc.reliable_max_absorbance, material=s.material)
        for k in range(y.shape[0])
    ]
    correction = correct_absorbance(
        w, y, product, exciton_nm=ex_nm, reference_ev=proc.reference_ev, ref_half_width_nm=proc.reference_half_width_nm, valid=valid
    )
    if proc.exciton == "tracked":
        tracked = np.array(
            [
                e.wavelength_nm
                if (e := find_exciton(w, correction.corrected[k], window_nm=(ex_nm - 30, ex_nm + 30), material=s.material)).found
                else ex_nm
                for k in range(y.shape[0])
            ]
        )
        correction = correct_absorbance(w, y, product, exciton_nm=tracked, reference_ev=proc.reference_ev, ref_half_width_nm=proc.reference_half_width_nm, valid=valid)
    iso = tuple(find_isosbestic(w, y, window_nm=proc.isosbestic_window_nm, valid=valid))
    rank = svd_rank(y, valid=valid)
    if rank.rank != 2:
        notes.append(
            f"the SVD finds {rank.rank} significant component(s), not 2: the two-species picture behind the "
            "fractions is not supported by the spectra alone"
        )

    table = pd.DataFrame(
        {
            "label": labels,
            "volume_ul": additions["volume_ul"],
            "ions_per_nc": x_ions,
            "volume_ratio": ratio,
            "exciton_nm": [e.wavelength_nm for e in ex_rows],
            "exciton_kind": [e.kind for e in ex_rows],
            "exciton_height": [e.height for e in ex_rows],
            "saturated_ranges_nm": [
                "; ".join(f"{a:g}-{b:g}" for a, b in saturated_ranges(w, raw[k], reliable_max=proc.reliable_max_absorbance))
                for k in range(raw.shape[0])
            ],
            "absorbance_ref": correction.scale
            * float(value_at(w, product, correction.reference_nm, half_width_nm=proc.reference_half_width_nm)[0]),
            "corrected_exciton_nm": correction.exciton_nm,
            "corrected_exciton_height": correction.exciton_height,
            "fraction_unexchanged": correction.fraction_unexchanged,
            "fraction_exchanged": correction.fraction_exchanged,
        }
    )

    # PL
    pl_corr = None
    pl_raw = None
    if desc.pl is not None:
        pdata = load_series(desc, desc.pl)
        wp, pl_raw, _ = select_series(pdata, desc.pl.spectra, "the PL series")
        if pl_raw.shape[0] != y.shape[0]:
            raise InputError(f"{pl_raw.shape[0]} PL spectra but {y.shape[0]} absorbance spectra: they must pair up")
        pl_y = pl_raw * additions["dilution_factor"].to_numpy()[:, None]
        pl_corr = correct_pl(wp, pl_y, pl_y[0], reference_nm=proc.pl_reference_nm, band_nm=proc.pl_band_nm)
        table["defect_pl"] = pl_corr.defect_integral

    noise = _spectral_noise(y, valid)
    fits, curve, dense, t50, cmp = _fits(
        desc, table, nc_conc, sizing.host_cations_per_nc, notes, rng, noise, sizing.host_cations_uncertainty or 0.0
    )
    if curve is not None:
        for col in (
            "fraction_exchanged", "product_fraction", "fraction_host", "fraction_unexchanged", "dopants_per_nc",
            "free_ions_per_nc", "bound_fraction",
        ):
            table[f"model_{col}"] = curve[col].to_numpy()
        last = float(curve["product_fraction" if desc.fit.observable == "product" else "fraction_exchanged"].iloc[-1])
        if desc.absorbance.product == "last" and not desc.absorbance.product_file and last < 0.98:
            notes.append(
                f"the fitted model puts the last spectrum at {100 * last:.1f}% exchanged, but it defines 100% "
                "exchange (000) and is the product spectrum: the fractions are biased; titrate further "
                "or give a fully exchanged product_file"
            )
    return TitrationAnalysis(
        title=desc.title,
        description=desc,
        wavelength_nm=w,
        absorbance=y,
        valid=valid,
        labels=tuple(labels),
        product=product,
        correction=correction,
        sizing=sizing,
        additions=additions,
        table=table,
        isosbestic=iso,
        svd=rank,
        pl=pl_corr,
        pl_raw=pl_raw,
        fits=fits,
        model_curve=dense,
        half_exchange_ions_per_nc=t50,
        defect_vs_dopants=cmp,
        notes=tuple(notes),
    )


def _wavelength_for_diameter(material: str, diameter: float) -> float:
    from scipy.optimize import brentq

    from cationx.spectra.sizing import _POLY, VALID_NM

    lo, hi = VALID_NM[material]
    lo, hi = lo - 100, hi + 100
    f = lambda lam: float(np.polyval(_POLY[material], lam)) - diameter  # noqa: E731
    if f(lo) * f(hi) > 0:
        raise InputError(f"diameter_nm = {diameter} is outside what the {material} sizing curve covers")
    return float(brentq(f, lo, hi))


def _spectral_noise(y: np.ndarray, valid: np.ndarray) -> float:
    """Absorbance noise of the series: the robust scale of second differences along wavelength
    (variance 6 sigma^2 for white noise), median over the spectra."""
    from cationx._noise import noise_second_differences

    vals = [noise_second_differences(row[ok]) for row, ok in zip(y, valid, strict=True) if ok.sum() >= 12]
    return float(np.median(vals)) if vals else 0.0


def _fits(
    desc: TitrationDescription,
    table: pd.DataFrame,
    nc_conc: float,
    host_cations: float,
    notes: list[str],
    rng: Any,
    noise: float = 0.0,
    host_uncertainty: float = 0.0,
) -> tuple[
    dict[str, FitResult], pd.DataFrame | None, pd.DataFrame | None, float | None, dict[str, float] | None
]:
    """Sequential fit (real units: n = N/h from sizing, the NC concentration as a nuisance factor,
    the 1.82 eV fraction as product material and, optionally, the exciton fraction as pristine
    NCs in one global fit), Hill on totals and on the free ions the fitted model implies, and the
    defect PL against the fitted dopant population."""
    from cationx.cooperative import solve_titration
    from cationx.cooperative.equilibrium import first_crossing
    from cationx.cooperative.fits import Titration, fit_hill, fit_sequential, model_from_fit

    f = desc.fit
    molar = f.units == "molar"
    c_fit = nc_conc if molar else 1.0
    x = table["ions_per_nc"].to_numpy()
    y = table["fraction_exchanged"].to_numpy()
    h = f.host_per_site
    if f.sites is not None:
        sites = f.sites
        if molar and abs(sites * h - host_cations) > max(h / 2.0, host_uncertainty, 0.5):
            raise InputError(
                f"[fit] sites x host_per_site = {sites * h} host cations, but sizing gives {host_cations:.0f} "
                f"+- {host_uncertainty:.0f}: in molar units n is fixed by stoichiometry (leave sites out, or use "
                "units = \"per_nc\" for the paper's model)"
            )
    elif molar:
        sites = max(1, round(host_cations / h))
    else:
        sites = 20
    fits: dict[str, FitResult] = {}
    # each fraction is scaled to 100 % on one spectrum (the last at 1.82 eV, the first at the
    # exciton): its noise makes a common scale error, fitted with this prior
    if f.fraction_scale_sd is not None:
        sd_prod = sd_exc = f.fraction_scale_sd or None
    else:
        ref = float(np.nanmax(table["absorbance_ref"].to_numpy()))
        exc0 = float(table["corrected_exciton_height"].iloc[0])
        sd_prod = max(0.002, math.sqrt(2.0) * noise / ref) if ref > 0 else None
        sd_exc = max(0.002, math.sqrt(2.0) * noise / exc0) if exc0 > 0 else None
    data = [
        Titration.from_arrays(x, y, nc_conc_molar=c_fit, label="1.82 eV", observable=f.observable, scale_sd=sd_prod)
    ]
    if f.exciton_observable != "none":
        data.append(
            Titration.from_arrays(
                x, table["fraction_unexchanged"].to_numpy(), nc_conc_molar=c_fit, label="exciton",
                observable=f.exciton_observable, scale_sd=sd_exc,
            )
        )
    seq_kwargs: dict[str, Any] = {"host_per_site": h, "ions_per_host": f.ions_per_host, "ci": f.ci, "rng": rng}
    if molar:
        seq_kwargs.update(host_cations=sites * h, nc_conc_rel_sd=f.nc_conc_rel_sd or None, nc_factor_shared=True)
        if sites * h != round(host_cations):
            notes.append(f"n = {sites} steps of h = {h} hold {sites * h} host cations (sizing: {host_cations:.0f})")
    else:
        seq_kwargs["sites"] = sites
        notes.append(
            "fit in per-NC units (the paper's toy: NC concentration 1 M); the constants have no molar meaning "
            "and the mass balance of the real NC is not checked"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            seq = fit_sequential(data if len(data) > 1 else data[0], f.model, **seq_kwargs)
            fits[f.model] = seq
        except CationxError as exc:
            notes.append(f"{f.model} fit failed: {exc}")
            seq = None
        try:
            hill_data = Titration.from_arrays(x, y, nc_conc_molar=c_fit, label=desc.title)
            fits["hill_total"] = fit_hill(
                hill_data, against="total", sites=sites * h, ions_per_site=f.ions_per_host, ci=f.hill_ci, rng=rng
            )
        except CationxError as exc:
            notes.append(f"Hill fit (total) failed: {exc}")
    notes.extend(sorted({str(c.message) for c in caught}))
    if seq is None:
        return fits, None, None, None, None
    if not seq.converged:
        notes.append(f"the {f.model} fit is not trustworthy: " + "; ".join(seq.warnings))
    model = model_from_fit(seq)
    factor = 10.0 ** seq.params["log10_nc_conc_factor"].value if "log10_nc_conc_factor" in seq.params else 1.0
    # the fitted model at the stated ions per NC (the NC-concentration factor maps them to true ones)
    state = solve_titration(model, x / factor, nc_conc_molar=c_fit * factor)
    curve = state.to_frame()
    grid = np.linspace(0.0, 1.02 * float(x.max()), 200)
    dense_state = solve_titration(model, grid / factor, nc_conc_molar=c_fit * factor)
    dense = dense_state.to_frame()
    dense["total_ions_per_nc"] = grid
    dense["feasibility_bound"] = np.minimum(1.0, grid / (f.ions_per_host * model.host_cations))
    t50 = first_crossing(grid, dense["product_fraction" if f.observable == "product" else "fraction_exchanged"].to_numpy())
    free = state.free_ions_per_nc * factor
    pos = free > 0
    if pos.sum() >= 4:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fits["hill_free"] = fit_hill(
                    Titration.from_arrays(free[pos], y[pos], label=desc.title), against="free", ci=f.hill_ci, rng=rng
                )
            notes.append("Hill on free ions uses the free-ion amounts of the fitted sequential model (not measured)")
        except (CationxError, ValueError) as exc:
            notes.append(f"Hill fit (free) failed: {exc}")
    cmp = None
    if "defect_pl" in table:
        d = table["defect_pl"].to_numpy()
        m = state.dopants_per_nc
        if np.ptp(m) > 0 and np.ptp(d) > 0:
            scale = float(np.dot(m, d) / np.dot(m, m))
            r = float(np.corrcoef(m, d)[0, 1])
            x_peak_pl = float(x[int(np.argmax(d))])
            x_peak_model = float(x[int(np.argmax(m))])
            cmp = {
                "scale_pl_per_dopant": scale,
                "correlation": r,
                "pl_peak_ions_per_nc": x_peak_pl,
                "model_peak_ions_per_nc": x_peak_model,
            }
            table["defect_pl_model"] = scale * m
    return fits, curve, dense, t50, cmp


