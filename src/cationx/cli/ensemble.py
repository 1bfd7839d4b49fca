"""``cationx ensemble``: stochastic ensembles of polydisperse NCs, titrations, sweeps on dask."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, save_figure

app = typer.Typer(
    help="Stochastic ensembles of NCs sharing a finite ion pool: titrations, kinetics, parameter sweeps.",
    no_args_is_help=True,
)

MODEL_HELP = "white2013 | ladder | independent | mwc (step constants as in 'cationx coop')"


def _values(text: str, name: str):
    """``A:B:K`` (K evenly spaced values) or ``v1,v2,...``."""
    import numpy as np

    from cationx.errors import InputError

    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise ValueError
            a, b, k = float(parts[0]), float(parts[1]), int(parts[2])
        else:
            vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{name} must be A:B:K or a comma-separated list of numbers, got {text!r}") from None
    if ":" in text:
        if k < 1:
            raise InputError(f"{name}: the count K of A:B:K must be >= 1, got {k}")
        return np.linspace(a, b, k)
    if not vals:
        raise InputError(f"{name} needs at least one value")
    return np.array(vals)


def _ensemble_kwargs(model, sites, diameter_nm, size_sd_nm, cations_per_site, material, alpha, k1, l_allosteric,
                     ions_per_site, ncs, nc_conc, host_initial, k_off) -> dict:
    from cationx.errors import InputError

    if alpha is None and model != "independent":
        alpha = 55.0
    if sites is None and diameter_nm is None:
        raise InputError("give --sites N or --diameter-nm D")
    if sites is not None and diameter_nm is not None:
        raise InputError("give --sites or --diameter-nm, not both")
    return dict(model=model, n_ncs=ncs, k1=k1, alpha=alpha, sites=sites, diameter_nm=diameter_nm,
                size_sd_nm=size_sd_nm, cations_per_site=cations_per_site, material=material,
                l_allosteric=l_allosteric, ions_per_site=ions_per_site, nc_conc_molar=nc_conc,
                host_initial_molar=host_initial, k_off=k_off)


def _default_additions(kw: dict, sites_max: int, points: int):
    from cationx.cooperative import default_totals, make_model

    mdl = make_model(kw["model"], sites=int(sites_max), k1=kw["k1"], alpha=kw["alpha"],
                     l_allosteric=kw["l_allosteric"], ions_per_site=kw["ions_per_site"])
    return default_totals(mdl, points + 1, nc_conc_molar=kw["nc_conc_molar"], host_initial_molar=kw["host_initial_molar"])[1:]


def _hill_summary(result) -> dict:
    from cationx.errors import CationxError

    out = {}
    for against in ("total", "free"):
        try:
            fit = result.hill(against)
            out[against] = {"n_hill": fit.params["n_hill"].value, "n_hill_stderr": fit.params["n_hill"].stderr,
                            "k_half": fit.params["k_half"].value, "r2": fit.r2}
        except CationxError:
            out[against] = None
    return out


# shared options
_MODEL = typer.Option("white2013", "--model", help=MODEL_HELP)
_SITES = typer.Option(None, "--sites", help="Steps per NC of a monodisperse ensemble (or give --diameter-nm).")
_DIAM = typer.Option(None, "--diameter-nm", help="Mean NC diameter, nm (sites from size; see --cations-per-site).")
_SD = typer.Option(0.0, "--size-sd-nm", help="Standard deviation of the lognormal diameter distribution, nm.")
_CPS = typer.Option(29.86, "--cations-per-site", help="Host cations per exchange step (29.86: White et al.'s n = 20 for a 4 nm CdSe NC; 1 = one step per host cation).")
_MAT = typer.Option("CdSe-zb", "--material", help="CdSe-zb | CdSe-wz | CdS-zb | CdS-wz (cations per nm^3).")
_ALPHA = typer.Option(None, "--alpha", help="Cooperativity alpha (default 55 for white2013, ladder, mwc).")
_K1 = typer.Option(1e-2, "--k1", help="First stepwise constant K1 in M^(1-m).")
_L = typer.Option(None, "--l-allosteric", help="mwc only: [T0]/[R0].")
_M = typer.Option(2, "--ions-per-site", help="Incoming ions per step (2 for Cu+/Ag+ replacing Cd2+).")
_NCS = typer.Option(1000, "--ncs", help="Number of NCs simulated.")
_CONC = typer.Option(1.0, "--nc-conc", help="NC concentration in M (1 = per-NC units, as the equilibrium engine).")
_HOST = typer.Option(0.0, "--host-initial", help="Free host cation before any addition, M.")
_KOFF = typer.Option(1.0, "--k-off", help="Release rate constant k_off, M^-1 s^-1 (k_on,i = K_i k_off).")
_ADD = typer.Option(None, "--additions", help="Cumulative total ions per NC after each addition: A:B:K or v1,v2,... (default: 30 points past full exchange).")
_TPA = typer.Option(100.0, "--time-per-addition", help="Seconds simulated after each addition before recording.")
_EPS = typer.Option(0.03, "--epsilon", help="Pool leap condition of the fast method (max relative pool change per leap).")
_METHOD = typer.Option("fast", "--method", help="fast (leaping numba kernel) | exact (Gillespie direct method, small ensembles).")


@app.command("simulate")
def simulate_cmd(
    model: str = _MODEL,
    sites: int | None = _SITES,
    diameter_nm: float | None = _DIAM,
    size_sd_nm: float = _SD,
    cations_per_site: float = _CPS,
    material: str = _MAT,
    alpha: float | None = _ALPHA,
    k1: float = _K1,
    l_allosteric: float | None = _L,
    ions_per_site: int = _M,
    ncs: int = _NCS,
    nc_conc: float = _CONC,
    host_initial: float = _HOST,
    k_off: float = _KOFF,
    additions: str | None = _ADD,
    time_per_addition: float = _TPA,
    at_once: float | None = typer.Option(None, "--at-once", help="Kinetics: add this many ions per NC at t = 0 and record at --times."),
    times: str = typer.Option("0:200:41", "--times", help="Kinetics record times, s: A:B:K or v1,v2,..."),
    method: str = _METHOD,
    epsilon: float = _EPS,
    seed: int | None = typer.Option(None, "--seed", min=0, help="Random seed (same seed, same numbers)."),
    threads: int | None = typer.Option(None, "--threads", help="numba threads of the fast method (default: all cores; results do not depend on it)."),
    json_out: bool = typer.Option(False, "--json", help="Print per-point arrays (total_ions_per_nc, fraction_*, dopant_histogram, ...) as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Directory for titration.csv, histogram.csv, result.json."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Simulate an ensemble: a titration (additions in steps) or kinetics (--at-once)."""
    import numpy as np

    from cationx.ensemble import kinetics, make_ensemble, titrate
    from cationx.io.write import write_csv, write_json

    kw = _ensemble_kwargs(model, sites, diameter_nm, size_sd_nm, cations_per_site, material, alpha, k1,
                          l_allosteric, ions_per_site, ncs, nc_conc, host_initial, k_off)
    out_p = output_path(out)
    plot_p = output_path(plot)
    gen = np.random.default_rng(seed)
    ens = make_ensemble(**kw, rng=gen)
    progress = not json_out
    if at_once is not None:
        result = kinetics(ens, at_once, _values(times, "--times"), method=method, epsilon=epsilon, rng=gen, progress=progress, threads=threads)
    else:
        totals = _values(additions, "--additions") if additions else _default_additions(kw, int(np.quantile(ens.sites, 0.99)), 30)
        result = titrate(ens, totals, time_per_addition_s=time_per_addition, method=method, epsilon=epsilon, rng=gen, progress=progress, threads=threads)
    payload = result.to_dict()
    payload["seed"] = seed
    if at_once is None and result.time_s.size >= 3:
        payload["hill"] = _hill_summary(result)
    if out_p:
        from cationx.io.write import output_folder

        with output_folder(out_p):  # replaces only files cationx wrote there
            write_csv(out_p / "titration.csv", result.to_frame())
            write_csv(out_p / "histogram.csv", result.histogram_frame())
            write_json(out_p / "result.json", payload)
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.ensemble import result_figure

        use_agg()
        save_figure(result_figure(result), plot_p)
    if json_out:
        emit_json(payload)
        return
    s = ens.summary()
    typer.echo(
        f"{s['model']}: {s['ncs']} NCs, sites {s['sites_mean']:.4g} +/- {s['sites_sd']:.3g} "
        f"({s['sites_min']}..{s['sites_max']}), {result.events[-1]:,} events ({method})"
    )
    cols = ["time_s", "total_ions_per_nc", "free_ions_per_nc", "fraction_host", "fraction_doped", "fraction_exchanged"]
    frame = result.to_frame()[cols]
    step = max(1, len(frame) // 15)
    typer.echo(frame.iloc[::step].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if "hill" in payload:
        for against, h in payload["hill"].items():
            if h is not None:
                typer.echo(f"apparent n_H on {against} ions: {h['n_hill']:.3g} (R^2 {h['r2']:.4f})")


@app.command("sweep")
def sweep_cmd(
    param: str = typer.Option(..., "--param", help="NAME=A:B:K or NAME=v1,v2 with NAME in size-sd-nm, diameter-nm, alpha, k1, sites, ncs, nc-conc, cations-per-site."),
    replicates: int = typer.Option(3, "--replicates", help="Independent ensembles per value."),
    model: str = _MODEL,
    sites: int | None = _SITES,
    diameter_nm: float | None = typer.Option(4.0, "--diameter-nm", help="Mean NC diameter, nm (ignored with --sites)."),
    size_sd_nm: float = _SD,
    cations_per_site: float = _CPS,
    material: str = _MAT,
    alpha: float | None = _ALPHA,
    k1: float = _K1,
    l_allosteric: float | None = _L,
    ions_per_site: int = _M,
    ncs: int = _NCS,
    nc_conc: float = _CONC,
    host_initial: float = _HOST,
    k_off: float = _KOFF,
    additions: str | None = _ADD,
    time_per_addition: float = _TPA,
    method: str = _METHOD,
    epsilon: float = _EPS,
    seed: int = typer.Option(0, "--seed", min=0, help="Root seed; task (value k, replicate r) uses SeedSequence(seed, spawn_key=(k, r))."),
    workers: int | None = typer.Option(None, "--workers", help="Workers of a local dask cluster (default: CPU count)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a running dask scheduler (tcp://host:port)."),
    connect_timeout: float = typer.Option(5.0, "--connect-timeout", help="Seconds to wait for --scheduler before giving up."),
    serial: bool = typer.Option(False, "--serial", help="Run in this process without dask."),
    limit: bool = typer.Option(False, "--limit", help="Also fit the large-N equilibrium (mean field) of each size distribution."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary and every task as JSON (no progress bar)."),
    out: Path | None = typer.Option(None, "--out", help="Directory for sweep_summary.csv, sweep_tasks.csv, sweep.json."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure of n_H vs the parameter."),
) -> None:
    """Sweep one parameter with replicates; apparent Hill coefficients on total and free ions."""
    import contextlib

    import numpy as np

    from cationx._validation import check_positive
    from cationx.ensemble.sweep import open_client, parse_param, sweep
    from cationx.ensemble.system import make_ensemble
    from cationx.errors import InputError
    from cationx.io.write import write_csv, write_json

    name, values = parse_param(param)
    if sites is not None:
        diameter_nm = None
    if name == "sites":
        diameter_nm = None
        sites = int(values[0])
    if name in ("size-sd-nm", "diameter-nm", "cations-per-site") and diameter_nm is None:
        raise InputError(f"--param {name} needs --diameter-nm")
    kw = _ensemble_kwargs(model, sites, diameter_nm, size_sd_nm, cations_per_site, material, alpha, k1,
                          l_allosteric, ions_per_site, ncs, nc_conc, host_initial, k_off)
    if serial and (workers is not None or scheduler is not None):
        raise InputError("--serial runs without dask: leave out --workers and --scheduler")
    if additions:
        totals = _values(additions, "--additions")
    else:
        probe = dict(kw)
        if name == "size-sd-nm":
            probe["size_sd_nm"] = float(values.max())
        probe["n_ncs"] = 2000
        totals = _default_additions(kw, int(np.quantile(make_ensemble(**probe, rng=0).sites, 0.99)), 30)
    out_p = output_path(out)
    plot_p = output_path(plot)
    ctx = contextlib.nullcontext(None) if serial else open_client(scheduler, workers=workers, timeout_s=check_positive(connect_timeout, "--connect-timeout"))
    try:
        with ctx as client:  # leaving the block closes the client and the local cluster
            result = sweep(name, values, ensemble=kw, additions=totals, time_per_addition_s=time_per_addition,
                           replicates=replicates, root_seed=seed, epsilon=epsilon, method=method,
                           client=client, progress=not json_out, limit=limit)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(code=130) from None
    summary = result.summary()
    if out_p:
        from cationx.io.write import output_folder

        with output_folder(out_p):  # replaces only files cationx wrote there
            write_csv(out_p / "sweep_summary.csv", summary)
            write_csv(out_p / "sweep_tasks.csv", result.to_frame())
            write_json(out_p / "sweep.json", result.to_dict())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.ensemble import sweep_figure

        use_agg()
        save_figure(sweep_figure(result), plot_p)
    if json_out:
        emit_json(result.to_dict())
        return
    typer.echo(f"{name}: {values.size} values x {replicates} replicates, root seed {seed}")
    cols = [name, "n_hill_total_mean", "n_hill_total_sd", "n_hill_free_mean", "n_hill_free_sd", "max_fraction_doped_mean"]
    if limit:
        cols += ["n_hill_total_limit", "n_hill_free_limit"]
    typer.echo(summary[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
