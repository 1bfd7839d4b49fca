"""Electron micrographs: the :class:`Micrograph` model (grey image + pixel size), grey conversion
and length units.  Files are read by :func:`cationx.io.micrograph.read_micrograph`
(``cationx.io.read_micrograph``); ``read_micrograph`` here is a deprecated alias.

RGB(A) images are converted to grey with the ITU-R 709 luma weights (as
``skimage.color.rgb2gray``) but kept in the stored intensity scale, so an explicit threshold
is given in the file's own grey values (0-255 for 8-bit, 0-65535 for 16-bit, as stored for
float images).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cationx._lazy import moved_names
from cationx.errors import DataFileError

__all__ = ["Micrograph", "to_grey", "unit_to_nm"]

_LUMA = np.array([0.2125, 0.7154, 0.0721])

_UNITS_NM = {
    "pm": 1e-3,
    "a": 0.1, "å": 0.1, "\u212b": 0.1, "\\u00c5": 0.1, "\\u212b": 0.1, "angstrom": 0.1, "angstroms": 0.1,
    "nm": 1.0, "nanometer": 1.0, "nanometers": 1.0, "nanometre": 1.0,
    "um": 1e3, "µm": 1e3, "μm": 1e3, "\\u00b5m": 1e3, "micron": 1e3, "microns": 1e3,
    "micrometer": 1e3, "micrometers": 1e3, "micrometre": 1e3,
    "mm": 1e6, "millimeter": 1e6, "cm": 1e7, "centimeter": 1e7, "m": 1e9, "meter": 1e9,
    "inch": 2.54e7, "in": 2.54e7,
}

def unit_to_nm(unit: str) -> float | None:
    """Nanometres per one ``unit`` (``'micron'``, ``'µm'``, ``'Å'``, ...); None if unknown."""
    return _UNITS_NM.get(str(unit).strip().lower())


@dataclass(frozen=True, slots=True)
class Micrograph:
    """A grey-level image (2-D float64, intensities as stored) and its pixel size.

    ``pixel_source`` says where the pixel size came from; ``metadata_pixel_nm`` is what the
    file said (None if nothing), even when an explicit value overrode it.
    """

    data: np.ndarray
    pixel_nm: float
    pixel_source: str
    path: str = ""
    dtype: str = ""
    metadata_pixel_nm: float | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.data.shape[0]), int(self.data.shape[1]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "shape": list(self.shape),
            "dtype": self.dtype,
            "pixel_nm": self.pixel_nm,
            "pixel_source": self.pixel_source,
            "metadata_pixel_nm": self.metadata_pixel_nm,
            "warnings": list(self.warnings),
        }


def to_grey(array: np.ndarray) -> np.ndarray:
    """2-D float64 grey image from a grey, RGB or RGBA array (a new array; input untouched).

    Colour channels are combined with the Rec. 709 luma weights (as ``skimage.color.rgb2gray``)
    without rescaling, so the grey values stay in the stored intensity range.
    """
    arr = np.asarray(array)
    if arr.dtype.kind not in "uifb":
        raise DataFileError(f"image has a non-numeric pixel type {arr.dtype}")
    if arr.ndim == 2:
        return arr.astype(np.float64, copy=True)
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        return arr[..., :3].astype(np.float64) @ _LUMA
    if arr.ndim == 3 and arr.shape[-1] == 2:  # grey + alpha
        return arr[..., 0].astype(np.float64)
    raise DataFileError(f"expected a 2-D grey or RGB image, got an array of shape {arr.shape}")


# names moved to the io layer, kept as deprecated aliases
__getattr__ = moved_names("cationx.microscopy.images", {"read_micrograph": "cationx.io.micrograph"})
