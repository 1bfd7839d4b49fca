"""``cationx dsc``: transitions of DSC runs (onset, peak, endset, enthalpy, hysteresis)."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, parse_range, save_figure
from cationx.io.formats import DSC_FORMATS

app = typer.Typer(
    help="DSC: heating/cooling segments, ISO 11357 onsets, sigmoidal baselines, enthalpies, hysteresis.",
    no_args_is_help=True,
)


@app.command("analyze")
def analyze_cmd(
    file: Path = typer.Argument(..., help="DSC text export: TA Instruments (Sig/StartOfData), Netzsch (##, ';'), Mettler STARe (Index t Ts Tr Value), CSV."),
    mass_mg: float | None = typer.Option(None, "--mass-mg", help="Sample mass in mg (overrides the file's) for J/g from a signal in mW."),
    exo_up: bool | None = typer.Option(None, "--exo-up/--endo-up", help="Sign convention of the file's heat flow (default: the file's statement, else exo up)."),
    t_range: str | None = typer.Option(None, "--range", help="Analyse only temperatures A:B in °C."),
    rate_k_min: float | None = typer.Option(None, "--rate-k-min", help="Scan rate for files without a time column (turns K-integrals into J)."),
    max_peaks: int = typer.Option(3, "--max-peaks", help="Largest number of transitions reported per segment."),
    fmt: str | None = typer.Option(None, "--format", help=f"Force the reader: {' | '.join(DSC_FORMATS)}."),
    json_out: bool = typer.Option(False, "--json", help="Print segments, transitions, hysteresis, units and conventions as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Directory for dsc_transitions.csv, dsc_curves.csv, dsc.json."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Split a run into heating/cooling segments and report each transition.

    Onset: ISO 11357-1 extrapolated onset (the baseline under the peak x tangent at the
    leading-edge inflection). Baseline: sigmoidal (tangential area-proportional) between lines
    fitted before and after each peak. Enthalpy: integral over time, positive = endothermic;
    J/g with a mass (or a per-mass signal), else mJ. Onset, peak, endset and enthalpy carry a
    standard uncertainty from the signal noise (± in the text, *_sd in JSON/CSV).

    Exit codes: 0 = analysed (also "no transition found" when heating/cooling segments were
    searched), 2 = bad input, 3 = nothing could be searched (no heating/cooling segment of
    30 points or more): the output is headed by the reason.
    """
    from cationx.dsc import analyze_dsc
    from cationx.errors import InputError
    from cationx.io.dsc import read_dsc

    plot_p = output_path(plot, [file])
    if mass_mg is not None and not mass_mg > 0:
        raise InputError(f"--mass-mg must be a positive mass in mg, got {mass_mg:g}")
    if fmt is not None and fmt not in DSC_FORMATS:
        raise InputError(f"--format must be one of {', '.join(DSC_FORMATS)}; got {fmt!r}")
    rng = parse_range(t_range, "--range") if t_range else None
    data = read_dsc(file, format=fmt)
    notes = list(data.notes)
    mass = mass_mg if mass_mg is not None else data.mass_mg
    if mass_mg is not None and data.mass_mg is not None and mass_mg != data.mass_mg:
        notes.append(f"--mass-mg {mass_mg:g} used instead of the file's {data.mass_mg:g} mg")
    res = analyze_dsc(
        data.temperature_c, data.heat_flow, time_s=data.time_s, heat_flow_unit=data.heat_flow_unit, mass_mg=mass,
        exo_up=exo_up, exo_up_in_file=data.exo_up, temperature_range_c=rng, rate_k_min=rate_k_min,
        max_peaks=max_peaks, source=str(file), notes=notes,
    )
    if out is not None:
        from cationx.io.write import guard_not_input, write_csv, write_json

        out.mkdir(parents=True, exist_ok=True)
        write_csv(guard_not_input(out / "dsc_transitions.csv", [file]), res.transition_table())
        write_csv(guard_not_input(out / "dsc_curves.csv", [file]), res.curves())
        write_json(guard_not_input(out / "dsc.json", [file]), {"file": data.to_dict(), **res.to_dict()})
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.dsc import dsc_figure

        use_agg()
        save_figure(dsc_figure(res, title=file.name), plot_p)
    if json_out:
        emit_json({"file": data.to_dict(), **res.to_dict()})
    else:
        typer.echo(f"{file.name}: {data.format} export, {data.temperature_c.size} points, heat flow in {data.heat_flow_unit}"
                   + (f", mass {mass:g} mg" if mass else ""))
        typer.echo(res.report())
    if res.unsound:
        raise typer.Exit(3)
