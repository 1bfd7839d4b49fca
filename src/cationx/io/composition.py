"""Readers for ICP-OES and EDS composition tables (CSV/TSV or TOML); the analysis is
:mod:`cationx.composition`.

ICP-OES, CSV: either *long* (one reading per row) with columns named (case, spaces and
units in brackets ignored)

- sample: ``sample``, ``Sample Name``, ``Solution Label``, ``label``
- element: ``element`` or ``analyte``; a value such as ``Cd 228.802`` also gives the line
- line: ``line_nm``, ``wavelength``, ``line``
- concentration in the measured solution: ``conc_mg_l``, ``mg/L``, ``ppm``, ``concentration``,
  ``Conc (Calib)``; or in ug/L (``conc_ug_l``, ``ug/L``, ``ppb``), converted to mg/L.  Rows
  without a concentration (internal standards) are skipped with a warning
- optional: ``sd_mg_l`` / ``sd``, ``rsd_pct`` / ``%RSD``, ``type`` (``blank`` marks a blank),
  and preparation columns ``digest_ml``, ``dilution``, ``mass_mg``, ``volume_ml`` (one
  value per sample)

or *wide* (one row per sample, one column per element line, e.g. ``Cd 228.802``,
``Cu 324.754 (mg/L)``), as many instrument exports are.

ICP-OES, TOML::

    [defaults]                 # preparation of every sample (optional)
    digest_ml = 10.0
    dilution = [10, 5]         # serial dilutions: multiplied (or one number)
    dilution_u = 0.5           # standard uncertainty of the total factor
    [samples.S1]               # per-sample overrides: digest_ml, dilution, mass_mg, volume_ml, *_u
    mass_mg = 1.02
    data = "readings.csv"      # a CSV as above, relative to the TOML file, or:
    [[readings]]
    sample = "blank"
    element = "Cd"
    line_nm = 228.802
    conc_mg_l = 0.0012

EDS, CSV: one row per spot/area, a label column (``Spectrum``, ``spot``...) and one column
per element (``Cu``, ``Se``, ``Cd L``, ``Cu (at%)``); ``Total``/``Sum`` and ``In stats.``
columns are ignored.
"""

from __future__ import annotations

import io
import math
import re
import tomllib
import warnings
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_existing_file
from cationx.composition.elements import split_element_label
from cationx.composition.icp import SampleInfo
from cationx.errors import DataFileError, InputError, InterpretationWarning, ParseError
from cationx.io.text import read_text, sniff_delimiter

__all__ = ["read_eds", "read_icp", "read_icp_frame"]

_ALIASES = {
    "sample": {"sample", "samplename", "sampleid", "solutionlabel", "label", "samplelabel", "solution", "name"},
    "element": {"element", "analyte", "analytename", "elementline", "analyteline", "elem"},
    "line_nm": {"linenm", "line", "wavelength", "wavelengthnm", "emissionline", "lambda"},
    "conc_mg_l": {"concmgl", "mgl", "ppm", "concppm", "concentration", "conc", "concentrationmgl", "solnconc", "solnconcmgl",
                  "conccalib"},
    "conc_ug_l": {"concugl", "ugl", "µgl", "ppb", "concppb", "concentrationugl", "concµgl"},
    "sd_mg_l": {"sdmgl", "sd", "stddev", "concsd", "sdconc"},
    "rsd_pct": {"rsdpct", "rsd", "concrsd", "rsdconc"},
    "type": {"type", "sampletype", "kind", "role"},
    "digest_ml": {"digestml", "digestvolumeml", "digestionml", "digestionvolumeml"},
    "dilution": {"dilution", "dilutionfactor", "df"},
    "mass_mg": {"massmg", "samplemassmg"},
    "volume_ml": {"volumeml", "samplevolumeml"},
}
_PREP = ("digest_ml", "dilution", "mass_mg", "volume_ml")
_IGNORE_EDS = {"total", "sum", "instats", "instat", "totals"}
# EDS label columns, recognised by name even when they hold numbers (spot 1, 2, 3...)
_EDS_LABELS = {"spot", "point", "spectrum", "spectrumlabel", "id", "label", "sample", "name", "area", "site", "no",
               "number", "index"}


def _key(name: Any) -> str:
    return re.sub(r"[\s_.\-()\[\]%/]+", "", str(name).strip().lower())


def _canonical(columns: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in columns:
        k = _key(c)
        for canon, names in _ALIASES.items():
            if k in names and canon not in out.values():
                out[c] = canon
                break
    return out


def _read_text_table(path: Path) -> pd.DataFrame:
    text = read_text(path)  # one-line error for binary files
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise DataFileError(f"table has no data: {path}")
    sep = sniff_delimiter(lines[:1]) or ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, comment="#", skipinitialspace=True, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"cannot parse {path}: {str(exc).splitlines()[0]}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataFileError(f"table has a header but no data rows: {path}")
    return frame


def _num(series: pd.Series, col: str, source: str) -> pd.Series:
    s = series.astype(str).str.strip().replace({"": np.nan, "nan": np.nan})
    vals = pd.to_numeric(s, errors="coerce")
    bad = vals.isna() & s.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{source}: non-numeric value {series.iloc[i]!r} in column {col!r} at data row {i + 1}")
    return vals.astype(float)


def read_icp_frame(frame: pd.DataFrame, source: str = "ICP table") -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Tidy readings (see :mod:`cationx.composition.icp`) and the per-sample preparation fields the table sets."""
    cols = _canonical(list(frame.columns))
    inv = {v: k for k, v in cols.items()}
    if "sample" not in inv:
        first = frame.columns[0]
        if first in cols:
            raise InputError(f"{source} is missing column 'sample' (have: {', '.join(map(str, frame.columns))})")
        inv["sample"] = first
        cols[first] = "sample"
    out = pd.DataFrame({"sample": frame[inv["sample"]].astype(str).str.strip()})
    if "type" in inv:
        out["is_blank"] = frame[inv["type"]].astype(str).str.strip().str.lower().str.startswith("blank").to_numpy()
    if "element" in inv:
        els, lns = [], []
        for i, v in enumerate(frame[inv["element"]].astype(str)):
            el, ln = split_element_label(v, f"{source} row {i + 1}, element")
            els.append(el)
            lns.append(ln)
        out["element"] = els
        out["line_nm"] = _num(frame[inv["line_nm"]], inv["line_nm"], source) if "line_nm" in inv else [
            math.nan if v is None else v for v in lns]
        if "conc_mg_l" in inv:
            out["conc_mg_l"] = _num(frame[inv["conc_mg_l"]], inv["conc_mg_l"], source)
        elif "conc_ug_l" in inv:
            out["conc_mg_l"] = _num(frame[inv["conc_ug_l"]], inv["conc_ug_l"], source) / 1000.0
        else:
            raise InputError(f"{source} is missing column 'conc_mg_l' (or mg/L, ppm, ug/L; have: {', '.join(map(str, frame.columns))})")
        for c in ("sd_mg_l", "rsd_pct"):
            if c in inv:
                out[c] = _num(frame[inv[c]], inv[c], source)
        empty = out["conc_mg_l"].isna().to_numpy()
        if empty.all():
            raise DataFileError(f"{source} has no concentration values")
        if empty.any():
            names = ", ".join(sorted({f"{e}" for e in out.loc[empty, "element"]}))
            warnings.warn(f"{source}: {int(empty.sum())} row(s) without a concentration skipped ({names}; internal "
                          "standards or intensity-only lines?)", InterpretationWarning, stacklevel=2)
        tidy = out[~empty]
        prep_src = frame
    else:
        # wide: every other column is an element line
        meta = {inv[c] for c in ("sample", "type", *_PREP) if c in inv}
        value_cols = [c for c in frame.columns if c not in meta]
        if not value_cols:
            raise InputError(f"{source} is missing columns 'element' and 'conc_mg_l' (long) or element columns such as 'Cd 228.802' (wide)")
        rows = []
        for c in value_cols:
            text = frame[c].astype(str).str.strip().replace({"": np.nan, "nan": np.nan}).dropna()
            if len(text) and pd.to_numeric(text, errors="coerce").isna().all():
                continue  # a text column (rack position, timestamp, comment): metadata
            el, ln = split_element_label(c, f"{source} column")
            scale = 1e-3 if re.search(r"(?:ug|µg|μg)/l|ppb", str(c), re.I) else 1.0
            vals = _num(frame[c], c, source) * scale
            for i, v in enumerate(vals):
                if math.isnan(v):
                    continue
                rows.append({"sample": out["sample"].iloc[i], "element": el, "line_nm": math.nan if ln is None else ln,
                             "conc_mg_l": v, **({"is_blank": bool(out["is_blank"].iloc[i])} if "is_blank" in out else {})})
        tidy = pd.DataFrame(rows)
        if tidy.empty:
            raise DataFileError(f"{source} has no concentration values")
        prep_src = frame
    infos: dict[str, dict[str, float]] = {}
    prep_cols = {c: inv[c] for c in _PREP if c in inv}
    if prep_cols:
        samples = frame[inv["sample"]].astype(str).str.strip()
        for name in dict.fromkeys(samples):
            sel = (samples == name).to_numpy()
            kw: dict[str, Any] = {}
            for canon, col in prep_cols.items():
                vals = _num(prep_src.loc[sel, col], col, source).dropna().unique()
                if len(vals) > 1:
                    raise InputError(f"{source}: sample {name!r} has several {canon} values ({', '.join(map(str, vals))})")
                if len(vals):
                    kw[canon] = float(vals[0])
            if kw:
                infos[name] = kw
    return tidy.reset_index(drop=True), infos


def _fields(d: dict[str, Any], where: str) -> dict[str, float]:
    """Preparation fields of a TOML table (dilution lists multiplied), checked for names and types."""
    allowed = {f.name for f in fields(SampleInfo)}
    kw: dict[str, float] = {}
    for k, v in d.items():
        if k == "data":
            continue
        if k not in allowed:
            raise InputError(f"{where}: unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")
        if k == "dilution" and isinstance(v, list):
            if not v:
                raise InputError(f"{where}: dilution list is empty")
            prod = 1.0
            for x in v:
                if not isinstance(x, int | float) or isinstance(x, bool):
                    raise InputError(f"{where}: dilution factors must be numbers, got {x!r}")
                prod *= float(x)
            v = prod
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise InputError(f"{where}: {k} must be a number, got {v!r}")
        kw[k] = float(v)
    return kw


def read_icp(path: str | Path) -> tuple[pd.DataFrame, dict[str, dict[str, float]], dict[str, float]]:
    """Read an ICP-OES table (CSV/TSV/TXT or TOML).

    Returns the tidy readings, the preparation fields set per sample and the default fields
    (TOML ``[defaults]``; empty for CSV).  Pass them to :func:`~cationx.composition.analyze_icp`
    as ``samples=per_sample, default=SampleInfo(**defaults)``.
    """
    p = check_existing_file(path, "ICP table")
    if p.suffix.lower() != ".toml":
        tidy, infos = read_icp_frame(_read_text_table(p), p.name)
        return tidy, infos, {}
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{p.name}: {exc}") from None
    unknown = set(doc) - {"defaults", "samples", "readings", "data"}
    if unknown:
        raise InputError(f"{p.name}: unknown table(s) {', '.join(sorted(unknown))} (allowed: defaults, samples, readings, data)")
    default = _fields(doc.get("defaults", {}), f"{p.name} [defaults]")
    frames = []
    infos: dict[str, dict[str, float]] = {}
    data = doc.get("data") or doc.get("defaults", {}).get("data")
    if data:
        csv = (p.parent / str(data)).resolve()
        tidy, infos = read_icp_frame(_read_text_table(check_existing_file(csv, "ICP data file")), csv.name)
        frames.append(tidy)
    if "readings" in doc:
        if not isinstance(doc["readings"], list):
            raise InputError(f"{p.name}: readings must be an array of tables ([[readings]])")
        tidy, more = read_icp_frame(pd.DataFrame(doc["readings"]).astype(str).replace({"nan": ""}), f"{p.name} [[readings]]")
        frames.append(tidy)
        infos.update(more)
    if not frames:
        raise DataFileError(f"{p.name}: no readings (give data = 'file.csv' or [[readings]] tables)")
    for name, d in doc.get("samples", {}).items():
        if not isinstance(d, dict):
            raise InputError(f"{p.name}: [samples.{name}] must be a table")
        infos[name] = {**infos.get(name, {}), **_fields(d, f"{p.name} [samples.{name}]")}
    return pd.concat(frames, ignore_index=True), infos, default


def read_eds(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Read an EDS table: (numeric frame, one column per element, index = spot labels; ignored columns)."""
    p = check_existing_file(path, "EDS table")
    raw = _read_text_table(p)
    label_col = None
    values: dict[str, pd.Series] = {}
    ignored = []
    for i, c in enumerate(raw.columns):
        k = _key(c)
        if k in _IGNORE_EDS:
            ignored.append(c)
            continue
        numeric = pd.to_numeric(raw[c].astype(str).str.strip(), errors="coerce")
        if label_col is None and (k in _EDS_LABELS or (i == 0 and numeric.isna().all())):
            label_col = c
            continue
        el, _ = split_element_label(c, f"{p.name} column")
        if el in values:
            raise InputError(f"{p.name}: element {el} appears in two columns")
        values[el] = _num(raw[c], c, p.name)
    if not values:
        raise DataFileError(f"{p.name}: no element columns")
    frame = pd.DataFrame(values)
    frame.index = raw[label_col].astype(str).str.strip() if label_col else [f"spot {i + 1}" for i in range(len(raw))]
    frame.index.name = "spot"
    return frame, ignored
