"""Spectrum readers on the real exports in shared/data/real and on constructed files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.errors import DataFileError, DataFileWarning, InputError, ParseError
from cationx.io.spectra import Spectrum, SpectrumSet, detect_format, read_spectra


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- real files


def test_jasco_uvvis_real(real_dir):
    p = real_dir / "jasco_v670_cdse5.csv"
    before = _digest(p)
    data = read_spectra(p)
    assert data.format == "jasco"
    assert len(data) == 1
    s = data[0]
    # header: FIRSTX 700, LASTX 300, NPOINTS 401, descending in the file
    assert s.x.size == 401 and s.x_range == (300.0, 700.0)
    assert np.all(np.diff(s.x) > 0)
    assert data.metadata["x_order"] == "descending"
    assert s.y_unit == "absorbance"
    # first data line "700.0000,0.021296", clipped value 7 at 355-364 nm
    assert s.y[-1] == pytest.approx(0.021296)
    assert s.y[s.x == 360.0][0] == 7.0
    # the trailing "Extended Information" block is metadata, not data
    assert data.metadata["Model name"] == "V-670"
    assert _digest(p) == before  # the input is never modified


def test_jasco_fluorescence_real_tabs_crlf(real_dir):
    data = read_spectra(real_dir / "jasco_fl_cdse5.txt")
    assert data.format == "jasco"
    s = data[0]
    assert s.x.size == 301 and s.x_range == (400.0, 700.0)
    assert s.y_unit == "intensity"
    assert s.y[0] == pytest.approx(34.7826)
    assert data.metadata["x_order"] == "ascending"


def test_imperial_multi_column_real(real_dir):
    data = read_spectra(real_dir / "imperial_run6_uvvis.csv")
    assert data.format == "generic"
    assert len(data) == 18
    assert data.labels[0] == "30 s" and data.labels[-1] == "600 s"
    assert "210 s" in data.labels  # header cell "210 s " is stripped
    x, y = data.matrix()
    assert y.shape == (18, x.size)
    assert x[0] == pytest.approx(350.0011902) and x[-1] == pytest.approx(650.0166626)
    steps = np.diff(x)
    assert steps.min() < 1.0 < steps.max()  # non-uniform steps are kept as measured
    assert data.metadata["x_order"] == "descending"
    assert data[0].y_unit == "absorbance"  # from the file name ("uvvis")
    fl = read_spectra(real_dir / "imperial_run6_fl_emission.csv")
    assert len(fl) == 18 and fl[0].x_range[0] == 470.0
    assert fl[0].y_unit == "intensity"  # from the file name ("fl", "emission")


def test_format_detection_real(real_dir):
    assert detect_format(real_dir / "jasco_v670_cdse8.csv") == "jasco"
    assert detect_format(real_dir / "imperial_run6_fl_emission.csv") == "generic"
    with pytest.raises(DataFileError, match="cannot recognise the layout"):
        detect_format(real_dir / "imperial_LICENSE.txt")


# ----------------------------------------------------------------------------- constructed files


CARY = (
    "Sample A,,Sample B,\n"
    "Wavelength (nm),Abs,Wavelength (nm),Abs,\n"
    "600,0.10,600,0.20,\n"
    "599,0.11,599,0.21,\n"
    "598,0.12,598,0.22,\n"
    "597,0.13,,,\n"
    "\n"
    "Sample A\n"
    "Collection Time: 1/2/2024 10:00:00 AM\n"
    "Instrument,Cary 60\n"
)


def test_cary_paired_columns(tmp_path):
    p = tmp_path / "cary.csv"
    p.write_text(CARY)
    data = read_spectra(p)
    assert data.format == "cary"
    assert data.labels == ["Sample A", "Sample B"]
    assert data["Sample A"].x.size == 4 and data["Sample B"].x.size == 3
    assert data["Sample B"].y.tolist() == [0.22, 0.21, 0.20]
    assert data.metadata["Instrument"] == "Cary 60"
    with pytest.raises(InputError, match="different x axes"):
        data.matrix()


def test_shimadzu_text(tmp_path):
    p = tmp_path / "shim.txt"
    p.write_text('"CdSe run 1.spc - RawData"\n"Wavelength nm.","Abs."\n500.0,0.300\n501.0,0.310\n502.0,0.320\n503.0,0.330\n')
    data = read_spectra(p)
    assert data.format == "shimadzu"
    assert data[0].label == "CdSe run 1"
    assert data[0].y_unit == "absorbance"
    assert data[0].y.tolist() == [0.3, 0.31, 0.32, 0.33]


def test_jcamp_compressed(tmp_path):
    p = tmp_path / "s.jdx"
    p.write_text(
        "##TITLE=test\n##JCAMP-DX=4.24\n##DATA TYPE=UV/VIS SPECTRUM\n##XUNITS=NANOMETERS\n"
        "##YUNITS=ABSORBANCE\n##FIRSTX=400\n##LASTX=404\n##NPOINTS=5\n##XFACTOR=1\n"
        "##YFACTOR=0.001\n##XYDATA=(X++(Y..Y))\n400 100 200 300\n403 400 500\n##END=\n"
    )
    data = read_spectra(p)
    assert data.format == "jcamp"
    assert data[0].x.tolist() == [400, 401, 402, 403, 404]
    assert data[0].y == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("400\t0.1\t0.2\n401\t0.2\t0.3\n402\t0.3\t0.4\n", ["y1", "y2"]),  # no header, tabs
        ("# made by hand\nwl,a,b\n400,0.1,0.2\n401,0.2,0.3\n402,0.3,0.4\n", ["a", "b"]),
        ("wl;a;b\n400,0;0,1;0,2\n401,0;0,2;0,3\n402,0;0,3;0,4\n", ["a", "b"]),  # decimal commas
        ("400 0.1 0.2\n401 0.2 0.3\n402 0.3 0.4\n", ["y1", "y2"]),  # whitespace
    ],
)
def test_generic_layouts(tmp_path, text, labels):
    p = tmp_path / "g.txt"
    p.write_text(text)
    data = read_spectra(p)
    assert data.format == "generic"
    assert data.labels == labels
    assert data[labels[1]].y == pytest.approx([0.2, 0.3, 0.4])
    assert data[0].x.tolist() == [400.0, 401.0, 402.0]


def test_generic_trailing_block_after_blank_line(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("x,y\n1,2\n2,3\n3,4\n\nOperator,someone\n")
    with pytest.warns(DataFileWarning, match="ignored 1 row.* line 6 'Operator someone'"):
        data = read_spectra(p)
    assert data[0].y.tolist() == [2.0, 3.0, 4.0]


# ----------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("")
    with pytest.raises(DataFileError, match="empty"):
        read_spectra(p)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="not found"):
        read_spectra(tmp_path / "nope.csv")


def test_non_numeric_cell_names_line_and_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("x,y\n1,2\n2,3\n3,4\n4,oops\n")
    with pytest.raises(ParseError, match=r":5: non-numeric value 'oops' in column 2"):
        read_spectra(p)


def test_ragged_row(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("x,y,z\n1,2,3\n2,3,4\n3,4,5\n4,5\n")
    with pytest.raises(ParseError, match=r":5: 2 column\(s\)"):
        read_spectra(p)


def test_unknown_format_name(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("1,2\n2,3\n3,4\n")
    with pytest.raises(InputError, match="format must be one of"):
        read_spectra(p, format="opus")


def test_binary_file(tmp_path):
    p = tmp_path / "b.spc"
    p.write_bytes(b"\x00\x01\x02binary" * 10)
    with pytest.raises(DataFileError, match="binary"):
        read_spectra(p)


def test_unknown_label(tmp_path):
    data = SpectrumSet("generic", "f", (Spectrum.from_arrays([1, 2, 3], [1, 2, 3], label="a"),))
    with pytest.raises(InputError, match="no spectrum 'b'"):
        data["b"]


def test_duplicate_x_rejected():
    with pytest.raises(InputError, match="appears twice"):
        Spectrum.from_arrays([1, 2, 2], [1, 2, 3])


# ----------------------------------------------------------------------------- round trip


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=3, max_value=40),
    st.integers(min_value=1, max_value=5),
    st.sampled_from([",", "\t", ";"]),
    st.booleans(),
    st.booleans(),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_generic_round_trip(tmp_path_factory, npts, ncols, delim, header, descending, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.choice(np.arange(300, 900), size=npts, replace=False)).astype(float)
    y = rng.normal(0, 1, (ncols, npts)).round(6)
    rows = list(zip(x, *y, strict=True))
    if descending:
        rows = rows[::-1]
    dec = (lambda v: f"{v:g}".replace(".", ",")) if delim == ";" else (lambda v: f"{v:g}")
    lines = [delim.join(["wavelength_nm"] + [f"s{k}" for k in range(ncols)])] if header else []
    lines += [delim.join(dec(v) for v in row) for row in rows]
    p = tmp_path_factory.mktemp("rt") / "t.csv"
    p.write_text("\n".join(lines) + "\n")
    data = read_spectra(p)
    assert len(data) == ncols
    xx, yy = data.matrix()
    np.testing.assert_array_equal(xx, x)
    np.testing.assert_allclose(yy, y, rtol=1e-5, atol=1e-6)
    assert data.metadata["x_order"] == ("descending" if descending and npts > 1 else "ascending")


def test_header_column_without_data(tmp_path):
    # a named column whose cells are all empty is an error, not a silently dropped spectrum
    p = tmp_path / "bad.csv"
    p.write_text("wavelength,a,b\n" + "".join(f"{400 + i},{0.1 * i:.1f},\n" for i in range(5)))
    with pytest.raises(DataFileError, match="no data under 'b'"):
        read_spectra(p)
    # a trailing delimiter on the header (empty name) is fine
    p.write_text("wavelength,a,\n" + "".join(f"{400 + i},{0.1 * i:.1f},\n" for i in range(5)))
    assert read_spectra(p).labels == ["a"]


def test_non_finite_points_inside_the_data_are_dropped_with_a_warning(tmp_path):
    """Padding at the ends of a shorter column is quiet; a NaN inside the data is named."""
    import warnings as _w

    from cationx.errors import DataFileWarning
    from cationx.io import read_spectra

    p = tmp_path / "gap.csv"
    p.write_text("wavelength,A,B\n400,0.1,0.1\n401,nan,0.2\n402,0.3,0.3\n403,0.2,nan\n404,0.1,nan\n")
    with _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always")
        data = read_spectra(p)
    msgs = [str(c.message) for c in caught if issubclass(c.category, DataFileWarning)]
    assert len(msgs) == 1 and "'A'" in msgs[0] and "1 non-finite point" in msgs[0] and "x = 401" in msgs[0]
    assert [s.x.size for s in data.spectra] == [4, 3]
