"""The spectrum data model: :class:`Spectrum` (one x/y curve, x ascending) and
:class:`SpectrumSet` (the spectra of one measurement with its format and metadata).

Readers in :mod:`cationx.io` (:func:`cationx.io.read_spectra`) build them from files; the
spectra science (:mod:`cationx.spectra`) and the titration workflow take them or plain arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx.errors import InputError

__all__ = ["Spectrum", "SpectrumSet"]


@dataclass(frozen=True, slots=True)
class Spectrum:
    """One spectrum: ``x`` ascending (``x_unit``: ``nm``, ``eV`` or ``cm-1``) and ``y``."""

    label: str
    x: np.ndarray
    y: np.ndarray
    x_unit: str = "nm"
    y_unit: str = ""

    @classmethod
    def from_arrays(
        cls, x: Any, y: Any, *, label: str = "", x_unit: str = "nm", y_unit: str = ""
    ) -> Spectrum:
        """Validate (finite, equal lengths, >= 3 points, distinct x) and sort by x."""
        from cationx._validation import as_1d_array, check_matching_lengths

        xa = as_1d_array(x, f"{label or 'spectrum'} x", min_length=3)
        ya = as_1d_array(y, f"{label or 'spectrum'} y", min_length=3)
        check_matching_lengths([xa, ya], ["x", "y"])
        order = np.argsort(xa, kind="stable")
        xa, ya = xa[order], ya[order]
        if (np.diff(xa) == 0).any():
            i = int(np.flatnonzero(np.diff(xa) == 0)[0])
            raise InputError(f"{label or 'spectrum'}: x value {float(xa[i])!r} appears twice")
        return cls(label, xa, ya, x_unit, y_unit)

    @property
    def x_range(self) -> tuple[float, float]:
        return float(self.x[0]), float(self.x[-1])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"x": self.x, "y": self.y})

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "x_unit": self.x_unit, "y_unit": self.y_unit, "x": self.x, "y": self.y}


@dataclass(frozen=True, slots=True)
class SpectrumSet:
    """The spectra of one file, the detected ``format`` and the file's metadata."""

    format: str
    source: str
    spectra: tuple[Spectrum, ...]
    metadata: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.spectra)

    def __iter__(self) -> Iterator[Spectrum]:
        return iter(self.spectra)

    def __getitem__(self, key: int | str) -> Spectrum:
        if isinstance(key, str):
            for s in self.spectra:
                if s.label == key:
                    return s
            have = ", ".join(repr(s.label) for s in self.spectra)
            raise InputError(f"{self.source} has no spectrum {key!r} (spectra: {have})")
        return self.spectra[key]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.spectra]

    def common_axis(self) -> np.ndarray:
        """The shared x axis; :class:`InputError` if the spectra were not measured on one axis."""
        x0 = self.spectra[0].x
        for s in self.spectra[1:]:
            if s.x.shape != x0.shape or not np.allclose(s.x, x0, rtol=0, atol=1e-6 * max(1.0, abs(x0[-1]))):
                raise InputError(
                    f"{self.source}: spectra {self.spectra[0].label!r} and {s.label!r} have different "
                    f"x axes ({x0.size} points {x0[0]:g}-{x0[-1]:g} vs {s.x.size} points "
                    f"{s.x[0]:g}-{s.x[-1]:g}); resample them onto one axis first"
                )
        return x0.copy()

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x, Y)`` with ``Y[k]`` the k-th spectrum on the common axis."""
        x = self.common_axis()
        return x, np.vstack([s.y for s in self.spectra])

    def to_frame(self) -> pd.DataFrame:
        """Long table: label, x, y."""
        parts = [pd.DataFrame({"label": s.label, "x": s.x, "y": s.y}) for s in self.spectra]
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "metadata": self.metadata,
            "spectra": [s.to_dict() for s in self.spectra],
        }
