"""Bad input that used to crash or print non-finite numbers; x in Cu(2-x)Se with a host; numeric spot labels."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.composition import derive
from cationx.errors import InputError
from cationx.io.composition import read_eds

runner = CliRunner()


@pytest.mark.parametrize("kind", ["icp", "eds"])
def test_binary_file_is_one_line_error(tmp_path, kind):
    p = tmp_path / "garbage.bin"
    p.write_bytes(bytes(range(256)) * 4)
    r = runner.invoke(app, ["composition", kind, str(p)])
    assert r.exit_code == 2
    assert "binary file" in r.output


def test_zero_anion_is_input_error():
    r = runner.invoke(app, ["composition", "ratio", "Cu=0", "Se=0", "--anion", "Se", "--incoming", "Cu"])
    assert r.exit_code == 2
    assert "Se amount must be > 0" in r.output
    with pytest.raises(InputError, match="Se amount must be > 0"):
        derive({"Cu": 1.0, "Se": 0.0}, incoming="Cu", anion="Se")


def test_non_finite_derived_value_is_input_error():
    r = runner.invoke(app, ["composition", "ratio", "Cu=1e308", "Se=1e-308", "--anion", "Se", "--incoming", "Cu"])
    assert r.exit_code == 2
    assert "not finite" in r.output
    assert "inf" not in r.stdout


def test_x_counts_only_the_anion_not_bound_to_the_host():
    # 0.4 Cd bound as CdSe, 0.8 Se in Cu(2-x)Se with 1.5 Cu: x = 2 - 1.5/0.8 = 0.125
    # (2 - Cu/Se = 0.75 counted the Cd's Se as well)
    d = derive({"Cu": 1.5, "Se": 1.2, "Cd": 0.4}, incoming="Cu", anion="Se", host="Cd")
    assert d.get("x in Cu(2-x)Se").value == pytest.approx(0.125, abs=1e-12)
    assert "Se - Cd" in d.get("x in Cu(2-x)Se").note
    free = derive({"Cu": 1.5, "Se": 1.2}, incoming="Cu", anion="Se")
    assert free.get("x in Cu(2-x)Se").value == pytest.approx(0.75, abs=1e-12)


def test_x_not_reported_when_the_host_binds_all_anion():
    d = derive({"Cu": 0.1, "Se": 1.0, "Cd": 1.0}, incoming="Cu", anion="Se", host="Cd")
    assert all(not q.name.startswith("x in") for q in d.quantities)
    assert any("binds all the Se" in c for c in d.checks)


def test_numeric_spot_column_is_a_label(tmp_path):
    p = tmp_path / "eds.csv"
    p.write_text("spot,Cu,Se\n1,66,34\n2,65,35\n3,67,33\n")
    frame, _ = read_eds(p)
    assert list(frame.columns) == ["Cu", "Se"]
    assert list(frame.index) == ["1", "2", "3"]
    r = runner.invoke(app, ["composition", "eds", str(p), "--json"])
    assert r.exit_code == 0, r.output
    assert "spot" not in json.dumps(json.loads(r.stdout).get("elements", []))


def test_huge_eds_values_are_one_line_input_error(tmp_path):
    # three 1e308 values sum to inf: every at% became 0 and the error blamed a zero Se amount
    p = tmp_path / "eds.csv"
    p.write_text("spot,Cu,Se,Cd\n1,1e308,1e308,1e308\n")
    r = runner.invoke(app, ["composition", "eds", str(p), "--incoming", "Cu", "--anion", "Se"])
    assert r.exit_code == 2
    assert "too large to normalise" in r.output
