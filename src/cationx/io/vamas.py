"""VAMAS (ISO 14976) surface-analysis files: ``.vms`` and PHI MultiPak ``.npl``.

Written by hand because the ``vamas`` package (0.2) refuses files whose name does not end in
``.vms`` (MultiPak writes ``.npl``), files with blank lines before the identifier (Kratos),
IRREGULAR scans (SpecsLab Prodigy, CasaXPS), and ignores the header's parameter inclusion
list (blocks after the first may omit parameters and inherit them from the first block).
The layout follows Dench, Hazell & Seah, *Surf. Interface Anal.* 13, 63 (1988) and ISO 14976.

What is read: every block's identifiers, technique, source label and energy, analyser work
function, species/transition, abscissa (REGULAR: start + step; IRREGULAR: the first
corresponding variable holds the abscissa values, as CasaXPS and Prodigy write it) and all
corresponding variables (``ordinates[:, k]``). The ISO "unknown" value ``1E+37`` reads as
``None``. Energies are left as stored; converting a kinetic-energy abscissa to binding energy
is :func:`cationx.io.xps.read_spectrum`'s job. MAPPING scans are refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cationx._validation import check_existing_file
from cationx.errors import DataFileError
from cationx.io.text import decode

__all__ = ["VamasBlock", "VamasFile", "is_vamas", "read_vamas"]

IDENTIFIER = "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4"
UNKNOWN = 1e37  # ISO 14976 marks an unknown real value with 1E+37

# which experiment modes / techniques add optional items (ISO 14976 block layout)
_REGIONS_MODES = {"MAP", "MAPDP", "NORM", "SDP"}
_XY_MODES = {"MAP", "MAPDP"}
_SPUTTER_MODES = {"MAPDP", "MAPSVDP", "SDP", "SDPSV"}
_ION_TECHNIQUES = {"FABMS", "FABMS energy spec", "ISS", "SIMS", "SIMS energy spec", "SNMS", "SNMS energy spec"}
_FOV_MODES = {"MAP", "MAPDP", "MAPSV", "MAPSVDP", "SEM"}
_LINESCAN_MODES = {"MAPSV", "MAPSVDP", "SEM"}
_ELECTRON_TECHNIQUES = {"AES diff", "AES dir", "EDX", "ELS", "UPS", "XPS", "XRF"}


@dataclass(frozen=True, slots=True)
class VamasBlock:
    """One block (one spectrum) of a VAMAS file; energies as stored in the file."""

    index: int
    block_id: str
    sample_id: str
    technique: str
    species: str
    transition: str
    source_label: str
    source_energy_ev: float | None
    work_function_ev: float | None
    abscissa_label: str
    abscissa_units: str
    abscissa: np.ndarray
    variables: tuple[str, ...]
    variable_units: tuple[str, ...]
    ordinates: np.ndarray  # shape (n_points, n_variables)
    collection_time_s: float | None
    n_scans: int | None
    comment: str = ""

    @property
    def name(self) -> str:
        """``species transition`` (e.g. ``C 1s``), else the block identifier."""
        return f"{self.species} {self.transition}".strip() or self.block_id

    @property
    def kinetic(self) -> bool:
        """True if the abscissa is a kinetic energy."""
        return "kinetic" in self.abscissa_label.lower()

    def describe(self) -> dict:
        """JSON-safe summary: index, name, identifiers, points, abscissa range, variables."""
        return {
            "index": self.index,
            "name": self.name,
            "block_id": self.block_id,
            "sample_id": self.sample_id,
            "technique": self.technique,
            "points": int(self.abscissa.size),
            "abscissa": f"{self.abscissa_label} ({self.abscissa_units})".strip(),
            "abscissa_min": float(np.min(self.abscissa)) if self.abscissa.size else None,
            "abscissa_max": float(np.max(self.abscissa)) if self.abscissa.size else None,
            "source_energy_ev": self.source_energy_ev,
            "work_function_ev": self.work_function_ev,
            "variables": list(self.variables),
        }


@dataclass(frozen=True, slots=True)
class VamasFile:
    path: str
    experiment_mode: str
    scan_mode: str
    blocks: tuple[VamasBlock, ...]
    comment: str = ""
    meta: dict = field(default_factory=dict)


class _Lines:
    """A cursor over the file's lines that names the line when a value is wrong."""

    def __init__(self, lines: list[str], start: int, name: str):
        self.lines, self.i, self.name = lines, start, name

    def text(self) -> str:
        if self.i >= len(self.lines):
            raise DataFileError(f"{self.name}:{self.i + 1}: VAMAS file ends early")
        s = self.lines[self.i].replace("\x00", "").strip()
        self.i += 1
        return s

    def integer(self, what: str) -> int:
        s = self.text()
        try:
            return int(float(s))
        except ValueError:
            raise DataFileError(f"{self.name}:{self.i}: VAMAS {what} must be an integer, got {s!r}") from None

    def real(self, what: str) -> float | None:
        s = self.text()
        try:
            v = float(s)
        except ValueError:
            raise DataFileError(f"{self.name}:{self.i}: VAMAS {what} must be a number, got {s!r}") from None
        return None if abs(v) >= UNKNOWN * 0.999 else v

    def skip(self, n: int) -> None:
        for _ in range(n):
            self.text()


def _decode(raw: bytes) -> str:
    return decode(raw, ("utf-8-sig", "cp1252"))


def _first_content_line(lines: list[str]) -> int:
    for i, ln in enumerate(lines):
        if ln.strip():
            return i
    return len(lines)


def is_vamas(path: str | Path) -> bool:
    """True if the first non-blank line is the ISO 14976 identifier (any file extension)."""
    try:
        with open(path, "rb") as fh:
            head = _decode(fh.read(2048)).splitlines()
    except OSError:
        return False
    i = _first_content_line(head)
    return i < len(head) and head[i].strip().startswith("VAMAS Surface Chemical Analysis")


def read_vamas(path: str | Path) -> VamasFile:
    """Read every block of a VAMAS file (``.vms``, ``.npl`` or any extension).

    Blank lines before the identifier are skipped. Raises :class:`DataFileError` naming the
    line for a malformed file, and for MAPPING scans (not supported).
    """
    p = check_existing_file(path, "VAMAS file")
    lines = _decode(p.read_bytes()).splitlines()
    start = _first_content_line(lines)
    if start >= len(lines) or not lines[start].strip().startswith("VAMAS Surface Chemical Analysis"):
        raise DataFileError(f"cannot read VAMAS file {p.name}: the first non-blank line is not the "
                            f"ISO 14976 identifier {IDENTIFIER!r}")
    f = _Lines(lines, start + 1, p.name)
    meta = {"institution": f.text(), "instrument": f.text(), "operator": f.text(), "experiment": f.text()}
    comment = "\n".join(f.text() for _ in range(f.integer("number of header comment lines")))
    mode = f.text()
    scan_mode = f.text().upper()
    if scan_mode not in ("REGULAR", "IRREGULAR"):
        raise DataFileError(f"{p.name}: VAMAS scan mode {scan_mode!r} is not supported (REGULAR or IRREGULAR)")
    if mode in _REGIONS_MODES:
        f.integer("number of spectral regions")
    if mode in _XY_MODES:
        f.skip(3)
    n_exp_var = f.integer("number of experimental variables")
    f.skip(2 * n_exp_var)
    n_incl = f.integer("number of entries in the parameter inclusion list")
    listed = {f.integer("parameter inclusion list entry") for _ in range(abs(n_incl))}
    # n > 0: only the listed parameters (1..40) appear in blocks after the first;
    # n < 0: the listed ones are left out; n = 0: every parameter appears
    if n_incl > 0:
        later = {k: k in listed for k in range(1, 41)}
    else:
        later = {k: k not in listed for k in range(1, 41)}
    f.skip(f.integer("number of manually entered items"))
    n_fue = f.integer("number of future upgrade experiment entries")
    n_fub = f.integer("number of future upgrade block entries")
    f.skip(n_fue)
    n_blocks = f.integer("number of blocks")
    if n_blocks < 1:
        raise DataFileError(f"{p.name}: VAMAS file holds no blocks")
    blocks: list[VamasBlock] = []
    first: dict = {}
    for b in range(n_blocks):
        inc = {k: True for k in range(1, 41)} if b == 0 else later
        blocks.append(_read_block(f, b, mode, scan_mode, n_exp_var, n_fub, inc, first))
    return VamasFile(str(p), mode, scan_mode, tuple(blocks), comment, meta)


def _read_block(f: _Lines, index: int, mode: str, scan_mode: str, n_exp_var: int, n_fub: int,
                inc: dict[int, bool], first: dict) -> VamasBlock:
    d: dict = {}

    def item(k: int, key: str, read):
        if inc[k]:
            d[key] = read()
        elif key in first:
            d[key] = first[key]
        else:  # pragma: no cover - the first block includes every parameter
            d[key] = None
        return d[key]

    d["block_id"] = f.text()
    d["sample_id"] = f.text()
    for k, key in enumerate(["year", "month", "day", "hour", "minute", "second"], start=1):
        item(k, key, lambda: f.real("date/time"))
    item(7, "gmt", lambda: f.real("hours in advance of GMT"))
    item(8, "comment", lambda: "\n".join(f.text() for _ in range(f.integer("number of block comment lines"))))
    technique = item(9, "technique", f.text)
    if mode in _XY_MODES:
        item(10, "xy", lambda: (f.real("x"), f.real("y")))
    item(11, "exp_var", lambda: [f.text() for _ in range(n_exp_var)])
    item(12, "source_label", f.text)
    if mode in _SPUTTER_MODES or technique in _ION_TECHNIQUES:
        item(13, "sputter_ion", lambda: [f.text() for _ in range(3)])
    item(14, "source_energy", lambda: f.real("analysis source characteristic energy"))
    item(15, "source_strength", lambda: f.real("analysis source strength"))
    item(16, "beam_width", lambda: (f.real("beam width x"), f.real("beam width y")))
    if mode in _FOV_MODES:
        item(17, "fov", lambda: (f.real("field of view x"), f.real("field of view y")))
    if mode in _LINESCAN_MODES:
        item(18, "linescan", lambda: [f.real("linescan coordinate") for _ in range(6)])
    item(19, "polar", lambda: f.real("source polar angle"))
    item(20, "azimuth", lambda: f.real("source azimuth"))
    item(21, "analyser_mode", f.text)
    item(22, "pass_energy", lambda: f.real("pass energy"))
    if technique == "AES diff":
        item(23, "diff_width", lambda: f.real("differential width"))
    item(24, "magnification", lambda: f.real("magnification"))
    item(25, "work_function", lambda: f.real("analyser work function"))
    item(26, "target_bias", lambda: f.real("target bias"))
    item(27, "analysis_width", lambda: (f.real("analysis width x"), f.real("analysis width y")))
    item(28, "take_off", lambda: (f.real("take-off polar angle"), f.real("take-off azimuth")))
    item(29, "species", f.text)
    item(30, "transition", lambda: (f.text(), f.text()))
    if scan_mode == "REGULAR":
        item(31, "abscissa", lambda: (f.text(), f.text(), f.real("abscissa start"), f.real("abscissa increment")))

    def corr():
        n = f.integer("number of corresponding variables")
        return [(f.text(), f.text()) for _ in range(n)]

    variables = item(32, "variables", corr)
    item(33, "signal_mode", f.text)
    item(34, "collection_time", lambda: f.real("signal collection time"))
    item(35, "n_scans", lambda: f.real("number of scans"))
    item(36, "time_correction", lambda: f.real("signal time correction"))
    if mode in _SPUTTER_MODES and technique in _ELECTRON_TECHNIQUES:
        item(37, "sputter_source", lambda: [f.text() for _ in range(7)])
    item(38, "tilt", lambda: (f.real("sample tilt"), f.real("tilt azimuth")))
    item(39, "rotation", lambda: f.real("sample rotation"))

    def additional():
        n = f.integer("number of additional numerical parameters")
        return [(f.text(), f.text(), f.text()) for _ in range(n)]

    item(40, "additional", additional)
    f.skip(n_fub)
    if index == 0:
        first.update(d)

    n_values = f.integer("number of ordinate values")
    n_var = len(variables)
    if n_var < 1:
        raise DataFileError(f"{f.name}: VAMAS block {index} has no corresponding variables")
    f.skip(2 * n_var)  # minimum and maximum of each corresponding variable
    if n_values % n_var:
        raise DataFileError(f"{f.name}: VAMAS block {index}: {n_values} ordinate values do not divide "
                            f"among {n_var} corresponding variables")
    raw = np.empty(n_values)
    for k in range(n_values):
        v = f.real("ordinate value")
        raw[k] = np.nan if v is None else v
    table = raw.reshape(-1, n_var)
    labels = [v[0] for v in variables]
    units = [v[1] for v in variables]
    if scan_mode == "REGULAR":
        x_label, x_units, x0, dx = d["abscissa"]
        if x0 is None or dx is None:
            raise DataFileError(f"{f.name}: VAMAS block {index} has no abscissa start/increment")
        abscissa = x0 + dx * np.arange(table.shape[0])
        ordinates = table
    else:  # IRREGULAR: the first corresponding variable is the abscissa
        if n_var < 2:
            raise DataFileError(f"{f.name}: IRREGULAR VAMAS block {index} needs an abscissa and an ordinate "
                                f"variable, has {n_var}")
        x_label, x_units = labels.pop(0), units.pop(0)
        abscissa, ordinates = table[:, 0].copy(), table[:, 1:].copy()
    n_scans = d.get("n_scans")
    return VamasBlock(
        index=index,
        block_id=d["block_id"],
        sample_id=d["sample_id"],
        technique=technique or "",
        species=d["species"] or "",
        transition=d["transition"][0] if d["transition"] else "",
        source_label=d["source_label"] or "",
        source_energy_ev=d["source_energy"],
        work_function_ev=d["work_function"],
        abscissa_label=x_label,
        abscissa_units=x_units,
        abscissa=abscissa,
        variables=tuple(labels),
        variable_units=tuple(units),
        ordinates=ordinates,
        collection_time_s=d["collection_time"],
        n_scans=None if n_scans is None else int(n_scans),
        comment=d["comment"] or "",
    )
