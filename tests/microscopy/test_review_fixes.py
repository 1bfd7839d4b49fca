"""Pure noise is not reported as particles without a warning; 8-bit rounding harmonics are not
spots; fundamentals are chosen by power; family uncertainties keep the calibration part."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import InterpretationWarning
from cationx.microscopy import analyse_fringes, segment_particles
from cationx.microscopy.synthetic import disc_image, fringe_image

runner = CliRunner()


def _png(path, data):
    from PIL import Image

    Image.fromarray(np.asarray(data, dtype=np.uint8)).save(path)
    return path


def test_pure_noise_segmentation_is_flagged(tmp_path):
    noise = np.random.default_rng(0).normal(128, 30, (128, 128)).clip(0, 255)
    with pytest.warns(InterpretationWarning, match="SEGMENTATION NOT SUPPORTED"):
        seg = segment_particles(noise, 0.1)
    assert seg.contrast_to_noise is not None and seg.contrast_to_noise < 1.0  # ~0.7 for noise
    p = _png(tmp_path / "noise.png", noise)
    r = runner.invoke(app, ["tem", "sizes", str(p), "--pixel-nm", "0.1"])
    assert r.exit_code == 0  # a finding about the image, not an error
    assert r.stdout.startswith("WARNING: SEGMENTATION NOT SUPPORTED")
    r = runner.invoke(app, ["tem", "sizes", str(p), "--pixel-nm", "0.1", "--json"])
    assert any("SEGMENTATION NOT SUPPORTED" in w for w in json.loads(r.stdout)["warnings"])


def test_real_particles_pass_the_contrast_check():
    # discs at a per-pixel SNR of 3 (noise 0.3 on a 0.9 step): contrast ~2.6 noise sd
    d = disc_image(40, median_nm=2.1, sigma=0.14, pixel_nm=0.1, noise=0.3, rng=7)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InterpretationWarning)
        seg = segment_particles(d.image, 0.1)
    assert seg.contrast_to_noise > 1.5 and seg.n_particles > 20


def test_clean_8bit_cosine_gives_one_spot():
    # 100 + 100 cos(2 pi x / 8 px), rounded to 8 bits: the rounding error of a periodic pattern
    # is periodic and used to give 11 spurious "spots" at relative power 1e-7..4e-6
    x = np.arange(256)
    img = np.rint(100 + 100 * np.cos(2 * np.pi * x / 8.0))[None, :].repeat(256, axis=0)
    res = analyse_fringes(img, 0.02)
    assert len(res.spots) == 1
    assert res.spots[0].d_angstrom == pytest.approx(1.6, abs=0.01)
    assert not res.ratio_flags


def test_fundamental_is_the_strong_spot_and_its_weak_2g_is_order_2():
    # strong 3.2 A fringes, a weak second harmonic at 1.6 A and a weak modulation at 6.4 A: the
    # strong spot is the fundamental (it used to be "2 x g" of the weak 6.4 A spot, and 1.6 A its
    # order 4); 1.6 A is order 2 of the strong spot; 6.4 A is a half-order flag
    img = fringe_image((3.2, 1.6, 6.4), (20.0, 20.0, 20.0), (1.0, 0.2, 0.2), pixel_nm=0.02, rng=5)
    res = analyse_fringes(img, 0.02)
    assert len(res.spots) == 3
    strong = max(res.spots, key=lambda s: s.relative_power)
    harm = next(s for s in res.spots if abs(s.d_angstrom - 1.6) < 0.05)
    half = next(s for s in res.spots if abs(s.d_angstrom - 6.4) < 0.2)
    assert (strong.order, strong.fundamental_id) == (1, None)
    assert (harm.order, harm.fundamental_id) == (2, strong.id)
    assert half.order == 1
    assert any(f["kind"] == "half-order" and f["spot_ids"] == [half.id, strong.id] for f in res.ratio_flags)


def test_family_uncertainty_keeps_the_calibration_part():
    # two spots of one family (+/-45 deg cross fringes of equal d): the family sd must not fall
    # below calibration_rel x d however many spots are averaged
    img = fringe_image((3.38, 3.38), (45.0, 135.0), (1.0, 1.0), pixel_nm=0.02, rng=6)
    cal = 0.02
    res = analyse_fringes(img, 0.02, calibration_rel=cal)
    fam = next(f for f in res.families if len(f["spot_ids"]) == 2)
    assert fam["d_uncertainty_angstrom"] >= cal * fam["d_angstrom"]
    assert fam["d_uncertainty_angstrom"] == pytest.approx(cal * fam["d_angstrom"], rel=0.05)
    assert math.isfinite(fam["d_uncertainty_angstrom"])
