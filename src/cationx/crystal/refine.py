"""Whole-pattern refinement of site occupancies, scale, background, size and cell (lmfit).

Model (Rietveld-style, kinematic, isotropic):

    y_calc(2 theta) = scale * P(2 theta; occupancies, cell scale, L) + sum_i c_i T_i(t)

with P the profile of :class:`~cationx.crystal.engine.PatternEngine`, T_i Chebyshev
polynomials on 2-theta mapped to [-1, 1], L the Scherrer crystallite size and the cell
scale multiplying a, b, c (a lattice parameter for cubic phases).  The fit goes through
:func:`cationx.fitting.fit_curve` (lmfit) with weights 1/sigma^2 (sigma from the file, or
sqrt(max(y, 1)) for counts).

A composition constraint (``composition={"Cu": 8.0}``: atoms of that element per cell)
makes the occupancy of the last refined site of that element a dependent lmfit expression,
so the refined occupancies always hold that many atoms.  Occupancies leave [0, 1] only as a
rejected trial step (the model returns NaN and lmfit backs off); the final values are
checked.

Reported: parameters with standard errors and intervals, Rwp, Rp, the expected R
(Rexp) and GoF = Rwp/Rexp, and the difference curve.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import (
    check_int,
    check_magnitude,
    check_positive,
    warn_negative,
)
from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.crystal.engine import PatternEngine, chebyshev_basis
from cationx.crystal.pattern import MeasuredPattern
from cationx.crystal.structure import Structure, normalize_element
from cationx.errors import FitError, InputError
from cationx.fitting import FitResult, HoldsFit, Parameters, check_fit_options, fit_curve

__all__ = ["RefinementResult", "occupancy_series", "r_factors", "refine_pattern"]


def _pname(label: str) -> str:
    return "occ_" + re.sub(r"\W", "_", label)


def r_factors(y_obs: np.ndarray, y_calc: np.ndarray, sigma: np.ndarray, n_params: int) -> dict[str, float]:
    """Rwp, Rp, Rexp (percent) and GoF = Rwp / Rexp."""
    check_magnitude(y_obs, "observed intensities")  # beyond it sum(w y^2) overflows and Rexp becomes 0
    w = 1 / sigma**2
    rwp = math.sqrt(float(np.sum(w * (y_obs - y_calc) ** 2) / np.sum(w * y_obs**2)))
    rp = float(np.sum(np.abs(y_obs - y_calc)) / np.sum(np.abs(y_obs)))
    rexp = math.sqrt(max(y_obs.size - n_params, 1) / float(np.sum(w * y_obs**2)))
    return {"rwp_percent": 100 * rwp, "rp_percent": 100 * rp, "rexp_percent": 100 * rexp, "gof": rwp / rexp}


@dataclass(frozen=True, slots=True)
class RefinementResult(HoldsFit):
    """Outcome of :func:`refine_pattern`."""

    fit: FitResult
    structure: Structure
    two_theta_deg: np.ndarray
    observed: np.ndarray
    calculated: np.ndarray
    background: np.ndarray
    rwp_percent: float
    rp_percent: float
    rexp_percent: float
    gof: float
    size_nm: float | None
    cell_scale: float

    @property
    def difference(self) -> np.ndarray:
        return self.observed - self.calculated

    def occupancies(self) -> dict[str, float]:
        return {s.label: s.occupancy for s in self.structure.sites}

    def to_frame(self) -> pd.DataFrame:
        """Curves: two_theta_deg, observed, calculated, background, difference."""
        return pd.DataFrame(
            {
                "two_theta_deg": self.two_theta_deg,
                "observed": self.observed,
                "calculated": self.calculated,
                "background": self.background,
                "difference": self.difference,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        a, b, c, *_ = self.structure.cell
        return {
            "structure": self.structure.name,
            "params": self.fit.to_dict(arrays=False)["params"],
            "occupancies": self.occupancies(),
            "composition": self.structure.composition(),
            "cell_angstrom": [a, b, c],
            "size_nm": self.size_nm,
            "rwp_percent": self.rwp_percent,
            "rp_percent": self.rp_percent,
            "rexp_percent": self.rexp_percent,
            "gof": self.gof,
            "converged": self.converged,
            "warnings": list(self.warnings),
            "notes": list(self.fit.notes),
            "two_theta_deg": self.two_theta_deg,
            "observed": self.observed,
            "calculated": self.calculated,
            "difference": self.difference,
        }

    def report(self) -> str:
        """Parameter table (constrained occupancies marked) and R factors."""
        f = self.fit
        pct = round(100 * f.ci_level)
        lines = [f"refinement of {self.structure.name}: {f.ndata} points, {f.nvarys} free parameters"]
        lines.append(f"{'parameter':<18}{'value':>14}{'stderr':>12}   {pct}% interval ({f.ci_method})")
        for name, p in f.params.items():
            if p.expr:
                kind = "constrained"
            elif not p.vary:
                kind = "fixed"
            else:
                kind = "n/a" if p.stderr is None else f"{p.stderr:.4g}"
            if p.expr and p.stderr is not None:
                kind = f"{p.stderr:.4g}"
            ci = f"[{p.ci_low:.5g}, {p.ci_high:.5g}]" if p.ci_low is not None and p.ci_high is not None else "-"
            note = "  (composition constraint)" if p.expr else ""
            lines.append(f"{name:<18}{p.value:>14.6g}{kind:>12}   {ci}{note}")
        lines.extend(f"note: {n}" for n in f.notes)
        lines.append(f"Rwp = {self.rwp_percent:.2f} %   Rp = {self.rp_percent:.2f} %   Rexp = {self.rexp_percent:.2f} %   GoF = {self.gof:.3f}")
        return "\n".join(lines)


def refine_pattern(
    measured: MeasuredPattern,
    structure: Structure,
    *,
    occupancies: Sequence[str] = (),
    composition: Mapping[str, float] | None = None,
    refine_size: bool = True,
    size_nm: float = 5.0,
    refine_cell: bool = True,
    refine_zero: bool = False,
    refine_b_overall: bool = False,
    background_terms: int = 3,
    wavelength_angstrom: float | str | None = None,
    kalpha2: bool = False,
    dispersion: bool = True,
    monochromator_two_theta_deg: float | None = None,
    profile: str = "pseudo-voigt",
    instrument_fwhm_deg: float = 0.05,
    two_theta_range_deg: Sequence[float] | None = None,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> RefinementResult:
    """Refine ``structure`` against ``measured`` (see the module docstring).

    Parameters
    ----------
    measured : MeasuredPattern
    structure : Structure
        Starting model; its occupancies are the starting values.
    occupancies : sequence of str
        Site labels whose occupancies are refined.
    composition : mapping, optional
        ``{"Cu": 8.0}``: atoms per cell of an element, kept fixed during the refinement
        (needs at least two refined sites of that element).
    refine_size, size_nm : Scherrer size (nm): refined, or fixed at ``size_nm``.
    refine_cell : bool
        Refine an isotropic cell scale (a for cubic phases).
    refine_zero : bool
        Refine a zero-point shift of 2-theta (``zero_shift_deg``, +/- 1 deg).
    refine_b_overall : bool
        Refine an overall B (``b_overall``, A^2) added to every site's B; it correlates
        with occupancies, so use it only with data to high angle.
    background_terms : int
        Number of Chebyshev terms (0-12).
    wavelength_angstrom : float or str, optional
        Default: the file's wavelength, else Cu K-alpha1.
    ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`); default Wald (``"stderr"``).
        The weights come from the pattern's own ``sigma`` (or counting statistics), so there
        is no ``sigma`` keyword.
    """
    check_fit_options(ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    if not isinstance(measured, MeasuredPattern):
        raise InputError("measured must be a MeasuredPattern (see cationx.crystal.readers.read_pattern)")
    nbg = check_int(background_terms, "background_terms", minimum=0, maximum=12)
    size0 = check_positive(size_nm, "size_nm")
    if not 0.1 <= size0 <= 1e6:  # below 1 A (less than one bond) a size has no meaning
        raise InputError(f"size_nm must lie in [0.1, 1e6] nm, got {size0!r}")
    labels = list(occupancies)
    for lab in labels:
        structure.site(lab)  # raises for unknown labels
    if len(set(labels)) != len(labels):
        raise InputError("occupancies lists a site twice")
    x, y = measured.two_theta_deg, measured.intensity
    check_magnitude(y, f"{measured.source or 'pattern'}: intensities")
    warn_negative(y, f"{measured.source or 'pattern'}: intensities")
    sigma = measured.sigma
    if two_theta_range_deg is not None:
        lo, hi = (float(v) for v in two_theta_range_deg)
        sel = (x >= lo) & (x <= hi)
        if sel.sum() < 10:
            raise InputError(f"two_theta_range_deg ({lo}, {hi}) keeps fewer than 10 points of the pattern")
        x, y = x[sel], y[sel]
        sigma = None if sigma is None else sigma[sel]
    if sigma is None:
        sigma = np.sqrt(np.maximum(np.abs(y), 1.0))
    lam = wavelength_angstrom if wavelength_angstrom is not None else (measured.wavelength_angstrom or CU_KALPHA1_ANGSTROM)
    engine = PatternEngine(
        structure,
        x,
        wavelength_angstrom=lam,
        kalpha2=kalpha2,
        dispersion=dispersion,
        monochromator_two_theta_deg=monochromator_two_theta_deg,
        profile=profile,
        instrument_fwhm_deg=instrument_fwhm_deg,
    )
    params = Parameters()
    mult = structure.multiplicities()
    for lab in labels:
        params.add(_pname(lab), value=structure.site(lab).occupancy, min=0.0, max=1.0)
    if composition:
        for elem, total in composition.items():
            sym = normalize_element(elem, "composition element")
            total = check_positive(total, f"composition[{elem!r}]")
            refined = [lab for lab in labels if structure.site(lab).element == sym]
            if len(refined) < 2:
                raise InputError(
                    f"composition constraint on {sym} needs at least two refined {sym} sites, got {refined}"
                )
            fixed = sum(mult[s.label] * s.occupancy for s in structure.sites if s.element == sym and s.label not in refined)
            last = refined[-1]
            terms = " - ".join(f"{mult[lab]}*{_pname(lab)}" for lab in refined[:-1])
            params[_pname(last)].set(expr=f"({total} - {fixed} - {terms}) / {mult[last]}")
    params.add("cell_scale", value=1.0, min=0.9, max=1.1, vary=refine_cell)
    params.add("size_nm", value=size0, min=0.3, max=5000.0, vary=refine_size)
    params.add("zero_shift_deg", value=0.0, min=-1.0, max=1.0, vary=refine_zero)
    min_b = -min(s.b_iso for s in structure.sites)
    params.add("b_overall", value=0.0, min=min_b, max=20.0, vary=refine_b_overall)
    # starting scale and background from a linear least-squares solve
    p0 = engine.profile_curve(None, 1.0, size0)
    basis = np.column_stack([p0, chebyshev_basis(x, nbg)])
    coef, *_ = np.linalg.lstsq(basis / sigma[:, None], y / sigma, rcond=None)
    scale0 = coef[0] if coef[0] > 0 else float(np.max(y) / max(np.max(p0), 1e-300))
    params.add("scale", value=scale0, min=0.0)
    for i in range(nbg):
        params.add(f"bg{i}", value=float(coef[1 + i]))

    def model(values: Mapping[str, float], xx: np.ndarray) -> np.ndarray:
        occ = {lab: values[_pname(lab)] for lab in labels}
        if any(not (-1e-9 <= v <= 1 + 1e-9) for v in occ.values()):
            return np.full(xx.shape, np.nan)
        prof = engine.profile_curve(
            occ, values["cell_scale"], values["size_nm"], values["zero_shift_deg"], values["b_overall"]
        )
        bg = chebyshev_basis(xx, nbg) @ np.array([values[f"bg{i}"] for i in range(nbg)]) if nbg else 0.0
        return values["scale"] * prof + bg

    fit = fit_curve(model, params, x, y, sigma=sigma, model_name=f"refinement of {structure.name}", ci=ci,
                     ci_level=ci_level, n_boot=n_boot, rng=rng)
    vals = {k: p.value for k, p in fit.params.items()}
    occ = {lab: vals[_pname(lab)] for lab in labels}
    bad = {k: v for k, v in occ.items() if not -1e-6 <= v <= 1 + 1e-6}
    if bad:
        raise FitError(f"refined occupancies left [0, 1]: {bad}; the model or constraint does not fit the data")
    occ = {k: min(max(v, 0.0), 1.0) for k, v in occ.items()}  # remove round-off only (checked above)
    refined = structure.with_occupancies(occ).scaled(vals["cell_scale"])
    if vals["b_overall"] != 0.0:
        refined = refined.with_b_iso({s.label: s.b_iso + vals["b_overall"] for s in refined.sites})
    y_calc = fit.y_fit
    bg = chebyshev_basis(x, nbg) @ np.array([vals[f"bg{i}"] for i in range(nbg)]) if nbg else np.zeros_like(x)
    rf = r_factors(y, y_calc, sigma, fit.nvarys)
    return RefinementResult(
        fit=fit,
        structure=refined,
        two_theta_deg=x.copy(),
        observed=y.copy(),
        calculated=y_calc,
        background=bg,
        size_nm=vals["size_nm"],
        cell_scale=vals["cell_scale"],
        **rf,
    )


def occupancy_series(
    start: Structure, end: Structure, steps: int, *, name_prefix: str | None = None
) -> list[Structure]:
    """Structures whose occupancies go linearly from ``start`` to ``end`` (same sites), ``steps`` >= 2.

    This is how 001 Tables 3 and 4 are built: Table 3 moves Cu from 32f to 8c
    (0.37/0.1575 -> 0.685/0.07875 -> 1/0), keeping 8 Cu per cell at every step.
    """
    n = check_int(steps, "steps", minimum=2)
    if start.labels != end.labels or start.spacegroup != end.spacegroup:
        raise InputError("occupancy_series needs two structures with the same space group and site labels")
    prefix = name_prefix or start.name
    out = []
    for i in range(n):
        t = i / (n - 1)
        occ = {s.label: (1 - t) * s.occupancy + t * e.occupancy for s, e in zip(start.sites, end.sites, strict=True)}
        out.append(start.with_occupancies(occ, name=f"{prefix}-{i + 1}"))
    return out
