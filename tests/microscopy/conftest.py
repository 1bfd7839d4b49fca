"""Fixtures for the microscopy tests: synthetic micrographs written as calibrated TIFFs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cationx.microscopy.synthetic import disc_image, fringe_image

DATA = Path(__file__).resolve().parents[1] / "data" / "microscopy"


def write_imagej(path: Path, data: np.ndarray, pixel: float, unit: str = "nm") -> Path:
    import tifffile

    tifffile.imwrite(path, data, imagej=True, resolution=(1 / pixel, 1 / pixel), metadata={"unit": unit})
    return path


@pytest.fixture(scope="module")
def discs():
    """40 lognormal discs (median 2.1 nm, sigma 0.14; 4 touching pairs, 4 on the edges) at 0.1 nm/px."""
    return disc_image(40, median_nm=2.1, sigma=0.14, pixel_nm=0.1, rng=7)


@pytest.fixture
def discs_tif(tmp_path, discs):
    data = (discs.image * 20000 + 5000).clip(0, 65535).astype(np.uint16)
    return write_imagej(tmp_path / "haadf_discs.tif", data, 0.1)


@pytest.fixture
def fringes_tif(tmp_path):
    """3.38 A fringes plus a weak (amplitude 0.25) 6.76 A modulation along 30 deg, 0.02 nm/px."""
    img = fringe_image((3.38, 6.76), (30.0, 30.0), (1.0, 0.25), pixel_nm=0.02, shape=(256, 256), rng=3)
    return write_imagej(tmp_path / "hrtem_fringes.tif", img.astype(np.float32), 0.02)


@pytest.fixture
def real_afm():
    path = DATA / "afm_pt_nanoparticles_crop.tif"
    assert path.exists(), "tests/data/microscopy/afm_pt_nanoparticles_crop.tif is missing"
    return path
