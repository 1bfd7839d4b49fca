"""Pattern readers: Rigaku .ras with several scans (Shift-JIS header, CRLF), scan choice, --scan."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import DataFileError, InputError
from cationx.io.xrd import list_scans, read_pattern

runner = CliRunner()

# NIST SRM 640c silicon, certified a = 5.43114 A; Cu K-alpha1 1.540593 A (the file's wavelength)
A_SI, LAM = 5.43114, 1.540593


def _two_theta(h, k, ell):
    d = A_SI / np.sqrt(h * h + k * k + ell * ell)
    return float(np.degrees(2 * np.arcsin(LAM / (2 * d))))


def test_nist_si_two_scans_listed_and_refused_without_a_choice(real_dir):
    p = real_dir / "NIST_Si_640c_SmartLab.ras"
    scans = list_scans(p)
    assert [(s["start_deg"], s["stop_deg"], s["points"]) for s in scans] == [(5.0, 150.0, 7251), (20.0, 90.0, 3501)]
    assert scans[0]["axis"] == "2θ/θ" and scans[0]["temperature"] == "25 C"  # Shift-JIS header decoded
    with pytest.raises(DataFileError, match=r"holds 2 scans; .*0: 2θ/θ 5-150 deg, 7251 points; 1: 2θ/θ 20-90 deg"):
        read_pattern(p)
    with pytest.raises(InputError, match="scan 2 does not exist"):
        read_pattern(p, scan=2)


@pytest.mark.parametrize(("scan", "lo", "hi", "n"), [(0, 5.0, 150.0, 7251), (1, 20.0, 90.0, 3501)])
def test_nist_si_each_scan_reads_with_its_axis_and_peaks(real_dir, scan, lo, hi, n):
    pat = read_pattern(real_dir / "NIST_Si_640c_SmartLab.ras", scan=scan)
    assert len(pat) == n and pat.two_theta_deg[0] == lo and pat.two_theta_deg[-1] == hi
    assert pat.wavelength_angstrom == LAM and pat.metadata["scan"] == str(scan)
    # Si 111 and 220 within 0.1 deg of the certified cell (sample height shifts them by ~0.06 deg)
    for hkl in ((1, 1, 1), (2, 2, 0)):
        t = _two_theta(*hkl)
        win = np.abs(pat.two_theta_deg - t) < 0.5
        assert pat.two_theta_deg[win][np.argmax(pat.intensity[win])] == pytest.approx(t, abs=0.1)


def _ras(scans, *, encoding="utf-8", newline="\n"):
    lines = ["*RAS_DATA_START"]
    for axis, x, y in scans:
        lines += ["*RAS_HEADER_START", '*FILE_SAMPLE "試料"', f'*MEAS_SCAN_AXIS_X "{axis}"',
                  f'*MEAS_SCAN_START "{x[0]:.4f}"', f'*MEAS_SCAN_STOP "{x[-1]:.4f}"', '*MEAS_SCAN_STEP "0.1"',
                  '*HW_XG_WAVE_LENGTH_ALPHA1 "1.540593"', "*RAS_HEADER_END", "*RAS_INT_START"]
        lines += [f"{a:.4f} {b:.1f} 1.0000" for a, b in zip(x, y, strict=True)]
        lines += ["*RAS_INT_END", "*RAS_TEMPERATURE_START", *[f"{a:.4f} 25.0" for a in x], "*RAS_TEMPERATURE_END"]
    lines.append("*RAS_DATA_END")
    return newline.join(lines).encode(encoding)


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("cp932", "\r\n")])
def test_constructed_ras_scans(tmp_path, encoding, newline):
    x1 = np.arange(20.0, 30.0, 0.1)
    x2 = np.arange(25.0, 35.0, 0.1)
    p = tmp_path / "s.ras"
    p.write_bytes(_ras([("2θ/θ", x1, 100 + x1), ("2θ", x2, 200 + x2), ("ω", x2 - 20, 5 + x2)],
                       encoding=encoding, newline=newline))
    assert [s["axis"] for s in list_scans(p)] == ["2θ/θ", "2θ", "ω"]
    with pytest.raises(DataFileError, match="holds 3 scans"):
        read_pattern(p)
    assert np.allclose(read_pattern(p, scan=1).intensity, 200 + x2)
    with pytest.raises(DataFileError, match="scan 2 is a 'ω' scan, not a 2-theta scan"):
        read_pattern(p, scan=2)
    one = tmp_path / "one.ras"
    one.write_bytes(_ras([("2θ/θ", x1, 100 + x1)], encoding=encoding, newline=newline))
    assert len(read_pattern(one)) == x1.size  # one scan: no choice needed


def test_scan_on_a_single_pattern_format(tmp_path):
    p = tmp_path / "a.xy"
    p.write_text("\n".join(f"{a} {a + 1}" for a in range(10, 20)))
    assert len(read_pattern(p, scan=0)) == 10
    with pytest.raises(InputError, match="holds one pattern"):
        read_pattern(p, scan=1)


def test_cli_scan_option(real_dir):
    p = str(real_dir / "NIST_Si_640c_SmartLab.ras")
    r = runner.invoke(app, ["xrd", "identify", p, "--json"])
    assert r.exit_code == 2 and "holds 2 scans" in r.stderr and "20-90 deg" in r.stderr
    r = runner.invoke(app, ["xrd", "refine", p, "Si", "--scan", "7"])
    assert r.exit_code == 2 and "scan 7 does not exist" in r.stderr
