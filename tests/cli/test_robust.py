"""Bad input through the CLI: one ``error:`` line and exit code 2 (or a named warning), never
a traceback, a hang or a huge allocation; outputs never silently lost."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import InputError, InterpretationWarning, ParseError

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def one_error(r, *fragments: str) -> str:
    """The result is exit 2 with exactly one stderr line, ``error: ...``, holding the fragments."""
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 2, (r.exit_code, r.output)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], r.stderr
    assert "Traceback" not in r.output
    for frag in fragments:
        assert frag in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def ms_csv(tmp_path_factory):
    """Small profile spectrum: three Gaussian peaks near m/z 5160 on a 0.05 Da grid."""
    mz = np.arange(5140.0, 5190.0, 0.05)
    y = sum(a * np.exp(-0.5 * ((mz - c) / 0.2) ** 2) for a, c in ((300, 5160), (1000, 5163), (500, 5166)))
    path = tmp_path_factory.mktemp("ms") / "ms.csv"
    pd.DataFrame({"mz": mz, "intensity": y + 2.0}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def huge_ms(tmp_path_factory, ms_csv):
    frame = pd.read_csv(ms_csv)
    frame["intensity"] *= 1e297
    path = tmp_path_factory.mktemp("ms") / "huge.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def huge_xrd(tmp_path_factory):
    tt = np.linspace(10, 90, 400)
    y = (1 + np.exp(-0.5 * ((tt - 27) / 0.3) ** 2)) * 1e300
    path = tmp_path_factory.mktemp("xrd") / "huge.csv"
    pd.DataFrame({"two_theta_deg": tt, "intensity": y}).to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- click usage errors


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["xrd", "index", "--d=-1"], "does not take a value"),
        (["xrd", "index", "--bogus"], "No such option: --bogus"),
        (["ms", "series"], "Missing argument"),
        (["kinetics", "fit", "x.csv", "--seed", "-1"], "--seed"),
        (["piecewise", "fit", "x.csv", "--breakpoints", "1", "--seed", "-1"], "--seed"),
        (["xps", "fit", "x.csv", "--components", "a:ag3d@368", "--seed", "-1"], "--seed"),
        (["ensemble", "simulate", "--seed", "-1"], "--seed"),
        (["xrd", "series", "cu2se-t3a", "cu2se-t3c", "--steps", "1000000"], "--steps"),
    ],
)
def test_usage_errors_are_one_line(args, fragment):
    line = one_error(run(*args), fragment)
    assert "--help" in line  # points at the command's help instead of printing the usage block


def test_version_and_bare_group_still_work():
    r = run("--version")
    assert r.exit_code == 0 and r.stdout.strip()
    r = run("ms")
    assert "Usage:" in r.output and "peaks" in r.output


# ---------------------------------------------------------------- family counts: no eval


@pytest.mark.parametrize("family", ["Ag{9**9**9}Cd{34-x}S33", "Ag{x0}Cd{34-x}S33", "Ag{__import__('os')}S"])
def test_family_counts_never_reach_eval(ms_csv, family):
    one_error(run("ms", "series", ms_csv, "--family", family, "--no-baseline"), "cannot read family count")


# ---------------------------------------------------------------- numeric options


@pytest.mark.parametrize(
    ("opts", "fragment"),
    [
        (["--min-distance", "nan"], "--min-distance must be finite"),
        (["--min-distance", "0"], "--min-distance must be > 0"),
        (["--min-distance", "-1"], "--min-distance must be > 0"),
        (["--min-height", "nan"], "--min-height must be finite"),
        (["--min-height", "-1"], "--min-height must lie in [0.0, 1.0]"),
    ],
)
def test_ms_peaks_options(ms_csv, opts, fragment):
    one_error(run("ms", "peaks", ms_csv, *opts), fragment)


def test_huge_grids_are_refused_before_allocation(ms_csv, tmp_path):
    one_error(run("ms", "assign", ms_csv, "--formula", "Cd34S33(L)+", "--max-shift", "1e9"), "GiB", "limit")
    one_error(run("ms", "pattern", "Cd34S33(L)", "--fwhm", "1e-9", "--profile", tmp_path / "p.csv"), "GiB", "limit")
    one_error(run("xrd", "debye", "cdse-zincblende", "--diameter-nm", "2", "--step-deg", "1e-9"), "GiB", "--step-deg")
    one_error(run("xrd", "simulate", "cdse-zincblende", "--step-deg", "1e-9"), "more than 2,000,000 points")
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.parametrize("value", ["-1", "nan", "0"])
def test_identify_instrument_width(tmp_path, value):
    one_error(run("xrd", "identify", tmp_path / "never-read.csv", "--instrument-fwhm-deg", value), "--instrument-fwhm-deg")


def test_inspect_reliable_max(tmp_path):
    one_error(run("spectra", "inspect", tmp_path / "never-read.csv", "--reliable-max", "nan"), "--reliable-max must be finite")


# ---------------------------------------------------------------- huge values


def test_huge_values_are_refused_with_a_rescale_hint(huge_ms, huge_xrd):
    for args in (
        ["ms", "assign", huge_ms, "--formula", "Cd34S33(L)+", "--no-baseline"],
        ["ms", "series", huge_ms, "--family", "Ag{x}Cd{34-x}S33(L)", "--x-range", "0-2", "--no-baseline"],
        ["xrd", "identify", huge_xrd],
        ["xrd", "refine", huge_xrd, "cu2se-4nm"],
    ):
        one_error(run(*args), "rescale")


# ---------------------------------------------------------------- structures and formulas

CIF = """data_t
_cell_length_a {a}
_cell_length_b 5.0
_cell_length_c 5.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma {gamma}
loop_
_symmetry_equiv_pos_as_xyz
'x,y,z'
'{op}'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Cd1 Cd 0 0 0
"""


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"op": "-x,-y,q"}, "malformed symmetry operation '-x,-y,q'"),
        ({"a": "?"}, "_cell_length_a must be a number, got '?'"),
        ({"gamma": "0"}, "cell gamma must lie in (0, 180)"),
        ({"a": "1e-5"}, "cell volume"),
    ],
)
def test_bad_cif(tmp_path, fields, fragment):
    values = {"a": "5.0", "gamma": "90", "op": "-x,-y,z"} | fields
    path = tmp_path / "t.cif"
    path.write_text(CIF.format(**values))
    one_error(run("xrd", "simulate", path), fragment)


def test_bad_cif_errors_are_parse_errors(tmp_path):
    from cationx.crystal.library import read_cif

    path = tmp_path / "t.cif"
    path.write_text(CIF.format(a="5.0", gamma="90", op="x,y,2z+w"))
    with pytest.raises(ParseError, match="symmetry operation"):
        read_cif(path)


def test_formula_with_superscript_digit():
    one_error(run("ms", "pattern", "Cd\u00b2S"), "must be ASCII", "position 3")


def test_plot_extension(tmp_path):
    one_error(run("ms", "pattern", "CdS", "--plot", tmp_path / "fig.docx"), "supported extensions", "png", "svg")
    assert not list(tmp_path.iterdir())
    # checked with the other output paths, before the input is even read
    one_error(run("xrd", "identify", tmp_path / "never-read.csv", "--plot", tmp_path / "fig.docx"), "supported extensions")


# ---------------------------------------------------------------- long inputs


def test_row_limit_refuses_before_reading(tmp_path, monkeypatch):
    import cationx.cli._common as common
    import cationx.cli.piecewise as piecewise_cli

    monkeypatch.setattr(common, "MAX_INPUT_ROWS", 100)
    monkeypatch.setattr(piecewise_cli, "FIT_MAX_ROWS", 100)
    x = np.linspace(0, 10, 300)
    path = tmp_path / "long.csv"
    pd.DataFrame({"x": x, "y": np.abs(x - 5)}).to_csv(path, index=False)
    one_error(run("piecewise", "fit", path, "--breakpoints", "1"), "more than 100 data rows", "piecewise fit")
    one_error(run("ms", "peaks", path), "more than 100 data rows", "ms peaks")


def test_identify_bins_long_patterns_keeping_counts():
    from cationx.cli.xrd import _binned
    from cationx.crystal.pattern import pattern_from_arrays

    tt = np.linspace(10, 90, 1001)
    y = 100 + 50 * np.sin(tt)
    measured = pattern_from_arrays(tt, y, source="p")
    with pytest.warns(InterpretationWarning, match="1001 points summed in groups of 3 to 333"):
        binned = _binned(measured, 400)
    assert len(binned) == 333
    assert binned.intensity.sum() == pytest.approx(y[:999].sum())  # counts are summed, not averaged
    assert binned.two_theta_deg[0] == pytest.approx(tt[:3].mean())
    assert _binned(measured, 5000) is measured


def test_piecewise_grid_search_is_bounded_on_long_data():
    from cationx.kinetics.piecewise import _grid_search

    x = np.linspace(0, 10, 50_000)
    y = np.where(x < 4, x, 4 + 3 * (x - 4))
    (bp,) = _grid_search(x, y, 1)
    assert bp == pytest.approx(4.0, abs=0.05)  # the coarse grid only seeds the refinement


# ---------------------------------------------------------------- impossible data


def test_negative_intensities_are_named():
    from cationx._validation import warn_negative

    y = np.array([100.0, 50.0, -1.0, -30.0, 10.0])
    with pytest.warns(InterpretationWarning, match="1 of 5 values are negative"):
        assert warn_negative(y, "p") == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_negative(np.array([100.0, -1.0]), "p") == 0  # baseline noise is not reported


def test_check_magnitude_and_grid_size():
    from cationx._validation import check_grid_size, check_magnitude

    check_magnitude([1e99, -1e99], "y")
    with pytest.raises(InputError, match="values up to 1e\\+300"):
        check_magnitude([1.0, 1e300], "y")
    assert check_grid_size(1e6, "g") == 1_000_000
    with pytest.raises(InputError, match="GiB"):
        check_grid_size(1e12, "g")


# ---------------------------------------------------------------- outputs


def test_two_options_naming_one_file(tmp_path):
    one_error(run("ms", "pattern", "CdS", "--out", tmp_path / "a.csv", "--profile", tmp_path / "a.csv"),
              "--out and --profile name the same file")
    assert not (tmp_path / "a.csv").exists()


def test_output_folder_replaces_only_its_own_files(tmp_path):
    from cationx.io.write import MANIFEST, output_folder, write_json

    out = tmp_path / "R"
    with output_folder(out):
        write_json(out / "numbers.json", {"a": 1})
    assert (out / MANIFEST).read_text().split() == ["numbers.json"]
    with output_folder(out):  # a rerun updates its own file
        write_json(out / "numbers.json", {"a": 2})
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not written by cationx"), output_folder(out):
        write_json(out / "notes.txt", {"a": 3})
    assert (out / "notes.txt").read_text() == "mine"
    write_json(out / "notes.txt", {"a": 3})  # outside a managed folder, an explicit path is the user's choice


def test_atomic_writer_leaves_no_temp_file_on_ctrl_c(tmp_path):
    from cationx.io.write import atomic_write_with

    def writer(tmp):
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write_with(tmp_path / "a.csv", writer)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_is_one_line_exit_130(monkeypatch):
    import cationx.massspec

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cationx.massspec, "envelope", interrupted)
    r = run("ms", "pattern", "CdS")
    assert r.exit_code == 130 and r.stderr.strip() == "interrupted"


def test_reproduce_single_and_all_share_one_layout(tmp_path, monkeypatch):
    import types

    import cationx.reproduce as rep
    from cationx.io.write import write_json

    def fake(paper):
        def run_one(out_dir):
            write_json(out_dir / "numbers.json", {"paper": paper})
            return rep.Reproduction(paper=paper, out_dir=out_dir, files=(out_dir / "numbers.json",), numbers={})

        return types.SimpleNamespace(run=run_one, TITLE=paper)

    monkeypatch.setattr(rep, "available", lambda: {"p1": fake("p1"), "p2": fake("p2")})
    (single,) = rep.run("p1", tmp_path / "one")
    both = rep.run("all", tmp_path / "all")
    assert single.out_dir == tmp_path / "one" / "p1"
    # `all` = the union of the single runs: every paper in OUT/<paper>/
    assert [r.out_dir.relative_to(tmp_path / "all").as_posix() for r in both] == ["p1", "p2"]
    assert (tmp_path / "all" / "p2" / "numbers.json").exists()


def test_toml_with_byte_order_mark(tmp_path):
    # Windows editors often save UTF-8 with a BOM; tomllib alone calls it an invalid statement
    from importlib.resources import files

    from cationx.titration import load_description

    text = (files("cationx.data") / "demo" / "demo.toml").read_text(encoding="utf-8")
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_description(path, check_files=False).sample.start_volume_ml == 3
