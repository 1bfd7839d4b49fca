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
    res = run("coop", "simulate", "--model", "mwc", "--sites", "20", "--k1", "1e-2", "--alpha", "20", "--points", "30", "--out", str(csv), "--plot", str(png))
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(csv)
    assert len(frame) == 30 and "dopants_per_nc" in frame
    assert png.stat().st_size > 1000


def test_simulate_nc_concentration_changes_free_ions():
    a = json.loads(run("coop", "simulate", "--paper", "--points", "20", "--json", "--max-total", "60").stdout)
    b = json.loads(run("coop", "simulate", "--paper", "--points", "20", "--json", "--max-total", "60", "--nc-conc", "1e-3").stdout)
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
    res = run("coop", "fit", str(path), "--model", "white2013", "--sites", "20", "--observable", "exchanged", "--out", str(out), "--json")
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
    res = run("coop", "fit", str(path), "--model", "white2013", *(args or ["--sites", "20"]))
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
    # real units (000 Methods: 4.8e-6 mol Cd, 3.0 mL, ~660 Cd per NC): 2.42 uM NCs
    ru = numbers["real_units"]
    assert ru["nc_conc_molar"] == pytest.approx(4.8e-6 / 660 / 3.0e-3, rel=1e-12)
    # the paper's K1 = 1e-2 M^-1 needs ~1e4 or more Cu+ per NC there (SCIENCE.md section 1)
    assert ru["one_step_per_host_cation"]["half_exchange_ions_per_nc"] > 1e4
    assert ru["paper_20_steps"]["half_exchange_ions_per_nc"] > 1e3
    from cationx.cooperative import total_at_fraction_exchanged, white2013

    kk = ru["k1_for_midpoint_near_stoichiometry"]
    t50 = total_at_fraction_exchanged(white2013(660, kk["k1_per_molar"], 55.0), 0.5, nc_conc_molar=ru["nc_conc_molar"])
    assert t50 == pytest.approx(kk["half_exchange_ions_per_nc"], rel=1e-6)
    assert kk["half_exchange_ions_per_nc"] == pytest.approx(1.25 * kk["bound_ions_per_nc_at_half"])
    assert "2.42 uM" in (tmp_path / "w" / "white2013" / "SUMMARY.md").read_text()
    # n_H = 7.1 on totals and mass balance for 660-Cd NCs: the bounds hold at K_min and fail below it
    hb = ru["hill_7p1_mass_balance"]
    t = np.linspace(1e-6, 2e4, 400_001)
    for key, slope in (("k_min_fully_exchanged", False), ("k_min_product_material", True)):
        for k, ok in ((1.001 * hb[key], True), (0.99 * hb[key], False)):
            th = 1 / (1 + (k / t) ** 7.1)
            good = np.all(th <= np.minimum(1, t / 1320) + 1e-12) and (not slope or np.gradient(th, t).max() <= 1 / 1320)
            assert bool(good) is ok, (key, k)
    assert hb["k_min_product_material"] > 1320  # beyond full exchange
    rows = ru["models_near_stoichiometry"]
    assert all(1.5 < r["n_hill_product"] < 3.5 for r in rows.values())  # the mass-balance ramp


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

    res = run("coop", "simulate", "--paper", "--kappa-range", "1e-3:1", "--points", "7", "--json")
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
    res = run("coop", "simulate", "--paper", *args)
    assert res.exit_code == 2
    assert message in res.stderr


# ----------------------------------------------------------------------------- real units


def test_simulate_real_units_from_sizing_reports_stoichiometry():
    res = run(
        "coop", "simulate", "--model", "nucleation", "--diameter-nm", "4", "--host-per-site", "1",
        "--k", "150", "--sigma", "1e-4", "--nc-conc", "2.4e-6", "--points", "60", "--json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    stoich = data["stoichiometry"]
    assert stoich["host_cations_per_nc"] == 597 and stoich["sites"] == 597  # 4 nm zinc-blende CdSe
    assert stoich["full_exchange_ions_per_nc"] == 2 * 597
    # mass balance: half the product material needs at least N ions per NC
    assert data["half_exchange"]["product_ions_per_nc"] >= 597
    assert np.all(np.array(data["product_fraction"]) <= np.array(data["feasibility_bound"]) + 1e-12)
    assert data["model"]["constant_units"] == "M^-1"
    assert data["constants"]["k"]["per_host_cation"] == pytest.approx(150.0)


def test_simulate_coarse_steps_report_constants_per_host_cation():
    res = run(
        "coop", "simulate", "--model", "independent", "--host-cations", "660", "--host-per-site", "30",
        "--k1", "1e60", "--nc-conc", "2.4e-6", "--points", "20",
    )
    assert res.exit_code == 0, res.output
    assert "n = 22 steps x h = 30 host cations = 660 per NC" in res.stdout
    assert "M^-30 per step" in res.stdout and "M^-1 per host cation" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host-cations", "667", "--host-per-site", "30", "--nc-conc", "1e-6"], "not a multiple of --host-per-site 30"),
        (["--host-cations", "660", "--host-per-site", "30", "--sites", "20", "--nc-conc", "1e-6"], "does not equal 660 host cations"),
        (["--host-cations", "660", "--host-per-site", "0", "--nc-conc", "1e-6"], "host_per_site must be a positive integer"),
        (["--host-cations", "660"], "real units need the NC concentration"),
        ([], "give the NC's size"),
        (["--paper", "--host-cations", "660"], "--paper fixes the model"),
    ],
)
def test_simulate_stoichiometry_errors(args, message):
    res = run("coop", "simulate", "--model", "independent", "--k1", "1", *args) if "--paper" not in args else run("coop", "simulate", *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def _real_titration(tmp_path, seed=0):
    from cationx.cooperative import mwc as mwc_model
    from cationx.cooperative import solve_titration

    model = mwc_model(667, 10**1.6425, 10.0)
    x = np.linspace(0, 3335, 50)
    y = solve_titration(model, x, nc_conc_molar=2.4e-6).product_fraction + np.random.default_rng(seed).normal(0, 0.005, 50)
    return _write_titration(tmp_path / "real.csv", cu=x, frac=y)


def test_fit_real_units_is_trustworthy_and_exits_0(tmp_path):
    # plumbing of the CLI; interval coverage over seeds is tested in tests/cooperative/test_real_units.py
    path = _real_titration(tmp_path, seed=2)
    res = run("coop", "fit", str(path), "--model", "mwc", "--host-cations", "667", "--nc-conc", "2.4e-6",
              "--x-col", "cu", "--y-col", "frac", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["converged"] is True and data["warnings"] == []
    assert data["extra"]["sites"] == 667 and data["extra"]["feasibility"]["feasible"]
    assert data["extra"]["constants"]["k1"]["units_per_host_cation"] == "M^-1"
    p = data["params"]["log10_k1"]
    assert p["ci_low"] <= 1.6425 <= p["ci_high"]


def test_fit_that_is_not_trustworthy_exits_3_and_says_why(tmp_path):
    # product-fraction data that no white2013 with the wrong observable can follow, and that break mass balance
    path = _write_titration(tmp_path / "bad.csv", x=[0, 10, 20, 40, 60, 80, 100.0], y=[0, 0.1, 0.5, 0.95, 1.0, 1.0, 1.0])
    res = run("coop", "fit", str(path), "--model", "mwc", "--host-cations", "660", "--nc-conc", "2.42e-6", "--json")
    assert res.exit_code == 3, res.output
    data = json.loads(res.stdout)
    assert data["converged"] is False
    assert any("mass balance broken" in w for w in data["warnings"])
    text = run("coop", "fit", str(path), "--model", "mwc", "--host-cations", "660", "--nc-conc", "2.42e-6")
    assert text.exit_code == 3
    assert text.stdout.startswith("FIT NOT TRUSTWORTHY")
    assert "warning: mass balance broken" in text.stderr


def test_fit_with_nc_concentration_nuisance(tmp_path):
    path = _real_titration(tmp_path, seed=1)
    res = run("coop", "fit", str(path), "--model", "mwc", "--host-cations", "667", "--nc-conc", "2.4e-6",
              "--nc-conc-rel-sd", "0.1", "--x-col", "cu", "--y-col", "frac", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "log10_nc_conc_factor" in data["params"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "mwc", "--host-cations", "667", "--host-per-site", "30", "--nc-conc", "1e-6"], "not a multiple of host_per_site 30"),
        (["--model", "mwc", "--host-cations", "660", "--sites", "10,20", "--nc-conc", "1e-6"], "cannot be scanned"),
        (["--model", "mwc", "--host-cations", "660"], "real units need the NC concentration"),
        (["--model", "mwc"], "give the NC's size"),
        (["--model", "mwc", "--sites", "20", "--seed", "-1"], "--seed must be"),
        (["--model", "mwc", "--sites", "20", "--observable", "rings"], "--observable must be one of"),
        (["--model", "hill", "--host-cations", "660"], "apply to the sequential models"),
    ],
)
def test_fit_stoichiometry_errors(tmp_path, args, message):
    path = _write_titration(tmp_path / "t.csv", x=[0, 100, 200, 300.0], y=[0, 0.1, 0.2, 0.3])
    res = run("coop", "fit", str(path), *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_check_names_the_bound_for_table1_sample_d(tmp_path):
    path = _write_titration(tmp_path / "rings.csv", cu=[0, 384, 549, 659, 1317], cu2se=[0, 0, 0, 1, 1])
    res = run("coop", "check", str(path), "--x-col", "cu", "--y-col", "cu2se", "--observable", "exchanged",
              "--host-cations", "660")
    assert res.exit_code == 0, res.output
    assert "MASS BALANCE BROKEN" in res.stdout and "659" in res.stdout
    js = json.loads(run("coop", "check", str(path), "--x-col", "cu", "--y-col", "cu2se", "--observable", "exchanged",
                        "--host-cations", "660", "--json").stdout)
    assert js["feasible"] is False and js["violations"] == [3]
