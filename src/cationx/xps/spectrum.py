"""The XPS spectrum data model: binding energy (eV), intensity, a label and the reader's metadata.

Files are read by :func:`cationx.io.xps.read_spectrum` (``cationx.io.read_xps``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Spectrum"]


@dataclass(frozen=True, slots=True)
class Spectrum:
    binding_energy_ev: np.ndarray
    intensity: np.ndarray
    label: str = ""
    meta: dict = field(default_factory=dict)
