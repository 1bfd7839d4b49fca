"""``cationx xps``: fit XPS regions (backgrounds, doublets) and assign Cu oxidation states."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import (
    FIT_MAX_ROWS,
    check_input_rows,
    emit_json,
    exit_if_untrustworthy,
    output_path,
    parse_range,
    save_figure,
)

app = typer.Typer(
    help="XPS: Shirley/linear/Tougaard backgrounds, GL/Voigt lines, spin-orbit doublets, Cu Auger parameter.",
    no_args_is_help=True,
)

COMPONENTS_HELP = (
    "Components 'NAME:KIND@CENTER[,key=value...]' separated by ';' (or repeat the option). "
    "KIND: s | p | d | f (doublets need split=) or a core level ag3d | cd3d | cu2p | s2p | se3d. "
    "Keys: split (eV), ratio (partner/main area), fwhm, shape (gl|sgl|voigt|gauss|lorentz), "
    "lor (Lorentzian fraction, default 0.3), window (eV), fix=center. "
    "Example: 'msc:ag3d@368.9; ag2s:ag3d@366.3'."
)


@app.command("fit")
def fit_cmd(
    spectrum: Path = typer.Argument(..., help="VAMAS (.vms) or CSV/TXT table with a header row."),
    components: list[str] = typer.Option(..., "--components", help=COMPONENTS_HELP),
    background: str = typer.Option("shirley", "--background", help="shirley | linear | tougaard | none"),
    be_range: str | None = typer.Option(None, "--range", help="Binding-energy window LO:HI in eV (default: all)."),
    x_col: str = typer.Option("binding_energy_ev", "--x-col", help="CSV: column of binding energies, eV."),
    y_col: str = typer.Option("intensity", "--y-col", help="CSV: column of intensities."),
    block: str | None = typer.Option(None, "--block", help="VAMAS block / Scienta region: index (0-based) or name "
                                     "('C 1s'); required when the file holds several (see `cationx xps blocks`)."),
    work_function: str = typer.Option("ignore", "--work-function", help="Kinetic-energy files: BE = hv - KE - phi with "
                                      "phi = 0 ('ignore', default: exports are Fermi-referenced), the stored value "
                                      "('file') or a number in eV."),
    n_avg: int = typer.Option(3, "--n-avg", help="Points averaged at each end for the background end levels."),
    fallback: str | None = typer.Option(None, "--fallback", help="Background used if the Shirley iteration diverges: linear | tougaard | none (named in the output). Default: a diverged Shirley is an error."),
    ci: str = typer.Option("stderr", "--ci", help="Interval method: stderr | profile | bootstrap | none."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed for bootstrap intervals."),
    json_out: bool = typer.Option(False, "--json", help="Print converged, warnings, background {method, converged, iterations, fallback}, params, lines (center, fwhm, height, area), r2, aic, bic as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write data, background, fit and components (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Fit singlets and spin-orbit doublets (fixed splitting and area ratio, shared width) on a background.

    The first line says "fit converged" only when the background converged, r^2 >= 0 and no
    component collapsed (height 0, FWHM at a bound or below two grid steps, centre at the edge
    of its window, left at its start values); otherwise "FIT NOT TRUSTWORTHY" with the reasons
    (exit code 3: computed but not trustworthy). A diverged Shirley background is an error (exit 2) naming the
    end level that lies above the data and a plateau --range, unless --fallback is given.
    """
    from cationx.io.write import write_csv
    from cationx.io.xps import read_spectrum
    from cationx.xps import fit_spectrum, parse_components

    out_p = output_path(out, [spectrum])
    plot_p = output_path(plot, [spectrum])
    comps = parse_components(components)
    rng = parse_range(be_range, "--range") if be_range else None
    check_input_rows(spectrum, "xps fit", limit=FIT_MAX_ROWS)
    spec = read_spectrum(spectrum, x_col=x_col, y_col=y_col, block=block, work_function=work_function)
    result = fit_spectrum(spec.binding_energy_ev, spec.intensity, comps, background=background, be_range=rng,
                          n_avg=n_avg, ci=ci, rng=seed, fallback=fallback)
    if out_p:
        write_csv(out_p, result.curves())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.xps import xps_figure

        use_agg()
        save_figure(xps_figure(result, title=spec.label), plot_p)
    if json_out:
        emit_json(result.to_dict())
    else:
        typer.echo(result.report())
    exit_if_untrustworthy(result)


@app.command("blocks")
def blocks_cmd(
    spectrum: Path = typer.Argument(..., help="VAMAS (.vms/.npl), Scienta .txt or CSV/TXT table."),
    json_out: bool = typer.Option(False, "--json", help="Print the blocks (index, name, points, file abscissa and binding-energy range) as JSON."),
) -> None:
    """List the blocks (VAMAS) or regions (Scienta) of a file, for `--block`.

    A VAMAS block with several corresponding variables is read with the first as the intensity.
    """
    from cationx.io.xps import list_blocks

    rows = list_blocks(spectrum)
    if json_out:
        emit_json({"file": str(spectrum), "blocks": rows})
        return
    for r in rows:
        variables = r.get("variables") or []
        note = f"  (intensity = {variables[0]!r} of {', '.join(map(repr, variables))})" if len(variables) > 1 else ""
        be = (f"BE {r['binding_energy_min']:g} to {r['binding_energy_max']:g} eV"
              if r.get("binding_energy_min") is not None else "BE unknown")
        typer.echo(f"{r['index']:>3}  {r['name']:<12} {r['points']:>6} points  {be}  "
                   f"(file: {r['abscissa']} {r['abscissa_min']:g} to {r['abscissa_max']:g}){note}")


@app.command("auger")
def auger_cmd(
    be: float = typer.Option(..., "--be", help="Cu 2p3/2 binding energy, eV."),
    ke: float = typer.Option(..., "--ke", help="Cu LMM kinetic energy, eV."),
    tolerance: float = typer.Option(0.6, "--tolerance-ev", help="Largest distance to a reference (Wagner plane) for an assignment."),
    json_out: bool = typer.Option(False, "--json", help="Print alpha', the assignment and the references as JSON."),
) -> None:
    """Modified Auger parameter alpha' = BE(2p3/2) + KE(LMM) and the nearest Cu reference."""
    from cationx.xps import assign_copper_state

    res = assign_copper_state(be, ke, tolerance_ev=tolerance)
    if json_out:
        emit_json(res.to_dict())
        return
    d = res.to_dict()
    typer.echo(f"alpha' = {d['alpha_prime_ev']:.2f} eV; state: {d['state'] or 'unassigned'} "
               f"(nearest {d['nearest_compound']}, {d['distance_ev']:.2f} eV away in the Wagner plane)")
    typer.echo(res.to_frame().to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    typer.echo(f"references: {d['reference_source']}")


@app.command("levels")
def levels_cmd(json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Core-level presets usable as component KIND: orbital, splitting and area ratio."""
    from cationx.xps import AREA_RATIOS, CORE_LEVELS

    rows = {k: {"orbital": o, "split_ev": s, "area_ratio": AREA_RATIOS[o]} for k, (o, s) in CORE_LEVELS.items()}
    if json_out:
        emit_json(rows)
    else:
        for k, r in rows.items():
            typer.echo(f"{k:<6} {r['orbital']}  split {r['split_ev']:.2f} eV  area ratio {r['area_ratio']:.4g}")
