"""``cationx coop``: simulate the cooperative exchange equilibrium and fit titrations."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, save_figure

app = typer.Typer(
    help="Cooperative sequential exchange: simulate titrations, fit Hill/Langmuir/sequential models.",
    no_args_is_help=True,
)

MODELS_HELP = "white2013 (paper's closed form), ladder (K_i = K1 alpha^(i-1)), independent (binomial reference), mwc (two-state)"


@app.command("simulate")
def simulate_cmd(
    model: str = typer.Option("white2013", "--model", help=MODELS_HELP),
    sites: int = typer.Option(20, "--sites", help="Exchange steps per NC (n)."),
    alpha: float | None = typer.Option(None, "--alpha", help="Cooperativity alpha (white2013: default 55, the paper; ladder and mwc: required; independent: not used)."),
    k1: float = typer.Option(1e-2, "--k1", help="First stepwise constant K1 in M^(1-m) (mwc: T-state site constant)."),
    l_allosteric: float | None = typer.Option(None, "--l-allosteric", help="mwc only: [T0]/[R0] (default alpha^(n/2))."),
    ions_per_site: int = typer.Option(2, "--ions-per-site", help="Incoming ions per step (2 for Cu+/Ag+ replacing Cd2+)."),
    nc_conc: float = typer.Option(1.0, "--nc-conc", help="NC concentration in M (1 = per-NC units, as in the paper)."),
    host_initial: float = typer.Option(0.0, "--host-initial", help="Free host cation before any addition, M."),
    points: int = typer.Option(200, "--points", help="Points from zero to past full exchange (fraction exchanged >= 0.99)."),
    max_total: float | None = typer.Option(None, "--max-total", help="End of the range in ions per NC (default: past full exchange)."),
    kappa_range: str | None = typer.Option(None, "--kappa-range", help="The paper's parametric sweep instead: log-spaced kappa = K1 c^m/d from A to B, e.g. 1e-4:1."),
    json_out: bool = typer.Option(False, "--json", help="Print per-point arrays as JSON on stdout."),
    out: Path | None = typer.Option(None, "--out", help="Write the table (CSV)."),
    populations: Path | None = typer.Option(None, "--populations", help="Write the population of every ML_i (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Simulate a titration: fractions host/doped/exchanged, dopants and free ions vs total ions per NC."""
    import numpy as np

    from cationx._validation import check_positive
    from cationx.cooperative import default_totals, make_model, solve_titration
    from cationx.errors import InputError
    from cationx.io.write import write_csv

    if alpha is None and model != "independent":
        alpha = 55.0 if model == "white2013" else None
    mdl = make_model(model, sites=sites, k1=k1, alpha=alpha, l_allosteric=l_allosteric, ions_per_site=ions_per_site)
    from cationx._validation import check_int

    if kappa_range is not None:
        from cationx.cli._common import parse_range
        from cationx.cooperative import sweep_kappa

        if max_total is not None:
            raise InputError("give --kappa-range or --max-total, not both")
        lo, hi = parse_range(kappa_range, "--kappa-range")
        check_positive(lo, "--kappa-range start")
        kappa = np.geomspace(lo, hi, check_int(points, "points", minimum=2))
        state = sweep_kappa(mdl, kappa, nc_conc_molar=nc_conc, host_initial_molar=host_initial)
        totals = state.total_ions_per_nc
    else:
        if max_total is None:
            totals = default_totals(mdl, points, nc_conc_molar=nc_conc, host_initial_molar=host_initial)
        else:
            totals = np.linspace(0.0, check_positive(max_total, "max_total"), check_int(points, "points", minimum=2))
        state = solve_titration(mdl, totals, nc_conc_molar=nc_conc, host_initial_molar=host_initial)
    out_p = output_path(out)
    pop_p = output_path(populations)
    plot_p = output_path(plot)
    if out_p:
        write_csv(out_p, state.to_frame())
    if pop_p:
        write_csv(pop_p, state.populations_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.cooperative import titration_figure

        use_agg()
        save_figure(titration_figure(state), plot_p)
    if json_out:
        emit_json(state.to_dict())
    else:
        frame = state.to_frame()
        half = frame.index[np.argmin(np.abs(frame["fraction_exchanged"] - 0.5))]
        typer.echo(
            f"{mdl.name}: n={mdl.sites}, {points} points, total 0..{totals[-1]:.4g} ions/NC; "
            f"half exchanged near {frame['total_ions_per_nc'][half]:.4g} ions/NC; "
            f"max dopants {frame['dopants_per_nc'].max():.4g}/NC"
        )
        cols = ["total_ions_per_nc", "free_ions_per_nc", "fraction_host", "fraction_doped", "fraction_exchanged", "dopants_per_nc"]
        step = max(1, len(frame) // 12)
        typer.echo(frame[cols].iloc[::step].to_string(index=False, float_format=lambda v: f"{v:.4g}"))


@app.command("fit")
def fit_cmd(
    data: list[Path] = typer.Argument(..., help="CSV/TXT table(s) with a header row; several files are fitted globally with shared parameters."),
    model: str = typer.Option("hill", "--model", help="hill | hill-free | langmuir | white2013 | ladder | independent | mwc"),
    x_col: str = typer.Option("x", "--x-col", help="Column of ions added per NC (total; free for hill-free/langmuir)."),
    y_col: str = typer.Option("y", "--y-col", help="Column of the observed fraction."),
    sigma_col: str | None = typer.Option(None, "--sigma-col", help="Column of per-point standard deviations (weights)."),
    percent: bool = typer.Option(False, "--percent", help="y (and sigma) are in percent: divide by 100."),
    observable: str = typer.Option("exchanged", "--observable", help="Sequential models: y is the 'exchanged' or 'unexchanged' fraction."),
    sites: str | None = typer.Option(None, "--sites", help="Sequential models: n (default 20), or a scan like 10,20,40 (lowest AIC wins). Hill: enables the bound-fraction check."),
    ions_per_site: int = typer.Option(2, "--ions-per-site", help="Incoming ions per step."),
    nc_conc: float = typer.Option(1.0, "--nc-conc", help="NC concentration in M (1 = per-NC units)."),
    host_initial: float = typer.Option(0.0, "--host-initial", help="Free host cation before any addition, M."),
    free_amplitude: bool = typer.Option(False, "--free-amplitude", help="Hill: fit the plateau instead of fixing it at 1."),
    ci: str = typer.Option("profile", "--ci", help="Interval method: profile | bootstrap | stderr | none."),
    ci_level: float = typer.Option(0.95, "--ci-level", help="Confidence level of the intervals."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for bootstrap intervals."),
    json_out: bool = typer.Option(False, "--json", help="Print params {name: {value, stderr, ci_low, ci_high}}, r2, aic, bic as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write data, fit and residuals (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure of data, fit and residuals."),
) -> None:
    """Fit a titration curve (or several, globally); report values, standard errors, intervals, R^2, AIC/BIC.

    With several files, the sequential models share log10_k1 and log10_alpha (and log10_l) and
    Hill shares n_hill while k_half is fitted per file (suffixes _0, _1, ... in file order).
    """
    from cationx._validation import check_choice
    from cationx.cooperative.fits import FIT_MODELS, Titration, fit
    from cationx.errors import InputError
    from cationx.io import read_table, select_columns
    from cationx.io.write import write_csv

    check_choice(model, "--model", FIT_MODELS)
    titrations = []
    for path in data:
        frame = read_table(path)
        cols = [x_col, y_col] + ([sigma_col] if sigma_col else [])
        arrays = select_columns(frame, cols, source=path.name)
        x, y = arrays[0], arrays[1]
        sigma = arrays[2] if sigma_col else None
        if percent:
            y = y / 100.0
            sigma = None if sigma is None else sigma / 100.0
        elif y.max() > 1.5:
            raise InputError(f"{path.name}: column {y_col!r} goes up to {y.max():.4g}: fractions must be 0..1 (use --percent for %)")
        titrations.append(
            Titration.from_arrays(x, y, sigma=sigma, nc_conc_molar=nc_conc, host_initial_molar=host_initial, label=path.name)
        )
    try:
        site_list = [int(s) for s in (sites or "20").split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--sites must be an integer or a comma-separated list of integers, got {sites!r}") from None
    if not site_list:
        raise InputError("--sites must name at least one integer")
    kwargs: dict = {"ci": ci, "ci_level": ci_level, "rng": seed}
    if model in ("hill", "hill-free"):
        kwargs["free_amplitude"] = free_amplitude
        if model == "hill" and sites is not None:
            kwargs["sites"] = site_list[0]
            kwargs["ions_per_site"] = ions_per_site
    elif model != "langmuir":
        kwargs.update(sites=site_list if len(site_list) > 1 else site_list[0], observable=observable, ions_per_site=ions_per_site)
    result = fit(titrations[0] if len(titrations) == 1 else titrations, model, **kwargs)
    out_p = output_path(out, data)
    plot_p = output_path(plot, data)
    if out_p:
        write_csv(out_p, result.curve_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.cooperative import fit_figure

        use_agg()
        save_figure(fit_figure(result, x_label=x_col, y_label=y_col), plot_p)
    if json_out:
        emit_json(result.to_dict())
    else:
        typer.echo(result.report())

