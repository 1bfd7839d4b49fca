"""EDS (energy-dispersive X-ray spectroscopy) quantification tables: spots -> mean +/- SD.

Input: one row per spot or area, one column per element, in atomic % or weight % as the
instrument software reports them (001 used the at% of IXRF Iridium Ultra and normalised Se
to 1).  Each spot is renormalised to 100 % over the chosen elements (drop C, O, Cu of a
grid, Si of a detector...), converted between at% and wt% with periodictable's atomic
weights, and optionally expressed relative to a reference element (Se = 1).

Summary per element: mean, sample SD (ddof = 1, the spot-to-spot spread), SEM = SD/sqrt(n)
(the standard uncertainty of the mean) and n.  The counting-statistics uncertainty of each
spot is not in the table and is not included: the spread between spots contains it.
Derived quantities (:func:`cationx.composition.derived.derive`) use the mean at% with the
covariance of the spots divided by n (the SEM on the diagonal; the renormalised amounts are
anti-correlated, and the off-diagonal terms keep ratios right).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_choice
from cationx.composition.elements import COMPOSITION_UNITS, atomic_mass, check_element
from cationx.errors import InputError

__all__ = ["EdsResult", "analyze_eds"]


@dataclass(frozen=True, slots=True)
class EdsResult:
    """Per-spot normalised at% / wt% (and ratio to a reference) and their summary."""

    at_pct: pd.DataFrame
    wt_pct: pd.DataFrame
    relative: pd.DataFrame | None
    summary: pd.DataFrame
    input_unit: str
    elements: tuple[str, ...]
    reference: str | None

    @property
    def n(self) -> int:
        return len(self.at_pct)

    def amounts(self) -> dict[str, Any]:
        """Element -> mean at% as correlated ufloats (covariance of the spots / n; floats when n = 1).

        The spot-to-spot covariance is kept because renormalised amounts are anti-correlated
        (they sum to 100): a ratio such as Cu/Se then gets the uncertainty of the per-spot
        ratios' mean to first order, not that of independent numbers.
        """
        from uncertainties import correlated_values

        at = self.at_pct[list(self.elements)].to_numpy(dtype=float)
        mean = at.mean(axis=0)
        if len(at) < 2:
            return {el: float(m) for el, m in zip(self.elements, mean, strict=True)}
        cov = np.atleast_2d(np.cov(at, rowvar=False, ddof=1)) / len(at)
        vals = correlated_values(mean, cov)
        return dict(zip(self.elements, vals, strict=True))

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def to_dict(self) -> dict[str, Any]:
        from cationx.io.write import to_jsonable

        return {
            "input_unit": self.input_unit,
            "elements": list(self.elements),
            "reference": self.reference,
            "n_spots": self.n,
            "summary": to_jsonable(self.summary.to_dict(orient="records")),
            "spots_at_pct": to_jsonable(self.at_pct.reset_index().to_dict(orient="records")),
            "spots_wt_pct": to_jsonable(self.wt_pct.reset_index().to_dict(orient="records")),
            "spots_relative": None if self.relative is None else to_jsonable(self.relative.reset_index().to_dict(orient="records")),
        }


def _stats(frame: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    n = len(frame)
    out = {}
    for c in frame.columns:
        v = frame[c].to_numpy(dtype=float)
        sd = float(v.std(ddof=1)) if n >= 2 else math.nan
        out[c] = (float(v.mean()), sd, sd / math.sqrt(n) if n >= 2 else math.nan)
    return out


def analyze_eds(
    table: pd.DataFrame,
    *,
    unit: str = "at",
    elements: Sequence[str] | None = None,
    reference: str | None = None,
) -> EdsResult:
    """Normalise each spot over ``elements``, convert at% <-> wt%, summarise (module docstring).

    Parameters
    ----------
    table
        Rows = spots, columns = element symbols, values in ``unit`` (not modified).
    unit
        ``"at"`` (atomic %) or ``"wt"`` (weight %).
    elements
        Elements to keep and renormalise over (default: all columns).
    reference
        Element whose amount is set to 1 in the ``relative`` table (e.g. ``"Se"``).
    """
    check_choice(unit, "unit", COMPOSITION_UNITS)
    if table.empty:
        raise InputError("EDS table has no spots")
    cols = [check_element(c, "EDS table") for c in table.columns]
    t = table.copy()
    t.columns = cols
    els = cols if elements is None else [check_element(e, "elements") for e in elements]
    missing = [e for e in els if e not in t.columns]
    if missing:
        raise InputError(f"elements not in the EDS table: {', '.join(missing)} (have: {', '.join(cols)})")
    if len(els) < 1:
        raise InputError("elements needs at least one element")
    v = t[els].astype(float)
    if v.isna().any().any():
        spot = v.index[v.isna().any(axis=1)][0]
        raise InputError(f"EDS table: missing value in spot {spot!r}")
    if (v.to_numpy() < 0).any():
        spot = v.index[(v < 0).any(axis=1)][0]
        raise InputError(f"EDS table: negative amount in spot {spot!r} (at% and wt% must be >= 0)")
    with np.errstate(over="ignore"):
        tot = v.sum(axis=1)
        big = ~np.isfinite((v * 1000.0).sum(axis=1).to_numpy())
    if big.any():
        spot = v.index[big][0]
        raise InputError(f"EDS table: values in spot {spot!r} are too large to normalise (at% or wt%, up to 100 expected)")
    if (tot <= 0).any():
        spot = v.index[tot <= 0][0]
        raise InputError(f"EDS table: spot {spot!r} has zero total over {', '.join(els)}")
    masses = np.array([atomic_mass(e) for e in els])
    if unit == "at":
        at = v.div(tot, axis=0) * 100
        w = at * masses
        wt = w.div(w.sum(axis=1), axis=0) * 100
    else:
        wt = v.div(tot, axis=0) * 100
        a = wt / masses
        at = a.div(a.sum(axis=1), axis=0) * 100
    rel = None
    if reference is not None:
        ref = check_element(reference, "reference")
        if ref not in els:
            raise InputError(f"reference {ref} is not among the elements {', '.join(els)}")
        if (at[ref] <= 0).any():
            raise InputError(f"reference {ref} is zero in some spot: cannot normalise to it")
        rel = at.div(at[ref], axis=0)
    sa, sw = _stats(at), _stats(wt)
    sr = _stats(rel) if rel is not None else None
    rows = []
    for e in els:
        row = {"element": e, "n": len(at), "at_pct_mean": sa[e][0], "at_pct_sd": sa[e][1], "at_pct_sem": sa[e][2],
               "wt_pct_mean": sw[e][0], "wt_pct_sd": sw[e][1], "wt_pct_sem": sw[e][2]}
        if sr is not None:
            row.update({f"per_{reference}_mean": sr[e][0], f"per_{reference}_sd": sr[e][1], f"per_{reference}_sem": sr[e][2]})
        rows.append(row)
    return EdsResult(at, wt, rel, pd.DataFrame(rows), unit, tuple(els), reference)
