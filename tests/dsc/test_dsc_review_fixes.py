"""Bad input refused in one line (max-peaks, forced format without its header, huge heat flow,
temperatures below absolute zero) and short segments not called isothermal at 10 K/min."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.dsc import analyze_dsc
from cationx.dsc.segments import split_segments
from cationx.errors import InputError

from .conftest import make_run

runner = CliRunner()


def _csv(path, time, temp, hf):
    rows = "\n".join(f"{a:.4f},{b:.5f},{c:.6g}" for a, b, c in zip(time, temp, hf, strict=True))
    path.write_text("Time (s),Temperature (C),Heat Flow (mW)\n" + rows + "\n")
    return path


@pytest.fixture(scope="module")
def small_run():
    time, temp, hf = make_run(rng=2)
    return time[::4], temp[::4], hf[::4]


@pytest.mark.parametrize("value", ["0", "-3"])
def test_max_peaks_must_be_positive(tmp_path, small_run, value):
    p = _csv(tmp_path / "run.csv", *small_run)
    r = runner.invoke(app, ["dsc", "analyze", str(p), "--max-peaks", value])
    assert r.exit_code == 2
    assert "--max-peaks" in r.output and "positive integer" in r.output


def test_forced_mettler_on_a_titled_file_is_refused(tmp_path, small_run):
    # the file says Time (s): reading it as Mettler (minutes) made everything isothermal
    p = _csv(tmp_path / "run.csv", *small_run)
    r = runner.invoke(app, ["dsc", "analyze", str(p), "--format", "mettler"])
    assert r.exit_code == 2
    assert "not a Mettler STARe export" in r.output
    ok = runner.invoke(app, ["dsc", "analyze", str(p), "--format", "generic"])
    assert ok.exit_code == 0 and "heating" in ok.output


def test_huge_heat_flow_is_one_line_error(tmp_path, small_run):
    time, temp, hf = small_run
    p = _csv(tmp_path / "huge.csv", time, temp, hf * 1e300)
    r = runner.invoke(app, ["dsc", "analyze", str(p)])
    assert r.exit_code == 2
    assert "exceed 1e+100" in r.output
    assert "overflow" not in r.output.lower().replace("rescale", "")


def test_below_absolute_zero_refused(small_run):
    time, temp, hf = small_run
    with pytest.raises(InputError, match=r"-273\.15"):
        analyze_dsc(temp - 300.0, hf, time_s=time)


def test_short_ramp_is_not_isothermal():
    time = np.arange(12) * 0.5
    temp = 25 + 10 / 60 * time
    (seg,) = split_segments(time, temp)
    assert seg.kind == "too short"
    assert seg.rate_k_min == pytest.approx(10.0, rel=1e-6)


def test_no_searchable_segment_is_not_a_sound_no_transition(tmp_path):
    # 12 points of a 10 K/min ramp: nothing could be searched, so "no transition found" would
    # say nothing about the sample: exit 3 with the reason first
    time = np.arange(12) * 0.5
    p = _csv(tmp_path / "short.csv", time, 25 + 10 / 60 * time, np.full(12, 0.1))
    r = runner.invoke(app, ["dsc", "analyze", str(p)])
    assert r.exit_code == 3
    assert "NOT SOUND" in r.stdout.splitlines()[1]
    r = runner.invoke(app, ["dsc", "analyze", str(p), "--json"])
    assert r.exit_code == 3
    d = json.loads(r.stdout)
    assert d["sound"] is False and d["reasons"]


def test_flat_run_is_a_sound_no_transition(tmp_path):
    time = np.arange(1200) * 0.5
    p = _csv(tmp_path / "flat.csv", time, 25 + 10 / 60 * time, 0.1 + np.random.default_rng(0).normal(0, 1e-3, 1200))
    r = runner.invoke(app, ["dsc", "analyze", str(p)])
    assert r.exit_code == 0, r.output
    assert "no transition found" in r.stdout and "NOT SOUND" not in r.stdout
