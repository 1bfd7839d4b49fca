"""Exit code 3 for untrustworthy fits, refused huge intensities and duplicate centres, dropped
non-finite rows named, and a mixed Voigt (eta = 0.5) recovered."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import DataFileWarning, InputError
from cationx.io.raman import read_raman
from cationx.raman import fit_replicates
from cationx.xps.lineshapes import peak

runner = CliRunner()


def _write(path, x, y):
    path.write_text("\n".join(f"{a:.6f}\t{b:.6g}" for a, b in zip(x, y, strict=True)) + "\n")
    return path


def _band(rng, n=400):
    x = np.linspace(100, 500, n)
    return x, 50 + peak(x, 260.0, 1000.0, 8.0, "lorentz") + rng.normal(0, 5, n)


def test_failed_fit_exits_3_with_reasons_first(tmp_path):
    rng = np.random.default_rng(3)
    x = np.linspace(100, 500, 400)
    p = _write(tmp_path / "flat.txt", x, 50 + rng.normal(0, 5, x.size))
    r = runner.invoke(app, ["raman", "fit", str(p), "--peaks", "260"])
    assert r.exit_code == 3, r.output
    assert r.stdout.startswith("NOT TRUSTWORTHY")
    r = runner.invoke(app, ["raman", "fit", str(p), "--peaks", "260", "--json"])
    assert r.exit_code == 3
    d = json.loads(r.stdout)
    assert d["trustworthy"] is False and d["reasons"]


def test_good_fit_exits_0(tmp_path):
    p = _write(tmp_path / "ok.txt", *_band(np.random.default_rng(4)))
    r = runner.invoke(app, ["raman", "fit", str(p), "--peaks", "260", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["trustworthy"] is True


def test_huge_intensities_are_one_line_input_error(tmp_path):
    x, y = _band(np.random.default_rng(5))
    p = _write(tmp_path / "huge.txt", x, y * 1e299)
    r = runner.invoke(app, ["raman", "fit", str(p), "--peaks", "260"])
    assert r.exit_code == 2
    assert "exceed 1e+100" in r.output


def test_duplicate_centres_refused_close_centres_untrustworthy():
    x, y = _band(np.random.default_rng(6))
    with pytest.raises(InputError, match="closer than half the starting FWHM"):
        fit_replicates([(x, y)], [260, 260])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_replicates([(x, y)], [258, 265], fwhm_cm1=10)
    assert not res.converged
    assert any("closer than the starting FWHM" in w for w in res.warnings)


def test_non_finite_rows_are_named(tmp_path):
    x, y = _band(np.random.default_rng(7))
    y = y.copy()
    y[200:] = np.inf
    y[10] = np.nan
    p = _write(tmp_path / "inf.txt", x, y)
    with pytest.warns(DataFileWarning, match="1 NaN and 200 infinite of 400 rows dropped"):
        s = read_raman(p)
    assert len(s[0].x) == 199
    assert "dropped" in s.metadata


def test_mixed_voigt_recovers_fwhm_and_fraction():
    # truth: Voigt with Lorentzian fraction 0.5, FWHM 12 cm-1; noise 0.5 % of the height
    rng = np.random.default_rng(8)
    x = np.linspace(150, 370, 441)
    spectra = [(x, 100 + peak(x, 260.0, 1000.0, 12.0, "voigt", 0.5) + rng.normal(0, 5, x.size)) for _ in range(3)]
    res = fit_replicates(spectra, [260], shape="voigt", share="width")
    assert res.converged, res.warnings
    t = res.peak_table()
    fw, fw_se = t["fwhm_cm1"].iloc[0], t["fwhm_se"].iloc[0]
    mix, mix_se = res.fit.params["p0_mix"].value, res.fit.params["p0_mix"].stderr
    # recovered within 3 standard errors (Wald SE of the global fit)
    assert abs(fw - 12.0) < 3 * fw_se
    assert abs(mix - 0.5) < 3 * mix_se
    assert mix_se < 0.1  # the fraction is actually determined at this noise
