"""Particle segmentation: synthetic lognormal discs with known truth, Feret diameters, options."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.draw import disk

from cationx.errors import InputError, InterpretationWarning
from cationx.io.micrograph import read_micrograph
from cationx.microscopy import (
    min_feret_diameter,
    segment_particles,
    size_micrographs,
    size_statistics,
)
from cationx.microscopy.synthetic import disc_image


def test_discs_count_and_mean_recovered(discs):
    """36 discs inside the frame (4 tangent pairs among them), 4 cut by the edges.

    Every inside disc is found (tangent pairs split by the watershed), the edge discs are
    dropped, and the true mean diameter lies in the 95 % interval of the measured mean.
    Tolerance on each matched diameter: 0.5 pixel (digitisation + blur at a 0.1 nm pixel).
    """
    seg = segment_particles(discs.image, discs.pixel_nm)
    truth = discs.inside_diameters_nm
    assert seg.n_particles == truth.size == 36
    assert seg.n_edge_excluded == int(discs.on_edge.sum()) == 4
    assert seg.n_split >= int(discs.touching.sum()) // 2
    st = size_statistics(seg.diameters_nm)
    assert st.ci_low_nm <= truth.mean() <= st.ci_high_nm
    # match particles to discs by centroid; each diameter within half a pixel
    cents = np.c_[seg.particles["centroid_y_px"], seg.particles["centroid_x_px"]]
    inside = discs.centers_px[~discs.on_edge]
    for c, d in zip(cents, seg.diameters_nm, strict=True):
        j = int(np.argmin(np.hypot(*(inside - c).T)))
        assert np.hypot(*(inside[j] - c)) < 1.0
        assert d == pytest.approx(truth[j], abs=0.5 * discs.pixel_nm)


def test_lognormal_parameters_recovered():
    """200 discs, median 2.1 nm, sigma 0.14: fitted median and sigma within 3 standard errors
    (se(mu) = sigma/sqrt(n); se(sigma) = sigma/sqrt(2n)) plus the 0.2-pixel segmentation bias."""
    d = disc_image(200, median_nm=2.1, sigma=0.14, pixel_nm=0.1, shape=(900, 900), n_touching_pairs=10,
                   n_edge=6, rng=11)
    seg = segment_particles(d.image, d.pixel_nm)
    assert abs(seg.n_particles - (~d.on_edge).sum()) <= 1
    ln = size_statistics(seg.diameters_nm).lognormal
    n = seg.n_particles
    assert math.log(ln.geometric_mean_nm) == pytest.approx(math.log(2.1), abs=3 * 0.14 / math.sqrt(n) + 0.02 / 2.1)
    assert ln.sigma == pytest.approx(0.14, abs=3 * 0.14 / math.sqrt(2 * n))
    assert ln.ks_pvalue > 0.01


def test_without_watershed_pairs_merge(discs):
    seg = segment_particles(discs.image, discs.pixel_nm, watershed=False)
    assert seg.n_particles == 36 - int(discs.touching[~discs.on_edge].sum()) // 2
    assert seg.min_distance_px is None and seg.n_split == 0


def test_dark_particles_and_threshold_choices(discs):
    inverted = 2.0 - discs.image
    a = segment_particles(inverted, 0.1, dark_particles=True)
    assert a.n_particles == 36
    for method in ("li", "yen"):
        assert abs(segment_particles(discs.image, 0.1, threshold=method).n_particles - 36) <= 1
    v = segment_particles(discs.image, 0.1, threshold="0.55")
    assert v.threshold_method == "value" and v.threshold_value == 0.55 and v.n_particles == 36
    # a grey value for dark particles is in the image's own scale: particles are below it
    dv = segment_particles(inverted, 0.1, dark_particles=True, threshold=1.45)
    assert dv.threshold_value == pytest.approx(1.45) and dv.n_particles == 36


def test_flattening_handles_a_background_ramp(discs):
    ramp = np.linspace(0, 0.8, discs.image.shape[1])[None, :]
    plain = segment_particles(discs.image + ramp, 0.1)
    flat = segment_particles(discs.image + ramp, 0.1, flatten_sigma_px=60)
    assert abs(flat.n_particles - 36) <= 1
    assert abs(plain.n_particles - 36) > abs(flat.n_particles - 36)


def test_input_not_modified(discs):
    img = discs.image.copy()
    segment_particles(img, 0.1, dark_particles=True, flatten_sigma_px=30)
    np.testing.assert_array_equal(img, discs.image)


def test_feret_diameters_reference_shapes():
    rect = np.zeros((40, 60), bool)
    rect[10:20, 10:40] = True  # 10 x 30 pixels
    seg = segment_particles(rect.astype(float), 1.0, smooth_px=0, watershed=False)
    row = seg.particles.iloc[0]
    assert row["feret_min_nm"] == pytest.approx(10.0)
    assert row["feret_max_nm"] == pytest.approx(math.hypot(10, 30), abs=0.5)
    assert row["area_px"] == 300
    coords = np.argwhere(rect)
    assert min_feret_diameter(coords) == pytest.approx(10.0)
    assert min_feret_diameter(np.array([[0, 0], [0, 1], [0, 2]])) == pytest.approx(1.0)  # a line
    # a digitised disc of radius 20: width 39 pixels (centres within 20 of the centre), circular
    img = np.zeros((60, 60))
    img[disk((30, 30), 20)] = 1
    row = segment_particles(img, 1.0, smooth_px=0).particles.iloc[0]
    assert row["feret_min_nm"] == pytest.approx(39.0, abs=0.01)
    assert row["circularity"] == pytest.approx(1.0, abs=0.05)


def test_few_particles_warn(discs):
    crop = discs.image[:130, :130]
    with pytest.warns(InterpretationWarning, match="statistics are unreliable"):
        report = size_micrographs([_mg(crop)])
    assert report.statistics.n_particles < 10
    assert any("unreliable" in w for w in report.to_dict()["warnings"])


def _mg(data, px=0.1):
    from cationx.microscopy import Micrograph

    return Micrograph(data, px, "test")


def test_bad_arguments(discs):
    with pytest.raises(InputError, match="threshold must be one of otsu, li, yen or a number"):
        segment_particles(discs.image, 0.1, threshold="median")
    with pytest.raises(InputError, match="pixel_nm must be > 0"):
        segment_particles(discs.image, -0.1)
    with pytest.raises(InputError, match="min_area_px must be a positive integer"):
        segment_particles(discs.image, 0.1, min_area_px=0)
    with pytest.raises(InputError, match="image is uniform"):
        segment_particles(np.ones((20, 20)), 0.1)


def test_real_afm_image_smoke(real_afm):
    """Real Pt nanoparticles (AFM height, MIT; see PROVENANCE.md) at 7.26 nm per rendered pixel.

    No ground truth exists: the check is that the pipeline runs on a real RGB image and finds
    the isolated particles visible by eye (21 with the defaults; aggregates cut by the crop
    edge are dropped), with sizes of tens of pixels."""
    report = size_micrographs([read_micrograph(real_afm, pixel_nm=7.26)])
    seg = report.segmentations[0]
    assert 15 <= seg.n_particles <= 30
    assert seg.n_edge_excluded >= 3
    assert 50 < report.statistics.median_diameter_nm < 400


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 25), w=st.integers(1, 25), k=st.integers(0, 3))
def test_min_feret_of_rectangles_is_the_short_side(h, w, k):
    """Axis-aligned h x w pixel rectangles (any quarter turn): caliper width min(h, w)."""
    coords = np.argwhere(np.rot90(np.ones((h, w), bool), k))
    assert min_feret_diameter(coords) == pytest.approx(min(h, w))
