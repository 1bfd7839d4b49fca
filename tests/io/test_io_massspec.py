"""Mass-spectrum readers: mzML (real file), JCAMP-DX mass spectra, and `ms calibrate` reading its file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import DataFileError, DataFileWarning, InputError
from cationx.io.massspec import read_spectrum

runner = CliRunner()


def test_real_mzml_two_profile_spectra(real_dir):
    p = real_dir / "pyteomics_test.mzML"
    for k in (0, 1):
        sp = read_spectrum(p, index=k)
        # PROVENANCE.md: two profile MS1 spectra, m/z 200-2000
        assert sp.mz.size == 19914
        assert sp.mz[0] == pytest.approx(200.0, abs=0.01) and sp.mz[-1] == pytest.approx(2000.0, abs=0.02)
        assert np.all(np.diff(sp.mz) > 0) and sp.intensity.max() > 0
    with pytest.raises(DataFileError, match="holds 2 spectra; index 2 is out of range"):
        read_spectrum(p, index=2)


PEAK_TABLE = """##TITLE=Ag cluster test
##JCAMP-DX=5.01
##DATA TYPE=MASS SPECTRUM
##DATA CLASS=PEAK TABLE
##XUNITS=M/Z
##YUNITS=RELATIVE ABUNDANCE
##NPOINTS={n}
##PEAK TABLE=(XY..XY)
{rows}
##END=
"""


def _peak_table(path, pairs):
    rows = "\n".join(" ".join(f"{x},{y}" for x, y in pairs[i : i + 3]) for i in range(0, len(pairs), 3))
    path.write_text(PEAK_TABLE.format(n=len(pairs), rows=rows))
    return path


def test_jcamp_peak_table(tmp_path):
    pairs = [(105.0, 20), (106.0, 100), (107.0, 35), (108.0, 10), (109.0, 5)]
    sp = read_spectrum(_peak_table(tmp_path / "ms.jdx", pairs))
    assert np.array_equal(sp.mz, [105, 106, 107, 108, 109]) and sp.intensity[1] == 100


def test_jcamp_repeated_point_is_merged_with_a_warning(tmp_path):
    pairs = [(105.0, 20), (106.0, 100), (107.0, 35), (107.0, 35), (108.0, 10), (109.0, 5)]
    with pytest.warns(DataFileWarning, match=r"1 point\(s\) written twice .*x = 107"):
        sp = read_spectrum(_peak_table(tmp_path / "ms.dx", pairs))
    assert sp.mz.size == 5
    # the spectra reader merges the same way
    from cationx.io.spectra import read_spectra

    with pytest.warns(DataFileWarning, match="written twice"):
        assert read_spectra(tmp_path / "ms.dx")[0].x.size == 5


def test_jcamp_conflicting_repeat_and_wrong_data_type(tmp_path):
    pairs = [(105.0, 20), (106.0, 100), (107.0, 35), (107.0, 36), (108.0, 10)]
    with pytest.raises(DataFileError, match=r"x = 107 appears twice with different values \(35 and 36\)"):
        read_spectrum(_peak_table(tmp_path / "c.jdx", pairs))
    p = tmp_path / "uv.jdx"
    p.write_text(PEAK_TABLE.replace("MASS SPECTRUM", "UV/VIS SPECTRUM").format(n=3, rows="1,2 3,4 5,6"))
    with pytest.raises(DataFileError, match="data type is 'UV/VIS SPECTRUM', not MASS SPECTRUM"):
        read_spectrum(p)


def _profile_with_bad_x_check(path):
    """XYDATA (X++(Y..Y)) in which one line's leading x is wrong: jcamp prints an X-check message."""
    x = np.round(np.arange(100.0, 110.0, 0.1), 1)
    y = 10 + 1000 * np.exp(-0.5 * ((x - 105.0) / 0.2) ** 2)
    lines = []
    for i in range(0, x.size, 10):
        x0 = x[i] + (50.0 if i == 50 else 0.0)
        lines.append(f"{x0:.1f} " + " ".join(f"{v:.1f}" for v in y[i : i + 10]))
    head = ["##TITLE=profile", "##JCAMP-DX=4.24", "##DATA TYPE=MASS SPECTRUM", "##XUNITS=M/Z",
            "##YUNITS=COUNTS", f"##FIRSTX={x[0]}", f"##LASTX={x[-1]}", f"##NPOINTS={x.size}",
            "##XFACTOR=1", "##YFACTOR=1", "##XYDATA=(X++(Y..Y))"]
    path.write_text("\n".join([*head, *lines, "##END="]) + "\n")
    return path


def test_jcamp_messages_become_warnings_and_json_stays_pure(tmp_path, capsys):
    p = _profile_with_bad_x_check(tmp_path / "prof.jdx")
    with pytest.warns(DataFileWarning, match="X-Check failed"):
        sp = read_spectrum(p)
    assert capsys.readouterr().out == ""
    assert sp.mz[np.argmax(sp.intensity)] == pytest.approx(105.0)
    r = runner.invoke(app, ["ms", "peaks", str(p), "--no-baseline", "--min-height", "0.5", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)  # one JSON document, nothing else
    assert d["mz"][0] == pytest.approx(105.0, abs=0.01)
    assert "warning:" in r.stderr and "X-Check failed" in r.stderr


def test_calibrate_reads_its_spectrum(tmp_path):
    args = ["--assign", "3296=Ag27S12+", "--assign", "3543=Ag29S13+", "--assign", "5163=Cd34S33(L)+"]
    r = runner.invoke(app, ["ms", "calibrate", str(tmp_path / "does_not_exist.csv"), *args])
    assert r.exit_code == 2 and "spectrum file not found" in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("mz,intensity\n1,2\n2,x\n3,4\n")
    r = runner.invoke(app, ["ms", "calibrate", str(bad), *args])
    assert r.exit_code == 2 and "bad.csv:3: non-numeric value 'x' in column 2" in r.stderr
    ok = tmp_path / "ok.csv"
    ok.write_text("mz,intensity\n" + "\n".join(f"{m},{1.0}" for m in range(3000, 5000, 10)))
    r = runner.invoke(app, ["ms", "calibrate", str(ok), *args, "--json"])
    assert r.exit_code == 0, r.output
    assert "outside the spectrum's range 3000-4990" in r.stderr and "5163" in r.stderr
    json.loads(r.stdout)


def test_text_spectrum_with_a_spreadsheet_tail(tmp_path):
    p = tmp_path / "ms.csv"
    p.write_text("mz,intensity\n" + "\n".join(f"{m},{m % 7}" for m in range(100, 120)) + "\n,\n,\nexported by flexAnalysis,\n")
    with pytest.warns(DataFileWarning, match=r"ignored 3 row\(s\) after the data \(lines 22-24; first with content: "
                                             r"line 24 'exported by flexAnalysis,'\)"):
        sp = read_spectrum(p)
    assert sp.mz.size == 20
    mid = tmp_path / "mid.csv"
    mid.write_text("mz,intensity\n100,1\n101,2\n,\n102,3\n103,4\n")
    with pytest.raises(InputError, match=r":4: only empty cells; need m/z and intensity"):
        read_spectrum(mid)
