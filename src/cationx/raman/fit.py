"""Global peak fit across replicate Raman spectra, through :func:`cationx.fitting.fit_global`.

Every replicate spectrum of one sample is fitted at once with the same set of bands.
Each band has per-spectrum centre, FWHM and height; ``share="width"`` ties the FWHM of
a band across the replicates (one width, per-spectrum positions: the usual choice when
the replicates come from one instrument setting), ``share="position"`` ties the centres
(one position with its standard error, per-spectrum widths), ``share="none"`` ties
nothing (equivalent to separate fits, but in one report).  For ``voigt`` and ``pvoigt``
the Lorentzian fraction of each band is one shared parameter.

Background, per spectrum, before the fit window is cut:

- ``linear`` (default): an offset and a slope fitted with the bands, inside the window;
- ``asls``, ``arpls``, ``modpoly``: a pybaselines baseline of the whole spectrum
  (through :func:`cationx.spectra.baseline.baseline`), subtracted and held fixed;
- ``none``.

Line shapes come from :mod:`cationx.xps.lineshapes` (centre, height, FWHM):
``lorentz``; ``pvoigt`` = ``(1 - eta) G + eta L`` with one FWHM (``sgl`` there);
``voigt`` = the convolution with Lorentzian width ``eta x FWHM`` and the Gaussian width
that keeps the total FWHM (Olivero-Longbothum).

Standard errors are from the covariance matrix scaled by the reduced chi-square
(:mod:`cationx.fitting`, Wald).  The replicate statistics (mean +/- SD of the per-spectrum
centres) measure the spread between spots or acquisitions, which is what 001 Fig. 5
plots as error bars; the fit standard error measures the noise of one spectrum.

Quality checks: ``converged`` is False and ``warnings`` says why when R^2 < 0, a free
parameter sits at a bound, a standard error is missing, or a standard error exceeds the
value (heights and widths).  Each warning is also raised as a
:class:`~cationx.errors.ConvergenceWarning`.

Strain: with ``reference_cm1`` the band ``strain_peak`` is converted to a lattice strain by
:func:`cationx.physics.strain.strain_from_raman` (Grueneisen relation, White et al. 2017
eq. 2), per replicate and at the replicate mean.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from cationx._validation import (
    as_1d_array,
    check_choice,
    check_int,
    check_matching_lengths,
    check_positive,
)
from cationx.errors import ConvergenceWarning, InputError
from cationx.fitting import Dataset, Parameters, check_fit_options, fit_global
from cationx.raman.despike import despike
from cationx.raman.result import RamanFit
from cationx.raman.strain import replicate_strain
from cationx.xps.lineshapes import peak, unit_area

__all__ = ["BASELINES", "SHAPES", "SHARE", "RamanFit", "fit_replicates"]

SHAPES = ("lorentz", "voigt", "pvoigt")
SHARE = ("none", "width", "position")
SUBTRACTED_BASELINES = ("asls", "arpls", "modpoly")  # pybaselines, via cationx.spectra.baseline
BASELINES = ("linear", "none", *SUBTRACTED_BASELINES)
_XPS_SHAPE = {"lorentz": "lorentz", "voigt": "voigt", "pvoigt": "sgl"}
_MAX_INTENSITY = 1e100


def _prepare(x_in: Any, y_in: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = as_1d_array(x_in, f"{name} raman_shift_cm1", min_length=5)
    y = as_1d_array(y_in, f"{name} intensity", min_length=5)
    check_matching_lengths([x, y], [f"{name} raman_shift_cm1", f"{name} intensity"])
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    if np.any(np.diff(x) == 0):
        raise InputError(f"{name}: Raman shift values repeat; the axis must be monotonic")
    big = float(np.max(np.abs(y)))
    if big > _MAX_INTENSITY:
        raise InputError(f"{name}: intensities up to {big:.3g} exceed {_MAX_INTENSITY:g} in magnitude; rescale the data "
                         "(the optimiser's bounded parameters overflow)")
    return x, y


def fit_replicates(
    spectra: Sequence[tuple[Any, Any]],
    peaks_cm1: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    sample: str = "sample",
    window_cm1: tuple[float, float] | None = None,
    shape: str = "lorentz",
    share: str = "none",
    baseline: str = "linear",
    remove_spikes: bool = False,
    spike_threshold: float = 6.0,
    fwhm_cm1: float = 10.0,
    max_shift_cm1: float = 20.0,
    reference_cm1: float | None = None,
    gruneisen: float | None = None,
    strain_peak: int = 0,
    baseline_options: dict[str, Any] | None = None,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> RamanFit:
    """Fit bands near ``peaks_cm1`` in every spectrum of ``spectra`` at once (see the module docstring).

    Parameters
    ----------
    spectra
        ``(raman_shift_cm1, intensity)`` pairs, one per replicate (any order of shifts).
    peaks_cm1
        Approximate band centres; each centre may move by at most ``max_shift_cm1``.
    window_cm1
        ``(lo, hi)`` range fitted (default: nominal centres +/- 5 ``fwhm_cm1`` and 2 ``max_shift_cm1``).
    shape, share, baseline
        One of :data:`SHAPES`, :data:`SHARE`, :data:`BASELINES`.
    remove_spikes, spike_threshold
        Whitaker-Hayes despiking (:func:`cationx.raman.despike.despike`) before anything else.
    fwhm_cm1
        Starting FWHM of every band.
    reference_cm1, gruneisen, strain_peak
        Phonon frequency of the unstrained reference, mode Grueneisen parameter (default 1.1,
        001's LO phonon of Cu2Se) and the band (0-based) converted to strain.
    baseline_options
        Passed to the pybaselines method (e.g. ``{"lam": 1e5}``).
    ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`); default Wald (``stderr``).
        Replicate spectra carry no per-point uncertainties, so there is no ``sigma``: the
        noise is estimated from the residuals.
    """
    check_fit_options(ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    check_choice(shape, "shape", SHAPES)
    check_choice(share, "share", SHARE)
    check_choice(baseline, "baseline", BASELINES)
    if not spectra:
        raise InputError("at least one spectrum is needed")
    centres = [float(c) for c in peaks_cm1]
    if not centres:
        raise InputError("peaks_cm1 needs at least one band position")
    for c in centres:
        if not math.isfinite(c) or c <= 0:
            raise InputError(f"peaks_cm1 must be positive finite Raman shifts, got {c!r}")
    w0 = check_positive(fwhm_cm1, "fwhm_cm1")
    dmax = check_positive(max_shift_cm1, "max_shift_cm1")
    close: list[str] = []
    for a_i, a in enumerate(centres):
        for b in centres[a_i + 1 :]:
            if abs(a - b) < 0.5 * w0:
                raise InputError(f"peaks_cm1 {a:g} and {b:g} are closer than half the starting FWHM ({w0:g} cm-1): "
                                 "the split between them is undetermined; give each band once")
            if abs(a - b) < w0:
                close.append(f"bands at {a:g} and {b:g} cm-1 are closer than the starting FWHM ({w0:g} cm-1): their "
                             "split is poorly determined (give a smaller fwhm_cm1 if they are resolved)")
    sp = check_int(strain_peak, "strain_peak", minimum=0)
    if sp >= len(centres):
        raise InputError(f"strain_peak = {sp} but only {len(centres)} band(s) are fitted (0-based)")
    labs = list(labels) if labels is not None else [f"spectrum {k}" for k in range(len(spectra))]
    if len(labs) != len(spectra):
        raise InputError(f"labels has {len(labs)} names for {len(spectra)} spectra")
    if window_cm1 is None:
        lo = min(centres) - 5 * w0 - 2 * dmax
        hi = max(centres) + 5 * w0 + 2 * dmax
    else:
        lo, hi = float(window_cm1[0]), float(window_cm1[1])
        if not lo < hi:
            raise InputError(f"window_cm1 must have lo < hi, got {lo:g}:{hi:g}")
    for c in centres:
        if not lo <= c <= hi:
            raise InputError(f"peak {c:g} cm-1 lies outside the window {lo:g}:{hi:g} cm-1")

    xs, ys, fixed, spikes = [], [], [], []
    for (xin, yin), lab in zip(spectra, labs, strict=True):
        x, y = _prepare(xin, yin, lab)
        s = None
        if remove_spikes:
            s = despike(x, y, threshold=spike_threshold)
            y = s.y
        spikes.append(s)
        if baseline in SUBTRACTED_BASELINES:
            from cationx.spectra.baseline import baseline as pyb

            base = pyb(x, y, baseline, **(baseline_options or {}))
        else:
            base = np.zeros_like(y)
        sel = (x >= lo) & (x <= hi)
        if not sel.any():
            raise InputError(f"{lab}: the window {lo:g}:{hi:g} cm-1 lies outside the data ({x[0]:g}-{x[-1]:g} cm-1)")
        xs.append(x[sel])
        ys.append(y[sel] - base[sel])
        fixed.append(base[sel])
    nb = 2 if baseline == "linear" else 0
    npk = len(centres)
    for x, lab in zip(xs, labs, strict=True):
        if x.size < 3 * npk + nb + 3:
            raise InputError(f"{lab}: {x.size} point(s) in the window {lo:g}:{hi:g} cm-1 are too few for {npk} band(s)")

    xm = 0.5 * (lo + hi)
    params = Parameters()
    for j in range(npk):
        if shape != "lorentz":
            params.add(f"p{j}_mix", value=0.5, min=0.0, max=1.0)
    for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
        n_end = max(1, min(3, x.size // 10))
        y_lo, y_hi = float(np.mean(y[:n_end])), float(np.mean(y[-n_end:]))
        line = y_lo + (y_hi - y_lo) * (x - x[0]) / (x[-1] - x[0])
        net = y - line if baseline == "linear" else y
        dx = float(np.median(np.diff(x)))
        for j, c in enumerate(centres):
            near = np.abs(x - c) <= min(dmax, w0)
            c0 = float(x[near][np.argmax(net[near])]) if near.any() else c
            h0 = max(float(net[near].max()) if near.any() else float(net.max()), 1e-12 * max(1.0, float(np.abs(y).max())))
            cmin, cmax = max(lo, c - dmax), min(hi, c + dmax)
            if share == "position" and k > 0:
                params.add(f"p{j}_center_{k}", expr=f"p{j}_center_0")
            else:
                params.add(f"p{j}_center_{k}", value=min(max(c0, cmin), cmax), min=cmin, max=cmax)
            if share == "width" and k > 0:
                params.add(f"p{j}_fwhm_{k}", expr=f"p{j}_fwhm_0")
            else:
                params.add(f"p{j}_fwhm_{k}", value=w0, min=max(0.5 * dx, 1e-6), max=hi - lo)
            params.add(f"p{j}_height_{k}", value=h0, min=0.0)
        if baseline == "linear":
            params.add(f"b0_{k}", value=0.5 * (y_lo + y_hi))
            params.add(f"b1_{k}", value=(y_hi - y_lo) / (x[-1] - x[0]))

    xshape = _XPS_SHAPE[shape]

    def model(v: Any, k: int, x: np.ndarray) -> np.ndarray:
        out = np.zeros_like(x)
        for j in range(npk):
            mix = v[f"p{j}_mix"] if shape != "lorentz" else 1.0
            out = out + peak(x, v[f"p{j}_center_{k}"], v[f"p{j}_height_{k}"], v[f"p{j}_fwhm_{k}"], xshape, mix)
        if baseline == "linear":
            out = out + v[f"b0_{k}"] + v[f"b1_{k}"] * (x - xm)
        return out

    datasets = [Dataset(x, y, None, lab) for x, y, lab in zip(xs, ys, labs, strict=True)]
    name = f"raman {shape} x{npk} ({sample})"
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as first_warnings:
        warnings.simplefilter("always")
        res = fit_global(model, params, datasets, model_name=name, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    # a Lorentzian fraction that ends on 0 or 1 (pure Gaussian / Lorentzian) leaves the
    # covariance singular: fix it there and refit, so the other parameters get their errors
    pinned = []
    for j in range(npk):
        key = f"p{j}_mix"
        if shape != "lorentz" and min(abs(res.params[key].value), abs(res.params[key].value - 1.0)) < 1e-4:
            pinned.append((key, round(res.params[key].value)))
    if pinned:
        for key, val in pinned:
            params[key].set(value=float(val), vary=False)
            notes.append(f"{key} reached {val} (pure {'Lorentzian' if val == 1 else 'Gaussian'}); fixed there and refitted")
        res = fit_global(model, params, datasets, model_name=name, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    else:
        for w in first_warnings:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    warn: list[str] = list(close)
    if not res.success:
        warn.append(f"the optimiser did not converge: {res.message}")
    if not (res.r2 >= 0):
        warn.append(f"R^2 = {res.r2:.3g} < 0: the bands fit worse than a constant")
    for name, p0 in params.items():
        if p0.expr is not None or not p0.vary:
            continue
        est = res.params[name]
        span = (p0.max - p0.min) if math.isfinite(p0.max) and math.isfinite(p0.min) else max(abs(est.value), 1.0)
        tol = 1e-6 * span
        for bound, label in ((p0.min, "lower"), (p0.max, "upper")):
            if math.isfinite(bound) and abs(est.value - bound) <= tol and not name.endswith("_mix"):
                warn.append(f"{name} = {est.value:.6g} sits at its {label} bound ({bound:.6g})")
        if est.stderr is None:
            warn.append(f"{name}: standard error could not be estimated")
        elif not name.startswith("b") and not name.endswith("_mix") and est.stderr > abs(est.value):
            warn.append(f"{name} = {est.value:.4g} +/- {est.stderr:.3g}: the standard error exceeds the value")
    for w in warn:
        warnings.warn(f"{sample}: {w}", ConvergenceWarning, stacklevel=2)

    rows = []
    v = res.params
    for k, lab in enumerate(labs):
        for j, c in enumerate(centres):
            mix = v[f"p{j}_mix"].value if shape != "lorentz" else 1.0
            fw = v[f"p{j}_fwhm_{k}"].value
            h = v[f"p{j}_height_{k}"].value
            rows.append(
                {
                    "sample": sample,
                    "spectrum": lab,
                    "peak": j,
                    "nominal_cm1": c,
                    "center_cm1": v[f"p{j}_center_{k}"].value,
                    "center_se": v[f"p{j}_center_{k}"].stderr,
                    "fwhm_cm1": fw,
                    "fwhm_se": v[f"p{j}_fwhm_{k}"].stderr,
                    "height": h,
                    "height_se": v[f"p{j}_height_{k}"].stderr,
                    "lorentz_fraction": mix,
                    "area": h * unit_area(xshape, fw, mix),
                }
            )

    strain = None
    if reference_cm1 is not None:
        strain = replicate_strain(rows, sp, float(reference_cm1), gruneisen, share)

    return RamanFit(
        sample=sample,
        labels=tuple(labs),
        peaks_cm1=tuple(centres),
        shape=shape,
        share=share,
        baseline=baseline,
        window_cm1=(lo, hi),
        fit=res,
        x=tuple(xs),
        y=tuple(ys),
        fixed_baseline=tuple(fixed),
        spikes=tuple(spikes),
        converged=not warn,
        warnings=tuple(warn),
        strain=strain,
        notes=tuple(notes),
        _rows=rows,
    )
