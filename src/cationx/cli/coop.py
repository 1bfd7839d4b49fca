"""``cationx coop``: simulate the cooperative exchange equilibrium, fit titrations, check mass balance.

Exit codes: 0 a trustworthy result; 2 bad input (one ``error:`` line); 3 a fit that was
computed but is not trustworthy (R^2 < 0, a parameter at a bound, a standard error beyond the
value, an open interval, or data that break mass balance): its output is still printed and
written, headed by what is wrong, and its JSON has ``"converged": false`` and ``warnings``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from cationx.cli._common import emit_json, exit_if_untrustworthy, output_path, save_figure

app = typer.Typer(
    help=(
        "Cooperative sequential exchange: simulate titrations in real ions per NC, fit Hill/Langmuir/"
        "sequential models, check data against mass balance. Exit code 3: a fit that is not trustworthy."
    ),
    no_args_is_help=True,
)

MODELS_HELP = (
    "white2013 (paper's closed form: K1, then alpha K1), ladder (K_i = K1 alpha^(i-1)), nucleation "
    "(interface penalty sigma, growth k), mwc (two-state concerted), lattice (coupling J in kT), "
    "independent (binomial reference)"
)

_HOST_HELP = "Host cations per NC N (then n = N / h steps; an exact multiple of h)."
_DIAM_HELP = "NC diameter in nm: N from sizing (sphere, bulk density of --material/--phase)."


def _host_count(host_cations: int | None, diameter_nm: float | None, material: str, phase: str) -> tuple[int | None, str | None]:
    """Host cations per NC from the options, and a note on where the number came from."""
    from cationx.errors import InputError

    if host_cations is not None and diameter_nm is not None:
        raise InputError("give --host-cations or --diameter-nm, not both")
    if diameter_nm is None:
        return host_cations, None
    from cationx.spectra.sizing import host_cations_per_nc

    raw = host_cations_per_nc(material, diameter_nm, phase=phase)
    return max(1, round(raw)), f"{material} {phase} sphere of {diameter_nm:g} nm holds {raw:.1f} host cations (sizing)"


def _stoichiometry(
    sites: int | None, host: int | None, host_per_site: int, from_sizing: bool
) -> tuple[int, int | None, list[str]]:
    """Steps n and host count N: N given exactly must equal n h; from sizing, n = round(N/h)."""
    from cationx._validation import check_int
    from cationx.errors import InputError

    h = check_int(host_per_site, "host_per_site", minimum=1)
    notes: list[str] = []
    if host is None:
        if sites is None:
            raise InputError(
                "give the NC's size: --host-cations N or --diameter-nm D (real units), or --sites n; "
                "--paper gives the per-NC preset of White et al. 2013 (n = 20, K1 = 1e-2, alpha = 55)"
            )
        return check_int(sites, "sites", minimum=1), None, notes
    host = check_int(host, "host_cations", minimum=1)
    if h > host:
        raise InputError(f"--host-per-site {h} exceeds the {host} host cations per NC")
    if from_sizing:
        n = max(1, round(host / h))
        if n * h != host:
            notes.append(f"n = {n} steps of h = {h} hold {n * h} host cations (sizing: {host})")
            host = n * h
    elif host % h:
        raise InputError(f"--host-cations {host} is not a multiple of --host-per-site {h}: n x h must equal N")
    else:
        n = host // h
    if sites is not None and check_int(sites, "sites", minimum=1) != n:
        raise InputError(f"--sites {sites} x --host-per-site {h} does not equal {host} host cations")
    return n, host, notes


def _check_constants(**values: float | None) -> None:
    from cationx._validation import check_finite, check_positive

    for name, value in values.items():
        if value is None:
            continue
        if name == "coupling":
            check_finite(value, name)
        else:
            check_positive(value, name)


@app.command("simulate")
def simulate_cmd(
    model: str = typer.Option("white2013", "--model", help=MODELS_HELP),
    paper: bool = typer.Option(False, "--paper", help="The per-NC preset of White et al. 2013: white2013, n = 20, K1 = 1e-2, alpha = 55, NC concentration 1 (per-NC units). A toy: it exchanges fully at 40 ions."),
    host_cations: int | None = typer.Option(None, "--host-cations", help=_HOST_HELP),
    diameter_nm: float | None = typer.Option(None, "--diameter-nm", help=_DIAM_HELP),
    material: str = typer.Option("CdSe", "--material", help="CdSe | CdS | CdTe (with --diameter-nm)."),
    phase: str = typer.Option("zincblende", "--phase", help="zincblende | wurtzite (with --diameter-nm)."),
    sites: int | None = typer.Option(None, "--sites", help="Exchange steps per NC n (with --host-cations it must equal N/h)."),
    host_per_site: int = typer.Option(1, "--host-per-site", help="Host cations per step h: a step takes m h ions and releases h host cations (1: one step per host cation)."),
    k1: float | None = typer.Option(None, "--k1", help="white2013/ladder/independent: first stepwise constant K1; mwc: T-state site constant. Per step, in M^-((m-1)h)."),
    alpha: float | None = typer.Option(None, "--alpha", help="white2013/ladder/mwc: cooperativity alpha (white2013 with --paper: 55)."),
    k: float | None = typer.Option(None, "--k", help="nucleation/lattice: growth or site constant per step, M^-((m-1)h)."),
    sigma: float | None = typer.Option(None, "--sigma", help="nucleation: interface penalty (<= 1; small = two-state)."),
    coupling: float | None = typer.Option(None, "--coupling", help="lattice: coupling J in kT between exchanged steps (> 2: first-order)."),
    l_allosteric: float | None = typer.Option(None, "--l-allosteric", help="mwc only: [T0]/[R0] (default alpha^(n/2))."),
    ions_per_host: int = typer.Option(2, "--ions-per-host", "--ions-per-site", help="Incoming ions per host cation released m (2 for Cu+/Ag+ replacing Cd2+)."),
    nc_conc: float | None = typer.Option(None, "--nc-conc", help="NC concentration in M (needed in real units, e.g. 2.4e-6; --sites alone or --paper: 1 = per-NC units)."),
    host_initial: float = typer.Option(0.0, "--host-initial", help="Free host cation before any addition, M."),
    points: int = typer.Option(200, "--points", help="Points from zero to past full exchange (fraction exchanged >= 0.99)."),
    max_total: float | None = typer.Option(None, "--max-total", help="End of the range in ions per NC (default: past full exchange)."),
    kappa_range: str | None = typer.Option(None, "--kappa-range", help="The paper's parametric sweep instead: log-spaced kappa = K1 (c^m/d)^h from A to B, e.g. 1e-4:1."),
    json_out: bool = typer.Option(False, "--json", help="Print per-point arrays and the stoichiometry as JSON on stdout."),
    out: Path | None = typer.Option(None, "--out", help="Write the table (CSV)."),
    populations: Path | None = typer.Option(None, "--populations", help="Write the population of every ML_i (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Simulate a titration in ions per NC: fractions (fully exchanged, product material, host), dopants, free ions.

    Real units: give the NC (--host-cations or --diameter-nm), the step size --host-per-site and
    the NC concentration --nc-conc; the constants are per step (the text output also gives them
    per host cation, K^(1/h)).  --paper reproduces the paper's per-NC toy.
    """
    import numpy as np

    from cationx._validation import check_int, check_positive
    from cationx.cooperative import default_totals, make_model, solve_titration
    from cationx.cooperative.models import PAPER, check_model_parameters
    from cationx.errors import InputError
    from cationx.io.write import write_csv

    _check_constants(k1=k1, alpha=alpha, k=k, sigma=sigma, coupling=coupling, l_allosteric=l_allosteric)
    if nc_conc is not None:
        check_positive(nc_conc, "nc_conc_molar")
    notes: list[str] = []
    given = {"k1": k1, "alpha": alpha, "l_allosteric": l_allosteric, "k": k, "sigma": sigma, "coupling": coupling}
    check_model_parameters(model, require=False, **given)
    if paper:
        if any(v is not None for v in (host_cations, diameter_nm, sites, k, sigma, coupling)) or model != "white2013" or host_per_site != 1:
            raise InputError("--paper fixes the model (white2013, n = 20, h = 1): leave out --model, the size and the step options")
        sites, k1 = PAPER["sites"], k1 if k1 is not None else PAPER["k1"]
        alpha = alpha if alpha is not None else PAPER["alpha"]
        notes.append("the paper's per-NC preset: 20 steps of one host cation, 2 ions each; it exchanges fully at 40 ions per NC, far below a real NC's ~1,300")
    host, size_note = _host_count(host_cations, diameter_nm, material, phase)
    n, host, stoich_notes = _stoichiometry(sites, host, host_per_site, diameter_nm is not None)
    notes += ([size_note] if size_note else []) + stoich_notes
    if nc_conc is None:
        if host is not None:
            raise InputError("real units need the NC concentration: give --nc-conc in M (e.g. 2.4e-6 for 000's experiment)")
        nc_conc = 1.0
        if not paper:
            notes.append("NC concentration 1 M: per-NC units (constants then have no molar meaning); give --nc-conc for real units")
    check_positive(nc_conc, "nc_conc_molar")
    check_model_parameters(model, **{**given, "k1": k1, "alpha": alpha})
    mdl = make_model(
        model, sites=n, k1=k1, alpha=alpha, l_allosteric=l_allosteric, k=k, sigma=sigma, coupling=coupling,
        ions_per_host=ions_per_host, host_per_site=host_per_site,
    )
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
    summary = _simulation_summary(state, notes)
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
        emit_json({**state.to_dict(), "feasibility_bound": state.feasibility_bound, **summary})
        return
    frame = state.to_frame()
    m = mdl
    typer.echo(
        f"{m.name}: n = {m.sites} steps x h = {m.host_per_site} host cations = {m.host_cations} per NC; "
        f"{m.ions_per_host} ions per host cation ({m.ions_per_site} per step); NC {nc_conc:.4g} M; "
        f"{len(frame)} points, total 0..{totals[-1]:.4g} ions/NC"
    )
    for name, c in summary["constants"].items():
        typer.echo(
            f"  {name} = {c['per_step']:.4g} {c['units_per_step']} per step = {c['per_host_cation']:.4g} "
            f"{c['units_per_host_cation']} per host cation"
        )
    half = summary["half_exchange"]
    if half["product_ions_per_nc"] is not None:
        typer.echo(
            f"  half exchange: product material at {half['product_ions_per_nc']:.4g} ions/NC, fully exchanged NCs at "
            f"{half['exchanged_ions_per_nc']:.4g} ions/NC (stoichiometric minimum {half['stoichiometric_minimum']:.4g})"
        )
    typer.echo(f"  {summary['populations']}")
    for note in summary["notes"]:
        typer.echo(f"note: {note}")
    cols = ["total_ions_per_nc", "free_ions_per_nc", "fraction_host", "fraction_doped", "fraction_exchanged", "product_fraction", "dopants_per_nc"]
    step = max(1, len(frame) // 12)
    typer.echo(frame[cols].iloc[::step].to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def _simulation_summary(state: Any, notes: list[str]) -> dict[str, Any]:
    from cationx.cooperative.equilibrium import first_crossing

    m = state.model
    per_step = m.constant_units()
    per_host = m.constant_units(per_host=True)
    constants = {}
    for key in ("k1", "k"):
        if key in m.parameters:
            value = float(m.parameters[key])
            constants[key] = {
                "per_step": value, "units_per_step": per_step,
                "per_host_cation": value ** (1.0 / m.host_per_site), "units_per_host_cation": per_host,
            }
    max_doped = state.max_doped_fraction
    two_state = max_doped <= 0.05
    pops = (
        f"two-state: at most {100 * max_doped:.1f}% of NCs partly exchanged at any point"
        if two_state
        else f"passes through intermediates: up to {100 * max_doped:.0f}% of NCs partly exchanged"
    )
    minimum = 0.5 * m.ions_per_host * m.host_cations
    return {
        "stoichiometry": {
            "sites": m.sites, "host_per_site": m.host_per_site, "host_cations_per_nc": m.host_cations,
            "ions_per_host": m.ions_per_host, "ions_per_site": m.ions_per_site,
            "full_exchange_ions_per_nc": m.ions_per_host * m.host_cations,
        },
        "constants": constants,
        "half_exchange": {
            "product_ions_per_nc": first_crossing(state.total_ions_per_nc, state.product_fraction),
            "exchanged_ions_per_nc": first_crossing(state.total_ions_per_nc, state.fraction_exchanged),
            "stoichiometric_minimum": minimum,
        },
        "two_state": two_state,
        "max_doped_fraction": max_doped,
        "populations": pops,
        "notes": notes,
    }


def _parse_sites(sites: str | None) -> list[int] | None:
    from cationx.errors import InputError

    if sites is None:
        return None
    try:
        site_list = [int(s) for s in sites.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--sites must be an integer or a comma-separated list of integers, got {sites!r}") from None
    if not site_list:
        raise InputError("--sites must name at least one integer")
    return site_list


@app.command("fit")
def fit_cmd(
    data: list[Path] = typer.Argument(..., help="CSV/TXT table(s) with a header row; several files are fitted globally with shared parameters."),
    model: str = typer.Option("hill", "--model", help="hill | hill-free | langmuir | white2013 | ladder | nucleation | mwc | lattice | independent"),
    x_col: str = typer.Option("x", "--x-col", help="Column of ions added per NC (total; free for hill-free/langmuir)."),
    y_col: str = typer.Option("y", "--y-col", help="Column of the observed fraction."),
    sigma_col: str | None = typer.Option(None, "--sigma-col", help="Column of per-point standard deviations (weights)."),
    percent: bool = typer.Option(False, "--percent", help="y (and sigma) are in percent: divide by 100."),
    observable: str = typer.Option("product", "--observable", help="Sequential models: what y measures: product (product material, as A(1.82 eV)), exchanged (fully exchanged NCs), unexchanged, host (pristine NCs, as the first-exciton height) or host-material; one per file as a comma list."),
    host_cations: int | None = typer.Option(None, "--host-cations", help=_HOST_HELP + " Fixes n (never scanned) and checks the data against mass balance."),
    diameter_nm: float | None = typer.Option(None, "--diameter-nm", help=_DIAM_HELP),
    material: str = typer.Option("CdSe", "--material", help="CdSe | CdS | CdTe (with --diameter-nm)."),
    phase: str = typer.Option("zincblende", "--phase", help="zincblende | wurtzite (with --diameter-nm)."),
    sites: str | None = typer.Option(None, "--sites", help="Sequential models without a known NC size: n, or a scan like 10,20,40 (lowest AIC wins). Hill: enables the bound-fraction check."),
    host_per_site: int = typer.Option(1, "--host-per-site", help="Host cations per step h (a step takes m h ions, releases h host cations)."),
    ions_per_host: int = typer.Option(2, "--ions-per-host", "--ions-per-site", help="Incoming ions per host cation released m."),
    nc_conc: float | None = typer.Option(None, "--nc-conc", help="NC concentration in M (real units, e.g. 2.4e-6; without a size: 1 = per-NC units)."),
    nc_conc_rel_sd: float = typer.Option(0.0, "--nc-conc-rel-sd", help="Relative uncertainty of the NC concentration (e.g. 0.1): fitted as a nuisance factor with that prior (0: exact)."),
    host_initial: float = typer.Option(0.0, "--host-initial", help="Free host cation before any addition, M."),
    free_l: bool = typer.Option(False, "--free-l", help="mwc: fit log10 L too (default L = alpha^(n/2))."),
    free_amplitude: bool = typer.Option(False, "--free-amplitude", help="Hill: fit the plateau instead of fixing it at 1."),
    ci: str = typer.Option("profile", "--ci", help="Interval method: profile | bootstrap | stderr | none."),
    ci_level: float = typer.Option(0.95, "--ci-level", help="Confidence level of the intervals."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for bootstrap intervals (>= 0)."),
    json_out: bool = typer.Option(False, "--json", help="Print params {name: {value, stderr, ci_low, ci_high}}, r2, aic, bic, converged, warnings as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write data, fit and residuals (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure of data, fit and residuals."),
) -> None:
    """Fit a titration curve (or several, globally); report values, standard errors, intervals, R^2, AIC/BIC.

    Real units: --host-cations N (or --diameter-nm) with --nc-conc fixes n = N/h and checks the
    data against mass balance (the exchanged fraction cannot exceed T/(m N)).  With several
    files the sequential constants are shared (each file keeps its own NC-concentration factor);
    Hill shares n_hill while k_half is fitted per file (suffixes _0, _1, ... in file order).
    Exit code 3 when the fit is not trustworthy (it is still printed, headed by the reasons).
    """
    from cationx._validation import check_choice, check_int
    from cationx.cooperative.equilibrium import OBSERVABLES
    from cationx.cooperative.fits import FIT_MODELS, Titration, fit
    from cationx.errors import InputError
    from cationx.io import read_table, select_columns
    from cationx.io.write import write_csv

    check_choice(model, "--model", FIT_MODELS)
    if seed is not None:
        check_int(seed, "--seed", minimum=0)
    sequential = model not in ("hill", "hill-free", "langmuir")
    observables = [o.strip() for o in observable.split(",")]
    for o in observables:
        check_choice(o, "--observable", OBSERVABLES)
    if len(observables) not in (1, len(data)):
        raise InputError(f"--observable lists {len(observables)} observables for {len(data)} files: give one, or one per file")
    site_list = _parse_sites(sites)
    host, size_note = _host_count(host_cations, diameter_nm, material, phase)
    if host is not None and not sequential:
        raise InputError(f"--host-cations/--diameter-nm apply to the sequential models, not {model} (use --sites for Hill's bound-fraction check)")
    if nc_conc is None:
        if host is not None:
            raise InputError("real units need the NC concentration: give --nc-conc in M (e.g. 2.4e-6)")
        nc_conc = 1.0
    titrations = []
    for k, path in enumerate(data):
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
        obs = observables[k] if len(observables) > 1 else None
        titrations.append(
            Titration.from_arrays(x, y, sigma=sigma, nc_conc_molar=nc_conc, host_initial_molar=host_initial, label=path.name, observable=obs)
        )
    kwargs: dict = {"ci": ci, "ci_level": ci_level, "rng": seed}
    if not sequential:
        if model in ("hill", "hill-free"):
            kwargs["free_amplitude"] = free_amplitude
            if model == "hill" and site_list is not None:
                kwargs["sites"] = site_list[0] * check_int(host_per_site, "host_per_site", minimum=1)
                kwargs["ions_per_site"] = ions_per_host
    else:
        if host is not None and diameter_nm is not None:
            _, host, rounding = _stoichiometry(
                site_list[0] if site_list and len(site_list) == 1 else None, host, host_per_site, True
            )
            size_note = "; ".join([size_note or "", *rounding]).strip("; ")
        if host is None and site_list is None:
            raise InputError(
                "give the NC's size (--host-cations N or --diameter-nm D, real units) or --sites n "
                "(20 is the paper's per-NC preset)"
            )
        kwargs.update(
            sites=(site_list if site_list is None or len(site_list) > 1 else site_list[0]),
            host_cations=host,
            host_per_site=host_per_site,
            observable=observables[0],
            ions_per_host=ions_per_host,
            nc_conc_rel_sd=nc_conc_rel_sd or None,
            free_l=free_l,
        )
    result = fit(titrations[0] if len(titrations) == 1 else titrations, model, **kwargs)
    if size_note:
        from dataclasses import replace

        result = replace(result, notes=(*result.notes, size_note))
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
        for name, c in result.extra.get("constants", {}).items():
            lo_hi = c.get("log10_per_host_cation_ci")
            ci_txt = f" (log10 {lo_hi[0]:.4g} .. {lo_hi[1]:.4g})" if lo_hi else ""
            typer.echo(
                f"constant {name}: {c['per_step']:.4g} {c['units_per_step']} per step = "
                f"{c['per_host_cation']:.4g} {c['units_per_host_cation']} per host cation{ci_txt}"
            )
    exit_if_untrustworthy(result)


@app.command("check")
def check_cmd(
    data: Path = typer.Argument(..., help="CSV/TXT table with a header row: total ions per NC and a measured fraction."),
    x_col: str = typer.Option("x", "--x-col", help="Column of total ions added per NC."),
    y_col: str = typer.Option("y", "--y-col", help="Column of the measured fraction (0..1)."),
    sigma_col: str | None = typer.Option(None, "--sigma-col", help="Column of per-point standard deviations (a violation must exceed 2 sigma)."),
    percent: bool = typer.Option(False, "--percent", help="y (and sigma) are in percent: divide by 100."),
    observable: str = typer.Option("product", "--observable", help="What y measures: product | exchanged | unexchanged | host | host-material."),
    host_cations: float | None = typer.Option(None, "--host-cations", help="Host cations per NC N."),
    diameter_nm: float | None = typer.Option(None, "--diameter-nm", help=_DIAM_HELP),
    material: str = typer.Option("CdSe", "--material", help="CdSe | CdS | CdTe (with --diameter-nm)."),
    phase: str = typer.Option("zincblende", "--phase", help="zincblende | wurtzite (with --diameter-nm)."),
    ions_per_host: int = typer.Option(2, "--ions-per-host", help="Incoming ions per host cation m."),
    host_per_site: int = typer.Option(1, "--host-per-site", help="Host cations per step h (only the host observable uses it)."),
    tolerance: float | None = typer.Option(None, "--tolerance", help="Allowed excess without --sigma-col (default 0.02)."),
    json_out: bool = typer.Option(False, "--json", help="Print the verdict, violations, bound rule and notes as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write the per-point table (CSV): fraction, bound, excess, violation."),
) -> None:
    """Check titration data against mass balance: the exchanged fraction cannot exceed T/(m N).

    Broken mass balance is a finding about the data (NC concentration, sizing or the fraction
    mapping), not an input error: exit code 0, with the verdict and the likely causes.
    """
    from cationx._validation import check_choice
    from cationx.cooperative.equilibrium import OBSERVABLES
    from cationx.cooperative.feasibility import check_feasibility
    from cationx.errors import InputError
    from cationx.io import read_table, select_columns
    from cationx.io.write import write_csv

    check_choice(observable, "--observable", OBSERVABLES)
    if host_cations is not None and diameter_nm is not None:
        raise InputError("give --host-cations or --diameter-nm, not both")
    if host_cations is None and diameter_nm is None:
        raise InputError("give the NC's host cations: --host-cations N or --diameter-nm D")
    if diameter_nm is not None:
        from cationx.spectra.sizing import host_cations_per_nc

        host_cations = host_cations_per_nc(material, diameter_nm, phase=phase)
    frame = read_table(data)
    cols = [x_col, y_col] + ([sigma_col] if sigma_col else [])
    arrays = select_columns(frame, cols, source=data.name)
    y = arrays[1] / 100.0 if percent else arrays[1]
    if not percent and (y.max() > 1.5 or y.min() < -0.5):
        raise InputError(
            f"{data.name}: column {y_col!r} runs from {y.min():.4g} to {y.max():.4g}: fractions must be 0..1 (use --percent for %)"
        )
    sigma = (arrays[2] / 100.0 if percent else arrays[2]) if sigma_col else None
    res = check_feasibility(
        arrays[0], y, host_cations_per_nc=host_cations, ions_per_host=ions_per_host, observable=observable,
        host_per_site=host_per_site, sigma=sigma, tolerance=tolerance,
    )
    out_p = output_path(out, [data])
    if out_p:
        write_csv(out_p, res.to_frame())
    if json_out:
        emit_json(res.to_dict())
        return
    verdict = "consistent with mass balance" if res.feasible else "MASS BALANCE BROKEN"
    typer.echo(
        f"{data.name}: {verdict} ({observable}: {res.to_dict()['bound_rule']}; N = {res.host_cations_per_nc:.4g}, "
        f"m = {res.ions_per_host}, full exchange at {res.ions_per_host * res.host_cations_per_nc:.4g} ions per NC)"
    )
    for note in res.notes:
        typer.echo(f"note: {note}")
    if not math.isfinite(res.min_scale) or res.min_scale > 1:
        typer.echo(f"the ions per NC would have to be >= {res.min_scale:.3g}x the stated values to be feasible")
