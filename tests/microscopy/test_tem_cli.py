"""CLI: cationx tem sizes / fringes (JSON keys, output files, one-line errors with exit code 2)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import tifffile
from typer.testing import CliRunner

from cationx.cli import app
from cationx.microscopy.synthetic import disc_image

from .conftest import write_imagej

runner = CliRunner()


def test_sizes_json(discs_tif):
    r = runner.invoke(app, ["tem", "sizes", str(discs_tif), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {"n_particles", "mean_diameter_nm", "sd_diameter_nm", "median_diameter_nm", "ci_mean_nm",
            "lognormal", "images", "warnings"} <= set(d)
    assert d["n_particles"] == 36 and 1.9 < d["mean_diameter_nm"] < 2.3
    img = d["images"][0]
    assert img["pixel_nm"] == pytest.approx(0.1) and "ImageJ" in img["pixel_source"]
    assert img["n_particles"] == 36 and img["n_edge_excluded"] == 4
    assert {"mu", "sigma", "geometric_mean_nm", "geometric_sd", "ks_pvalue"} <= set(d["lognormal"])


def test_sizes_output_files(tmp_path):
    small = disc_image(14, shape=(200, 200), n_touching_pairs=1, n_edge=2, rng=5)
    path = write_imagej(tmp_path / "small.tif", small.image.astype("float32"), 0.1)
    out, plot = tmp_path / "res", tmp_path / "hist.png"
    r = runner.invoke(app, ["tem", "sizes", str(path), "--json", "--out", str(out), "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n_particles"] == 12
    table = pd.read_csv(out / "particles.csv")
    assert len(table) == 12 and {"image", "equivalent_diameter_nm", "feret_max_nm", "feret_min_nm",
                                 "circularity", "centroid_x_nm"} <= set(table.columns)
    assert json.loads((out / "summary.json").read_text())["n_particles"] == 12
    for name in ("histogram.png", "overlay_small.png"):
        assert (out / name).stat().st_size > 1000
    assert plot.stat().st_size > 1000


def test_sizes_several_images_pool_and_text(discs_tif, tmp_path):
    second = tmp_path / "second.tif"
    second.write_bytes(discs_tif.read_bytes())
    r = runner.invoke(app, ["tem", "sizes", str(discs_tif), str(second), "--json", "--min-area-px", "20"])
    d = json.loads(r.stdout)
    assert d["n_particles"] == 72 and [i["n_particles"] for i in d["images"]] == [36, 36]
    r = runner.invoke(app, ["tem", "sizes", str(discs_tif), "--no-watershed"])
    assert r.exit_code == 0 and "mean diameter" in r.stdout and "lognormal" in r.stdout


def test_sizes_few_particles_warns_plainly(tmp_path, discs):
    path = write_imagej(tmp_path / "few.tif", (discs.image[:130, :130] * 1000).astype("float32"), 0.1)
    r = runner.invoke(app, ["tem", "sizes", str(path), "--json"])
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert d["n_particles"] < 10 and any("unreliable" in w for w in d["warnings"])
    assert "warning: only" in r.stderr


def test_sizes_real_afm_with_pixel(real_afm):
    r = runner.invoke(app, ["tem", "sizes", str(real_afm), "--pixel-nm", "7.26", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert 15 <= d["n_particles"] <= 30 and d["images"][0]["pixel_source"] == "pixel_nm given explicitly"


def test_fringes_json_outputs_and_match(fringes_tif, tmp_path):
    out = tmp_path / "fr"
    r = runner.invoke(app, ["tem", "fringes", str(fringes_tif), "--json", "--match-cell", "5.85", "--out", str(out),
                            "--calibration-pct", "1"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["image"]["pixel_nm"] == pytest.approx(0.02) and d["n_spots"] == 2
    ds = sorted(s["d_angstrom"] for s in d["spots"])
    assert ds == pytest.approx([3.38, 6.76], abs=0.08)
    assert d["ratio_flags"][0]["collinear"] and d["ratio_flags"][0]["kind"] == "half-order"
    assert d["harmonics"] == []  # the strong d111 spot is not a harmonic of the weak one
    assert d["cell_matches"][0]["hkl"] == [1, 1, 1]
    assert any("half the frequency" in w for w in d["warnings"])
    assert len(pd.read_csv(out / "spots.csv")) == 2
    filt = tifffile.imread(out / "filtered.tif")
    assert filt.shape == (256, 256) and filt.dtype == "float32"
    for name in ("fringes.png", "filtered.png", "fringes.json"):
        assert (out / name).stat().st_size > 100


def test_fringes_text_and_plot(fringes_tif, tmp_path):
    plot = tmp_path / "f.png"
    r = runner.invoke(app, ["tem", "fringes", str(fringes_tif), "--region", "0,0,200,200", "--plot", str(plot),
                            "--filter-spots", "1", "--d-range", "2:10"])
    assert r.exit_code == 0, r.output
    assert "ratio flag" in r.stdout and "for a superstructure" in r.stdout and plot.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sizes", "{missing}"], "image file not found"),
        (["sizes", "{text}"], "not a readable TIFF image"),
        (["sizes", "{plain}"], "no pixel size in plain.tif: give it with --pixel-nm"),
        (["sizes", "{plain}", "--pixel-nm", "-1"], "--pixel-nm must be > 0"),
        (["sizes", "{plain}", "--pixel-nm", "nan"], "--pixel-nm must be finite"),
        (["sizes", "{plain}", "--threshold", "median", "--pixel-nm", "1"], "threshold must be one of"),
        (["fringes", "{plain}", "--pixel-nm", "0.02", "--region", "100,100,200,200"], "lies outside the 128 x 128"),
        (["fringes", "{plain}"], "no pixel size"),
        (["fringes", "{missing}"], "image file not found"),
        (["fringes", "{plain}", "--pixel-nm", "0.02", "--filter-spots", "x"], "--filter-spots must be"),
        (["fringes", "{plain}", "--pixel-nm", "0.02", "--calibration-pct", "-1"], "--calibration-pct must be >= 0"),
        (["sizes", "{plain}", "--pixel-nm", "1", "--out", "{plain}"], "refusing to write output over input"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, args, message):
    import numpy as np

    plain = tmp_path / "plain.tif"
    tifffile.imwrite(plain, (np.random.default_rng(0).random((128, 128)) * 255).astype("uint8"))
    text = tmp_path / "notes.tif"
    text.write_text("hello\n")
    paths = {"missing": str(tmp_path / "missing.tif"), "text": str(text), "plain": str(plain)}
    r = runner.invoke(app, ["tem", *[a.format(**paths) for a in args]])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""


def test_info(discs_tif, real_afm):
    r = runner.invoke(app, ["tem", "info", str(discs_tif), "--json"])
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.stdout)
    assert row["shape"] == [512, 512] and row["dtype"] == "uint16" and row["pixel_nm"] == pytest.approx(0.1)
    r = runner.invoke(app, ["tem", "info", str(real_afm), "--pixel-nm", "7.26"])
    assert r.exit_code == 0 and "640 x 640 pixels, uint8" in r.stdout and "4646 x 4646 nm" in r.stdout
    r = runner.invoke(app, ["tem", "info", str(real_afm)])
    assert r.exit_code == 2 and "no pixel size" in r.stderr


def test_help_texts():
    r = runner.invoke(app, ["tem", "--help"])
    assert r.exit_code == 0 and all(c in r.stdout for c in ("info", "sizes", "fringes"))
    for sub in ("info", "sizes", "fringes"):
        r = runner.invoke(app, ["tem", sub, "--help"])
        assert r.exit_code == 0 and "--json" in r.stdout and "--pixel-nm" in r.stdout
