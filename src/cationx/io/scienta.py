"""Scienta SES text exports (``[Info]``, ``[Region N]``, ``[Info N]``, ``[Data N]`` sections).

Written by hand: the layout is an INI-like text file that no maintained package reads, and it
is short. Each region has ``Dimension 1 name`` (``Binding Energy [eV]`` or ``Kinetic Energy
[eV]``), the energy axis, and ``[Data N]`` rows ``energy  counts [counts ...]``; several count
columns (detector slices) are summed. The region's ``Excitation Energy`` is kept so a caller
can convert a kinetic scale (:func:`cationx.io.xps.read_spectrum` does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cationx._validation import check_existing_file
from cationx.errors import DataFileError

__all__ = ["ScientaRegion", "is_scienta", "read_scienta"]

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$")


@dataclass(frozen=True, slots=True)
class ScientaRegion:
    index: int
    name: str
    energy_label: str
    energy: np.ndarray
    counts: np.ndarray
    excitation_energy_ev: float | None
    n_slices: int
    info: dict = field(default_factory=dict)

    @property
    def kinetic(self) -> bool:
        return "kinetic" in self.energy_label.lower()

    def describe(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "points": int(self.energy.size),
            "abscissa": self.energy_label,
            "abscissa_min": float(self.energy.min()),
            "abscissa_max": float(self.energy.max()),
            "source_energy_ev": self.excitation_energy_ev,
            "slices": self.n_slices,
        }


def is_scienta(path: str | Path) -> bool:
    """True if the file starts (after blank lines) with ``[Info]`` and has a ``[Region`` section."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("latin-1")
    except OSError:
        return False
    first = next((ln.strip() for ln in head.splitlines() if ln.strip()), "")
    return first == "[Info]" and "[Region" in head


def _sections(text: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = _SECTION.match(line.strip())
        if m:
            out.append((m.group("name").strip(), []))
        elif out:
            out[-1][1].append(line)
    return out


def _keyvals(lines: list[str]) -> dict[str, str]:
    d = {}
    for ln in lines:
        if "=" in ln:
            k, v = ln.split("=", 1)
            d[k.strip()] = v.strip()
    return d


def _float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def read_scienta(path: str | Path) -> list[ScientaRegion]:
    """Read every region of a Scienta SES ``.txt`` export."""
    p = check_existing_file(path, "Scienta file")
    text = p.read_bytes().decode("utf-8", errors="replace")
    secs = _sections(text)
    regions: dict[str, dict] = {}
    for name, lines in secs:
        m = re.fullmatch(r"(Region|Info|Data) (\d+)", name)
        if not m:
            continue
        kind, num = m.groups()
        regions.setdefault(num, {})[kind] = lines
    out = []
    for i, num in enumerate(sorted(regions, key=int)):
        parts = regions[num]
        if "Data" not in parts:
            raise DataFileError(f"{p.name}: Scienta region {num} has no [Data {num}] section")
        reg = _keyvals(parts.get("Region", []))
        info = _keyvals(parts.get("Info", []))
        rows = []
        for k, ln in enumerate(parts["Data"], start=1):
            if not ln.strip():
                continue
            try:
                rows.append([float(v) for v in ln.split()])
            except ValueError:
                raise DataFileError(f"{p.name}: [Data {num}] row {k} is not numeric: {ln.strip()[:60]!r}") from None
        if not rows:
            raise DataFileError(f"{p.name}: Scienta region {num} holds no data rows")
        widths = {len(r) for r in rows}
        if len(widths) != 1 or min(widths) < 2:
            raise DataFileError(f"{p.name}: [Data {num}] rows have {sorted(widths)} columns; expected the same "
                                f"number (energy and at least one count column) on every row")
        arr = np.asarray(rows)
        label = reg.get("Dimension 1 name", "")
        if not label:
            raise DataFileError(f"{p.name}: Scienta region {num} does not name its energy axis (Dimension 1 name)")
        name = reg.get("Region Name") or info.get("Region Name") or f"Region {num}"
        out.append(ScientaRegion(i, name, label, arr[:, 0].copy(), arr[:, 1:].sum(axis=1),
                                 _float(info.get("Excitation Energy")), arr.shape[1] - 1, info))
    if not out:
        raise DataFileError(f"{p.name}: no [Region N] / [Data N] sections found (not a Scienta SES export?)")
    return out
