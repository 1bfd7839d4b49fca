"""XPS spectra (:class:`cationx.xps.spectrum.Spectrum`) from CSV/TXT tables, VAMAS files (``.vms``, MultiPak ``.npl``) and Scienta text exports.

Formats are recognised from the content, not the extension: VAMAS by its ISO 14976 identifier
line (blank lines before it are skipped), Scienta by its ``[Info]`` / ``[Region N]`` sections;
anything else is read as a table with a header row.

Several blocks or regions
    A file with more than one block (region) must be read with ``block=`` (index, 0-based, or
    name such as ``"C 1s"`` or the block identifier); without it the reader raises an error
    listing the blocks, never silently taking the first. :func:`list_blocks` lists them.
Counts
    A VAMAS block may hold several corresponding variables (Kratos: intensity and
    transmission; SpecsLab: counts and transmission). The FIRST corresponding variable is
    taken as the intensity; the others are named in ``Spectrum.meta["variables"]``.
Energy scale
    A kinetic-energy abscissa is converted as ``BE = hν − KE − φ`` (eV), ``hν`` the excitation
    (source) energy stored with the block and ``φ`` the work-function correction still to
    apply. Instrument exports (Kratos, SpecsLab Prodigy, PHI, Scienta) store the kinetic energy
    referenced to the spectrometer Fermi level, with the analyser work function already
    applied, so by default ``φ = 0`` and the stored "analyser work function" is reported, not
    applied (``work_function="ignore"``; CasaXPS does the same). ``work_function="file"``
    applies the stored value, a number applies that value. A binding-energy abscissa is used
    as is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cationx._validation import check_existing_file
from cationx.errors import DataFileError, InputError
from cationx.xps.spectrum import Spectrum

__all__ = ["list_blocks", "read_spectrum"]


def _format(p: Path) -> str:
    from cationx.io.scienta import is_scienta
    from cationx.io.vamas import is_vamas

    if is_vamas(p):
        return "vamas"
    if is_scienta(p):
        return "scienta"
    if p.suffix.lower() in (".vms", ".npl"):
        return "vamas"  # let the VAMAS reader explain what is wrong
    return "table"


def _blocks(p: Path, fmt: str) -> list:
    if fmt == "vamas":
        from cationx.io.vamas import read_vamas

        return list(read_vamas(p).blocks)
    from cationx.io.scienta import read_scienta

    return read_scienta(p)


def list_blocks(path: str | Path) -> list[dict]:
    """Describe every block (VAMAS) or region (Scienta) of ``path``: index, name, points, range.

    A table file is one block.
    """
    p = check_existing_file(path, "spectrum file")
    fmt = _format(p)
    if fmt == "table":
        s = read_spectrum(p)
        lo, hi = float(s.binding_energy_ev.min()), float(s.binding_energy_ev.max())
        return [{"index": 0, "name": s.label, "points": int(s.binding_energy_ev.size),
                 "abscissa": "binding energy (eV)", "abscissa_min": lo, "abscissa_max": hi,
                 "binding_energy_min": lo, "binding_energy_max": hi}]
    out = []
    for b in _blocks(p, fmt):
        d = b.describe()
        hv = d.get("source_energy_ev")
        if b.kinetic and hv is not None:  # the binding energies read_spectrum gives (phi = 0)
            d["binding_energy_min"], d["binding_energy_max"] = hv - d["abscissa_max"], hv - d["abscissa_min"]
        elif not b.kinetic:
            d["binding_energy_min"], d["binding_energy_max"] = d["abscissa_min"], d["abscissa_max"]
        out.append(d)
    return out


def _summary(blocks: list) -> str:
    parts = []
    for b in blocks:
        d = b.describe()
        parts.append(f"{d['index']} {d['name']!r} ({d['abscissa_min']:g}-{d['abscissa_max']:g} {d['abscissa']})")
    return "; ".join(parts)


def _pick(blocks: list, block: int | str | None, name: str):
    if block is None:
        if len(blocks) == 1:
            return blocks[0]
        raise DataFileError(f"{name} holds {len(blocks)} blocks; choose one with block= / --block (index or "
                            f"name): {_summary(blocks)}")
    if isinstance(block, int | np.integer) or (isinstance(block, str) and block.strip().lstrip("-").isdigit()):
        i = int(block)
        if not 0 <= i < len(blocks):
            raise InputError(f"block {i} does not exist; {name} has {len(blocks)} block(s) (0-based): "
                             f"{_summary(blocks)}")
        return blocks[i]
    key = " ".join(str(block).split()).lower()
    hits = [b for b in blocks if key in {" ".join(b.name.split()).lower(), str(getattr(b, "block_id", "")).lower()}]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise InputError(f"block {block!r} not found in {name}; blocks: {_summary(blocks)}")
    raise InputError(f"block name {block!r} is ambiguous in {name} (blocks {[b.index for b in hits]}); "
                     f"choose by index: {_summary(blocks)}")


def _work_function(work_function: str | float, stored: float | None, name: str) -> float:
    if isinstance(work_function, str):
        if work_function == "ignore":
            return 0.0
        if work_function == "file":
            if stored is None:
                raise InputError(f"work_function='file' but {name} stores no analyser work function")
            return float(stored)
        try:
            return float(work_function)
        except ValueError:
            raise InputError(f"work_function must be 'ignore', 'file' or a number in eV, got {work_function!r}") from None
    return float(work_function)


def read_spectrum(
    path: str | Path,
    *,
    x_col: str = "binding_energy_ev",
    y_col: str = "intensity",
    block: int | str | None = None,
    work_function: str | float = "ignore",
) -> Spectrum:
    """Read one XPS region from a VAMAS, Scienta or table file (see the module docstring).

    Parameters
    ----------
    block
        VAMAS block / Scienta region: index (0-based) or name. Required when the file holds
        more than one.
    work_function
        ``"ignore"`` (default, φ = 0: exports store Fermi-referenced kinetic energies),
        ``"file"`` (the block's stored analyser work function) or a value in eV; used only for a
        kinetic-energy abscissa, ``BE = hν − KE − φ``.
    """
    p = check_existing_file(path, "spectrum file")
    fmt = _format(p)
    if fmt == "table":
        from cationx.io import read_table, select_columns

        x, y = select_columns(read_table(p), [x_col, y_col], source=p.name)
        return Spectrum(x, y, p.stem, {"format": "table", "path": str(p)})
    blocks = _blocks(p, fmt)
    b = _pick(blocks, block, p.name)
    if fmt == "vamas":
        x = np.asarray(b.abscissa, dtype=float)
        if b.ordinates.shape[1] < 1 or b.ordinates.shape[0] == 0:
            raise DataFileError(f"spectrum is empty: block {b.index} of {p.name} holds no values")
        y = b.ordinates[:, 0].copy()
        kinetic, hv, stored = b.kinetic, b.source_energy_ev, b.work_function_ev
        meta = {"variables": list(b.variables), "intensity_variable": b.variables[0] if b.variables else ""}
    else:
        x, y = b.energy.copy(), b.counts.copy()
        kinetic, hv, stored = b.kinetic, b.excitation_energy_ev, None
        meta = {"slices": b.n_slices}
    meta.update({"format": fmt, "path": str(p), "block": b.index, "block_name": b.name,
                 "abscissa": "kinetic" if kinetic else "binding", "source_energy_ev": hv,
                 "stored_work_function_ev": stored})
    if kinetic:
        if hv is None:
            raise DataFileError(f"block {b.index} of {p.name} has a kinetic-energy axis but no excitation energy; "
                                "cannot convert to binding energy")
        phi = _work_function(work_function, stored, f"block {b.index} of {p.name}")
        x = hv - x - phi
        meta["work_function_applied_ev"] = phi
    if np.isnan(y).any():
        raise DataFileError(f"block {b.index} of {p.name} holds missing (1E+37) intensities")
    return Spectrum(x, y, b.name, meta)
