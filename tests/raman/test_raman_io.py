"""Raman readers: WiRE single/map, LabSpec, CSV (synthetic layouts) and the real exports."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.errors import DataFileError, ParseError
from cationx.io.raman import read_raman

from .conftest import DATA


def test_wire_single_with_header(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("#Wave\t\t#Intensity\n300.5\t10\n200.25\t20\n100\t30\n")
    s = read_raman(p)
    assert s.format == "renishaw" and len(s) == 1
    assert np.array_equal(s[0].x, [100, 200.25, 300.5]) and np.array_equal(s[0].y, [30, 20, 10])
    assert s.metadata["x_order"] == "descending"


def test_wire_map_splits_positions(tmp_path):
    rows = [f"{xx}\t{yy}\t{w}\t{w * k}" for k, (xx, yy) in enumerate([(0, 0), (0, 1), (1, 1)], start=1)
            for w in (300.0, 200.0, 100.0, 50.0)]
    p = tmp_path / "map.txt"
    p.write_text("#X\t\t#Y\t\t#Wave\t\t#Intensity\n" + "\n".join(rows) + "\n")
    s = read_raman(p)
    assert s.format == "renishaw-map" and len(s) == 3
    assert s.labels == ["X=0, Y=0", "X=0, Y=1", "X=1, Y=1"]
    assert np.array_equal(s[2].y, [150, 300, 600, 900])


def test_labspec_metadata_and_csv_decimal_comma(tmp_path):
    p = tmp_path / "l.txt"
    p.write_text("#Laser=\t532nm\n#Acq. time (s)=\t10\n100\t1\n101\t2\n102\t3\n")
    s = read_raman(p)
    assert s.format == "labspec" and s.metadata["Laser"] == "532nm"
    q = tmp_path / "c.csv"
    q.write_text("shift;a;b\n100,5;1;4\n101,5;2;5\n102,5;3;6\n")
    s2 = read_raman(q)
    assert s2.labels == ["a", "b"] and np.allclose(s2[0].x, [100.5, 101.5, 102.5])


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("just words\nno numbers here\n", DataFileError, "no block of numeric"),
        ("#Wave #Intensity\n1\t2\n2\t3\n3\t4\n4\tfoo\n5\t6\n", ParseError, ":5: non-numeric value 'foo' in column 2"),
        ("1\t2\n2\t3\n3\t4\n4\t5\t6\n", ParseError, "column"),
    ],
)
def test_bad_files(tmp_path, text, error, message):
    p = tmp_path / "bad.txt"
    p.write_text(text)
    with pytest.raises(error, match=message):
        read_raman(p)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        read_raman(tmp_path / "nope.txt")


# --------------------------------------------------------------------------- real exports
# Arcadia-Science/ramanalysis test data (MIT); see tests/data/raman/PROVENANCE.md.


def test_real_renishaw_map_reads_four_positions():
    s = read_raman(DATA / "renishaw_CC-125_TAP_multipoint.txt")
    assert s.format == "renishaw-map" and len(s) == 4
    x = s.common_axis()
    assert x.size == 1015 and x[0] == pytest.approx(712.416016) and x[-1] == pytest.approx(1808.186523)


def test_real_renishaw_single_and_labspec():
    s = read_raman(DATA / "renishaw_CC-125_TAP_singlepoint.txt")
    assert s.format == "renishaw" and s[0].x.size == 3078
    h = read_raman(DATA / "horiba_macroram_polystyrene.txt")
    assert h.format == "labspec" and h.metadata["Laser (nm)"] == "785" and h[0].x.size == 2048


def test_labspec_wide_map(tmp_path):
    shifts = [100.0, 101.0, 102.0, 103.0, 104.0]
    rows = ["\t\t" + "\t".join(f"{v:g}" for v in shifts)]
    rows += [f"{xx}\t{yy}\t" + "\t".join(str(k * 10 + j) for j in range(5)) for k, (xx, yy) in enumerate([(0, 0), (5, 0)])]
    p = tmp_path / "map.txt"
    p.write_text("\n".join(rows) + "\n")
    s = read_raman(p)
    assert s.format == "labspec-map" and s.labels == ["X=0, Y=0", "X=5, Y=0"]
    assert np.array_equal(s[1].y, [10, 11, 12, 13, 14]) and np.array_equal(s[0].x, shifts)
