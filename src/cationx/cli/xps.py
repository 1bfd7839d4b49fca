"""``cationx xps``: fit XPS regions (backgrounds, doublets) and assign Cu oxidation states."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import (
    FIT_MAX_ROWS,
    check_input_rows,
    emit_json,
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
    block: int = typer.Option(0, "--block", help="VAMAS: block number (0-based)."),
    n_avg: int = typer.Option(3, "--n-avg", help="Points averaged at each end for the background end levels."),
    ci: str = typer.Option("stderr", "--ci", help="Interval method: stderr | profile | bootstrap | none."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed for bootstrap intervals."),
    json_out: bool = typer.Option(False, "--json", help="Print params, lines (center, fwhm, height, area), r2, aic, bic as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write data, background, fit and components (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Fit singlets and spin-orbit doublets (fixed splitting and area ratio, shared width) on a background."""
    from cationx.io.write import write_csv
    from cationx.xps import fit_spectrum, parse_components, read_spectrum

    out_p = output_path(out, [spectrum])
    plot_p = output_path(plot, [spectrum])
    comps = parse_components(components)
    rng = parse_range(be_range, "--range") if be_range else None
    check_input_rows(spectrum, "xps fit", limit=FIT_MAX_ROWS)
    spec = read_spectrum(spectrum, x_col=x_col, y_col=y_col, block=block)
    result = fit_spectrum(spec.binding_energy_ev, spec.intensity, comps, background=background, be_range=rng,
                          n_avg=n_avg, ci=ci, rng=seed)
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
