"""Every page through Streamlit's AppTest (no browser), including uploads, and ``cationx app``."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app as cli

runner = CliRunner()


def _needs_streamlit() -> None:
    if importlib.util.find_spec("streamlit") is None:
        pytest.skip('streamlit is not installed (pip install "cationx[app]")')


def run_page(module: str):
    _needs_streamlit()
    from streamlit.testing.v1 import AppTest

    return AppTest.from_string(f"from cationx.app.{module} import page\npage()", default_timeout=60).run()


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def no_crash(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Something went wrong" in e for e in errors(at)), errors(at)


# ----------------------------------------------------------------------------- cli


def test_app_help_says_local_only() -> None:
    res = runner.invoke(cli, ["app", "--help"])
    assert res.exit_code == 0
    assert "127.0.0.1" in res.output and "--headless" in res.output and "--port" in res.output


def test_app_without_streamlit_is_one_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "streamlit" else real(name, *a))
    res = runner.invoke(cli, ["app", "--headless"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and 'pip install "cationx[app]"' in lines[0]


def test_app_refuses_a_privileged_port() -> None:
    res = runner.invoke(cli, ["app", "--port", "80"])
    assert res.exit_code == 2
    assert "--port must be an integer >= 1024" in res.output


def test_server_binds_loopback_and_caps_uploads() -> None:
    from cationx.cli.app import streamlit_command

    cmd = streamlit_command(8765, True)
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert opts["--server.address"] == "127.0.0.1"
    assert opts["--server.port"] == "8765"
    assert opts["--server.headless"] == "true"
    assert opts["--server.maxUploadSize"] == "20"


# ----------------------------------------------------------------------------- error display


def test_guarded_page_shows_one_line_and_never_a_traceback() -> None:
    _needs_streamlit()
    from streamlit.testing.v1 import AppTest

    def bad_input() -> None:
        from cationx.app._common import guarded
        from cationx.errors import InputError

        def render() -> None:
            raise InputError("sites must be <= 5000,\n got 9000")

        guarded(render)()

    def bug() -> None:
        from cationx.app._common import guarded

        def render() -> None:
            raise ZeroDivisionError("division by zero in some helper")

        guarded(render)()

    at = AppTest.from_function(bad_input).run()
    assert errors(at) == ["error: sites must be <= 5000, got 9000"]
    at = AppTest.from_function(bug).run()
    assert not at.exception
    assert len(errors(at)) == 1 and "Something went wrong" in errors(at)[0]
    assert "ZeroDivisionError" not in errors(at)[0]


# ----------------------------------------------------------------------------- pages


def test_explorer_page_updates_with_the_controls() -> None:
    at = run_page("cooperative")
    no_crash(at)
    assert not errors(at)
    labels = {m.label: m.value for m in at.metric}
    assert labels["steps n x h"] == "597 x 1"
    at.selectbox(key="coop_model").set_value("lattice").run()
    no_crash(at)
    assert at.slider(key="coop_lattice_coupling").value == 4.0
    at.number_input(key="coop_h").set_value(10).run()
    assert {m.label: m.value for m in at.metric}["steps n x h"] == "60 x 10"
    at.number_input(key="coop_h").set_value(1)
    at.slider(key="coop_diameter").set_value(15.0).run()
    assert any("over the explorer's 5000" in e for e in errors(at))


def test_fit_page_fits_an_uploaded_table() -> None:
    at = run_page("fit")
    no_crash(at)
    x = np.linspace(0.0, 60.0, 25)
    y = x**6 / (30.0**6 + x**6)
    csv = ("ions,frac\n" + "\n".join(f"{a:.6g},{b:.6g}" for a, b in zip(x, y, strict=True))).encode()
    at.file_uploader(key="fit_table_upload").upload("t.csv", csv, "text/csv")
    at.run()
    no_crash(at)
    at.selectbox(key="fit_ci").set_value("stderr")
    at.button[0].click().run()
    no_crash(at)
    assert any("Fit converged" in s.value for s in at.success)
    assert at.dataframe[1].value.loc["n_hill", "value"] == pytest.approx(6.0, rel=1e-3)
    # a sequential preset in per-NC units (the paper's 20 steps)
    at.selectbox(key="fit_model").set_value("white2013").run()
    at.radio(key="fit_size_by").set_value("steps n (per-NC units)").run()
    assert at.number_input(key="fit_sites").value == 20
    at.selectbox(key="fit_ci").set_value("stderr")
    at.button[0].click().run()
    no_crash(at)
    assert "log10_k1" in at.dataframe[1].value.index
    verdicts = [s.value for s in at.success] + errors(at)
    assert any(v.startswith(("Fit converged", "FIT NOT TRUSTWORTHY")) for v in verdicts), verdicts


def test_fit_page_reports_a_description_without_its_spectra() -> None:
    from cationx.app.fit import demo_files

    at = run_page("fit")
    toml = demo_files()["demo.toml"]
    at.file_uploader(key="fit_spectra_upload").upload("demo.toml", toml, "application/toml")
    at.run()
    no_crash(at)
    assert errors(at) == ["error: demo.toml names files that were not uploaded: demo_absorbance.csv, demo_pl.csv"]


def test_powder_page_kinematic_debye_and_measured_overlay() -> None:
    at = run_page("powder")
    no_crash(at)
    assert not errors(at)
    at.radio(key="xrd_kind").set_value("Debye equation (sphere)").run()
    no_crash(at)
    assert any("method" in c.value for c in at.caption)
    at.slider(key="xrd_size").set_value(12.0).run()
    assert any("over the 10000 this page computes" in e for e in errors(at))
    at.slider(key="xrd_size").set_value(4.0)
    at.radio(key="xrd_kind").set_value("kinematic (Bragg + Scherrer)").run()
    from cationx.app.powder import kinematic, load_phase

    pat = kinematic(load_phase("cdse-zincblende"), size_nm=5.0, wavelength_angstrom=1.54056, two_theta_range=(20.0, 80.0))
    counts = np.random.default_rng(2).poisson(pat.intensity * 10 + 20)
    xy = "\n".join(f"{a:.3f} {b:.1f}" for a, b in zip(pat.two_theta_deg, counts, strict=True)).encode()
    at.file_uploader(key="xrd_measured").upload("m.xy", xy)
    at.run()
    no_crash(at)
    assert not errors(at)
    at.button(key="FormSubmitter:xrd_refine_form-Refine").click().run()
    no_crash(at)
    assert any("Rwp" in m.value for m in at.markdown)


def test_mass_spectrum_page_envelope_bad_formula_and_upload() -> None:
    at = run_page("massspec")
    no_crash(at)
    assert any(m.label == "most abundant m/z" for m in at.metric)
    at.text_input(key="ms_formula").set_value("Cd34Xx2").run()
    assert len(errors(at)) == 1 and errors(at)[0].startswith("error: ")
    at.text_input(key="ms_formula").set_value("Cd10S10")
    mz = np.arange(1400.0, 1500.0, 0.05)
    inten = np.exp(-((mz - 1450.0) / 0.3) ** 2) + np.exp(-((mz - 1460.0) / 0.3) ** 2)
    csv = ("mz,intensity\n" + "\n".join(f"{a:.3f},{b:.5g}" for a, b in zip(mz, inten, strict=True))).encode()
    at.file_uploader(key="ms_spectrum").upload("s.csv", csv, "text/csv")
    at.run()
    no_crash(at)
    assert any("2 peaks" in m.value for m in at.markdown), [m.value for m in at.markdown]


def test_fit_page_analyses_the_bundled_demo_and_offers_the_report_zip() -> None:
    at = run_page("fit")
    at.button(key="fit_demo").click().run()
    no_crash(at)
    assert not errors(at)
    assert any(s.value.startswith("nucleation: converged") for s in at.success)
    assert any("half exchange at" in m.value for m in at.markdown)
    # the result stays when the page reruns (the button is False then)
    at.run()
    assert any(s.value.startswith("nucleation: converged") for s in at.success)
