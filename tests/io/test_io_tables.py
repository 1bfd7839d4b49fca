"""Numeric tables (kinetics, piecewise, calc inputs): spreadsheet tails, headerless files, two-column fallback."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import DataFileWarning, InputError
from cationx.io import read_table, select_columns

runner = CliRunner()
T = np.arange(0.0, 60.0, 2.0)
A = 0.1 + 0.8 * (1 - np.exp(-T / 12.0))  # first order, k = 1/12 per unit time


def _rows(t=T, a=A):
    return [f"{x:g},{y:.6f}" for x, y in zip(t, a, strict=True)]


def test_tail_of_empty_cells_and_a_note_is_dropped_with_a_warning(tmp_path):
    p = tmp_path / "k.csv"
    p.write_text("\r\n".join(["t,a", *_rows(), ",", ",", "measured at 450 nm,", ""]))
    with pytest.warns(DataFileWarning, match=r"ignored data rows 31-33 .*2 of empty cells, 1 with other content "
                                             r"\(first: data row 33 'measured at 450 nm'\)"):
        frame = read_table(p)
    assert len(frame) == T.size and np.allclose(frame["a"], A, atol=1e-6)


def test_empty_cell_between_data_rows_is_an_error(tmp_path):
    rows = _rows()
    rows[5] = "10,"
    p = tmp_path / "k.csv"
    p.write_text("\n".join(["t,a", *rows]))
    with pytest.raises(InputError, match=r"an empty cell in column 'a' at data row 6"):
        read_table(p)


def test_headerless_file_is_read_with_a_warning(tmp_path):
    p = tmp_path / "k.txt"
    p.write_text("\n".join(r.replace(",", "\t") for r in _rows()))
    with pytest.warns(DataFileWarning, match="has no header; its columns are named 'column 1', 'column 2'"):
        frame = read_table(p)
    assert list(frame.columns) == ["column 1", "column 2"] and frame.shape == (T.size, 2)
    assert frame["column 1"].iloc[0] == 0.0  # the first row is data, not a header


def test_select_columns_fallback(tmp_path):
    p = tmp_path / "k.csv"
    p.write_text("\n".join(["time_s,A450", *_rows()]))
    frame = read_table(p)
    with pytest.warns(DataFileWarning, match=r"no column 't'; using its 2 columns in order: 'time_s' as 't', 'A450' as 'a'"):
        t, a = select_columns(frame, ["t", "a"], source=p.name, fallback=True)
    assert np.array_equal(t, T) and np.allclose(a, A, atol=1e-6)
    with pytest.raises(InputError, match="has no column 't'"):
        select_columns(frame, ["t", "a"], source=p.name)
    three = frame.assign(extra=1.0)
    with pytest.raises(InputError, match="give a file with exactly 2 columns"):
        select_columns(three, ["t", "a"], source=p.name, fallback=True)


def test_kinetics_cli_on_a_two_column_file_without_t_and_a(tmp_path):
    p = tmp_path / "trace.csv"
    p.write_text("\n".join(["time_s,A450", *_rows()]))
    r = runner.invoke(app, ["kinetics", "fit", str(p), "--ci", "none", "--json"])
    assert r.exit_code == 0, r.output
    assert "warning:" in r.stderr and "'time_s' as 't', 'A450' as 'a'" in r.stderr
    k = json.loads(r.stdout)["params"]["k"]["value"]
    assert k == pytest.approx(1 / 12.0, rel=1e-3)
    r = runner.invoke(app, ["kinetics", "fit", str(p), "--t-col", "time", "--json"])
    assert r.exit_code == 2 and "has no column 'time'" in r.stderr


def test_piecewise_cli_on_a_headerless_file(tmp_path):
    x = np.arange(0.0, 20.0)
    y = np.where(x < 10, 2 * x, 20 + 0.5 * (x - 10))
    p = tmp_path / "xy.txt"
    p.write_text("\n".join(f"{a:g} {b:g}" for a, b in zip(x, y, strict=True)))
    r = runner.invoke(app, ["piecewise", "fit", str(p), "--windows", "0:9,10:19", "--json"])
    assert r.exit_code == 0, r.output
    assert "'column 1' as 'x'" in r.stderr


def test_short_row_in_a_small_file_is_named(tmp_path):
    p = tmp_path / "rag.csv"
    p.write_text("t,a\n1,2\n2\n3,4\n4,5\n")  # the csv sniffer gives up on this file
    with pytest.raises(InputError, match=r"an empty cell in column 'a' at data row 2"):
        read_table(p)
