"""``cationx ensemble``: stochastic ensembles of polydisperse NCs, titrations, sweeps on dask."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, save_figure

app = typer.Typer(
    help="Stochastic ensembles of NCs sharing a finite ion pool: titrations, kinetics, parameter sweeps.",
    no_args_is_help=True,
)

MODEL_HELP = (
    "A preset of 'cationx coop' (cationx.cooperative.PRESETS): white2013, ladder, nucleation, mwc, lattice, "
    "independent; each takes its own constants (--k1/--alpha, --k/--sigma, --k/--coupling)."
)


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


def _ensemble_kwargs(model, sites, diameter_nm, size_sd_nm, host_per_site, material, phase, constants: dict,
                     ions_per_host, ncs, nc_conc, host_initial, k_off, paper: bool = False) -> dict:
    """Keywords of make_ensemble from the options; ``paper`` fills in White et al.'s set (cooperative.PAPER)."""
    from cationx.cooperative.models import PAPER, PRESETS, check_model_parameters
    from cationx.errors import InputError

    constants = dict(constants)
    if paper:
        if model not in (None, PAPER["model"]) or host_per_site not in (None, 1) or diameter_nm is not None:
            raise InputError("--paper fixes the model (white2013, n = 20 steps of one host cation): leave out --model, --diameter-nm and --host-per-site")
        if any(constants.get(k) is not None for k in ("k", "sigma", "coupling", "l_allosteric")):
            raise InputError("--paper takes only --k1 and --alpha (white2013)")
        model = PAPER["model"]
        sites = PAPER["sites"] if sites is None else sites
        constants["k1"] = PAPER["k1"] if constants.get("k1") is None else constants["k1"]
        constants["alpha"] = PAPER["alpha"] if constants.get("alpha") is None else constants["alpha"]
        nc_conc = PAPER["nc_conc_molar"] if nc_conc is None else nc_conc
    model = "white2013" if model is None else model
    from cationx._validation import check_choice

    if sites is None and diameter_nm is None:
        raise InputError("give --sites N or --diameter-nm D (or --paper for White et al.'s 20-step NC)")
    if sites is not None and diameter_nm is not None:
        raise InputError("give --sites or --diameter-nm, not both")
    check_choice(model, "model", PRESETS)
    check_model_parameters(model, **constants)
    return dict(model=model, n_ncs=ncs, sites=sites, diameter_nm=diameter_nm, size_sd_nm=size_sd_nm,
                host_per_site=1 if host_per_site is None else host_per_site, material=material, phase=phase,
                ions_per_host=ions_per_host, nc_conc_molar=1.0 if nc_conc is None else nc_conc,
                host_initial_molar=host_initial, k_off=k_off,
                **{k: v for k, v in constants.items() if v is not None})


def _default_additions(kw: dict, sites_max: int, points: int):
    from cationx.cooperative import default_totals
    from cationx.ensemble.system import make_ensemble

    probe = {**kw, "n_ncs": 1, "sites": int(sites_max), "diameter_nm": None, "size_sd_nm": 0.0}
    mdl = make_ensemble(**probe).model_for(int(sites_max))
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
_MODEL = typer.Option(None, "--model", help=MODEL_HELP + " Default white2013.")
_PAPER = typer.Option(False, "--paper", help="White et al. 2013's per-NC model (cationx.cooperative.PAPER): white2013, 20 steps of one host cation, 2 ions each, K1 = 1e-2, alpha = 55, NC concentration 1; a toy that exchanges fully at 40 ions.")
_SITES = typer.Option(None, "--sites", help="Steps per NC of a monodisperse ensemble (or give --diameter-nm).")
_DIAM = typer.Option(None, "--diameter-nm", help="Mean NC diameter, nm: host cations from cationx.materials, steps = host cations / --host-per-site.")
_SD = typer.Option(0.0, "--size-sd-nm", help="Standard deviation of the lognormal diameter distribution, nm.")
_HPS = typer.Option(None, "--host-per-site", help="Host cations per exchange step h (default 1: a step takes m h ions and releases h host cations; a coarse h is faster).")
_MAT = typer.Option("CdSe", "--material", help="Host material for --diameter-nm: CdSe | CdTe | CdS.")
_PHASE = typer.Option("zincblende", "--phase", help="zincblende | wurtzite (for --diameter-nm).")
_ALPHA = typer.Option(None, "--alpha", help="white2013/ladder/mwc: cooperativity alpha (--paper: 55).")
_K1 = typer.Option(None, "--k1", help="white2013/ladder/mwc/independent: first step constant K1, M^(-(m-1)h) (--paper: 1e-2).")
_L = typer.Option(None, "--l-allosteric", help="mwc only: [T0]/[R0].")
_K = typer.Option(None, "--k", help="nucleation/lattice: step constant k, M^(-(m-1)h).")
_SIGMA = typer.Option(None, "--sigma", help="nucleation: interface penalty sigma (<= 1).")
_J = typer.Option(None, "--coupling", help="lattice: coupling J in kT.")
_M = typer.Option(2, "--ions-per-host", help="Incoming ions per host cation released m (2 for Cu+/Ag+ replacing Cd2+).")
_NCS = typer.Option(1000, "--ncs", help="Number of NCs simulated.")
_CONC = typer.Option(None, "--nc-conc", help="NC concentration in M (default 1 = per-NC units, as the equilibrium engine).")
_HOST = typer.Option(0.0, "--host-initial", help="Free host cation before any addition, M.")
_KOFF = typer.Option(1.0, "--k-off", help="Release rate constant k_off, M^-h s^-1 (k_on,i = K_i k_off; sets the time scale only).")
_ADD = typer.Option(None, "--additions", help="Cumulative total ions per NC after each addition: A:B:K or v1,v2,... (default: 30 points past full exchange).")
_TPA = typer.Option(100.0, "--time-per-addition", help="Seconds simulated after each addition before recording.")
_EPS = typer.Option(0.03, "--epsilon", help="Pool leap condition of the fast method (max relative pool change per leap).")
_METHOD = typer.Option("fast", "--method", help="fast (leaping numba kernel) | exact (Gillespie direct method, small ensembles).")


@app.command("simulate")
def simulate_cmd(
    model: str | None = _MODEL,
    paper: bool = _PAPER,
    sites: int | None = _SITES,
    diameter_nm: float | None = _DIAM,
    size_sd_nm: float = _SD,
    host_per_site: int | None = _HPS,
    material: str = _MAT,
    phase: str = _PHASE,
    alpha: float | None = _ALPHA,
    k1: float | None = _K1,
    l_allosteric: float | None = _L,
    k: float | None = _K,
    sigma: float | None = _SIGMA,
    coupling: float | None = _J,
    ions_per_host: int = _M,
    ncs: int = _NCS,
    nc_conc: float | None = _CONC,
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

    constants = {"k1": k1, "alpha": alpha, "l_allosteric": l_allosteric, "k": k, "sigma": sigma, "coupling": coupling}
    kw = _ensemble_kwargs(model, sites, diameter_nm, size_sd_nm, host_per_site, material, phase, constants,
                          ions_per_host, ncs, nc_conc, host_initial, k_off, paper)
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
    param: str = typer.Option(..., "--param", help="NAME=A:B:K or NAME=v1,v2 with NAME in size-sd-nm, diameter-nm, alpha, k1, k, sigma, coupling, sites, ncs, nc-conc, host-per-site."),
    replicates: int = typer.Option(3, "--replicates", help="Independent ensembles per value."),
    model: str | None = _MODEL,
    paper: bool = _PAPER,
    sites: int | None = _SITES,
    diameter_nm: float | None = typer.Option(4.0, "--diameter-nm", help="Mean NC diameter, nm (host cations from cationx.materials; ignored with --sites or --paper)."),
    size_sd_nm: float = _SD,
    host_per_site: int | None = _HPS,
    material: str = _MAT,
    phase: str = _PHASE,
    alpha: float | None = _ALPHA,
    k1: float | None = _K1,
    l_allosteric: float | None = _L,
    k: float | None = _K,
    sigma: float | None = _SIGMA,
    coupling: float | None = _J,
    ions_per_host: int = _M,
    ncs: int = _NCS,
    nc_conc: float | None = _CONC,
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
    if sites is not None or paper:
        diameter_nm = None
    if name == "sites":
        diameter_nm = None
        sites = int(values[0])
    if name in ("size-sd-nm", "diameter-nm") and diameter_nm is None:
        raise InputError(f"--param {name} needs --diameter-nm")
    constants = {"k1": k1, "alpha": alpha, "l_allosteric": l_allosteric, "k": k, "sigma": sigma, "coupling": coupling}
    kw = _ensemble_kwargs(model, sites, diameter_nm, size_sd_nm, host_per_site, material, phase, constants,
                          ions_per_host, ncs, nc_conc, host_initial, k_off, paper)
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
