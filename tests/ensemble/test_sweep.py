"""Sweeps and replicates: seeds independent of workers, dask LocalCluster, scheduler errors."""

import time

import numpy as np
import pytest

from cationx.ensemble.sweep import open_client, parse_param, sweep
from cationx.errors import InputError

BASE = {"model": "white2013", "n_ncs": 60, "diameter_nm": 4.0, "host_per_site": 30, "k1": 1e-2, "alpha": 55.0}
ADD = np.linspace(120.0, 1400.0, 12)  # real units: 20 steps of 30 Cd, 60 Cu+ each


def _run(client=None):
    return sweep("size-sd-nm", [0.0, 0.4], ensemble=BASE, additions=ADD, time_per_addition_s=1.0, replicates=2, root_seed=42, client=client)


def test_same_seed_same_numbers_serial_and_on_two_workers():
    serial = _run()
    assert list(serial.table["value"]) == [0.0, 0.0, 0.4, 0.4]
    assert np.isfinite(serial.table["n_hill_total"]).all()
    # replicates differ (independent seeds), sizes are monodisperse at sd = 0 only
    assert serial.table["n_hill_total"][0] != serial.table["n_hill_total"][1]
    assert serial.table["sites_sd"][0] == 0 and serial.table["sites_sd"][2] > 0
    with open_client(workers=2, processes=False) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        dist = _run(client)
    assert dist.table.equals(serial.table)
    summ = serial.summary()
    assert list(summ["size-sd-nm"]) == [0.0, 0.4]
    assert summ["n_hill_total_mean"][0] == pytest.approx(serial.table["n_hill_total"][:2].mean())


def test_task_seed_does_not_depend_on_the_other_tasks():
    # value 0.4 replicate 0 alone gives the same row as inside the bigger sweep
    one = sweep("size-sd-nm", [0.0, 0.4], ensemble=BASE, additions=ADD, time_per_addition_s=1.0, replicates=1, root_seed=42)
    two = _run()
    cols = ["n_hill_total", "n_hill_free", "events", "sites_mean"]
    assert one.table.loc[1, cols].equals(two.table.loc[2, cols])


def test_unreachable_scheduler_fails_in_seconds():
    start = time.monotonic()
    with pytest.raises(InputError, match=r"cannot reach the dask scheduler at 'tcp://127\.0\.0\.1:9'"):
        with open_client("tcp://127.0.0.1:9", timeout_s=2.0):
            pass
    assert time.monotonic() - start < 10.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("size-sd-nm", "must look like NAME=A:B:K"),
        ("width=0:1:3", "--param name must be one of"),
        ("alpha=1:2", "must be A:B:K or a comma-separated list"),
        ("alpha=1:2:0", "the count K must be >= 1"),
    ],
)
def test_parse_param_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_param(text)


def test_parse_param_values():
    name, vals = parse_param("size-sd-nm=0:0.6:7")
    assert name == "size-sd-nm" and np.allclose(vals, np.linspace(0, 0.6, 7))
    assert parse_param("alpha=10,55")[1].tolist() == [10.0, 55.0]


def test_limit_row_matches_engine_fit_for_a_monodisperse_sample():
    from cationx.cooperative import solve_titration, white2013
    from cationx.cooperative.fits import Titration, fit_hill
    from cationx.ensemble.sweep import limit_row

    # BASE: a 4 nm CdSe NC (597 Cd) in steps of h = 30 host cations -> 20 steps of 60 ions each
    add = ADD
    row = limit_row({**BASE, "size_sd_nm": 0.0}, add, sample=100)
    eng = solve_titration(white2013(20, 1e-2, 55.0, host_per_site=30), add)
    ref = fit_hill(Titration.from_arrays(add, eng.fraction_exchanged), ci="none")
    assert row["n_hill_total_limit"] == pytest.approx(ref.params["n_hill"].value, rel=1e-6)


def test_existing_scheduler_by_address():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        with open_client(cluster.scheduler_address, timeout_s=5.0) as client:
            res = sweep("alpha", [55.0], ensemble={**BASE, "n_ncs": 20}, additions=ADD, time_per_addition_s=2.0, replicates=1, root_seed=1, client=client)
    serial = sweep("alpha", [55.0], ensemble={**BASE, "n_ncs": 20}, additions=ADD, time_per_addition_s=2.0, replicates=1, root_seed=1)
    assert res.table.equals(serial.table)
