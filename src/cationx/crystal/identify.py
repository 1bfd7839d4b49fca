"""Phase identification and phase fractions of mixtures from a measured powder pattern.

1. Every candidate (bundled phases with atoms, or user CIF/TOML) is fitted alone: its
   profile (:class:`~cationx.crystal.engine.PatternEngine`) with a refined crystallite size
   and isotropic cell scale (+/- 5 %), a scale factor and a Chebyshev background.  Scale and
   background enter linearly and are solved exactly at every step (variable projection), so
   lmfit (through :func:`cationx.fitting.fit_curve`) only searches size and cell scale.
   Candidates are ranked by Rwp.
2. Mixtures: starting from the best phase, the candidate that lowers the BIC most is added,
   as long as it lowers it by more than 10 (strong evidence), up to ``max_phases``.
3. The final set is refined with every parameter free (scales, background, sizes, cell
   scales) and weight fractions follow Hill & Howard, J. Appl. Cryst. 20, 467 (1987):

       W_i = S_i M_i V_i / sum_j S_j M_j V_j

   with S_i the scale of phase i (our profiles are m |F|^2 LP per cell), M_i the mass of
   the cell contents (occupancies included; atomic masses from xraydb) and V_i the cell
   volume; volume fractions are S_i V_i^2 / sum.  Micro-absorption and preferred
   orientation are not modelled.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lmfit
import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear

from cationx._validation import check_int
from cationx.crystal.engine import PatternEngine, chebyshev_basis
from cationx.crystal.library import list_structures, load_structure
from cationx.crystal.readers import MeasuredPattern
from cationx.crystal.refine import r_factors
from cationx.crystal.structure import Structure, normalize_element
from cationx.errors import ConvergenceWarning, FitError, InputError
from cationx.fitting import FitResult, fit_curve

__all__ = ["IdentifyResult", "PhaseFraction", "cell_mass", "identify_phases"]

BIC_THRESHOLD = 10.0


def cell_mass(structure: Structure) -> float:
    """Mass of the contents of one cell (g/mol per cell), occupancies included."""
    import xraydb

    return float(sum(n * xraydb.atomic_mass(e) for e, n in structure.composition().items()))


@dataclass(frozen=True, slots=True)
class PhaseFraction:
    phase: str
    scale: float
    scale_stderr: float | None
    weight_fraction: float
    weight_fraction_stderr: float | None
    volume_fraction: float
    size_nm: float
    cell_scale: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "scale": self.scale,
            "scale_stderr": self.scale_stderr,
            "weight_fraction": self.weight_fraction,
            "weight_fraction_stderr": self.weight_fraction_stderr,
            "volume_fraction": self.volume_fraction,
            "size_nm": self.size_nm,
            "cell_scale": self.cell_scale,
        }


@dataclass(frozen=True, slots=True)
class IdentifyResult:
    """Single-phase ranking and the refined mixture."""

    ranking: tuple[dict[str, Any], ...]
    phases: tuple[PhaseFraction, ...]
    fit: FitResult
    two_theta_deg: np.ndarray
    observed: np.ndarray
    calculated: np.ndarray
    rwp_percent: float

    @property
    def best(self) -> str:
        return self.ranking[0]["phase"]

    def to_frame(self) -> pd.DataFrame:
        """Single-phase ranking: phase, rwp_percent, size_nm, cell_scale, bic."""
        return pd.DataFrame(list(self.ranking))

    def fractions_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.to_dict() for p in self.phases])

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "ranking": list(self.ranking),
            "phases": [p.to_dict() for p in self.phases],
            "rwp_percent": self.rwp_percent,
            "two_theta_deg": self.two_theta_deg,
            "observed": self.observed,
            "calculated": self.calculated,
        }


def _projected_fit(engines: list[PatternEngine], x: np.ndarray, y: np.ndarray, sigma: np.ndarray, nbg: int, size0: float) -> tuple[FitResult, np.ndarray]:
    """Fit sizes and cell scales; scales (>= 0) and background solved linearly at each step."""
    basis_bg = chebyshev_basis(x, nbg)
    params = lmfit.Parameters()
    for i, _ in enumerate(engines):
        params.add(f"size_nm_{i}", value=size0, min=0.5, max=2000.0)
        params.add(f"cell_scale_{i}", value=1.0, min=0.95, max=1.05)
    k = len(engines)
    lb = np.r_[np.zeros(k), np.full(nbg, -np.inf)]
    ub = np.full(k + nbg, np.inf)
    store: dict[str, np.ndarray] = {}

    def model(values: dict[str, float], xx: np.ndarray) -> np.ndarray:
        cols = [e.profile_curve(None, values[f"cell_scale_{i}"], values[f"size_nm_{i}"]) for i, e in enumerate(engines)]
        a = np.column_stack([*cols, basis_bg])
        norm = np.maximum(np.abs(a).max(axis=0), 1e-300)
        sol = lsq_linear(a / norm / sigma[:, None], y / sigma, bounds=(lb, ub), method="bvls")
        coef = sol.x / norm
        store["coef"] = coef
        return a @ coef

    with warnings.catch_warnings():
        # a phase that does not fit leaves size/cell undetermined; it simply ranks low
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = fit_curve(model, params, x, y, sigma=sigma, model_name="phase search", ci="none")
    model({n: p.value for n, p in fit.params.items()}, x)
    return fit, store["coef"]


def identify_phases(
    measured: MeasuredPattern,
    *,
    candidates: Sequence[str | Structure] | None = None,
    elements: Sequence[str] | None = None,
    max_phases: int = 3,
    background_terms: int = 3,
    wavelength_angstrom: float | str | None = None,
    kalpha2: bool = False,
    instrument_fwhm_deg: float = 0.05,
    size_nm: float = 10.0,
    dispersion: bool = True,
) -> IdentifyResult:
    """Rank candidate phases for a measured pattern and refine the best mixture (module docstring).

    Parameters
    ----------
    measured : MeasuredPattern
    candidates : sequence, optional
        Library names, CIF/TOML paths or Structures; default all bundled phases with atoms
        except the Cu2Se occupancy-series variants (``cu2se-t*``).
    elements : sequence of str, optional
        Keep only candidates made of these elements.
    max_phases : int
        Largest number of phases in the mixture (1-5).
    size_nm : float
        Starting crystallite size.
    """
    if not isinstance(measured, MeasuredPattern):
        raise InputError("measured must be a MeasuredPattern (see cationx.crystal.readers.read_pattern)")
    nmax = check_int(max_phases, "max_phases", minimum=1, maximum=5)
    nbg = check_int(background_terms, "background_terms", minimum=0, maximum=12)
    if candidates is None:
        structs = [load_structure(n) for n in list_structures() if not n.startswith("cu2se-t")]
    else:
        if len(candidates) == 0:
            raise InputError("candidates is empty")
        structs = [load_structure(c) for c in candidates]
    if elements is not None:
        allowed = {normalize_element(e, "elements") for e in elements}
        structs = [s for s in structs if {e for e, n in s.composition().items() if n > 0} <= allowed]
        if not structs:
            raise InputError(f"no candidate phase is made only of {sorted(allowed)}")
    x, y = measured.two_theta_deg, measured.intensity
    sigma = measured.sigma if measured.sigma is not None else np.sqrt(np.maximum(np.abs(y), 1.0))
    lam = wavelength_angstrom if wavelength_angstrom is not None else (measured.wavelength_angstrom or 1.54056)
    common = {
        "wavelength_angstrom": lam,
        "kalpha2": kalpha2,
        "dispersion": dispersion,
        "instrument_fwhm_deg": instrument_fwhm_deg,
        "max_cell_scale": 1.06,
    }
    engines = {s.name: PatternEngine(s, x, **common) for s in structs}
    ranking = []
    for s in structs:
        try:
            fit, coef = _projected_fit([engines[s.name]], x, y, sigma, nbg, size_nm)
        except FitError:
            continue
        rf = r_factors(y, fit.y_fit, sigma, fit.nvarys + 1 + nbg)
        ranking.append(
            {
                "phase": s.name,
                "rwp_percent": rf["rwp_percent"],
                "bic": fit.bic,
                "size_nm": fit.value("size_nm_0"),
                "cell_scale": fit.value("cell_scale_0"),
                "scale": float(coef[0]),
            }
        )
    if not ranking:
        raise FitError("no candidate phase could be fitted to the pattern")
    ranking.sort(key=lambda r: r["rwp_percent"])
    chosen = [ranking[0]["phase"]]
    best_bic = ranking[0]["bic"]
    while len(chosen) < nmax:
        trial_best = None
        for r in ranking[1:]:
            name = r["phase"]
            if name in chosen:
                continue
            try:
                fit, coef = _projected_fit([engines[n] for n in [*chosen, name]], x, y, sigma, nbg, size_nm)
            except FitError:
                continue
            if coef[len(chosen)] <= 0:
                continue
            if trial_best is None or fit.bic < trial_best[1]:
                trial_best = (name, fit.bic)
        if trial_best is None or trial_best[1] > best_bic - BIC_THRESHOLD:
            break
        chosen.append(trial_best[0])
        best_bic = trial_best[1]
    return _final_mixture(chosen, engines, {s.name: s for s in structs}, ranking, x, y, sigma, nbg, size_nm)


def _final_mixture(
    chosen: list[str],
    engines: dict[str, PatternEngine],
    structs: dict[str, Structure],
    ranking: list[dict[str, Any]],
    x: np.ndarray,
    y: np.ndarray,
    sigma: np.ndarray,
    nbg: int,
    size0: float,
) -> IdentifyResult:
    fit0, coef0 = _projected_fit([engines[n] for n in chosen], x, y, sigma, nbg, size0)
    params = lmfit.Parameters()
    for i in range(len(chosen)):
        params.add(f"scale_{i}", value=max(float(coef0[i]), 1e-12), min=0.0)
        params.add(f"size_nm_{i}", value=fit0.value(f"size_nm_{i}"), min=0.5, max=2000.0)
        params.add(f"cell_scale_{i}", value=fit0.value(f"cell_scale_{i}"), min=0.95, max=1.05)
    for j in range(nbg):
        params.add(f"bg{j}", value=float(coef0[len(chosen) + j]))
    basis_bg = chebyshev_basis(x, nbg)

    def model(values: dict[str, float], xx: np.ndarray) -> np.ndarray:
        out = basis_bg @ np.array([values[f"bg{j}"] for j in range(nbg)]) if nbg else np.zeros_like(xx)
        for i, n in enumerate(chosen):
            out = out + values[f"scale_{i}"] * engines[n].profile_curve(None, values[f"cell_scale_{i}"], values[f"size_nm_{i}"])
        return out

    fit = fit_curve(model, params, x, y, sigma=sigma, model_name="phase mixture", ci="stderr")
    weights = []
    for i, n in enumerate(chosen):
        st = structs[n]
        cs = fit.value(f"cell_scale_{i}")
        vol = st.volume() * cs**3
        weights.append((fit.value(f"scale_{i}"), fit[f"scale_{i}"].stderr, vol, cell_mass(st)))
    wsum = sum(s * v * m for s, _, v, m in weights)
    vsum = sum(s * v * v for s, _, v, _ in weights)
    fractions = []
    for i, (n, (s, se, v, m)) in enumerate(zip(chosen, weights, strict=True)):
        w = s * v * m / wsum if wsum > 0 else float("nan")
        # first-order propagation through the normalisation, scale errors taken as independent
        if se is not None and wsum > 0:
            var = 0.0
            for j, (_, sej, vj, mj) in enumerate(weights):
                if sej is None:
                    continue
                dw = ((v * m if i == j else 0.0) * wsum - s * v * m * vj * mj) / wsum**2
                var += (dw * sej) ** 2
            wse = math.sqrt(var)
        else:
            wse = None
        fractions.append(
            PhaseFraction(
                phase=n,
                scale=s,
                scale_stderr=se,
                weight_fraction=w,
                weight_fraction_stderr=wse,
                volume_fraction=s * v * v / vsum if vsum > 0 else float("nan"),
                size_nm=fit.value(f"size_nm_{i}"),
                cell_scale=fit.value(f"cell_scale_{i}"),
            )
        )
    rf = r_factors(y, fit.y_fit, sigma, fit.nvarys)
    return IdentifyResult(
        ranking=tuple(ranking),
        phases=tuple(fractions),
        fit=fit,
        two_theta_deg=x.copy(),
        observed=y.copy(),
        calculated=fit.y_fit,
        rwp_percent=rf["rwp_percent"],
    )
