"""Titration spectra commands: ``titration analyze``, ``demo``, ``size``, ``spectra inspect``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cationx.cli._common import emit_json, output_path, save_figure
from cationx.io.formats import SPECTRA_FORMATS

titration_app = typer.Typer(
    help="Titration spectra (UV-vis + PL) -> fractions, cooperative fits and a report.",
    no_args_is_help=True,
)
spectra_app = typer.Typer(help="Look at spectrum files: format, excitons, saturated ranges, size.", no_args_is_help=True)


def _summary(analysis: Any) -> dict[str, Any]:
    """The same document as the report's summary.json."""
    return analysis.to_dict()


def _print_summary(analysis: Any, report: Any) -> None:
    s = analysis.sizing
    typer.echo(
        f"{analysis.title}: {len(analysis.labels)} spectra; {s.material} exciton {s.wavelength_nm:.1f} nm -> "
        f"D = {s.diameter_nm:.2f} ± {s.diameter_uncertainty_nm:.2f} nm, {s.host_cations_per_nc:.0f} host cations/NC"
    )
    iso = ", ".join(f"{p.wavelength_nm:.1f} ± {p.uncertainty_nm:.1f} nm" for p in analysis.isosbestic) or "none"
    typer.echo(f"isosbestic points: {iso}; SVD rank {analysis.svd.rank}")
    if analysis.half_exchange_ions_per_nc is not None:
        typer.echo(f"half exchange at {analysis.half_exchange_ions_per_nc:.4g} ions per NC")
    for name, res in analysis.fits.items():
        vals = ", ".join(
            f"{k} = {p.value:.4g}" + (f" [{p.ci_low:.4g}, {p.ci_high:.4g}]" if p.ci_low is not None and p.ci_high is not None else "")
            for k, p in res.params.items()
        )
        typer.echo(f"{name}: {vals}  (R^2 = {res.r2:.4f})")
    for note in analysis.notes:
        typer.echo(f"note: {note}")
    if report is not None:
        typer.echo(f"report: {report.html}")


def _run(toml: Path, out: Path | None, json_out: bool) -> None:
    from cationx.titration import load_description
    from cationx.titration.analysis import analyze_titration

    desc = load_description(toml)
    inputs = [toml, *desc.input_files()]
    out_dir = output_path(out, inputs)
    analysis = analyze_titration(desc)
    report = None
    if out_dir is not None:
        from cationx.io.write import output_folder
        from cationx.report import write_report

        with output_folder(out_dir):  # replaces only files cationx wrote there
            report = write_report(analysis, out_dir, inputs=inputs)
    if json_out:
        payload = _summary(analysis)
        payload["report"] = None if report is None else str(report.html)
        emit_json(payload)
    else:
        _print_summary(analysis, report)
        if report is None:
            typer.echo("(add --out DIR to write the HTML report, CSV tables and PNG figures)")


@titration_app.command("analyze")
def analyze_cmd(
    toml: Path = typer.Argument(..., help="Titration description (TOML); see docs/titration.md."),
    out: Path | None = typer.Option(None, "--out", help="Folder for report.html, CSV tables and PNG figures."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Analyse a titration: corrections, fractions, isosbestic points, SVD rank, cooperative fits."""
    _run(toml, out, json_out)


@titration_app.command("schema")
def schema_cmd() -> None:
    """Print the JSON schema of the titration description file."""
    from cationx.titration import json_schema

    emit_json(json_schema())


def demo(
    out: Path | None = typer.Option(None, "--out", help="Folder for the report (HTML, CSV, PNG)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Analyse the bundled synthetic CdSe + Cu+ titration and write its report (with --out)."""
    import cationx

    toml = Path(cationx.__file__).resolve().parent / "data" / "demo" / "demo.toml"
    _run(toml, out, json_out)


def size(
    material: str = typer.Option(..., "--material", help="CdSe, CdTe or CdS (Yu et al. 2003)."),
    wavelength_nm: float = typer.Option(..., "--wavelength-nm", help="First-exciton wavelength, nm."),
    uncertainty_nm: float = typer.Option(1.0, "--uncertainty-nm", help="Uncertainty of the wavelength, nm."),
    phase: str = typer.Option("zincblende", "--phase", help="zincblende or wurtzite (for cations per NC)."),
    absorbance: float | None = typer.Option(None, "--absorbance", help="Exciton absorbance: gives the NC concentration."),
    path_length_cm: float = typer.Option(1.0, "--path-length-cm", help="Cuvette path length, cm."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Diameter, extinction coefficient and host cations per NC from the first exciton."""
    from cationx.spectra.sizing import size_from_exciton

    s = size_from_exciton(
        material, wavelength_nm, wavelength_uncertainty_nm=uncertainty_nm, phase=phase,
        absorbance=absorbance, path_length_cm=path_length_cm,
    )
    if json_out:
        emit_json(s.to_dict())
        return
    typer.echo(f"{s.material} ({s.phase}), first exciton {s.wavelength_nm:g} ± {s.wavelength_uncertainty_nm:g} nm")
    typer.echo(f"diameter            {s.diameter_nm:.3f} ± {s.diameter_uncertainty_nm:.3f} nm")
    typer.echo(f"extinction          {s.extinction_per_molar_cm:.4g} ± {s.extinction_uncertainty:.2g} M^-1 cm^-1")
    typer.echo(f"host cations per NC {s.host_cations_per_nc:.0f} ± {s.host_cations_uncertainty:.0f}")
    if s.nc_conc_molar is not None:
        typer.echo(f"NC concentration    {s.nc_conc_molar:.4g} ± {s.nc_conc_uncertainty:.2g} M")


def inspect_rows(path: Path, material: str | None, fmt: str | None, reliable_max: float | None) -> tuple[Any, list[dict[str, Any]]]:
    """Format and per-spectrum exciton/saturation rows of one file (the ``inspect`` JSON)."""
    import warnings

    from cationx.errors import InputError
    from cationx.io.spectra import read_spectra
    from cationx.spectra.exciton import find_exciton, saturated_ranges
    from cationx.spectra.sizing import MATERIALS, size_from_exciton

    if material is not None and material not in MATERIALS:
        raise InputError(f"--material must be one of {', '.join(MATERIALS)}; got {material!r}")
    data = read_spectra(path, format=fmt)
    rows = []
    for s in data:
        # the absorbance reliability limit applies to absorbance, or to an unlabelled
        # spectrum whose values could be absorbance (<= 10); never to PL counts
        absorb = s.y_unit == "absorbance" or (s.y_unit == "" and float(s.y.max()) <= 10.0)
        lim = reliable_max if absorb else None
        # a material bounds the exciton on the red side (bulk gap); PL maxima are not excitons
        ex = find_exciton(s.x, s.y, reliable_max=lim, material=material if absorb else None)
        row: dict[str, Any] = {
            "label": s.label,
            "x_unit": s.x_unit,
            "y_unit": s.y_unit or None,
            "x_range": list(s.x_range),
            "points": int(s.x.size),
            "exciton_nm": ex.wavelength_nm,
            "exciton_kind": ex.kind,
            "exciton_height": ex.height,
            "exciton_snr": ex.snr,
            "exciton_reason": ex.reason or None,
            "exciton_rejected": list(ex.rejected),
            "saturated_ranges_nm": [list(r) for r in saturated_ranges(s.x, s.y, reliable_max=lim)],
        }
        sz = None
        if material is not None and ex.found and s.y_unit == "intensity":
            # an emission peak is Stokes-shifted from the absorption exciton the curves use
            row["size_reason"] = "emission spectrum: Yu et al. 2003 size from the absorption exciton"
        elif material is not None and ex.found:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    sz = size_from_exciton(material, ex.wavelength_nm)  # type: ignore[arg-type]
                except InputError as exc:  # e.g. a band beyond the bulk gap: no size for this one
                    row["size_reason"] = str(exc)
        if sz is not None:
            row["size"] = {
                "diameter_nm": sz.diameter_nm,
                "diameter_uncertainty_nm": sz.diameter_uncertainty_nm,
                "extinction_per_molar_cm": sz.extinction_per_molar_cm,
                "host_cations_per_nc": sz.host_cations_per_nc,
                "warning": str(caught[0].message) if caught else None,
            }
        elif material is not None:
            row["size"] = None
        rows.append(row)
    return data, rows


@spectra_app.command("inspect")
def inspect_cmd(
    file: Path = typer.Argument(..., help="Spectrum file (JCAMP-DX, JASCO, Cary, Shimadzu or CSV/TXT)."),
    material: str | None = typer.Option(None, "--material", help="CdSe, CdTe or CdS: also size from the exciton."),
    fmt: str | None = typer.Option(None, "--format", help=f"Force a reader: {', '.join(SPECTRA_FORMATS)}."),
    reliable_max: float = typer.Option(3.0, "--reliable-max", help="Absorbance above which readings count as saturated."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Format detected and, per spectrum: x range, first exciton (peak/shoulder), saturated ranges."""
    from cationx._validation import check_positive

    check_positive(reliable_max, "--reliable-max")
    plot_p = output_path(plot, [file])
    data, rows = inspect_rows(file, material, fmt, reliable_max)
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.spectra import inspect_figure

        use_agg()
        save_figure(inspect_figure(list(data), rows), plot_p)
    if json_out:
        emit_json({"format": data.format, "spectra": rows})
        return
    typer.echo(f"{file.name}: format {data.format}, {len(rows)} spectrum/spectra")
    for r in rows:
        ex = (
            f"exciton {r['exciton_kind']} at {r['exciton_nm']:.2f} nm (height {r['exciton_height']:.4g})"
            if r["exciton_nm"] is not None
            else f"no exciton ({r['exciton_reason']})"
        )
        sat = ", ".join(f"{a:g}-{b:g} nm" for a, b in r["saturated_ranges_nm"]) or "none"
        line = f"  {r['label']}: {r['x_range'][0]:g}-{r['x_range'][1]:g} {r['x_unit']}; {ex}; saturated: {sat}"
        if r.get("size"):
            line += f"; D = {r['size']['diameter_nm']:.2f} nm"
        typer.echo(line)
