"""``cationx ensemble simulate`` and ``cationx ensemble sweep``."""

import json
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app

SMALL = ["--sites", "10", "--k1", "1e-2", "--alpha", "55", "--ncs", "40", "--additions", "5:40:6", "--time-per-addition", "5", "--seed", "3"]


def _run(args):
    return CliRunner().invoke(app, ["ensemble", *args])


def test_simulate_json_keys_and_bookkeeping():
    res = _run(["simulate", *SMALL, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("total_ions_per_nc", "fraction_exchanged", "fraction_doped", "fraction_host", "dopant_histogram", "free_ions_per_nc", "hill"):
        assert key in data
    hist = np.array(data["dopant_histogram"])
    assert hist.shape == (6, 11) and (hist.sum(axis=1) == 40).all()
    steps = hist @ np.arange(11)
    assert np.array_equal(np.array(data["added_ions_count"]), np.array(data["free_ions_count"]) + 2 * steps)
    assert np.allclose(data["total_ions_per_nc"], np.linspace(5, 40, 6))
    # same seed, same numbers
    again = json.loads(_run(["simulate", *SMALL, "--json"]).stdout)
    assert again["dopant_histogram"] == data["dopant_histogram"]


def test_simulate_polydisperse_kinetics_and_files(tmp_path):
    out = tmp_path / "run"
    fig = tmp_path / "fig.png"
    res = _run(["simulate", "--diameter-nm", "4", "--size-sd-nm", "0.4", "--host-per-site", "30", "--k1", "1e-2", "--alpha", "55", "--ncs", "50",
                "--at-once", "40", "--times", "0:2:5", "--seed", "1", "--out", str(out), "--plot", str(fig)])
    assert res.exit_code == 0, res.output
    assert "NCs, sites" in res.stdout
    for name in ("titration.csv", "histogram.csv", "result.json"):
        assert (out / name).stat().st_size > 0
    assert fig.stat().st_size > 0
    data = json.loads((out / "result.json").read_text())
    assert data["time_s"] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert data["ensemble"]["sites_sd"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "--sites", "10", "--k1", "1e-2", "--alpha", "55", "--ncs", "0"], "ncs must be a positive integer, got 0"),
        (["simulate", "--diameter-nm", "4", "--size-sd-nm", "-0.2", "--ncs", "5", "--k1", "1e-2", "--alpha", "55"], "size_sd_nm must be >= 0"),
        (["simulate", "--sites", "10", "--k1", "1e-2", "--alpha", "55", "--ncs", "5", "--additions", "5,3,8"], "additions must be increasing"),
        (["simulate", "--ncs", "5"], "give --sites N or --diameter-nm D"),
        (["simulate", "--sites", "10", "--k1", "1e-2", "--alpha", "55", "--ncs", "5", "--additions", "1:x:3"], "--additions must be A:B:K"),
        (["sweep", "--param", "width=0:1:2", "--serial"], "--param name must be one of"),
        (["sweep", "--param", "size-sd-nm=-0.2:0.2:2", "--serial", "--ncs", "5", "--k1", "1e-2", "--alpha", "55"], "size_sd_nm must be >= 0"),
    ],
)
def test_bad_input_one_line_exit_2(args, message):
    res = _run(args)
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_unreachable_scheduler_one_line_within_seconds():
    start = time.monotonic()
    res = _run(["sweep", "--param", "size-sd-nm=0:0.4:2", "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "2", "--ncs", "10",
                "--host-per-site", "30", "--k1", "1e-2", "--alpha", "55"])
    assert time.monotonic() - start < 15.0
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "cannot reach the dask scheduler at 'tcp://127.0.0.1:9'" in lines[0]


def test_sweep_serial_json(tmp_path):
    fig = tmp_path / "sweep.png"
    res = _run(["sweep", "--param", "size-sd-nm=0,0.4", "--replicates", "2", "--ncs", "40", "--additions", "4:70:10",
                "--time-per-addition", "5", "--serial", "--json", "--plot", str(fig),
                "--host-per-site", "30", "--k1", "1e-2", "--alpha", "55"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["param"] == "size-sd-nm" and data["replicates"] == 2
    assert data["summary"]["size-sd-nm"] == [0.0, 0.4]
    assert len(data["tasks"]["n_hill_total"]) == 4
    assert len(data["additions"]) == 10
    assert fig.stat().st_size > 0
