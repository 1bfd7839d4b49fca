"""Peak fitting of an XPS region: background + singlets/doublets, through cationx.fitting.

The background (Shirley, linear, Tougaard or none) is computed from the data on the
fitted range before the fit and held fixed (the common practice of CasaXPS-style
fitting); the peaks are then fitted to the data on top of it.  Doublet constraints are
lmfit expressions, so they hold exactly in the result:
``partner center = main center + split``, ``partner height = ratio x main height``,
one shared width and shape.  Intervals default to ``stderr`` (Wald, t-based); pass
``ci="profile"`` for profile-likelihood intervals (slower with many components).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lmfit
import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_matching_lengths
from cationx.errors import InputError
from cationx.fitting import FitResult, fit_curve
from cationx.xps.backgrounds import background as make_background
from cationx.xps.components import Component, parse_components
from cationx.xps.lineshapes import peak, unit_area

__all__ = ["XpsFit", "fit_spectrum"]


@dataclass(frozen=True, slots=True)
class XpsFit:
    """Fitted XPS region: the fit, the fixed background and the components."""

    fit: FitResult
    components: tuple[Component, ...]
    background_kind: str
    binding_energy_ev: np.ndarray
    intensity: np.ndarray
    background: np.ndarray

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
        d.update(
            {
                "background": self.background_kind,
                "range_ev": [float(self.binding_energy_ev.min()), float(self.binding_energy_ev.max())],
                "components": [c.to_dict() for c in self.components],
                "lines": self.line_table().to_dict(orient="records"),
                "component_areas": self.component_areas(),
            }
        )
        return d

    def report(self) -> str:
        lines = [self.fit.report(), f"background: {self.background_kind}"]
        t = self.line_table()
        lines.append(t[["component", "line", "center_ev", "fwhm_ev", "height", "area", "area_fraction"]]
                     .to_string(index=False, float_format=lambda v: f"{v:.5g}"))
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
    ci: str = "stderr",
    ci_level: float = 0.95,
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
    ci, ci_level, rng
        Interval method (see :mod:`cationx.fitting`); default Wald (``stderr``).
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
    comps = tuple(parse_components(components) if isinstance(components, str) else components)
    if not comps:
        raise InputError("at least one component is needed")
    if be_range is not None:
        lo, hi = float(be_range[0]), float(be_range[1])
        if not lo < hi:
            raise InputError(f"be_range must have lo < hi, got {lo}:{hi}")
        sel = (x >= lo) & (x <= hi)
        x, y = x[sel], y[sel]
        if x.size == 0:
            raise InputError(f"spectrum is empty in the range {lo:g}:{hi:g} eV")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    nfree = sum(2 + (0 if c.fix_center else 1) for c in comps)
    if x.size < max(nfree + 2, 2 * n_avg + 1):
        raise InputError(f"{len(comps)} component(s) with {nfree} free parameters need more than {x.size} points")
    for c in comps:
        if not x[0] <= c.center_ev <= x[-1]:
            raise InputError(f"component {c.name!r}: center {c.center_ev} eV lies outside the data ({x[0]:g}-{x[-1]:g} eV)")
    bg = make_background(background, x, y, n_avg=n_avg)
    net = y - bg
    params = lmfit.Parameters()
    for c in comps:
        near = np.abs(x - c.center_ev) <= max(c.fwhm_ev, np.median(np.diff(x)))
        h0 = float(net[near].max()) if near.any() else float(net.max())
        params.add(f"{c.name}_center", value=c.center_ev, min=c.center_ev - c.window_ev, max=c.center_ev + c.window_ev,
                   vary=not c.fix_center)
        params.add(f"{c.name}_height", value=max(h0, 1e-9 * max(float(np.abs(y).max()), 1.0)), min=0.0)
        params.add(f"{c.name}_fwhm", value=c.fwhm_ev, min=0.05, max=20.0)
        if c.is_doublet:
            params.add(f"{c.name}_center2", expr=f"{c.name}_center + {c.split_ev!r}")
            params.add(f"{c.name}_height2", expr=f"{c.name}_height * {c.area_ratio!r}")

    def model(v: Any, xx: np.ndarray) -> np.ndarray:
        out = bg.copy()
        for c in comps:
            out = out + _component_curve(c, v, xx)
        return out

    res = fit_curve(model, params, x, y, model_name=f"xps ({len(comps)} component{'s' if len(comps) > 1 else ''})",
                    ci=ci, ci_level=ci_level, rng=rng)
    return XpsFit(res, comps, background, x, y, bg)
