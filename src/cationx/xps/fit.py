"""Peak fitting of an XPS region: background + singlets/doublets, through cationx.fitting.

The background (Shirley, linear, Tougaard or none) is computed from the data on the
fitted range before the fit and held fixed (the common practice of CasaXPS-style
fitting); the peaks are then fitted to the data on top of it.  Doublet constraints are
lmfit expressions, so they hold exactly in the result:
``partner center = main center + split``, ``partner height = ratio x main height``,
one shared width and shape.  Intervals default to ``stderr`` (Wald, t-based); pass
``ci="profile"`` for profile-likelihood intervals (slower with many components).

A fit is reported as converged (``converged``; the text says "fit converged") only if the
background converged (or an explicitly requested fallback replaced it, named in
``background``), the optimiser succeeded, ``r^2 >= 0`` (a negative r^2 means the model does
worse than a constant) and no component is degenerate: a height of 0, a FWHM at its bound
or narrower than two grid steps (a line collapsing onto single points, typical of survey
spectra), a centre at the edge of its window, or all free parameters left at their start
values.  Every failed check is a line of ``warnings``; the numbers are still returned
(they are what the optimiser found) but must not be quoted as a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_matching_lengths
from cationx.errors import InputError
from cationx.fitting import FitResult, Parameters, check_fit_options, fit_curve
from cationx.xps.backgrounds import BackgroundResult, compute_background
from cationx.xps.components import Component, parse_components
from cationx.xps.lineshapes import peak, unit_area

__all__ = ["FWHM_BOUNDS", "XpsFit", "fit_spectrum"]

FWHM_BOUNDS = (0.05, 20.0)


@dataclass(frozen=True, slots=True)
class XpsFit:
    """Fitted XPS region: the fit, the fixed background and the components."""

    fit: FitResult
    components: tuple[Component, ...]
    background_kind: str
    binding_energy_ev: np.ndarray
    intensity: np.ndarray
    background: np.ndarray
    background_info: BackgroundResult | None = None
    failures: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def converged(self) -> bool:
        """True only when the fit can be quoted (module docstring); ``failures`` says why not.

        ``warnings`` holds the failures and notes that do not void the fit (a background
        fallback that was asked for).
        """
        return not self.failures

    def line_table(self) -> pd.DataFrame:
        """One row per line: component, line, center, fwhm, height, area, area fraction."""
        rows = []
        for c in self.components:
            v = self.fit.params
            fwhm = v[f"{c.name}_fwhm"].value
            ua = unit_area(c.shape, fwhm, c.lor)
            main, partner = c.line_labels
            lines = [(main, f"{c.name}_center", f"{c.name}_height")]
            if c.is_doublet:
                lines.append((partner, f"{c.name}_center2", f"{c.name}_height2"))
            for label, cn, hn in lines:
                rows.append(
                    {
                        "component": c.name,
                        "line": label,
                        "center_ev": v[cn].value,
                        "center_stderr": v[cn].stderr,
                        "fwhm_ev": fwhm,
                        "height": v[hn].value,
                        "area": v[hn].value * ua,
                        "shape": c.shape,
                        "lor": c.lor,
                    }
                )
        frame = pd.DataFrame(rows)
        total = frame["area"].sum()
        frame["area_fraction"] = frame["area"] / total if total > 0 else np.nan
        return frame

    def component_areas(self) -> dict[str, float]:
        """Total area (both lines) per component."""
        t = self.line_table()
        return {str(k): float(v) for k, v in t.groupby("component", sort=False)["area"].sum().items()}

    def curves(self) -> pd.DataFrame:
        """Data, background, total fit and each line on the fitted range."""
        x = self.binding_energy_ev
        frame = pd.DataFrame({"binding_energy_ev": x, "intensity": self.intensity, "background": self.background,
                              "fit": self.fit.y_fit})
        v = {n: p.value for n, p in self.fit.params.items()}
        for c in self.components:
            frame[f"{c.name}"] = _component_curve(c, v, x)
        return frame

    def to_frame(self) -> pd.DataFrame:
        return self.fit.to_frame()

    def to_dict(self) -> dict[str, Any]:
        d = self.fit.to_dict(arrays=False)
        info = self.background_info or BackgroundResult(self.background, self.background_kind, True)
        d.update(
            {
                "optimizer_success": d["success"],
                "optimizer_message": d["message"],
                "success": self.converged,
                "converged": self.converged,
                "message": self.status,
                "warnings": list(self.warnings),
                "failures": list(self.failures),
                "background": info.to_dict(),
                "range_ev": [float(self.binding_energy_ev.min()), float(self.binding_energy_ev.max())],
                "components": [c.to_dict() for c in self.components],
                "lines": self.line_table().to_dict(orient="records"),
                "component_areas": self.component_areas(),
            }
        )
        return d

    @property
    def status(self) -> str:
        if self.converged:
            info = self.background_info
            if info is not None and info.fallback:
                return f"fit converged (on the {info.fallback} fallback background: the {info.method} background diverged)"
            return "fit converged"
        return "FIT NOT TRUSTWORTHY: " + "; ".join(self.failures)

    def report(self) -> str:
        info = self.background_info
        bg = self.background_kind
        if info is not None and info.fallback:
            bg = f"{info.fallback} (fallback for a diverged {info.method} background, see the warning)"
        elif info is not None and info.method == "shirley":
            bg = f"shirley (converged in {info.iterations} iterations)"
        lines = [self.status, self.fit.report(), f"background: {bg}"]
        t = self.line_table()
        lines.append(t[["component", "line", "center_ev", "fwhm_ev", "height", "area", "area_fraction"]]
                     .to_string(index=False, float_format=lambda v: f"{v:.5g}"))
        lines.extend(f"caution: {w}" for w in self.warnings)
        return "\n".join(lines)


def _component_curve(c: Component, v: dict[str, float], x: np.ndarray) -> np.ndarray:
    y = peak(x, v[f"{c.name}_center"], v[f"{c.name}_height"], v[f"{c.name}_fwhm"], c.shape, c.lor)
    if c.is_doublet:
        y = y + peak(x, v[f"{c.name}_center2"], v[f"{c.name}_height2"], v[f"{c.name}_fwhm"], c.shape, c.lor)
    return y


def fit_spectrum(
    binding_energy_ev: Any,
    intensity: Any,
    components: Sequence[Component] | str,
    *,
    background: str = "shirley",
    be_range: tuple[float, float] | None = None,
    n_avg: int = 3,
    fallback: str | None = None,
    sigma: Any = None,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> XpsFit:
    """Fit singlets and doublets on a fixed background.

    Parameters
    ----------
    binding_energy_ev, intensity
        The spectrum (any order; binding energy in eV).
    components
        :class:`Component` objects or the text syntax of :func:`parse_components`.
    background
        ``shirley`` (default), ``linear``, ``tougaard`` or ``none``.
    be_range
        ``(lo, hi)`` binding-energy window to fit (default: the whole spectrum).
    n_avg
        Points averaged at each end for the background end levels.
    fallback
        Background used instead of a diverged Shirley background (``linear``, ``tougaard``
        or ``none``); without it a diverged Shirley background raises ``FitError``.
    sigma, ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`): per-point standard
        uncertainties of ``intensity`` (``None``: estimated from the residuals) and the
        interval method; default Wald (``stderr``).

    Returns
    -------
    XpsFit
        ``converged`` / ``warnings`` say whether the numbers can be quoted (module docstring).
    """
    try:
        x = np.array(binding_energy_ev, dtype=float).ravel()
        y = np.array(intensity, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError("spectrum must be numeric") from None
    if x.size == 0 or y.size == 0:
        raise InputError("spectrum is empty: no data points")
    x = as_1d_array(x, "binding_energy_ev")
    y = as_1d_array(y, "intensity")
    check_matching_lengths([x, y], ["binding_energy_ev", "intensity"])
    sig = check_fit_options(sigma=sigma, n=x.size, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng).sigma
    comps = tuple(parse_components(components) if isinstance(components, str) else components)
    if not comps:
        raise InputError("at least one component is needed")
    if be_range is not None:
        lo, hi = float(be_range[0]), float(be_range[1])
        if not lo < hi:
            raise InputError(f"be_range must have lo < hi, got {lo}:{hi}")
        sel = (x >= lo) & (x <= hi)
        x, y = x[sel], y[sel]
        sig = None if sig is None else sig[sel]
        if x.size == 0:
            raise InputError(f"spectrum is empty in the range {lo:g}:{hi:g} eV")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    sig = None if sig is None else sig[order]
    nfree = sum(2 + (0 if c.fix_center else 1) for c in comps)
    if x.size < max(nfree + 2, 2 * n_avg + 1):
        raise InputError(f"{len(comps)} component(s) with {nfree} free parameters need more than {x.size} points")
    for c in comps:
        if not x[0] <= c.center_ev <= x[-1]:
            raise InputError(f"component {c.name!r}: center {c.center_ev} eV lies outside the data ({x[0]:g}-{x[-1]:g} eV)")
    info = compute_background(background, x, y, n_avg=n_avg, fallback=fallback)
    bg = info.values
    net = y - bg
    params = Parameters()
    for c in comps:
        near = np.abs(x - c.center_ev) <= max(c.fwhm_ev, np.median(np.diff(x)))
        h0 = float(net[near].max()) if near.any() else float(net.max())
        params.add(f"{c.name}_center", value=c.center_ev, min=c.center_ev - c.window_ev, max=c.center_ev + c.window_ev,
                   vary=not c.fix_center)
        params.add(f"{c.name}_height", value=max(h0, 1e-9 * max(float(np.abs(y).max()), 1.0)), min=0.0)
        params.add(f"{c.name}_fwhm", value=c.fwhm_ev, min=FWHM_BOUNDS[0], max=FWHM_BOUNDS[1])
        if c.is_doublet:
            params.add(f"{c.name}_center2", expr=f"{c.name}_center + {c.split_ev!r}")
            params.add(f"{c.name}_height2", expr=f"{c.name}_height * {c.area_ratio!r}")

    def model(v: Any, xx: np.ndarray) -> np.ndarray:
        out = bg.copy()
        for c in comps:
            out = out + _component_curve(c, v, xx)
        return out

    start = {n: p.value for n, p in params.items()}
    res = fit_curve(model, params, x, y, model_name=f"xps ({len(comps)} component{'s' if len(comps) > 1 else ''})",
                    sigma=sig, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    failures = _quality_checks(res, comps, start, x, y, info)
    notes = []
    if info.fallback:
        notes.append(f"the {info.method} background diverged; the {info.fallback} fallback was used ({info.reason})")
    return XpsFit(res, comps, background, x, y, bg, info, tuple(failures), tuple(notes + failures))


def _quality_checks(
    res: FitResult, comps: Sequence[Component], start: dict[str, float], x: np.ndarray, y: np.ndarray, info: BackgroundResult
) -> list[str]:
    """Reasons why the fit must not be quoted (empty when it can)."""
    notes = []
    if not res.success:
        notes.append(f"the optimiser did not converge: {res.message}")
    if not np.isfinite(res.r2) or res.r2 < 0:
        notes.append(f"r^2 = {res.r2:.4g} < 0: the model fits worse than a constant")
    step = float(np.median(np.diff(x))) if x.size > 1 else 0.0
    hmax = max(float(np.abs(y - info.values).max()), 1e-300)
    for c in comps:
        v = {k: res.value(k) for k in (f"{c.name}_center", f"{c.name}_height", f"{c.name}_fwhm")}
        fw, h, cen = v[f"{c.name}_fwhm"], v[f"{c.name}_height"], v[f"{c.name}_center"]
        if h <= 1e-6 * hmax:
            notes.append(f"component {c.name!r}: height {h:.3g} ~ 0: the data do not support it")
        if fw <= FWHM_BOUNDS[0] * (1 + 1e-3):
            notes.append(f"component {c.name!r}: FWHM collapsed to its lower bound {FWHM_BOUNDS[0]:g} eV")
        elif fw < 2 * step:
            notes.append(f"component {c.name!r}: FWHM {fw:.3g} eV is narrower than two grid steps ({2 * step:.3g} eV)")
        if fw >= FWHM_BOUNDS[1] * (1 - 1e-3):
            notes.append(f"component {c.name!r}: FWHM at its upper bound {FWHM_BOUNDS[1]:g} eV")
        if not c.fix_center and min(abs(cen - (c.center_ev - c.window_ev)), abs(cen - (c.center_ev + c.window_ev))) <= 1e-3 * c.window_ev:
            notes.append(f"component {c.name!r}: centre {cen:.3f} eV at the edge of its +/- {c.window_ev:g} eV window")
        free = [k for k in v if res.params[k].vary]
        if free and all(abs(v[k] - start[k]) <= 1e-6 * max(abs(start[k]), 1e-12) for k in free):
            notes.append(f"component {c.name!r}: left at its start values (the optimiser did not move it)")
    return notes
