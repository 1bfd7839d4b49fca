"""Composition search: which clusters have their most abundant peak at a given m/z?

Procedure (:func:`search_compositions`):

1. Enumerate every combination of element counts and group counts in the given ranges
   (at most 5,000,000), for each ionisation mode (default ``M`` = the formula itself as an
   odd-electron ion, ``+H``, ``-H``, ``+Na``; the electron mass is accounted through the
   charge).
2. Keep those whose *average* m/z lies within ``tolerance_da + 3 Da`` of the target (the
   most abundant peak of a cluster lies within ~2 Da of its average mass: 1.2 Da for
   Ag29S13, whose bins are 2 Da apart), then compute their exact envelopes and keep those
   whose most-abundant m/z lies within ``tolerance_da``.
3. Charge-balance filter (documented rule).  The formal charge of the inorganic part is
   Q = sum of formal charges (Cd2+, Zn2+, Pb2+, Hg2+, Ag+, Cu+, Au+, Na+, In3+, Ga3+,
   S2-, Se2-, Te2-; see ``cationx.massspec.isotopes.FORMAL_CHARGES``).  Groups (such
   as L = oleic acid) are neutral molecules and count 0; a carboxylate is the acid minus
   one H, which is what the ``-H`` mode describes (it removes the H's mass and counts
   -1).  The adduct adds its charge (+H: +1, +Na: +1, +K: +1, -H: -1, M: 0).  With the
   atoms fixed, the closed-shell charge is Q + adduct, and the imbalance is
   |Q + adduct - z|.  A candidate passes when the imbalance is <= ``max_imbalance``
   (default 2, because MALDI fragment ions such as Ag29S13+ with Q = +3 are odd-electron
   species; use 0 for strictly closed-shell ions).  Elements without a formal charge
   (C, H, O, ...) count 0.  Example: Cd34S33(L) has Q = +2; [Cd34S33(L)-H]+ (one oleate)
   is balanced, [Cd34S33(L)]+ is off by 1 and [Cd34S33(L)+H]+ by 2.
4. Ranking.  Without a spectrum: by charge imbalance, then by |m/z error|.  With a
   spectrum (and its picked peaks): by envelope match (cosine similarity of the profile at
   the spectrum's peak width, over the central 99.9 % of the envelope), then by series membership (how many of the candidate's
   neighbours in the series ±S, ±Ag2S, ±CdS, Ag<->Cd, ±L are found among the peaks), then
   by |m/z error|.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_finite, check_int, check_nonnegative
from cationx.errors import InputError
from cationx.massspec.envelope import _gaussians, envelopes
from cationx.massspec.formula import Formula, groups
from cationx.massspec.isotopes import (
    ELECTRON_MASS_DA,
    element_isotopes,
    is_element,
    oxidation_state,
)

__all__ = ["MODES", "Candidate", "SearchResult", "label_peaks", "parse_ranges", "search_compositions"]

MODES: dict[str, tuple[dict[str, int], int]] = {
    "M": ({}, 0),
    "+H": ({"H": 1}, 1),
    "-H": ({"H": -1}, -1),
    "+Na": ({"Na": 1}, 1),
    "+K": ({"K": 1}, 1),
}
MAX_COMBINATIONS = 5_000_000
AVERAGE_MARGIN_DA = 3.0

# series steps used for membership: label -> composition change
SERIES_STEPS: dict[str, dict[str, int]] = {
    "S": {"S": 1},
    "Ag2S": {"Ag": 2, "S": 1},
    "CdS": {"Cd": 1, "S": 1},
    "Ag/Cd": {"Ag": 1, "Cd": -1},
    "L": {"L": 1},
}


def parse_ranges(text: str, name: str) -> dict[str, tuple[int, int]]:
    """Parse ``"Ag:0-40,Cd:0-40,S:0-40"`` into {symbol: (lo, hi)} (inclusive)."""
    out: dict[str, tuple[int, int]] = {}
    if not text or not text.strip():
        raise InputError(f"{name} must list ranges like Ag:0-40,S:0-40")
    pos = 0
    for part in text.split(","):
        item = part.strip()
        if ":" not in item:
            raise InputError(f"{name}: expected SYMBOL:LO-HI at position {pos + 1}, got {item!r}")
        sym, rng = item.split(":", 1)
        sym = sym.strip()
        lo_hi = rng.split("-")
        try:
            if len(lo_hi) == 1:
                lo = hi = int(lo_hi[0])
            elif len(lo_hi) == 2:
                lo, hi = int(lo_hi[0]), int(lo_hi[1])
            else:
                raise ValueError
        except ValueError:
            raise InputError(f"{name}: range of {sym!r} at position {pos + 1} must be LO-HI with integers, got {rng!r}") from None
        if lo < 0 or hi < lo:
            raise InputError(f"{name}: range of {sym!r} must satisfy 0 <= LO <= HI, got {rng!r}")
        if hi > 10_000:
            raise InputError(f"{name}: upper count {hi} of {sym!r} exceeds 10000")
        if sym in out:
            raise InputError(f"{name}: {sym!r} is given twice")
        out[sym] = (lo, hi)
        pos += len(part) + 1
    return out


@dataclass(frozen=True, slots=True)
class Candidate:
    """One composition that matches: counts, mode, computed m/z, error and ranking terms."""

    formula: str
    counts: dict[str, int]
    mode: str
    charge: int
    most_abundant_mz: float
    error_da: float
    imbalance: int
    match: float | None
    members: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula,
            "counts": self.counts,
            "mode": self.mode,
            "charge": self.charge,
            "most_abundant_mz": self.most_abundant_mz,
            "error_da": self.error_da,
            "imbalance": self.imbalance,
            "match": self.match,
            "members": self.members,
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked candidates of :func:`search_compositions`."""

    target_mz: float
    tolerance_da: float
    candidates: tuple[Candidate, ...]
    examined: int

    def to_frame(self) -> pd.DataFrame:
        cols = ["formula", "mode", "charge", "most_abundant_mz", "error_da", "imbalance", "match", "members"]
        return pd.DataFrame([{k: c.to_dict()[k] for k in cols} for c in self.candidates], columns=cols)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_mz": self.target_mz,
            "tolerance_da": self.tolerance_da,
            "examined": self.examined,
            "candidates": [c.to_dict() for c in self.candidates],
        }


def _label(counts: Mapping[str, int], order: Sequence[str]) -> str:
    parts = []
    for s in order:
        n = counts.get(s, 0)
        if n == 0:
            continue
        name = f"({s})" if s in groups() else s
        parts.append(name if n == 1 else f"{name}{n}")
    return "".join(parts)


def search_compositions(
    target_mz: float,
    elements: Mapping[str, tuple[int, int]],
    *,
    group_ranges: Mapping[str, tuple[int, int]] | None = None,
    charge: int = 1,
    modes: Sequence[str] = ("M", "+H", "-H", "+Na"),
    tolerance_da: float = 1.0,
    charge_balance: bool = True,
    max_imbalance: int = 2,
    spectrum: Any = None,
    peaks_mz: Sequence[float] | None = None,
    fwhm_da: float | None = None,
    max_results: int = 50,
) -> SearchResult:
    """Compositions whose most-abundant m/z is within ``tolerance_da`` of ``target_mz``.

    See the module docstring for the procedure, the charge-balance rule and the ranking.
    ``spectrum`` (a :class:`~cationx.massspec.spectrum.Spectrum`) and ``peaks_mz`` enable
    envelope match and series membership.
    """
    target = check_finite(target_mz, "target_mz")
    tol = check_nonnegative(tolerance_da, "tolerance_da")
    z = check_int(charge, "charge")
    if z == 0:
        raise InputError("charge must be non-zero for an m/z search")
    imb_max = check_int(max_imbalance, "max_imbalance", minimum=0)
    nmax = check_int(max_results, "max_results", minimum=1)
    grp = dict(group_ranges or {})
    if not elements and not grp:
        raise InputError("give at least one element or group range")
    for s in elements:
        if not is_element(s):
            raise InputError(f"unknown element {s!r} in the element ranges")
    reg = groups()
    for g in grp:
        if g not in reg:
            raise InputError(f"unknown group {g!r}; registered: {', '.join(reg)}")
    for m in modes:
        if m not in MODES:
            raise InputError(f"unknown mode {m!r}; choose from {', '.join(MODES)}")
    names = list(elements) + list(grp)
    ranges = [elements[s] for s in elements] + [grp[g] for g in grp]
    total = int(np.prod([hi - lo + 1 for lo, hi in ranges])) * len(modes)
    if total > MAX_COMBINATIONS:
        raise InputError(f"the ranges give {total} combinations, more than {MAX_COMBINATIONS}; narrow them")
    grids = np.meshgrid(*[np.arange(lo, hi + 1) for lo, hi in ranges], indexing="ij")
    cols = {n: g.ravel() for n, g in zip(names, grids, strict=True)}
    unit_avg = {}
    for s in elements:
        unit_avg[s] = element_isotopes(s).average_mass_da
    for g in grp:
        unit_avg[g] = sum(k * element_isotopes(e).average_mass_da for e, k in reg[g].counts)
    avg = sum(cols[n] * unit_avg[n] for n in names)
    q_core = sum(cols[s] * (oxidation_state(s) or 0) for s in elements)
    rows: list[tuple[int, str]] = []
    for mode in modes:
        add, _add_q = MODES[mode]
        add_mass = sum(k * element_isotopes(e).average_mass_da for e, k in add.items())
        approx = (avg + add_mass - z * ELECTRON_MASS_DA) / abs(z)
        ok = np.abs(approx - target) <= tol + AVERAGE_MARGIN_DA / abs(z)
        ok &= (avg > 0)
        if "H" in add and add["H"] < 0:
            h_count = sum(cols[g] * dict(reg[g].counts).get("H", 0) for g in grp) + (cols["H"] if "H" in cols else 0)
            ok &= h_count >= 1
        for i in np.flatnonzero(ok):
            rows.append((int(i), mode))
    # exact envelopes of the survivors
    formulas = []
    meta = []
    for i, mode in rows:
        counts: dict[str, int] = {}
        for s in elements:
            if cols[s][i]:
                counts[s] = counts.get(s, 0) + int(cols[s][i])
        lig = {}
        for g in grp:
            k = int(cols[g][i])
            if k:
                lig[g] = k
                for e, c in reg[g].counts:
                    counts[e] = counts.get(e, 0) + c * k
        for e, c in MODES[mode][0].items():
            counts[e] = counts.get(e, 0) + c
        formulas.append(Formula.from_counts(counts, z, ligands=lig))
        meta.append((i, mode))
    envs = envelopes(formulas) if formulas else []
    cands = []
    for env, (i, mode) in zip(envs, meta, strict=True):
        err = env.most_abundant_mz - target
        if abs(err) > tol:
            continue
        base = {n: int(cols[n][i]) for n in names if cols[n][i]}
        imbalance = abs(int(q_core[i]) + MODES[mode][1] - z)
        if charge_balance and imbalance > imb_max:
            continue
        cands.append((env, base, mode, err, imbalance))
    match_scores: list[float | None] = [None] * len(cands)
    member_counts: list[int | None] = [None] * len(cands)
    if spectrum is not None:
        width = fwhm_da if fwhm_da is not None else target / 1e4
        for k, (env, *_rest) in enumerate(cands):
            cum = np.cumsum(env.abundance)  # window: the central 99.9 % of the envelope
            lo = env.mz[int(np.searchsorted(cum, 5e-4))] - 3 * width
            hi = env.mz[min(int(np.searchsorted(cum, 1 - 5e-4)), env.mz.size - 1)] + 3 * width
            sel = (spectrum.mz >= lo) & (spectrum.mz <= hi)
            if sel.sum() >= 3:
                model = _gaussians(spectrum.mz[sel], env.mz, env.abundance, width)
                y = spectrum.intensity[sel]
                ny, nm = np.linalg.norm(y), np.linalg.norm(model)
                match_scores[k] = float(np.dot(y, model) / (ny * nm)) if ny > 0 and nm > 0 else 0.0
    if peaks_mz is not None:
        pk = np.sort(np.asarray(peaks_mz, dtype=float))
        for k, (env, base, _mode, _err, _imb) in enumerate(cands):
            member_counts[k] = _members(base, env.average_mz, pk, z, tol + 1.5, unit_avg)
    order_names = [s for s in elements] + list(grp)
    out = []
    for k, (env, base, mode, err, imbalance) in enumerate(cands):
        label = _label(base, order_names)
        out.append(
            Candidate(
                formula=label if mode == "M" else f"[{label}{mode}]",
                counts=base,
                mode=mode,
                charge=z,
                most_abundant_mz=env.most_abundant_mz,
                error_da=float(err),
                imbalance=int(imbalance),
                match=match_scores[k],
                members=member_counts[k],
            )
        )

    def key(c: Candidate) -> tuple:
        if spectrum is not None or peaks_mz is not None:
            return (-(round(c.match, 3) if c.match is not None else 0.0), -(c.members or 0), abs(c.error_da))
        return (c.imbalance, abs(c.error_da))

    out.sort(key=key)
    return SearchResult(target, tol, tuple(out[:nmax]), total)


def _members(base: Mapping[str, int], avg_mz: float, peaks: np.ndarray, z: int, tol: float, unit_avg: Mapping[str, float]) -> int:
    """Number of series neighbours (±one step of each SERIES_STEPS entry) seen among peaks."""
    found = 0
    for step in SERIES_STEPS.values():
        if any(s not in unit_avg for s in step):
            continue
        dm = sum(k * unit_avg[s] for s, k in step.items()) / abs(z)
        for sign in (1, -1):
            if any(base.get(s, 0) + sign * k < 0 for s, k in step.items()):
                continue
            m = avg_mz + sign * dm
            j = np.searchsorted(peaks, m)
            near = [peaks[t] for t in (j - 1, j) if 0 <= t < peaks.size]
            if near and min(abs(p - m) for p in near) <= tol:
                found += 1
    return found



def label_peaks(
    peaks_mz: Sequence[float],
    elements: Mapping[str, tuple[int, int]],
    *,
    group_ranges: Mapping[str, tuple[int, int]] | None = None,
    charge: int = 1,
    modes: Sequence[str] = ("M", "+H"),
    tolerance_da: float = 1.5,
    max_imbalance: int = 2,
) -> list[Candidate | None]:
    """Best composition (see :func:`search_compositions`, ranked by imbalance then error)
    for each peak, or None where nothing lies within ``tolerance_da``."""
    out: list[Candidate | None] = []
    for m in np.asarray(peaks_mz, dtype=float):
        res = search_compositions(
            float(m),
            elements,
            group_ranges=group_ranges,
            charge=charge,
            modes=modes,
            tolerance_da=tolerance_da,
            max_imbalance=max_imbalance,
            max_results=1,
        )
        out.append(res.candidates[0] if res.candidates else None)
    return out
