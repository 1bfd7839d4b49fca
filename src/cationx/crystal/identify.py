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

When is a candidate a match?  Ranking by Rwp alone always names a "best" phase, even when
nothing fits (every scale 0, every Rwp equal to that of the background alone).  A candidate
counts as a match only if all of these hold:

* its scale is > 0;
* it lowers Rwp by at least ``MIN_RWP_GAIN`` (10 %, relative) below the Rwp of the
  background-only fit (Chebyshev terms alone, same weights);
* at least half of its strong predicted lines (>= ``STRONG_LINE_PERCENT`` of the strongest
  line in range, at the refined cell and zero) have an observed peak within the larger of the
  fitted FWHM and two grid steps (observed peaks: local maxima with a prominence of at least
  5 sigma and 1 % of the largest prominence);
* no refined parameter (crystallite size, cell scale, zero shift) sits at a bound: a bound
  means the optimiser ran out of room, not that the value was measured.

The evidence for every candidate (Rwp against the background-only Rwp, scale, matched lines,
parameters at a bound) is kept in the ranking.  When no candidate matches, the result has
``match = None`` and a ``reason``; no mixture is refined and no weight fraction is given.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import lsq_linear
from scipy.signal import find_peaks

from cationx._validation import check_int, check_magnitude
from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.crystal.engine import PatternEngine, chebyshev_basis
from cationx.crystal.index import candidate_label
from cationx.crystal.library import list_structures, load_structure
from cationx.crystal.pattern import MeasuredPattern
from cationx.crystal.powder import _tch
from cationx.crystal.refine import r_factors
from cationx.crystal.structure import Structure, normalize_element
from cationx.errors import ConvergenceWarning, FitError, InputError
from cationx.fitting import FitResult, Parameters, fit_curve

__all__ = ["IdentifyResult", "PhaseFraction", "cell_mass", "identify_phases"]

BIC_THRESHOLD = 10.0
MIN_RWP_GAIN = 0.10
STRONG_LINE_PERCENT = 5.0
MIN_LINE_FRACTION = 0.5
SIZE_BOUNDS = (0.5, 2000.0)
CELL_BOUNDS = (0.95, 1.05)
ZERO_BOUND_DEG = 0.3


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
    a_angstrom: float = float("nan")

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
            "a_angstrom": self.a_angstrom,
        }


@dataclass(frozen=True, slots=True)
class IdentifyResult:
    """Single-phase ranking with the evidence per candidate, and the refined mixture.

    ``match`` is the best matching phase or None (then ``reason`` says why and ``phases``
    is empty); ``warnings`` lists parameters at a bound and other caveats.
    """

    ranking: tuple[dict[str, Any], ...]
    phases: tuple[PhaseFraction, ...]
    fit: FitResult | None
    two_theta_deg: np.ndarray
    observed: np.ndarray
    calculated: np.ndarray
    rwp_percent: float
    rwp_background_percent: float = float("nan")
    n_observed_peaks: int = 0
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def match(self) -> str | None:
        """Best matching phase (lowest Rwp among the matches), None if no candidate fits."""
        return self.phases[0].phase if self.phases else None

    @property
    def best(self) -> str | None:
        """Same as :attr:`match` (kept for callers of earlier versions)."""
        return self.match

    @property
    def verdict(self) -> str:
        if self.match is None:
            return "no candidate fits"
        return "match: " + " + ".join(p.phase for p in self.phases)

    def to_frame(self) -> pd.DataFrame:
        """Single-phase ranking: phase, match, rwp_percent, scale, lines matched, parameters at a bound."""
        rows = [{k: (", ".join(v) if isinstance(v, list | tuple) else v) for k, v in r.items()} for r in self.ranking]
        return pd.DataFrame(rows)

    def fractions_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.to_dict() for p in self.phases])

    def to_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "best": self.match,
            "verdict": self.verdict,
            "reason": self.reason,
            "warnings": list(self.warnings),
            "converged": None if self.fit is None else bool(self.fit.success),
            "rwp_background_percent": self.rwp_background_percent,
            "n_observed_peaks": self.n_observed_peaks,
            "ranking": [dict(r) for r in self.ranking],
            "phases": [p.to_dict() for p in self.phases],
            "rwp_percent": self.rwp_percent,
            "two_theta_deg": self.two_theta_deg,
            "observed": self.observed,
            "calculated": self.calculated,
        }


def _projected_fit(
    engines: list[PatternEngine], x: np.ndarray, y: np.ndarray, sigma: np.ndarray, nbg: int, size0: float, refine_zero: bool = True
) -> tuple[FitResult, np.ndarray]:
    """Fit sizes, cell scales and a shared zero shift; scales (>= 0) and background solved linearly at each step."""
    basis_bg = chebyshev_basis(x, nbg)
    params = Parameters()
    for i, _ in enumerate(engines):
        params.add(f"size_nm_{i}", value=size0, min=SIZE_BOUNDS[0], max=SIZE_BOUNDS[1])
        params.add(f"cell_scale_{i}", value=1.0, min=CELL_BOUNDS[0], max=CELL_BOUNDS[1])
    params.add("zero_shift_deg", value=0.0, min=-ZERO_BOUND_DEG, max=ZERO_BOUND_DEG, vary=refine_zero)
    k = len(engines)
    lb = np.r_[np.zeros(k), np.full(nbg, -np.inf)]
    ub = np.full(k + nbg, np.inf)
    store: dict[str, np.ndarray] = {}

    def model(values: dict[str, float], xx: np.ndarray) -> np.ndarray:
        z = values["zero_shift_deg"]
        cols = [e.profile_curve(None, values[f"cell_scale_{i}"], values[f"size_nm_{i}"], z) for i, e in enumerate(engines)]
        a = np.column_stack([*cols, basis_bg])
        norm = np.maximum(np.abs(a).max(axis=0), 1e-300)
        sol = lsq_linear(a / norm / sigma[:, None], y / sigma, bounds=(lb, ub), method="bvls")
        coef = sol.x / norm
        store["coef"] = coef
        return a @ coef

    with warnings.catch_warnings():
        # a phase that does not fit leaves size/cell undetermined; the match test below says so
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = fit_curve(model, params, x, y, sigma=sigma, model_name="phase search", ci="none")
    model({n: p.value for n, p in fit.params.items()}, x)
    return fit, store["coef"]


def _background_only_rwp(x: np.ndarray, y: np.ndarray, sigma: np.ndarray, nbg: int) -> tuple[float, np.ndarray]:
    """Rwp (percent) and curve of the Chebyshev background alone, fitted with the same weights."""
    if nbg == 0:
        calc = np.zeros_like(y)
    else:
        basis = chebyshev_basis(x, nbg)
        coef, *_ = np.linalg.lstsq(basis / sigma[:, None], y / sigma, rcond=None)
        calc = basis @ coef
    return r_factors(y, calc, sigma, nbg)["rwp_percent"], calc


def _observed_peaks(x: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """2-theta of local maxima with prominence >= 5 sigma (local) and >= 1 % of the largest prominence."""
    idx, props = find_peaks(y, prominence=0.0)
    if idx.size == 0:
        return np.zeros(0)
    prom = props["prominences"]
    keep = (prom >= 5 * sigma[idx]) & (prom >= 0.01 * prom.max())
    return x[idx[keep]]


def _at_bounds(fit: FitResult, names: Sequence[str], bounds: dict[str, tuple[float, float]]) -> list[str]:
    """Parameters whose value sits at a bound (within 0.1 % of the bound's value, 1e-4 of the range for a bound 0)."""
    out = []
    for n in names:
        if n not in fit.params or not fit.params[n].vary:
            continue
        lo, hi = bounds[n]
        v = fit.value(n)
        if v <= lo + max(1e-3 * abs(lo), 1e-4 * (hi - lo) if lo == 0 else 0.0):
            out.append(f"{n} = {v:.4g} at its lower bound {lo:g}")
        elif v >= hi - max(1e-3 * abs(hi), 1e-4 * (hi - lo) if hi == 0 else 0.0):
            out.append(f"{n} = {v:.4g} at its upper bound {hi:g}")
    return out


def _param_bounds(i: int) -> dict[str, tuple[float, float]]:
    return {f"size_nm_{i}": SIZE_BOUNDS, f"cell_scale_{i}": CELL_BOUNDS, "zero_shift_deg": (-ZERO_BOUND_DEG, ZERO_BOUND_DEG)}


def _lines_matched(engine: PatternEngine, cell_scale: float, size_nm: float, zero: float, peaks: np.ndarray, step: float) -> tuple[int, int]:
    """(strong predicted lines with an observed peak nearby, strong predicted lines in range)."""
    tt, inten, lam = engine.sticks(None, cell_scale)[0]
    x = engine.x
    inside = (tt + zero >= x.min()) & (tt + zero <= x.max())
    tt, inten = tt[inside] + zero, inten[inside]
    if tt.size == 0:
        return 0, 0
    strong = inten >= STRONG_LINE_PERCENT / 100 * inten.max()
    tt = tt[strong]
    th = np.radians(tt) / 2
    w_size = np.degrees(engine.k * lam / (10 * size_nm * np.cos(th)))
    fw, _ = _tch(np.full_like(tt, engine.inst), w_size)
    tol = np.maximum(fw, 2 * step)
    if peaks.size == 0:
        return 0, int(tt.size)
    near = np.min(np.abs(tt[:, None] - peaks[None, :]), axis=1) <= tol
    return int(near.sum()), int(tt.size)


def _formula(st: Structure) -> str:
    """Cell contents as a formula, e.g. ``Si8`` or ``Cd2Se2``."""
    return "".join(f"{e}{n:g}" for e, n in st.composition().items() if n > 0)


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
    refine_zero: bool = True,
) -> IdentifyResult:
    """Rank candidate phases for a measured pattern and refine the best mixture (module docstring).

    Parameters
    ----------
    measured : MeasuredPattern
    candidates : sequence, optional
        Library names, CIF/TOML paths or Structures; default all bundled phases with atoms
        except the Cu2Se occupancy-series variants (``cu2se-t*``).  Files are labelled by
        their file name (stem), not by the CIF data-block name.
    elements : sequence of str, optional
        Keep only candidates made of these elements.
    max_phases : int
        Largest number of phases in the mixture (1-5).
    size_nm : float
        Starting crystallite size.
    refine_zero : bool
        Refine one 2-theta zero shift (within +/- ``ZERO_BOUND_DEG``) shared by all phases.

    Returns
    -------
    IdentifyResult
        ``match`` None with a ``reason`` when no candidate passes the match test (module
        docstring); that is a finding, not an error.
    """
    if not isinstance(measured, MeasuredPattern):
        raise InputError("measured must be a MeasuredPattern (see cationx.io.read_pattern)")
    check_magnitude(measured.intensity, "measured intensities")
    nmax = check_int(max_phases, "max_phases", minimum=1, maximum=5)
    nbg = check_int(background_terms, "background_terms", minimum=0, maximum=12)
    if candidates is None:
        specs: list[str | Structure] = [n for n in list_structures() if not n.startswith("cu2se-t")]
    else:
        if len(candidates) == 0:
            raise InputError("candidates is empty")
        specs = list(candidates)
    structs = []
    seen: set[str] = set()
    for spec in specs:
        st = load_structure(spec)
        label = candidate_label(spec, st)
        if label in seen:
            label = f"{label} ({_formula(st)})"
            if label in seen:
                label = f"{label} #{len(structs) + 1}"
        seen.add(label)
        structs.append(st if label == st.name else dataclasses.replace(st, name=label))
    if elements is not None:
        allowed = {normalize_element(e, "elements") for e in elements}
        structs = [s for s in structs if {e for e, n in s.composition().items() if n > 0} <= allowed]
        if not structs:
            raise InputError(f"no candidate phase is made only of {sorted(allowed)}")
    x, y = measured.two_theta_deg, measured.intensity
    sigma = measured.sigma if measured.sigma is not None else np.sqrt(np.maximum(np.abs(y), 1.0))
    lam = wavelength_angstrom if wavelength_angstrom is not None else (measured.wavelength_angstrom or CU_KALPHA1_ANGSTROM)
    common = {
        "wavelength_angstrom": lam,
        "kalpha2": kalpha2,
        "dispersion": dispersion,
        "instrument_fwhm_deg": instrument_fwhm_deg,
        "max_cell_scale": 1.06,
    }
    engines = {s.name: PatternEngine(s, x, **common) for s in structs}
    rwp_bg, calc_bg = _background_only_rwp(x, y, sigma, nbg)
    peaks = _observed_peaks(x, y, sigma)
    step = float(np.median(np.diff(x))) if x.size > 1 else 0.0
    ranking = []
    for s in structs:
        try:
            fit, coef = _projected_fit([engines[s.name]], x, y, sigma, nbg, size_nm, refine_zero)
        except FitError:
            continue
        rf = r_factors(y, fit.y_fit, sigma, fit.nvarys + 1 + nbg)
        scale = float(coef[0])
        cs, sz, z = fit.value("cell_scale_0"), fit.value("size_nm_0"), fit.value("zero_shift_deg")
        n_ok, n_lines = _lines_matched(engines[s.name], cs, sz, z, peaks, step)
        reasons = []
        bounds: list[str] = []
        if scale <= 0:
            reasons.append("scale 0: the phase adds nothing to the background")
        else:
            bounds = _at_bounds(fit, ["size_nm_0", "cell_scale_0", "zero_shift_deg"], _param_bounds(0))
            gain = (rwp_bg - rf["rwp_percent"]) / rwp_bg if rwp_bg > 0 else 0.0
            if gain < MIN_RWP_GAIN:
                reasons.append(
                    f"Rwp {rf['rwp_percent']:.2f} % is within {100 * MIN_RWP_GAIN:g} % of the background-only Rwp {rwp_bg:.2f} %"
                )
            if n_lines == 0 or n_ok < max(1, math.ceil(MIN_LINE_FRACTION * n_lines)):
                reasons.append(f"only {n_ok} of {n_lines} strong predicted lines have an observed peak")
            reasons.extend(f"{b} (not determined)" for b in bounds)
        ranking.append(
            {
                "phase": s.name,
                "match": not reasons,
                "rwp_percent": rf["rwp_percent"],
                "rwp_background_percent": rwp_bg,
                "scale": scale,
                "lines_matched": n_ok,
                "lines_predicted": n_lines,
                "size_nm": sz,
                "cell_scale": cs,
                "a_angstrom": s.cell[0] * cs,
                "zero_shift_deg": z,
                "bic": fit.bic,
                "at_bound": bounds,
                "reasons": reasons,
            }
        )
    if not ranking:
        raise FitError("no candidate phase could be fitted to the pattern")
    ranking.sort(key=lambda r: (not r["match"], r["rwp_percent"]))
    if not ranking[0]["match"]:
        best = ranking[0]
        reason = (
            f"no candidate fits: background alone gives Rwp {rwp_bg:.2f} %; the lowest candidate Rwp is "
            f"{best['rwp_percent']:.2f} % ({best['phase']}: {'; '.join(best['reasons'])}); "
            f"{peaks.size} observed peaks"
        )
        return IdentifyResult(
            ranking=tuple(ranking),
            phases=(),
            fit=None,
            two_theta_deg=x.copy(),
            observed=y.copy(),
            calculated=calc_bg,
            rwp_percent=rwp_bg,
            rwp_background_percent=rwp_bg,
            n_observed_peaks=int(peaks.size),
            reason=reason,
            warnings=(),
        )
    others = [r for r in ranking[1:] if r["match"]]
    ambiguity = (
        "also consistent with the pattern on its own: "
        + ", ".join(f"{r['phase']} (Rwp {r['rwp_percent']:.2f} %)" for r in others)
        + f" against {ranking[0]['rwp_percent']:.2f} % for {ranking[0]['phase']}"
        if others
        else None
    )
    chosen = [ranking[0]["phase"]]
    best_bic = ranking[0]["bic"]
    while len(chosen) < nmax:
        trial_best = None
        for r in ranking[1:]:
            name = r["phase"]
            if name in chosen or r["scale"] <= 0:
                continue
            try:
                fit, coef = _projected_fit([engines[n] for n in [*chosen, name]], x, y, sigma, nbg, size_nm, refine_zero)
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
    res = _final_mixture(chosen, engines, {s.name: s for s in structs}, ranking, x, y, sigma, nbg, size_nm, refine_zero)
    notes = (*res.warnings, ambiguity) if ambiguity else res.warnings
    return dataclasses.replace(res, rwp_background_percent=rwp_bg, n_observed_peaks=int(peaks.size), warnings=notes)


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
    refine_zero: bool = True,
) -> IdentifyResult:
    fit0, coef0 = _projected_fit([engines[n] for n in chosen], x, y, sigma, nbg, size0, refine_zero)
    params = Parameters()
    for i in range(len(chosen)):
        params.add(f"scale_{i}", value=max(float(coef0[i]), 1e-12), min=0.0)
        params.add(f"size_nm_{i}", value=fit0.value(f"size_nm_{i}"), min=SIZE_BOUNDS[0], max=SIZE_BOUNDS[1])
        params.add(f"cell_scale_{i}", value=fit0.value(f"cell_scale_{i}"), min=CELL_BOUNDS[0], max=CELL_BOUNDS[1])
    params.add("zero_shift_deg", value=fit0.value("zero_shift_deg"), min=-ZERO_BOUND_DEG, max=ZERO_BOUND_DEG, vary=refine_zero)
    for j in range(nbg):
        params.add(f"bg{j}", value=float(coef0[len(chosen) + j]))
    basis_bg = chebyshev_basis(x, nbg)

    def model(values: dict[str, float], xx: np.ndarray) -> np.ndarray:
        out = basis_bg @ np.array([values[f"bg{j}"] for j in range(nbg)]) if nbg else np.zeros_like(xx)
        for i, n in enumerate(chosen):
            out = out + values[f"scale_{i}"] * engines[n].profile_curve(
                None, values[f"cell_scale_{i}"], values[f"size_nm_{i}"], values["zero_shift_deg"]
            )
        return out

    fit = fit_curve(model, params, x, y, sigma=sigma, model_name="phase mixture", ci="stderr")
    notes = []
    if not fit.success:
        notes.append(f"mixture refinement did not converge: {fit.message}")
    for i, n in enumerate(chosen):
        for b in _at_bounds(fit, [f"size_nm_{i}", f"cell_scale_{i}"], _param_bounds(i)):
            notes.append(f"{n}: {b} (not determined)")
        if fit.value(f"scale_{i}") <= 0:
            notes.append(f"{n}: scale refined to 0")
    notes.extend(_at_bounds(fit, ["zero_shift_deg"], _param_bounds(0)))
    for note in notes:
        warnings.warn(note, ConvergenceWarning, stacklevel=3)
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
                a_angstrom=structs[n].cell[0] * fit.value(f"cell_scale_{i}"),
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
        warnings=tuple(notes),
    )
