"""Index measured d-spacings (electron-diffraction rings or powder peaks) against candidate phases.

For each candidate phase the allowed reflections (space-group absences from gemmi) in the
observed d range are listed; with atomic positions, reflections weaker than
``min_relative_intensity`` percent of the strongest (kinematic X-ray intensities) are
dropped, for cell-only phases every allowed reflection counts.  Each observed d is assigned
to the nearest line(s); a match needs a relative error within ``tolerance_percent``.

Ranking must not reward phases with dense line lists (a large cell matches anything), so
each matched ring is scored by how unlikely so good a match would be by chance:

    p_i = 1 - exp(-rho_i * 2 * max(e_i, e_floor) * d_i)

with rho_i the candidate's line density (lines per A) in a +/- 10 % window around d_i,
e_i the relative error and e_floor = 1 % (the precision of electron-diffraction ring spacings).  The
score is sum_i -log10(p_i) over matched rings minus 2 per unmatched ring (a factor of 100
against the phase); the best phase has the highest score.

Calibration (000 Table 1 footnote: spacings relative to Au(111)): pass the d measured for
the Au(111) ring; all d are scaled by d_Au(111) / measured, with d_Au(111) from the bundled
gold cell (a = 4.0782 A -> 2.3545 A).

The top of the ranking is a match only if it assigns at least one ring within tolerance and
its score is > 0 (the matched rings outweigh the penalties of the unmatched ones); otherwise
``match`` is None and ``reason`` says why.  A runner-up within one score unit (a factor of 10
in chance probability) is reported as a warning: the data do not tell the two apart.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_positive
from cationx.crystal.library import CellOnly, list_phases, load_cell
from cationx.crystal.powder import _families, reflections
from cationx.crystal.structure import Structure, normalize_element
from cationx.errors import InputError
from cationx.units import d_to_two_theta

__all__ = ["IndexResult", "PhaseMatch", "au111_d_angstrom", "calibrate_d", "candidate_label", "index_d_spacings"]

E_FLOOR = 0.01
UNMATCHED_PENALTY = 2.0


def candidate_label(spec: object, structure: Structure | CellOnly) -> str:
    """Label of a candidate: the library name, or the file name (stem) for a CIF/TOML path.

    A CIF's data-block name is often a database number (``9008565``) that says nothing
    in a ranking; the file name is what the user typed.
    """
    if isinstance(spec, str | Path) and Path(str(spec)).suffix.lower() in (".cif", ".toml"):
        return Path(str(spec)).stem
    return structure.name


def au111_d_angstrom() -> float:
    """d(111) of the bundled gold standard (A)."""
    a = load_cell("au").cell[0]
    return a / math.sqrt(3)


def calibrate_d(d_angstrom: Any, au111_measured_angstrom: float) -> np.ndarray:
    """Scale measured d so that the Au(111) ring lands on its true spacing."""
    d = as_1d_array(d_angstrom, "d_angstrom")
    m = check_positive(au111_measured_angstrom, "au111_measured_angstrom")
    return d * (au111_d_angstrom() / m)


@dataclass(frozen=True, slots=True)
class PhaseMatch:
    """How one candidate phase indexes the observed d-spacings."""

    phase: str
    score: float
    n_matched: int
    n_observed: int
    rms_error_percent: float | None
    assignments: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "score": self.score,
            "n_matched": self.n_matched,
            "n_observed": self.n_observed,
            "rms_error_percent": self.rms_error_percent,
            "assignments": list(self.assignments),
        }


@dataclass(frozen=True, slots=True)
class IndexResult:
    """Candidates ranked best first."""

    d_observed: np.ndarray
    d_calibrated: np.ndarray
    calibration_factor: float
    matches: tuple[PhaseMatch, ...]

    @property
    def best(self) -> PhaseMatch:
        """Top of the ranking (not necessarily a match: see :attr:`match`)."""
        return self.matches[0]

    @property
    def match(self) -> PhaseMatch | None:
        """The top-ranked phase if it matches (>= 1 ring within tolerance and score > 0), else None."""
        b = self.matches[0]
        return b if b.n_matched >= 1 and b.score > 0 else None

    @property
    def reason(self) -> str | None:
        """Why there is no match (None when there is one)."""
        if self.match is not None:
            return None
        b = self.matches[0]
        if b.n_matched == 0:
            return f"no candidate has a line within tolerance of any of the {b.n_observed} measured spacings"
        return (
            f"no match: the top-ranked phase {b.phase} matches only {b.n_matched} of {b.n_observed} spacings "
            f"(score {b.score:.2f} <= 0: the unmatched rings outweigh the matched ones)"
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        m = self.match
        if m is None or len(self.matches) < 2:
            return ()
        out = []
        second = self.matches[1]
        if second.score > m.score - 1.0:
            out.append(f"ambiguous: {second.phase} scores {second.score:.2f} against {m.score:.2f} for {m.phase} (less than a factor 10 apart)")
        if m.n_matched < m.n_observed:
            out.append(f"{m.phase} leaves {m.n_observed - m.n_matched} of {m.n_observed} spacings unassigned")
        return tuple(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: phase, score, n_matched, rms_error_percent."""
        return pd.DataFrame(
            [
                {
                    "phase": m.phase,
                    "score": m.score,
                    "n_matched": m.n_matched,
                    "n_observed": m.n_observed,
                    "rms_error_percent": m.rms_error_percent,
                }
                for m in self.matches
            ]
        )

    def assignments_frame(self, phase: str | None = None) -> pd.DataFrame:
        """Ring-by-ring assignment for one phase (default: the best)."""
        m = self.best if phase is None else next((x for x in self.matches if x.phase == phase), None)
        if m is None:
            raise InputError(f"phase {phase!r} was not a candidate")
        return pd.DataFrame(list(m.assignments))

    def to_dict(self) -> dict[str, Any]:
        return {
            "d_observed": self.d_observed,
            "d_calibrated": self.d_calibrated,
            "calibration_factor": self.calibration_factor,
            "match": None if self.match is None else self.match.phase,
            "best": None if self.match is None else self.match.phase,
            "top_ranked": self.best.phase,
            "verdict": "no match" if self.match is None else f"match: {self.match.phase}",
            "reason": self.reason,
            "warnings": list(self.warnings),
            "candidates": [m.to_dict() for m in self.matches],
        }


def _lines(cand: Structure | CellOnly, d_lo: float, d_hi: float, min_rel: float) -> tuple[np.ndarray, list[str]]:
    """Allowed lines (d, labels) of a candidate between d_lo and d_hi."""
    if isinstance(cand, CellOnly):
        reps, _, d = _families(_CellProxy(cand), d_lo)  # type: ignore[arg-type]
        sel = d <= d_hi
        return d[sel], [f"({h} {k} {el})" for h, k, el in reps[sel].tolist()]
    # a wavelength equal to d_lo puts the whole d range inside 0-60 deg 2-theta; the
    # threshold uses m |F|^2 (no Lorentz-polarisation), as fits electron and X-ray rings alike
    lam = d_lo
    tt_lo = float(d_to_two_theta(d_hi, lam))
    t = reflections(cand, wavelength_angstrom=lam, two_theta_range_deg=(tt_lo * 0.999, 60.001), dispersion=False)
    strength = t.multiplicity * t.f_squared
    keep = strength >= min_rel / 100 * strength.max() if strength.size else np.zeros(0, dtype=bool)
    return t.d_angstrom[keep], [lab for lab, k in zip(t.labels(), keep, strict=True) if k]


def _elements_of(cand: Structure | CellOnly) -> tuple[str, ...]:
    if isinstance(cand, CellOnly):
        return cand.elements
    return tuple(e for e, n in cand.composition().items() if n > 0)


class _CellProxy:
    """Just enough of a Structure for reflection enumeration of a cell-only phase."""

    def __init__(self, cell: CellOnly) -> None:
        from cationx.crystal.structure import _check_cell

        self.name = cell.name
        self.cell = _check_cell(cell.cell)
        self.spacegroup = cell.spacegroup

    lattice_matrix = Structure.lattice_matrix
    reciprocal_matrix = Structure.reciprocal_matrix


def _score_phase(name: str, lines: np.ndarray, labels: list[str], d_obs: np.ndarray, tol: float) -> PhaseMatch:
    rows = []
    score = 0.0
    errs = []
    for d in d_obs:
        if lines.size == 0:
            rows.append({"d_observed": float(d), "hkl": None, "d_calc": None, "error_percent": None, "matched": False})
            score -= UNMATCHED_PENALTY
            continue
        rel = (lines - d) / d
        j = int(np.argmin(np.abs(rel)))
        e = abs(float(rel[j]))
        same = np.abs(lines - lines[j]) <= 1e-3 * lines[j]
        hkls = [labels[i] for i in np.flatnonzero(same)]
        matched = e <= tol
        window = np.abs(lines - d) <= 0.1 * d
        rho = max(int(window.sum()), 1) / (0.2 * d)
        if matched:
            p = 1 - math.exp(-rho * 2 * max(e, E_FLOOR) * d)
            score += -math.log10(max(p, 1e-12))
            errs.append(100 * float(rel[j]))
        else:
            score -= UNMATCHED_PENALTY
        rows.append(
            {
                "d_observed": float(d),
                "hkl": " ".join(hkls),
                "d_calc": float(lines[j]),
                "error_percent": 100 * float(rel[j]),
                "matched": bool(matched),
            }
        )
    rms = math.sqrt(sum(x * x for x in errs) / len(errs)) if errs else None
    return PhaseMatch(name, score, len(errs), int(d_obs.size), rms, tuple(rows))


def index_d_spacings(
    d_angstrom: Any,
    *,
    candidates: Sequence[str | Structure] | None = None,
    tolerance_percent: float = 2.5,
    au111_measured_angstrom: float | None = None,
    min_relative_intensity: float = 1.0,
    elements: Sequence[str] | None = None,
) -> IndexResult:
    """Rank candidate phases for measured d-spacings and assign hkl (module docstring).

    Parameters
    ----------
    d_angstrom : array
        Measured spacings (A), > 0.
    candidates : sequence, optional
        Library names, CIF/TOML paths or Structures; default every bundled phase except
        the Cu2Se occupancy-series variants and gold.
    tolerance_percent : float
        Largest relative error for a match (default 2.5 %).
    au111_measured_angstrom : float, optional
        The Au(111) spacing measured under the same conditions (calibration).
    min_relative_intensity : float
        Drop reflections weaker than this percentage (structures with atoms only).
    elements : sequence of str, optional
        Keep only candidates made of these elements (the sample's chemistry, e.g.
        ``["Cd", "Se", "Cu"]`` for CdSe exchanged with Cu+).
    """
    d = as_1d_array(d_angstrom, "d_angstrom")
    if np.any(d <= 0):
        raise InputError("d_angstrom must all be > 0")
    if np.any(d > 50):
        raise InputError("d_angstrom must be spacings in A (<= 50)")
    tol = check_positive(tolerance_percent, "tolerance_percent") / 100
    factor = 1.0
    dc = d.copy()
    if au111_measured_angstrom is not None:
        dc = calibrate_d(d, au111_measured_angstrom)
        factor = float(dc[0] / d[0])
    if candidates is None:
        names = [n for n in list_phases() if not n.startswith("cu2se-t") and n != "au"]
        cands: list[Structure | CellOnly] = [load_cell(n) for n in names]
    else:
        if len(candidates) == 0:
            raise InputError("candidates is empty")
        cands = []
        for c in candidates:
            cand = c if isinstance(c, Structure) else load_cell(c)
            label = candidate_label(c, cand)
            if isinstance(cand, Structure) and label != cand.name:
                cand = dataclasses.replace(cand, name=label)
            cands.append(cand)
    if elements is not None:
        allowed = {normalize_element(e, "elements") for e in elements}
        cands = [c for c in cands if set(_elements_of(c)) <= allowed]
        if not cands:
            raise InputError(f"no candidate phase is made only of {sorted(allowed)}")
    d_lo, d_hi = float(dc.min()) * (1 - 0.12), float(dc.max()) * (1 + 0.12)
    matches = []
    for cand in cands:
        lines, labels = _lines(cand, d_lo, d_hi, min_relative_intensity)
        matches.append(_score_phase(cand.name, lines, labels, dc, tol))
    matches.sort(key=lambda m: (-m.score, m.rms_error_percent if m.rms_error_percent is not None else 1e9))
    return IndexResult(d_observed=d, d_calibrated=dc, calibration_factor=factor, matches=tuple(matches))
