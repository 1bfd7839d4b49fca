"""Reading electron micrographs (:class:`cationx.microscopy.images.Micrograph`) with their pixel size.

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
from pathlib import Path
from typing import Any

import numpy as np

from cationx._validation import check_existing_file, check_positive
from cationx.errors import DataFileError, InterpretationWarning
from cationx.microscopy._deps import require
from cationx.microscopy.images import Micrograph, to_grey, unit_to_nm

__all__ = ["read_micrograph"]

_PLAIN_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}


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

