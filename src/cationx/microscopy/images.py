"""Reading electron micrographs with their pixel size.

TIFF files are read with ``tifffile``; the pixel size is taken, in this order, from

1. FEI/Thermo Fisher headers (``fei_metadata``, tags FEI_SFEG/FEI_HELIOS): ``[Scan] PixelWidth``
   in metres (``[EScan]`` as a fallback);
2. Zeiss SEM headers (``sem_metadata``, tag CZ_SEM): ``ap_image_pixel_size`` ("Image Pixel Size")
   with its unit;
3. ImageJ/Fiji metadata: ``unit`` from the ImageJ description with the XResolution/YResolution
   tags (pixels per unit);
4. generic XResolution/YResolution with ResolutionUnit centimetre or inch, as a last resort and
   with a warning (these tags often hold a print resolution, not the specimen scale).

Gatan DigitalMicrograph files (.dm3/.dm4) are read with ``ncempy`` (optional extra
``cationx[microscopy-dm]``).  PNG/JPEG/BMP files are read with ``imageio`` (Pillow
plugin; a dependency of scikit-image) and carry no pixel size: give it explicitly.  A ``pixel_nm`` argument always
overrides the file; if it disagrees with the file by more than 1 % a warning says so.

RGB(A) images are converted to grey with the ITU-R 709 luma weights (as
``skimage.color.rgb2gray``) but kept in the stored intensity scale, so an explicit threshold
is given in the file's own grey values (0-255 for 8-bit, 0-65535 for 16-bit, as stored for
float images).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cationx._validation import check_existing_file, check_positive
from cationx.errors import DataFileError, InterpretationWarning
from cationx.microscopy._deps import require

__all__ = ["Micrograph", "read_micrograph", "to_grey", "unit_to_nm"]

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

_PLAIN_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}


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


def _warn(msgs: list[str], text: str) -> None:
    msgs.append(text)
    warnings.warn(text, InterpretationWarning, stacklevel=3)


def _first_number(value: Any) -> float | None:
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) and out > 0 else None


def _resolution(tag: Any) -> float | None:
    """Pixels per unit from an XResolution/YResolution rational tag."""
    if tag is None:
        return None
    val = tag.value
    if isinstance(val, tuple) and len(val) == 2:
        num, den = val
        if not den:
            return None
        val = num / den
    return _first_number(val)


def _pixel_from_fei(meta: dict[str, Any]) -> tuple[float, str] | None:
    for section in ("Scan", "EScan", "EBeam"):
        sec = meta.get(section) or {}
        px = _first_number(sec.get("PixelWidth"))
        if px is not None:
            return px * 1e9, f"FEI metadata [{section}] PixelWidth"
    return None


def _pixel_from_zeiss(meta: dict[str, Any]) -> tuple[float, str] | None:
    entry = meta.get("ap_image_pixel_size") or meta.get("ap_pixel_size")
    if not entry or len(entry) < 2:
        return None
    value = _first_number(entry[1])
    unit = entry[2] if len(entry) > 2 else "nm"
    scale = unit_to_nm(unit)
    if value is None or scale is None:
        return None
    return value * scale, "Zeiss SEM metadata Image Pixel Size"


def _pixel_from_resolution(page: Any, msgs: list[str]) -> tuple[float, str] | None:
    tags = page.tags
    xres = _resolution(tags.get("XResolution"))
    yres = _resolution(tags.get("YResolution"))
    unit_tag = tags.get("ResolutionUnit")
    unit = int(unit_tag.value) if unit_tag is not None else 2
    if xres is None or unit not in (2, 3):
        return None
    per = 2.54e7 if unit == 2 else 1e7  # nm per inch / per cm
    px = per / xres
    name = "inch" if unit == 2 else "centimetre"
    if yres is not None and not math.isclose(xres, yres, rel_tol=1e-3):
        _warn(msgs, f"TIFF X and Y resolutions differ ({xres:g} vs {yres:g} px/{name}); using X")
    _warn(msgs, f"pixel size {px:.4g} nm taken from the generic TIFF resolution tags "
                f"({xres:g} px per {name}); these often hold a print resolution, not the specimen "
                "scale: check it or give --pixel-nm")
    return px, f"TIFF resolution tags ({xres:g} px/{name})"


def _pixel_from_imagej(tif: Any, page: Any, msgs: list[str]) -> tuple[float, str] | None:
    meta = tif.imagej_metadata or {}
    unit = meta.get("unit")
    if unit is None:
        return None
    scale = unit_to_nm(unit)
    if scale is None:
        if str(unit).lower() not in ("pixel", "pixels", ""):
            _warn(msgs, f"ImageJ unit {unit!r} is not a length unit cationx knows; pixel size ignored")
        return None
    xres = _resolution(page.tags.get("XResolution"))
    yres = _resolution(page.tags.get("YResolution"))
    if xres is None:
        return None
    if yres is not None and not math.isclose(xres, yres, rel_tol=1e-3):
        _warn(msgs, f"ImageJ pixel width and height differ ({1 / xres:g} vs {1 / yres:g} {unit}); using the width")
    return scale / xres, f"ImageJ metadata (unit {unit!r}, XResolution)"


def _read_tiff(path: Path, msgs: list[str]) -> tuple[np.ndarray, float | None, str]:
    tifffile = require("tifffile")

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first
            n_pages = len(tif.pages)
            arr = page.asarray()
            found = None
            if tif.is_fei:
                found = _pixel_from_fei(tif.fei_metadata or {})
            if found is None and tif.is_sem:
                found = _pixel_from_zeiss(tif.sem_metadata or {})
            if found is None and tif.is_imagej:
                found = _pixel_from_imagej(tif, page, msgs)
            if found is None and not tif.is_imagej:
                found = _pixel_from_resolution(page, msgs)
    except tifffile.TiffFileError as exc:
        raise DataFileError(f"not a readable TIFF image: {path.name} ({exc})") from None
    if n_pages > 1:
        _warn(msgs, f"{path.name} holds {n_pages} images; only the first is analysed")
    if arr.ndim == 3 and arr.shape[-1] not in (2, 3, 4):
        _warn(msgs, f"{path.name} is a stack of {arr.shape[0]} frames; only the first is analysed")
        arr = arr[0]
    px, source = found if found is not None else (None, "")
    return arr, px, source


def _read_dm(path: Path, msgs: list[str]) -> tuple[np.ndarray, float | None, str]:
    dm = require("ncempy.io.dm")
    try:
        res = dm.dmReader(str(path))
    except Exception as exc:  # ncempy raises bare exceptions on foreign files
        raise DataFileError(f"not a readable DigitalMicrograph file: {path.name} ({type(exc).__name__})") from None
    arr = np.asarray(res["data"])
    if arr.ndim == 3 and arr.shape[-1] not in (3, 4):
        _warn(msgs, f"{path.name} is a stack of {arr.shape[0]} frames; only the first is analysed")
        arr = arr[0]
    sizes = list(res.get("pixelSize") or [])
    units = list(res.get("pixelUnit") or [])
    if not sizes or not units:
        return arr, None, ""
    unit = str(units[-1])
    if "/" in unit or unit.startswith("1"):
        raise DataFileError(f"{path.name} is calibrated in {unit} (a diffraction pattern?), not a real-space image")
    scale = unit_to_nm(unit)
    value = _first_number(sizes[-1])
    if scale is None or value is None:
        return arr, None, ""
    px = value * scale
    if len(sizes) >= 2 and len(units) >= 2:
        yscale, yvalue = unit_to_nm(str(units[-2])), _first_number(sizes[-2])
        if yscale is not None and yvalue is not None and not math.isclose(yvalue * yscale, px, rel_tol=1e-3):
            _warn(msgs, f"pixels are not square in {path.name} (x {px:.4g} nm, y {yvalue * yscale:.4g} nm); "
                        "sizes and d-spacings use the x size: resample to square pixels first")
    return arr, px, f"DigitalMicrograph calibration ({value:g} {unit})"


def _read_plain(path: Path) -> np.ndarray:
    iio = require("imageio.v3")
    try:
        return np.asarray(iio.imread(path, plugin="pillow"))
    except Exception as exc:  # imageio raises many types for foreign bytes
        raise DataFileError(f"not a readable image: {path.name} ({type(exc).__name__})") from None


def read_micrograph(path: str | Path, *, pixel_nm: float | None = None) -> Micrograph:
    """Read a micrograph as a grey image with its pixel size in nm.

    Parameters
    ----------
    path
        TIFF (``.tif``/``.tiff``), DigitalMicrograph (``.dm3``/``.dm4``, needs ncempy), or
        PNG/JPEG/BMP (no calibration: ``pixel_nm`` required).
    pixel_nm
        Pixel size in nm; overrides the file's calibration.

    Raises
    ------
    DataFileError
        Missing, empty or unreadable file; no pixel size in the file and none given.
    InputError
        ``pixel_nm`` not a finite positive number.
    """
    p = check_existing_file(path, "image file")
    override = None if pixel_nm is None else check_positive(pixel_nm, "pixel_nm")
    msgs: list[str] = []
    suffix = p.suffix.lower()
    if suffix in (".dm3", ".dm4"):
        arr, meta_px, source = _read_dm(p, msgs)
    elif suffix in _PLAIN_SUFFIXES:
        arr, meta_px, source = _read_plain(p), None, ""
    else:
        arr, meta_px, source = _read_tiff(p, msgs)
    dtype = str(np.asarray(arr).dtype)
    grey = to_grey(arr)
    if min(grey.shape) == 1:
        raise DataFileError(f"{p.name} holds a 1-D signal of {max(grey.shape)} values (a spectrum?), not an image")
    if grey.shape[0] < 8 or grey.shape[1] < 8:
        raise DataFileError(f"image {p.name} is too small to analyse: {grey.shape[1]} x {grey.shape[0]} pixels")
    bad = ~np.isfinite(grey)
    if bad.any():
        raise DataFileError(f"image {p.name} holds {int(bad.sum())} non-finite pixel value(s)")
    if override is not None:
        if meta_px is not None and not math.isclose(override, meta_px, rel_tol=0.01):
            _warn(msgs, f"--pixel-nm {override:g} overrides the file's pixel size {meta_px:.4g} nm ({source})")
        return Micrograph(grey, override, "pixel_nm given explicitly", str(p), dtype, meta_px, tuple(msgs))
    if meta_px is None:
        raise DataFileError(f"no pixel size in {p.name}: give it with --pixel-nm (nm per pixel)")
    return Micrograph(grey, float(meta_px), source, str(p), dtype, float(meta_px), tuple(msgs))

