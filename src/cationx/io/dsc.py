"""DSC text exports: TA Instruments, Netzsch, Mettler STARe and generic CSV/TXT.

Layouts (detected from the content):

``ta``
    TA Instruments Universal Analysis text export: ``Key<tab>value`` header lines
    (``Size<tab>9.0<tab>mg``, ``Exotherm<tab>Up``), ``SigN<tab>Name (unit)`` lines naming the
    columns, ``StartOfData``, then tab-separated rows.  Rows with negative time (TA writes
    the program limits there) are dropped.
``netzsch``
    NETZSCH Proteus ASCII export: ``#KEY:;value`` header lines (``#SAMPLE MASS /mg:;5.1``),
    a ``##Temp./°C;Time/min;DSC/(mW/mg)`` column line, ``;``-separated rows, decimal point
    or decimal comma (``#DECIMAL:`` and ``#SEPARATOR:`` are obeyed when present); ``#EXO:1``
    is read as exo up and ``#EXO:-1`` as exo down.
``mettler``
    Mettler-Toledo STARe text export: a column line ``Index t Ts Tr Value`` (whitespace or
    tab separated), a unit line ``[s] [°C] [°C] [mW]``, then the rows; the sample line
    ``Sample: name, 5.12 mg`` gives the mass.
``generic``
    Any delimited table with a header row naming time, temperature and heat-flow columns
    (units in parentheses or after a slash).

Units are read from the column titles: temperature in °C or K (stored as °C), time in
min, s or h (stored as s), heat flow in mW, W, mW/mg, W/g or uV (stored as read; the unit
string is kept).  Instrument text exports are line-oriented and differ only in their
header conventions; no maintained Python package reads them (the PyPI readers handle
binary ``.ngb``/``.tri`` files or one vendor only), so the header parsing is done here
and the numeric block goes through :func:`cationx.io.spectra.parse_numeric_block`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from cationx._validation import check_existing_file
from cationx.constants import ZERO_CELSIUS_K
from cationx.dsc.data import DscData
from cationx.errors import DataFileError, InputError
from cationx.io.text import (
    is_numeric_row,
    parse_numeric_block,
    read_text,
    sniff_delimiter,
    split_cells,
)

__all__ = ["DscData", "read_dsc"]


# ----------------------------------------------------------------------------- units and roles

_NUM = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")


def _norm(text: str) -> str:
    t = text.lower().replace("ø", "°").replace("º", "°").replace("µ", "u").replace("μ", "u")
    return t.replace("\ufffd", "°")


def temperature_unit(title: str) -> str:
    """``C`` or ``K`` from a column title or unit cell (``C`` when unclear)."""
    t = _norm(title)
    if re.search(r"(\(|\[|/|\s|^)k(\)|\]|\s|$)", t) or "kelvin" in t:
        return "K"
    return "C"


def time_unit(title: str) -> str:
    """``s``, ``min`` or ``h`` from a column title or unit cell."""
    t = _norm(title)
    if "min" in t:
        return "min"
    if re.search(r"(\(|\[|/|\s|^)h(\)|\]|\s|$)", t) or "hour" in t:
        return "h"
    if re.search(r"(\(|\[|/|\s|^)s(ec)?(\)|\]|\s|$)", t) or "second" in t:
        return "s"
    return "min"


def heat_flow_unit(title: str) -> str:
    """``mW``, ``W``, ``mW/mg``, ``W/g``, ``uV`` or ``a.u.`` from a column title or unit cell."""
    t = _norm(title).replace(" ", "")
    if "mw/mg" in t:
        return "mW/mg"
    if "w/g" in t:
        return "W/g"
    if "uv" in t:
        return "uV"
    if "mw" in t:
        return "mW"
    if re.search(r"(\(|\[|/)w(\)|\])", t):
        return "W"
    return "a.u."


def _role(title: str) -> str | None:
    t = _norm(title).strip().strip("#").strip()
    base = re.split(r"[\s(\[/]", t, maxsplit=1)[0] if t else ""
    if base in ("index", "nr", "no", "#") or t.startswith("index"):
        return None
    if base in ("t", "time", "zeit", "t(min)", "t(s)") or "time" in t:
        return "time"
    if base in ("ts", "tsample") or ("temp" in t and "sample" in t):
        return "temperature"
    if base in ("tr", "tref") or "furnace" in t or "program" in t or "reference" in t or "oven" in t:
        return "reference_temperature"
    if "temp" in t or base in ("t_c", "t_k"):
        return "temperature"
    if "heat" in t or "dsc" in t or base in ("value", "hf") or "mw" in t or "w/g" in t or "uv" in t:
        return "heat_flow"
    return None


# ----------------------------------------------------------------------------- layouts


def _data_block(lines: list[tuple[int, str]], start: int, delim: str | None, decimal_comma: bool,
                source: str) -> np.ndarray:
    block = []
    for lineno, ln in lines[start:]:
        if not ln.strip():
            if block:
                break
            continue
        if not is_numeric_row(ln, delim, decimal_comma):
            if block:
                break
            continue
        cells = [c for c in split_cells(ln, delim) if c != ""]
        block.append((lineno, (" " if delim is None else delim).join(cells)))
    if not block:
        raise DataFileError(f"{source}: no numeric data rows")
    return parse_numeric_block(block, delim, source=source, decimal_comma=decimal_comma)


def _guess_delim(lines: list[str]) -> tuple[str | None, bool]:
    """Delimiter of the data rows and whether they use a decimal comma."""
    sample = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")][-50:] or lines[-50:]
    d = sniff_delimiter(sample)
    if d == ",":
        return ",", False
    dec = any(re.search(r"\d,\d", ln) for ln in sample) and not any(re.search(r"\d\.\d", ln) for ln in sample)
    return (None if d == "\t" else d), dec


def _mass_from(text: str) -> float | None:
    for pat in (
        r"sample\s*mass\s*/?\s*\(?mg\)?\s*[:=;,\t ]+\s*([-+]?\d+(?:[.,]\d+)?)",
        r"^size\s*[\t:;, ]\s*([-+]?\d+(?:[.,]\d+)?)\s*\t?\s*mg",
        r"sample\s*:[^\n]*?([-+]?\d+(?:[.,]\d+)?)\s*mg",
        r"mass\s*\(mg\)\s*[:=;,\t ]+\s*([-+]?\d+(?:[.,]\d+)?)",
    ):
        m = re.search(pat, text, re.IGNORECASE | re.MULTILINE)
        if m:
            return float(m.group(1).replace(",", "."))
    return None


def _detect(text: str) -> str:
    head = text[:20000]
    if re.search(r"^\s*StartOfData\s*$", head, re.MULTILINE) and re.search(r"^Sig\d+\t", head, re.MULTILINE):
        return "ta"
    if re.search(r"^##", head, re.MULTILINE) or re.search(r"^#(EXPORTTYPE|FORMAT|INSTRUMENT|SAMPLE MASS)", head, re.MULTILINE | re.IGNORECASE):
        return "netzsch"
    if re.search(r"^\s*Index\s+t\s+Ts\b", head, re.MULTILINE):
        return "mettler"
    return "generic"


def read_dsc(path: str | Path, *, format: str | None = None) -> DscData:
    """Read a DSC text export (see the module docstring); the file is only read.

    Raises
    ------
    DataFileError
        Missing/empty file, no numeric rows, or no temperature / heat-flow column.
    ParseError
        A non-numeric cell inside the data block.
    """
    p = check_existing_file(path, "DSC file")
    text = read_text(p)
    if not text.strip():
        raise DataFileError(f"DSC file has no text: {p}")
    fmt = format or _detect(text)
    lines = list(enumerate(text.split("\n"), start=1))
    meta: dict[str, str] = {}
    notes: list[str] = []
    exo_up: bool | None = None
    if fmt == "ta":
        titles, data_start = [], None
        for i, (_, ln) in enumerate(lines):
            cells = ln.split("\t")
            if re.match(r"^Sig\d+$", cells[0].strip()) and len(cells) > 1:
                titles.append(cells[1].strip())
            elif ln.strip() == "StartOfData":
                data_start = i + 1
                break
            elif len(cells) > 1 and cells[0].strip():
                meta[cells[0].strip()] = " ".join(c.strip() for c in cells[1:] if c.strip())
        if data_start is None or not titles:
            raise DataFileError(f"{p.name}: TA export without Sig lines or StartOfData")
        ex = meta.get("Exotherm", "").lower()
        exo_up = True if ex.startswith("up") else False if ex.startswith("down") else None
        data = _data_block(lines, data_start, "\t", False, p.name)
        units = [None] * len(titles)
    elif fmt == "netzsch":
        titles, units, data_start = [], [], None
        delim, dec = _guess_delim([ln for _, ln in lines])
        for i, (_, ln) in enumerate(lines):
            if ln.startswith("##"):
                titles = [c for c in split_cells(ln[2:], delim) if c]
                data_start = i + 1
            elif ln.startswith("#"):
                parts = [c for c in re.split(r"[:;\t]", ln[1:], maxsplit=1)]
                if len(parts) == 2:
                    meta[parts[0].strip()] = parts[1].strip(" ;\t")
        if data_start is None:
            raise DataFileError(f"{p.name}: Netzsch export without a '##' column line")
        declared = {k.strip().upper(): v.strip(" ;\t").upper() for k, v in meta.items()}
        if declared.get("DECIMAL", "").startswith("COMMA"):
            dec = True
        elif declared.get("DECIMAL", "").startswith("POINT"):
            dec = False
        sep = declared.get("SEPARATOR", "")
        if sep.startswith("SEMICOLON"):
            delim = ";"
        elif sep.startswith("TAB"):
            delim = None
        exo = re.match(r"^\s*([-+]?\d+)", declared.get("EXO", ""))
        if exo:
            exo_up = int(exo.group(1)) > 0
            notes.append(f"sign from the header #EXO:{exo.group(1)} ({'exo up' if exo_up else 'exo down'})")
        titles = [c for c in split_cells(lines[data_start - 1][1][2:], delim) if c]
        data = _data_block(lines, data_start, delim, dec, p.name)
        units = [None] * len(titles)
    elif fmt == "mettler":
        titles, units, data_start = [], [], None
        for i, (_, ln) in enumerate(lines):
            if re.match(r"^\s*Index\s+t\s+Ts\b", ln):
                titles = ln.split()
                nxt = lines[i + 1][1] if i + 1 < len(lines) else ""
                units = re.findall(r"\[([^\]]*)\]", nxt)
                units = [""] * (len(titles) - len(units)) + units if len(units) < len(titles) else units
                data_start = i + 1
                break
            if ":" in ln:
                k, v = ln.split(":", 1)
                if k.strip():
                    meta[k.strip()] = v.strip()
        if data_start is None:
            raise DataFileError(f"{p.name}: not a Mettler STARe export (no 'Index t Ts' column line); "
                                "leave --format out or use --format generic, which reads the column titles and units")
        delim, dec = _guess_delim([ln for _, ln in lines[data_start:]])
        data = _data_block(lines, data_start or 0, delim, dec, p.name)
    else:
        delim, dec = _guess_delim([ln for _, ln in lines])
        start = None
        for i in range(len(lines)):
            window = [ln for _, ln in lines[i : i + 3]]
            if len(window) == 3 and all(is_numeric_row(w, delim, dec) for w in window):
                start = i
                break
        if start is None:
            raise DataFileError(f"{p.name}: no block of numeric rows found (not a DSC text export?)")
        pre = [ln for _, ln in lines[:start] if ln.strip()]
        titles = [c for c in split_cells(pre[-1], delim) if c] if pre else []
        for ln in pre[:-1]:
            cells = [c for c in re.split(r"[:;,\t=]", ln, maxsplit=1)]
            if len(cells) == 2 and cells[0].strip():
                meta[cells[0].strip().strip("#")] = cells[1].strip()
        data = _data_block(lines, start, delim, dec, p.name)
        units = [None] * len(titles)
    return _assemble(p, fmt, data, titles, units, meta, exo_up, text, notes)


def _assemble(p: Path, fmt: str, data: np.ndarray, titles: list[str], units: list[Any], meta: dict[str, str],
              exo_up: bool | None, text: str, notes: list[str]) -> DscData:
    ncol = data.shape[1]
    if len(titles) < ncol:
        if len(titles) == 0 and ncol in (2, 3):
            titles = ["temperature (°C)", "heat flow (mW)"] if ncol == 2 else ["time (min)", "temperature (°C)", "heat flow (mW)"]
            notes.append(f"no column titles: assumed {', '.join(titles)}")
        else:
            raise DataFileError(f"{p.name}: {ncol} data columns but {len(titles)} column title(s) ({titles})")
    titles = titles[:ncol]
    full = [f"{t} [{u}]" if u else t for t, u in zip(titles, list(units) + [None] * ncol, strict=False)]
    roles: dict[str, int] = {}
    for k, t in enumerate(full):
        r = _role(t)
        if r and r not in roles:
            roles[r] = k
    if "temperature" not in roles and "reference_temperature" in roles:
        roles["temperature"] = roles["reference_temperature"]
        notes.append("no sample-temperature column: the reference/program temperature is used")
    for need in ("temperature", "heat_flow"):
        if need not in roles:
            raise DataFileError(
                f"{p.name}: no {need.replace('_', ' ')} column among {', '.join(repr(t) for t in titles)}"
            )
    temp = data[:, roles["temperature"]].copy()
    tu = temperature_unit(full[roles["temperature"]])
    if tu == "K":
        temp = temp - ZERO_CELSIUS_K
    hf = data[:, roles["heat_flow"]].copy()
    hfu = heat_flow_unit(full[roles["heat_flow"]])
    time = None
    if "time" in roles:
        time = data[:, roles["time"]].copy()
        factor = {"s": 1.0, "min": 60.0, "h": 3600.0}[time_unit(full[roles["time"]])]
        time = time * factor
        if fmt == "ta":
            keep = time >= 0
            if not keep.all():
                notes.append(f"dropped {int((~keep).sum())} row(s) with negative time (TA program limits)")
                time, temp, hf = time[keep], temp[keep], hf[keep]
    finite = np.isfinite(temp) & np.isfinite(hf) & (np.isfinite(time) if time is not None else True)
    if not finite.all():
        notes.append(f"dropped {int((~finite).sum())} row(s) with missing values")
        temp, hf = temp[finite], hf[finite]
        time = time[finite] if time is not None else None
    if temp.size < 10:
        raise DataFileError(f"{p.name}: only {temp.size} data row(s); a DSC run needs more")
    if time is not None and np.any(np.diff(time) < 0):
        i = int(np.flatnonzero(np.diff(time) < 0)[0])
        raise InputError(f"{p.name}: time must not decrease; row {i + 2} ({time[i + 1]:g} s) follows {time[i]:g} s")
    mass = _mass_from(text)
    meta = dict(meta)
    meta["columns"] = ", ".join(full)
    meta["temperature_unit_in_file"] = tu
    return DscData(temp, hf, hfu, time, mass, exo_up, fmt, str(p), meta, tuple(notes))
