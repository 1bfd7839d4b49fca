"""ICP-OES: element amounts from measured emission-line concentrations, with blanks and limits.

Input is a tidy table (one row per reading; :func:`cationx.io.composition.read_icp`
reads CSV, wide instrument exports and TOML into it) with columns

``sample``, ``element``, ``line_nm`` (NaN when unknown), ``conc_mg_l`` (mg/L = ppm, in the
measured solution), optional ``sd_mg_l`` or ``rsd_pct`` (the instrument's replicate spread
of that reading) and ``is_blank`` (bool).

Steps (all per element *and* emission line, then combined per element):

1. Blanks.  All blank readings of a line are its blank replicates: mean ``b``, sample
   standard deviation ``s_b`` (ddof = 1), ``n_b``.  ``LOD = 3 s_b`` and ``LOQ = 10 s_b``
   (IUPAC / ACS 1980 convention, concentration domain of the measured solution).  With
   fewer than two blank readings there is no LOD (flag ``no_lod``) and, without any blank,
   nothing is subtracted (a warning says so).
2. Net concentration ``c = mean(readings) - b``; standard uncertainty
   ``u(c)^2 = u_read^2 + s_b^2 / n_b`` with ``u_read`` the standard error of repeated
   readings (k >= 2), else the given ``sd_mg_l`` or ``rsd_pct``, else 0 (said in a note).
   Values below the LOD are kept as measured (never set to zero) and flagged ``<LOD``;
   between LOD and LOQ ``<LOQ``.  Negative blank readings are accepted (blank noise
   scatters around zero; dropping them would bias ``s_b``); a negative sample reading is
   an error unless ``allow_negative`` (data the instrument already blank-corrected).
3. Lines of one element: the relative spread ``(max - min) / mean`` of the lines above the
   LOD; above ``line_tolerance`` (default 10 %) a warning names the lines (spectral
   interference or a matrix effect).  The element value is the inverse-variance weighted
   mean of those lines when every one has an uncertainty, else their plain mean; lines can
   be chosen per element.
4. Amounts: ``c_digest = c x dilution`` (mg/L), ``n = c_digest x V_digest / M`` (mol,
   ``M`` from periodictable), and, when given, mass fraction of the solid
   (``m_element / m_sample``) or molar concentration in the digested sample volume.
   Ratios need neither volume nor dilution: they cancel; each sample's dilution and volume
   enter as one shared uncertain number, so the cancellation is exact in the propagation.

Uncertainties: first-order propagation with the ``uncertainties`` package (correlations
kept).  Dilution, digestion volume and sample mass may carry standard uncertainties.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx.composition.elements import atomic_mass, check_element
from cationx.errors import InputError, InterpretationWarning

__all__ = ["IcpResult", "SampleInfo", "analyze_icp"]

LOD_K = 3.0
LOQ_K = 10.0


@dataclass(frozen=True, slots=True)
class SampleInfo:
    """How a sample was prepared: digestion volume (mL), dilution factor(s), mass or volume.

    ``dilution`` is the total factor (the product of serial dilutions); every ``*_u`` is a
    standard uncertainty in the same unit as its value.
    """

    digest_ml: float | None = None
    digest_ml_u: float = 0.0
    dilution: float = 1.0
    dilution_u: float = 0.0
    mass_mg: float | None = None
    mass_mg_u: float = 0.0
    volume_ml: float | None = None
    volume_ml_u: float = 0.0

    def checked(self, sample: str) -> SampleInfo:
        if self.digest_ml is None and (self.mass_mg is not None or self.volume_ml is not None):
            raise InputError(f"sample {sample!r}: mass_mg or volume_ml needs digest_ml (the digestion volume)")
        for name in ("digest_ml", "mass_mg", "volume_ml"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v > 0):
                raise InputError(f"sample {sample!r}: {name} must be > 0, got {v!r}")
        if not (math.isfinite(self.dilution) and self.dilution >= 1):
            raise InputError(f"sample {sample!r}: dilution must be >= 1 (total factor), got {self.dilution!r}")
        for name in ("digest_ml_u", "dilution_u", "mass_mg_u", "volume_ml_u"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise InputError(f"sample {sample!r}: {name} must be >= 0, got {v!r}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def _uf(v: float, s: float) -> Any:
    from uncertainties import ufloat

    return ufloat(v, s) if s > 0 else float(v)


def _nv(x: Any) -> float:
    from uncertainties import nominal_value

    return float(nominal_value(x))


def _sd(x: Any) -> float:
    from uncertainties import std_dev

    return float(std_dev(x))


@dataclass(frozen=True, slots=True)
class IcpResult:
    """Blanks, per-line and per-element results; ``amounts(sample)`` for derived quantities."""

    blanks: pd.DataFrame
    lines: pd.DataFrame
    elements: pd.DataFrame
    samples: dict[str, SampleInfo]
    warnings: tuple[str, ...]
    line_tolerance: float
    method: str = ("blank-subtracted; LOD = 3 s_blank, LOQ = 10 s_blank; first-order propagation "
                   "(uncertainties package, correlations kept)")
    _amounts: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def sample_names(self) -> list[str]:
        return list(self._amounts)

    def amounts(self, sample: str) -> dict[str, Any]:
        """Element -> amount (ufloat, or float without uncertainty) in one molar unit for ratios:
        mol when the digestion volume is known, else mmol/L of the digest."""
        if sample not in self._amounts:
            raise InputError(f"unknown sample {sample!r}; have: {', '.join(self._amounts)}")
        return dict(self._amounts[sample])

    def below_lod(self, sample: str) -> list[str]:
        e = self.elements
        return list(e.loc[(e["sample"] == sample) & (e["flag"] == "<LOD"), "element"])

    def to_frame(self) -> pd.DataFrame:
        return self.elements.copy()

    def to_dict(self) -> dict[str, Any]:
        from cationx.io.write import to_jsonable

        return {
            "method": self.method,
            "lod_k": LOD_K,
            "loq_k": LOQ_K,
            "line_tolerance": self.line_tolerance,
            "samples": {k: v.to_dict() for k, v in self.samples.items()},
            "blanks": to_jsonable(self.blanks.to_dict(orient="records")),
            "lines": to_jsonable(self.lines.to_dict(orient="records")),
            "elements": to_jsonable(self.elements.to_dict(orient="records")),
            "warnings": list(self.warnings),
        }


def _sample_info(sample: str, given: SampleInfo | Mapping[str, float] | None, default: SampleInfo | None) -> SampleInfo:
    """A full SampleInfo: a partial mapping overrides ``default`` field by field."""
    import dataclasses

    base = default or SampleInfo()
    if given is None:
        info = base
    elif isinstance(given, SampleInfo):
        info = given
    else:
        allowed = {f.name for f in dataclasses.fields(SampleInfo)}
        bad = set(given) - allowed
        if bad:
            raise InputError(f"sample {sample!r}: unknown preparation key(s) {', '.join(sorted(bad))}")
        info = dataclasses.replace(base, **{k: float(v) for k, v in given.items()})
    return info.checked(sample)


def _blank_mask(frame: pd.DataFrame, blank_samples: Sequence[str] | None) -> np.ndarray:
    mask = frame["is_blank"].to_numpy(dtype=bool) if "is_blank" in frame else np.zeros(len(frame), bool)
    names = frame["sample"].astype(str)
    if blank_samples:
        missing = [b for b in blank_samples if b not in set(names)]
        if missing:
            raise InputError(f"blank sample(s) not in the table: {', '.join(missing)}")
        mask = mask | names.isin(list(blank_samples)).to_numpy()
    else:
        mask = mask | names.str.contains(r"^\s*(?:cal(?:ib(?:ration)?)?[\s_-]*)?(?:blank|blk)", case=False, regex=True).to_numpy()
    return mask


def _check_table(frame: pd.DataFrame) -> pd.DataFrame:
    need = ["sample", "element", "conc_mg_l"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"ICP table is missing column(s) {', '.join(missing)} (have: {', '.join(map(str, frame.columns))})")
    t = frame.copy()
    if "line_nm" not in t:
        t["line_nm"] = np.nan
    t["sample"] = t["sample"].astype(str).str.strip()
    t["element"] = [check_element(e, f"ICP table row {i + 1}") for i, e in enumerate(t["element"].astype(str))]
    for col in ("conc_mg_l", "line_nm", "sd_mg_l", "rsd_pct"):
        if col in t:
            vals = pd.to_numeric(t[col], errors="coerce")
            bad = vals.isna() & t[col].notna() & (t[col].astype(str).str.strip() != "")
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(f"ICP table: non-numeric {col} {t[col].iloc[i]!r} at row {i + 1}")
            t[col] = vals.astype(float)
    conc = t["conc_mg_l"].to_numpy()
    if np.isnan(conc).any():
        i = int(np.flatnonzero(np.isnan(conc))[0])
        raise InputError(f"ICP table: missing conc_mg_l at row {i + 1} ({t['sample'].iloc[i]}, {t['element'].iloc[i]})")
    if not np.isfinite(conc).all():
        raise InputError("ICP table: conc_mg_l must be finite")
    for col in ("sd_mg_l", "rsd_pct"):
        if col in t and (t[col].fillna(0) < 0).any():
            raise InputError(f"ICP table: {col} must be >= 0")
    line = t["line_nm"].to_numpy()
    if (line[~np.isnan(line)] <= 0).any():
        raise InputError("ICP table: line_nm must be > 0")
    return t


def _line_key(v: float) -> float:
    return -1.0 if math.isnan(v) else round(float(v), 3)


def analyze_icp(
    table: pd.DataFrame,
    *,
    samples: Mapping[str, SampleInfo] | None = None,
    default: SampleInfo | None = None,
    blank_samples: Sequence[str] | None = None,
    lines: Mapping[str, float] | None = None,
    line_tolerance: float = 0.10,
    allow_negative: bool = False,
    report: Sequence[str] | None = None,
) -> IcpResult:
    """Blank-subtract, flag against LOD/LOQ, combine lines and convert to amounts (module docstring).

    Parameters
    ----------
    table
        Tidy readings (see the module docstring); not modified.
    samples, default
        Preparation per sample name (a :class:`SampleInfo`, or a mapping of the fields that
        differ from ``default``), and ``default`` for the rest.
    blank_samples
        Sample names that are blanks (default: names starting with "blank", "blk",
        "cal blank", "calib blank", or ``is_blank`` in the table).
    lines
        Element -> emission line (nm) to use alone for that element.
    line_tolerance
        Relative spread between lines of one element above which a warning is issued.
    allow_negative
        Accept negative readings (instrument-blank-corrected data); they are kept and flagged.
    report
        Sample names to analyse (default: every non-blank sample; calibration standards in
        the same export can be left out this way).  Blanks are always used.
    """
    if not (math.isfinite(line_tolerance) and line_tolerance > 0):
        raise InputError(f"line_tolerance must be > 0, got {line_tolerance!r}")
    t = _check_table(table)
    chosen = {check_element(k, "lines"): float(v) for k, v in (lines or {}).items()}
    is_blank = _blank_mask(t, blank_samples)
    conc = t["conc_mg_l"].to_numpy()
    neg = (conc < 0) & ~is_blank & (t["sample"].isin(list(report)).to_numpy() if report else True)
    if not allow_negative and neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InputError(
            f"ICP table: negative concentration {conc[i]:g} mg/L at row {i + 1} ({t['sample'].iloc[i]}, {t['element'].iloc[i]}); "
            "if the instrument already subtracted a calibration blank, allow negative readings (--allow-negative)"
        )
    notes: list[str] = []

    def warn(msg: str) -> None:
        notes.append(msg)
        warnings.warn(msg, InterpretationWarning, stacklevel=3)

    t["_line"] = [_line_key(v) for v in t["line_nm"]]
    blanks = t[is_blank]
    meas = t[~is_blank]
    if report:
        missing = [r for r in report if r not in set(meas["sample"])]
        if missing:
            raise InputError(f"sample(s) not in the table (or blanks): {', '.join(missing)}")
        meas = meas[meas["sample"].isin(list(report))]
    if meas.empty:
        raise InputError("ICP table has no sample rows (only blanks)")
    if blanks.empty:
        warn("no blank readings: nothing subtracted and no LOD/LOQ (name blanks 'blank...' or pass the blank sample names)")

    brow = []
    bstat: dict[tuple[str, float], tuple[float, float, int]] = {}
    for (el, ln), g in blanks.groupby(["element", "_line"], sort=True):
        v = g["conc_mg_l"].to_numpy()
        n = v.size
        sd = float(v.std(ddof=1)) if n >= 2 else math.nan
        bstat[(el, ln)] = (float(v.mean()), sd, n)
        brow.append({"element": el, "line_nm": None if ln < 0 else ln, "n_blank": n, "blank_mean_mg_l": float(v.mean()),
                     "blank_sd_mg_l": sd, "lod_mg_l": LOD_K * sd if n >= 2 else math.nan,
                     "loq_mg_l": LOQ_K * sd if n >= 2 else math.nan})
    blank_frame = pd.DataFrame(brow, columns=["element", "line_nm", "n_blank", "blank_mean_mg_l", "blank_sd_mg_l", "lod_mg_l", "loq_mg_l"])
    for r in brow:
        if r["n_blank"] < 2:
            warn(f"{r['element']} {r['line_nm'] or ''}: one blank reading only: no LOD/LOQ (need >= 2 blank replicates)".replace("  ", " "))
        elif r["blank_sd_mg_l"] == 0:
            warn(f"{r['element']} {r['line_nm'] or ''}: identical blank readings (s_blank = 0): LOD = 0 is not meaningful")

    info_all: dict[str, SampleInfo] = {}
    line_rows = []
    elem_rows = []
    amounts: dict[str, dict[str, Any]] = {}
    no_u_lines = set()
    for sample, gs in meas.groupby("sample", sort=False):
        info = _sample_info(sample, (samples or {}).get(sample), default)
        info_all[sample] = info
        dil = _uf(info.dilution, info.dilution_u)
        vol = None if info.digest_ml is None else _uf(info.digest_ml, info.digest_ml_u)
        amounts[sample] = {}
        for el, ge in gs.groupby("element", sort=False):
            per_line = []
            for ln, gl in ge.groupby("_line", sort=True):
                v = gl["conc_mg_l"].to_numpy()
                k = v.size
                mean = float(v.mean())
                if k >= 2:
                    u_read, u_src = float(v.std(ddof=1)) / math.sqrt(k), f"standard error of {k} readings"
                elif "sd_mg_l" in gl and not math.isnan(gl["sd_mg_l"].iloc[0]):
                    u_read, u_src = float(gl["sd_mg_l"].iloc[0]), "sd given"
                elif "rsd_pct" in gl and not math.isnan(gl["rsd_pct"].iloc[0]):
                    u_read, u_src = abs(mean) * float(gl["rsd_pct"].iloc[0]) / 100, "rsd given"
                else:
                    u_read, u_src = 0.0, "none given"
                    no_u_lines.add((el, ln))
                b_mean, b_sd, nb = bstat.get((el, ln), (0.0, math.nan, 0))
                if nb == 0 and not blanks.empty:
                    warn(f"{sample} {el} {'' if ln < 0 else ln}: no blank for this line: nothing subtracted, no LOD")
                u_blank = b_sd / math.sqrt(nb) if nb >= 2 else 0.0
                net = mean - b_mean
                u_net = math.hypot(u_read, u_blank)
                lod = LOD_K * b_sd if nb >= 2 else math.nan
                loq = LOQ_K * b_sd if nb >= 2 else math.nan
                flag = "no_lod" if math.isnan(lod) else ("<LOD" if net < lod else ("<LOQ" if net < loq else "ok"))
                row = {"sample": sample, "element": el, "line_nm": None if ln < 0 else ln, "n_readings": k,
                       "mean_mg_l": mean, "u_reading_mg_l": u_read, "u_reading_source": u_src, "blank_mg_l": b_mean,
                       "net_mg_l": net, "u_net_mg_l": u_net, "lod_mg_l": lod, "loq_mg_l": loq, "flag": flag}
                line_rows.append(row)
                per_line.append(row)
            # choose and combine lines
            use = per_line
            if el in chosen:
                use = [r for r in per_line if r["line_nm"] is not None and abs(r["line_nm"] - chosen[el]) < 0.01]
                if not use:
                    have = ", ".join(str(r["line_nm"]) for r in per_line)
                    raise InputError(f"{sample}: no {el} line at {chosen[el]:g} nm (have: {have})")
            detected = [r for r in use if r["flag"] != "<LOD"]
            flag = "<LOD" if not detected else min((r["flag"] for r in detected), key=["<LOQ", "no_lod", "ok"].index)
            use = detected or use
            nets = np.array([r["net_mg_l"] for r in use])
            us = np.array([r["u_net_mg_l"] for r in use])
            spread = math.nan
            if len(use) >= 2 and detected:
                spread = float((nets.max() - nets.min()) / abs(nets.mean())) if nets.mean() != 0 else math.inf
                if spread > line_tolerance:
                    names = ", ".join(f"{r['line_nm']:g} nm: {r['net_mg_l']:.4g}" for r in use)
                    warn(f"{sample}: {el} lines disagree by {100 * spread:.1f} % (> {100 * line_tolerance:g} %): {names} mg/L; "
                         "spectral interference or a matrix effect? choose a line")
            if len(use) >= 2 and (us > 0).all():
                w = 1 / us**2
                c, uc, how = float((w * nets).sum() / w.sum()), float(1 / math.sqrt(w.sum())), "weighted mean of lines"
            else:
                c, uc = float(nets.mean()), float(math.sqrt((us**2).sum()) / len(use))
                how = "single line" if len(use) == 1 else "mean of lines"
            c_net = _uf(c, uc)
            c_dig = c_net * dil
            M = atomic_mass(el)
            mmol_l = c_dig / M  # mg/L / (g/mol) = mmol/L
            erow: dict[str, Any] = {
                "sample": sample, "element": el, "flag": flag, "lines_used": ";".join(
                    "?" if r["line_nm"] is None else f"{r['line_nm']:g}" for r in use),
                "combination": how, "line_spread": spread, "net_mg_l": c, "u_net_mg_l": uc,
                "digest_mg_l": _nv(c_dig), "u_digest_mg_l": _sd(c_dig), "atomic_mass": M,
                "digest_mmol_l": _nv(mmol_l), "u_digest_mmol_l": _sd(mmol_l),
                "lod_digest_mg_l": min((r["lod_mg_l"] for r in use), default=math.nan) * info.dilution,
            }
            amount = mmol_l
            if vol is not None:
                mol = mmol_l * vol * 1e-6  # mmol/L x mL = umol; x 1e-6 -> mol
                erow["mol"], erow["u_mol"] = _nv(mol), _sd(mol)
                mass_mg = c_dig * vol * 1e-3
                erow["mass_ug"], erow["u_mass_ug"] = _nv(mass_mg) * 1e3, _sd(mass_mg) * 1e3
                amount = mol
                if info.mass_mg is not None:
                    wt = mass_mg / _uf(info.mass_mg, info.mass_mg_u) * 100
                    erow["wt_pct"], erow["u_wt_pct"] = _nv(wt), _sd(wt)
                if info.volume_ml is not None:
                    cm = mol / (_uf(info.volume_ml, info.volume_ml_u) * 1e-3)
                    erow["sample_conc_molar"], erow["u_sample_conc_molar"] = _nv(cm), _sd(cm)
            elem_rows.append(erow)
            amounts[sample][el] = amount
    if no_u_lines:
        warn("some readings have no uncertainty (single reading without sd/rsd): their propagated uncertainty is "
             "the blank's only; give sd_mg_l or rsd_pct, or repeat readings")
    line_frame = pd.DataFrame(line_rows)
    elem_frame = pd.DataFrame(elem_rows)
    return IcpResult(blank_frame, line_frame, elem_frame, info_all, tuple(notes), float(line_tolerance), _amounts=amounts)
