"""`cationx coop` and `cationx reproduce` through typer's CliRunner."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.cooperative import simulate, white2013

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_simulate_json_has_the_contract_keys():
    res = run("coop", "simulate", "--model", "white2013", "--sites", "20", "--alpha", "55", "--k1", "1e-2", "--points", "50", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("total_ions_per_nc", "free_ions_per_nc", "fraction_host", "fraction_doped", "fraction_exchanged", "dopants_per_nc"):
        assert len(data[key]) == 50
    assert data["total_ions_per_nc"][0] == 0
    assert data["fraction_exchanged"][-1] >= 0.99


def test_simulate_writes_csv_and_plot(tmp_path):
    csv, png = tmp_path / "c.csv", tmp_path / "c.png"
    res = run("coop", "simulate", "--model", "mwc", "--alpha", "20", "--points", "30", "--out", str(csv), "--plot", str(png))
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(csv)
    assert len(frame) == 30 and "dopants_per_nc" in frame
    assert png.stat().st_size > 1000


def test_simulate_nc_concentration_changes_free_ions():
    a = json.loads(run("coop", "simulate", "--points", "20", "--json", "--max-total", "60").stdout)
    b = json.loads(run("coop", "simulate", "--points", "20", "--json", "--max-total", "60", "--nc-conc", "1e-3").stdout)
    np.testing.assert_allclose(a["total_ions_per_nc"], b["total_ions_per_nc"], rtol=1e-10)
    # at 1 mM NCs the free-ion concentration per NC-equivalent is 1000x larger: less exchange
    assert b["fraction_exchanged"][-1] < a["fraction_exchanged"][-1]


def _write_titration(path, **cols):
    pd.DataFrame(cols).to_csv(path, index=False)
    return path


def test_fit_hill_json(tmp_path):
    state = simulate(white2013(20, 1e-2, 55.0), 40)
    rng = np.random.default_rng(0)
    y = np.clip(state.fraction_exchanged + rng.normal(0, 0.01, 40), -0.05, 1.05)
    path = _write_titration(tmp_path / "t.csv", cu=state.total_ions_per_nc, frac=y)
    res = run("coop", "fit", str(path), "--model", "hill", "--x-col", "cu", "--y-col", "frac", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data["params"]) == {"n_hill", "k_half"}
    for p in data["params"].values():
        assert {"value", "stderr", "ci_low", "ci_high"} <= set(p)
    assert {"r2", "aic", "bic"} <= set(data)


def test_fit_sequential_and_out(tmp_path):
    state = simulate(white2013(20, 1e-2, 55.0), 30)
    y = state.fraction_exchanged + np.random.default_rng(1).normal(0, 0.01, 30)
    path = _write_titration(tmp_path / "t.csv", x=state.total_ions_per_nc, y=y)
    out = tmp_path / "fit.csv"
    res = run("coop", "fit", str(path), "--model", "white2013", "--sites", "20", "--out", str(out), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["params"]["log10_alpha"]["ci_low"] < np.log10(55) < data["params"]["log10_alpha"]["ci_high"]
    assert list(pd.read_csv(out).columns) == ["x", "y", "y_fit", "residual"]


def test_fit_hill_with_sites_warns_on_stderr(tmp_path):
    state = simulate(white2013(20, 1e-2, 55.0), 30)
    path = _write_titration(tmp_path / "t.csv", x=state.total_ions_per_nc[1:], y=state.fraction_exchanged[1:] + 1e-3 * np.sin(np.arange(29)))
    res = run("coop", "fit", str(path), "--model", "hill", "--sites", "20")
    assert res.exit_code == 0, res.output
    assert "warning:" in res.stderr and "descriptive" in res.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["coop", "simulate", "--sites", "0"], "sites must be a positive integer, got 0"),
        (["coop", "simulate", "--sites", "-3"], "sites must be a positive integer, got -3"),
        (["coop", "simulate", "--alpha", "0"], "alpha must be > 0"),
        (["coop", "simulate", "--alpha", "-2"], "alpha must be > 0"),
        (["coop", "simulate", "--model", "nope"], "model must be one of"),
        (["coop", "simulate", "--model", "independent", "--alpha", "3"], "alpha is not a parameter"),
        (["coop", "simulate", "--nc-conc", "nan"], "nc_conc_molar must be finite"),
        (["coop", "fit", "/definitely/missing.csv"], "data file not found"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_non_integer_sites_is_a_usage_error():
    res = run("coop", "simulate", "--sites", "2.5")
    assert res.exit_code == 2
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", [], "is empty"),
        ("x,y\n", [], "no data"),
        ("x,y\n1,0.1\n2,abc\n3,0.5\n", [], "non-numeric value 'abc' in column 'y' at data row 2"),
        ("x,y\n1,0.1\n2,nan\n3,0.5\n", [], "y must be finite"),
        ("x,y\n1,0.1\n3,0.2\n2,0.5\n", [], "x must be sorted in ascending order"),
        ("a,b\n1,0.1\n2,0.2\n3,0.5\n", [], "has no column 'x'"),
        ("x,y\n1,10\n2,50\n3,90\n", [], "fractions must be 0..1"),
        ("x,y\n1,0.1\n2,0.2\n3,0.5\n", ["--sites", "ten"], "--sites must be an integer"),
    ],
)
def test_bad_data_files(tmp_path, content, args, message):
    path = tmp_path / "d.csv"
    path.write_text(content)
    res = run("coop", "fit", str(path), "--model", "white2013", *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output


def test_output_over_input_is_refused(tmp_path):
    path = _write_titration(tmp_path / "t.csv", x=[1.0, 2.0, 3.0, 4.0], y=[0.0, 0.2, 0.7, 1.0])
    before = path.read_bytes()
    res = run("coop", "fit", str(path), "--model", "hill-free", "--out", str(path))
    assert res.exit_code == 2
    assert "refusing to write output over input" in res.stderr
    assert path.read_bytes() == before


def test_reproduce_white2013(tmp_path):
    res = run("reproduce", "white2013", "--out", str(tmp_path / "w"), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    numbers = data["numbers"]
    # the paper's printed closed form and the engine agree to rounding
    assert max(numbers["printed_formula_max_difference"].values()) < 1e-12
    # Hill on totals of the paper's simulation ~ 7 (paper's experiment: 7.1); on free ions lower
    assert 6.0 < numbers["n_hill_total"] < 8.5
    assert numbers["n_hill_free"] < numbers["n_hill_total"]
    assert numbers["contrast"]["independent"]["n_hill_occupancy_vs_activity"] == pytest.approx(1.0, abs=0.01)
    for name in ("fig2b_white2013.csv", "fig2b_white2013.png", "SUMMARY.md", "model_contrast.png", "numbers.json"):
        assert (tmp_path / "w" / "white2013" / name).exists()


def test_reproduce_unknown_paper():
    res = run("reproduce", "nobody1999", "--out", "x")
    assert res.exit_code == 2
    assert "unknown paper 'nobody1999'" in res.stderr


def test_global_fit_of_two_files(tmp_path):
    from cationx.cooperative import solve_titration

    model = white2013(20, 1e-2, 55.0)
    paths = []
    for k, conc in enumerate((1.0, 0.2)):
        totals = np.linspace(0, 110, 25)
        st = solve_titration(model, totals, nc_conc_molar=conc)
        y = st.fraction_exchanged + np.random.default_rng(k).normal(0, 0.01, 25)
        paths.append(_write_titration(tmp_path / f"t{k}.csv", x=totals, y=y))
    res = run("coop", "fit", *map(str, paths), "--model", "hill", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data["params"]) == {"n_hill", "k_half_0", "k_half_1"}
    assert len(data["x"]) == 50


def test_kappa_sweep_matches_printed_closed_form():
    from cationx.reproduce.white2013 import printed_fractions

    res = run("coop", "simulate", "--kappa-range", "1e-3:1", "--points", "7", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    ref = printed_fractions(np.geomspace(1e-3, 1, 7), 20, 1e-2, 55.0)
    np.testing.assert_allclose(data["kappa"], np.geomspace(1e-3, 1, 7), rtol=1e-12)
    np.testing.assert_allclose(data["total_ions_per_nc"], ref["total"], rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kappa-range", "0:1"], "--kappa-range start must be > 0"),
        (["--kappa-range", "1:0.1"], "must have A < B"),
        (["--kappa-range", "1e-3:1", "--max-total", "50"], "not both"),
    ],
)
def test_kappa_sweep_bad_input(args, message):
    res = run("coop", "simulate", *args)
    assert res.exit_code == 2
    assert message in res.stderr
