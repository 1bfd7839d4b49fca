"""XPS spectra from CSV/TXT tables or VAMAS (.vms, ISO 14976) files.

VAMAS files are parsed by the ``vamas`` package.  A block whose abscissa is kinetic
energy is converted with ``BE = h nu - KE - phi`` (source energy and analyser work
function from the block); a binding-energy abscissa is used as is.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cationx._validation import check_existing_file, check_int
from cationx.errors import DataFileError, InputError

__all__ = ["Spectrum", "read_spectrum"]


@dataclass(frozen=True, slots=True)
class Spectrum:
    binding_energy_ev: np.ndarray
    intensity: np.ndarray
    label: str = ""


def _read_vamas(path: Path, block: int) -> Spectrum:
    from vamas import Vamas

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the reader prints notices
            vms = Vamas(str(path))
    except (StopIteration, ValueError, IndexError, AssertionError, Exception) as exc:
        raise DataFileError(f"cannot read VAMAS file {path.name}: {type(exc).__name__} {exc}".strip()) from None
    if not vms.blocks:
        raise DataFileError(f"VAMAS file {path.name} holds no blocks")
    b = check_int(block, "block", minimum=0)
    if b >= len(vms.blocks):
        raise InputError(f"block {b} does not exist; {path.name} has {len(vms.blocks)} block(s) (0-based)")
    blk = vms.blocks[b]
    if not blk.corresponding_variables or not blk.corresponding_variables[0].y_values:
        raise DataFileError(f"spectrum is empty: block {b} of {path.name} holds no values")
    y = np.asarray(blk.corresponding_variables[0].y_values, dtype=float)
    x = blk.x_start + blk.x_step * np.arange(y.size)
    if "kinetic" in blk.x_label.lower():
        x = blk.analysis_source_characteristic_energy - x - blk.analyzer_work_function_or_acceptance_energy
    label = f"{blk.species_label} {blk.transition_or_charge_state_label}".strip() or blk.block_identifier
    return Spectrum(x, y, label)


def read_spectrum(
    path: str | Path, *, x_col: str = "binding_energy_ev", y_col: str = "intensity", block: int = 0
) -> Spectrum:
    """Read one XPS region: ``.vms`` (VAMAS block ``block``) or a CSV/TXT table with a header."""
    p = check_existing_file(path, "spectrum file")
    if p.suffix.lower() == ".vms":
        return _read_vamas(p, block)
    from cationx.io import read_table, select_columns

    x, y = select_columns(read_table(p), [x_col, y_col], source=p.name)
    return Spectrum(x, y, p.stem)
