"""Spreadsheet exports: empty-cell rows and notes below the data, ragged rows, repeated labels."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.errors import DataFileWarning, ParseError
from cationx.io.spectra import read_spectra


def test_excel_run5_reads_and_names_the_ignored_tail(real_dir):
    with pytest.warns(DataFileWarning, match=r"ignored 630 row\(s\) after the data, lines 303-932: "
                                             r"486 row\(s\) of empty cells, 144 .*line 329 'Old:0.0125'"):
        data = read_spectra(real_dir / "imperial_Run_5_UV-Vis.csv")
    assert len(data) == 18 and data.labels[0] == "30 s" and data.labels[-1] == "600 s"
    assert data[0].x_range == pytest.approx((350.0011902, 650.0166626))
    assert data[0].x.size == 301  # lines 2-302


def _table(rows: list[str]) -> str:
    return "\r\n".join(["nm,a,b", *rows]) + "\r\n"


DATA = ["400,0.1,0.2", "410,0.2,0.3", "420,0.3,0.4", "430,0.4,0.5"]


@pytest.mark.parametrize(
    "tail",
    [
        [",,", ",,", ",,"],  # Excel's rows of empty cells
        ["Note: baseline corrected,,"],  # a note below the data
        [",,", ",note in column 2,", ",,", ",,17"],  # both, as in the Imperial files
        ["", "Extended information", "operator,someone"],  # a trailing block after a blank line
    ],
)
def test_tails_are_ignored_with_a_warning(tmp_path, tail):
    p = tmp_path / "t.csv"
    p.write_text(_table(DATA + tail))
    with pytest.warns(DataFileWarning, match=r"ignored \d+ row\(s\) after the data, line"):
        data = read_spectra(p)
    assert np.array_equal(data["b"].y, [0.2, 0.3, 0.4, 0.5])


def test_clean_file_gives_no_warning(tmp_path, recwarn):
    p = tmp_path / "t.csv"
    p.write_text(_table(DATA))
    assert len(read_spectra(p)) == 2
    assert not [w for w in recwarn if issubclass(w.category, DataFileWarning)]


@pytest.mark.parametrize(
    ("middle", "message"),
    [
        (",,", r":5: between data rows, only empty cells: not a full row"),
        ("see notebook p. 4,,", r":5: between data rows, 'see notebook p. 4'"),
        ("415,0.25", r":5: 2 column\(s\), expected 3"),
    ],
)
def test_a_broken_row_in_the_middle_is_an_error_naming_it(tmp_path, middle, message):
    p = tmp_path / "m.csv"
    p.write_text(_table([*DATA[:3], middle, *DATA[3:]]))
    with pytest.raises(ParseError, match=message):
        read_spectra(p)


def test_repeated_labels_are_named(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("nm,A,B,A,A\n400,1,2,3,4\n410,1,2,3,4\n420,1,2,3,4\n")
    with pytest.warns(DataFileWarning, match=r"repeated spectrum label\(s\) 'A' x3"):
        data = read_spectra(p)
    assert data.labels == ["A", "B", "A (2)", "A (3)"]
    assert data["A (3)"].y[0] == 4.0
