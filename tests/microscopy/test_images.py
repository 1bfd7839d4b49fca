"""Reading micrographs: pixel size from ImageJ, FEI, Zeiss and generic TIFF tags; grey conversion."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
import tifffile

from cationx.errors import CationxError, DataFileError, InputError, InterpretationWarning
from cationx.io.micrograph import read_micrograph
from cationx.microscopy import to_grey, unit_to_nm

from .conftest import write_imagej

RNG = np.random.default_rng(0)
U16 = (RNG.random((32, 40)) * 60000).astype(np.uint16)


@pytest.mark.parametrize(("pixel", "unit", "nm"), [(0.25, "nm", 0.25), (0.0123, "micron", 12.3),
                                                   (0.0123, "\\u00B5m", 12.3), (1.5, "\\u00C5", 0.15)])
def test_imagej_round_trip(tmp_path, pixel, unit, nm):
    m = read_micrograph(write_imagej(tmp_path / "a.tif", U16, pixel, unit))
    assert m.pixel_nm == pytest.approx(nm, rel=1e-6)
    assert "ImageJ" in m.pixel_source and m.shape == (32, 40) and m.dtype == "uint16"
    np.testing.assert_array_equal(m.data, U16.astype(float))


def test_fei_round_trip(tmp_path):
    # FEI/Thermo Fisher (Helios tag 34682): INI text, PixelWidth in metres
    ini = "[User]\r\nDate=12/01/2024\r\n[Scan]\r\nPixelWidth=1.234e-010\r\nPixelHeight=1.234e-010\r\n"
    path = tmp_path / "fei.tif"
    tifffile.imwrite(path, U16, extratags=[(34682, "s", 0, ini, True)])
    m = read_micrograph(path)
    assert m.pixel_nm == pytest.approx(0.1234) and "FEI" in m.pixel_source


def test_zeiss_sem_round_trip(tmp_path):
    text = "\r\n".join(["0", "0", "AP_IMAGE_PIXEL_SIZE", "Image Pixel Size = 2.233 nm", "AP_WD", "WD = 5.0 mm"])
    path = tmp_path / "zeiss.tif"
    tifffile.imwrite(path, U16, extratags=[(34118, "s", 0, text, True)])
    m = read_micrograph(path)
    assert m.pixel_nm == pytest.approx(2.233) and "Zeiss" in m.pixel_source


def test_generic_resolution_tags_warn(tmp_path):
    path = tmp_path / "gen.tif"
    tifffile.imwrite(path, U16, resolution=(5e6, 5e6), resolutionunit="CENTIMETER")
    with pytest.warns(InterpretationWarning, match="print resolution"):
        m = read_micrograph(path)
    assert m.pixel_nm == pytest.approx(2.0) and m.warnings


def test_no_pixel_size_is_one_clear_error(tmp_path):
    path = tmp_path / "plain.tif"
    tifffile.imwrite(path, U16)
    with pytest.raises(DataFileError, match=r"no pixel size in plain\.tif: give it with --pixel-nm"):
        read_micrograph(path)
    assert read_micrograph(path, pixel_nm=0.5).pixel_source == "pixel_nm given explicitly"


def test_override_that_disagrees_warns(tmp_path):
    path = write_imagej(tmp_path / "a.tif", U16, 0.25)
    with pytest.warns(InterpretationWarning, match="overrides the file's pixel size 0.25"):
        m = read_micrograph(path, pixel_nm=0.3)
    assert m.pixel_nm == 0.3 and m.metadata_pixel_nm == pytest.approx(0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_micrograph(path, pixel_nm=0.2501)  # within 1 %: silent


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), float("inf")])
def test_bad_pixel_override(tmp_path, bad):
    with pytest.raises(InputError, match="pixel_nm must be"):
        read_micrograph(write_imagej(tmp_path / "a.tif", U16, 0.25), pixel_nm=bad)


def test_rgb_8bit_16bit_float_to_grey(tmp_path):
    rgb = np.zeros((16, 16, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 100, 200, 50
    grey = to_grey(rgb)
    assert grey == pytest.approx(np.full((16, 16), 0.2125 * 100 + 0.7154 * 200 + 0.0721 * 50))
    path = tmp_path / "rgb.tif"
    tifffile.imwrite(path, rgb, photometric="rgb")
    assert read_micrograph(path, pixel_nm=1).data[0, 0] == pytest.approx(grey[0, 0])
    f32 = RNG.random((16, 16)).astype(np.float32)
    path = write_imagej(tmp_path / "f.tif", f32, 0.1)
    np.testing.assert_allclose(read_micrograph(path).data, f32.astype(float))
    before = rgb.copy()
    to_grey(rgb)
    np.testing.assert_array_equal(rgb, before)  # input untouched


def test_png_needs_explicit_pixel(tmp_path):
    from skimage import io

    path = tmp_path / "a.png"
    io.imsave(path, (RNG.random((20, 20)) * 255).astype(np.uint8), check_contrast=False)
    with pytest.raises(DataFileError, match="no pixel size"):
        read_micrograph(path)
    assert read_micrograph(path, pixel_nm=0.2).shape == (20, 20)


def test_missing_empty_and_foreign_files(tmp_path):
    with pytest.raises(DataFileError, match="image file not found"):
        read_micrograph(tmp_path / "nope.tif")
    (tmp_path / "empty.tif").write_bytes(b"")
    with pytest.raises(DataFileError, match="is empty"):
        read_micrograph(tmp_path / "empty.tif")
    (tmp_path / "notes.tif").write_text("not an image at all\n")
    with pytest.raises(DataFileError, match="not a readable TIFF image"):
        read_micrograph(tmp_path / "notes.tif")
    (tmp_path / "fake.png").write_text("not a png\n")
    with pytest.raises(DataFileError, match="not a readable image"):
        read_micrograph(tmp_path / "fake.png")


def test_dm_without_ncempy_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "a.dm4"
    path.write_bytes(b"\0" * 64)
    monkeypatch.setitem(sys.modules, "ncempy", None)
    monkeypatch.setitem(sys.modules, "ncempy.io", None)
    monkeypatch.setitem(sys.modules, "ncempy.io.dm", None)
    with pytest.raises(CationxError, match=r"cationx\[microscopy-dm\]"):
        read_micrograph(path)


def test_foreign_dm_file_is_a_data_error(tmp_path):
    pytest.importorskip("ncempy")
    path = tmp_path / "a.dm3"
    path.write_bytes(b"not a DigitalMicrograph file" * 10)
    with pytest.raises(DataFileError, match="not a readable DigitalMicrograph file"):
        read_micrograph(path)


def test_units():
    assert unit_to_nm("micron") == 1000 and unit_to_nm("\u00c5") == 0.1 and unit_to_nm("furlong") is None


def test_real_rgb_afm_image(real_afm):
    """A real nanoparticle image (see tests/data/microscopy/PROVENANCE.md): RGB, no calibration."""
    with pytest.raises(DataFileError, match="no pixel size"):
        read_micrograph(real_afm)
    m = read_micrograph(real_afm, pixel_nm=7.26)
    assert m.shape == (640, 640) and m.dtype == "uint8"
    assert 0 <= m.data.min() and m.data.max() == pytest.approx(255)  # luma weights sum to 1
    assert m.data.mean() < 60  # dark substrate, bright particles


def _fake_dm(data, sizes, units):
    class FakeDM:
        @staticmethod
        def dmReader(path):
            return {"data": data, "pixelSize": sizes, "pixelUnit": units}

    return FakeDM


@pytest.mark.parametrize(
    ("sizes", "units", "nm"),
    [([0.5, 0.5], ["nm", "nm"], 0.5), ([1.5, 1.5], ["\u00c5", "\u00c5"], 0.15), ([0.002, 0.002], ["\u00b5m", "\u00b5m"], 2.0)],
)
def test_dm_calibration_units(tmp_path, monkeypatch, sizes, units, nm):
    """The DM branch's unit handling (ncempy's dmReader layout: per-axis pixelSize/pixelUnit, y then x)."""
    import cationx.io.micrograph as images

    path = tmp_path / "a.dm4"
    path.write_bytes(b"\0" * 64)
    monkeypatch.setattr(images, "require", lambda name: _fake_dm(U16, sizes, units))
    m = read_micrograph(path)
    assert m.pixel_nm == pytest.approx(nm) and "DigitalMicrograph" in m.pixel_source


def test_dm_non_square_pixels_and_diffraction(tmp_path, monkeypatch):
    import cationx.io.micrograph as images

    path = tmp_path / "a.dm3"
    path.write_bytes(b"\0" * 64)
    monkeypatch.setattr(images, "require", lambda name: _fake_dm(U16, [2.0, 1.0], ["\u00c5", "nm"]))
    with pytest.warns(InterpretationWarning, match="pixels are not square"):
        assert read_micrograph(path).pixel_nm == 1.0
    monkeypatch.setattr(images, "require", lambda name: _fake_dm(U16, [0.1, 0.1], ["1/nm", "1/nm"]))
    with pytest.raises(DataFileError, match="diffraction pattern"):
        read_micrograph(path)
    monkeypatch.setattr(images, "require", lambda name: _fake_dm(np.zeros((1, 2048), np.float32), [1.0, 0.1], ["", "eV"]))
    with pytest.raises(DataFileError, match="1-D signal of 2048 values"):
        read_micrograph(path)
