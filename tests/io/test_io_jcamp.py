"""JCAMP-DX spectra: repeated points merged with a warning, nothing printed on stdout."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.errors import DataFileError, DataFileWarning
from cationx.io.spectra import read_spectra

X = np.arange(400.0, 420.0, 1.0)
Y = np.round(0.5 + 0.01 * X, 4)


def _xydata(path, y=Y, *, repeat=True, factor=1.0):
    """AFFN (X++(Y..Y)) with 5 values a line; with ``repeat`` each line restates the previous last point."""
    lines = []
    for i in range(0, X.size, 5):
        seg = list(range(i - 1 if (repeat and i) else i, min(i + 5, X.size)))
        lines.append(f"{X[seg[0]] / factor:.1f} " + " ".join(f"{y[j]:.4f}" for j in seg))
    head = ["##TITLE=repeat", "##JCAMP-DX=4.24", "##DATA TYPE=UV/VIS SPECTRUM", "##XUNITS=NANOMETERS",
            "##YUNITS=ABSORBANCE", f"##FIRSTX={X[0]}", f"##LASTX={X[-1]}", f"##NPOINTS={X.size}",
            f"##XFACTOR={factor}", "##YFACTOR=1", "##XYDATA=(X++(Y..Y))"]
    path.write_text("\n".join([*head, *lines, "##END="]) + "\n")
    return path


def test_plain_xydata_reads_without_warnings(tmp_path, recwarn, capsys):
    s = read_spectra(_xydata(tmp_path / "a.jdx", repeat=False))[0]
    assert np.array_equal(s.x, X) and np.allclose(s.y, Y)
    assert not [w for w in recwarn if issubclass(w.category, DataFileWarning)]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("factor", [1.0, 0.5])
def test_repeated_points_are_merged_with_a_warning(tmp_path, capsys, factor):
    with pytest.warns(DataFileWarning, match=r"3 point\(s\) written twice with the same x and y \(x = 404, 409, 414\)"):
        s = read_spectra(_xydata(tmp_path / "r.jdx", factor=factor))[0]
    assert np.array_equal(s.x, X) and np.allclose(s.y, Y)
    assert capsys.readouterr().out == ""  # the jcamp package's own message was captured


def test_a_repeat_with_another_value_is_refused(tmp_path):
    p = _xydata(tmp_path / "c.jdx")
    text = p.read_text().replace("409.0 4.5900", "409.0 4.5999")
    p.write_text(text)
    with pytest.raises(DataFileError, match=r"x = 409 appears twice with different values \(4.59 and 4.5999\)"):
        read_spectra(p)


def test_compound_file_with_repeated_titles(tmp_path):
    one = _xydata(tmp_path / "one.jdx", repeat=False).read_text()
    blocks = one.replace("##TITLE=repeat", "##TITLE=sample")
    text = "##TITLE=link\n##JCAMP-DX=5.01\n##DATA TYPE=LINK\n##BLOCKS=2\n" + blocks + blocks + "##END=\n"
    p = tmp_path / "compound.jdx"
    p.write_text(text)
    with pytest.warns(DataFileWarning, match=r"repeated spectrum label\(s\) 'sample' x2"):
        data = read_spectra(p)
    assert data.labels == ["sample", "sample (2)"]
