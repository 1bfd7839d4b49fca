"""``cationx raman``: band fits across replicate Raman spectra, despiking, phonon-shift strain."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, parse_range, save_figure

app = typer.Typer(
    help="Raman: despiking, baselines, Lorentz/Voigt/pseudo-Voigt bands fitted across replicates, strain.",
    no_args_is_help=True,
)


def _parse_peaks(values: list[str]) -> list[float]:
    from cationx.errors import InputError

    out = []
    for v in values:
        for part in v.replace(";", ",").split(","):
            if part.strip():
                try:
                    out.append(float(part))
                except ValueError:
                    raise InputError(f"--peaks must be numbers in cm-1, got {part.strip()!r}") from None
    if not out:
        raise InputError("--peaks needs at least one band position in cm-1")
    return out


@app.command("fit")
def fit_cmd(
    files: list[Path] = typer.Argument(..., help="Raman exports: Renishaw WiRE .txt (single or X/Y map), Horiba LabSpec .txt, CSV/TXT."),
    peaks: list[str] = typer.Option(..., "--peaks", help="Approximate band centres in cm-1, e.g. '260' or '260,300' (or repeat)."),
    window: str | None = typer.Option(None, "--window", help="Fitted Raman-shift range LO:HI in cm-1 (default: around the bands)."),
    shape: str = typer.Option("lorentz", "--shape", help="Band shape: lorentz | voigt | pvoigt (Lorentzian fraction fitted, shared)."),
    share: str = typer.Option("none", "--share", help="Tie across replicates: width (one FWHM per band) | position (one centre) | none."),
    baseline: str = typer.Option("linear", "--baseline", help="linear (offset+slope fitted in the window) | asls | arpls | modpoly (pybaselines, subtracted) | none."),
    despike_on: bool = typer.Option(False, "--despike", help="Remove cosmic spikes (Whitaker-Hayes modified z-score of the first difference)."),
    spike_threshold: float = typer.Option(6.0, "--spike-threshold", help="Modified z-score cut for --despike."),
    fwhm: float = typer.Option(10.0, "--fwhm", help="Starting FWHM of each band, cm-1."),
    max_shift: float = typer.Option(20.0, "--max-shift", help="Largest distance a centre may move from its --peaks value, cm-1."),
    samples: str = typer.Option("all", "--samples", help="all: every spectrum is a replicate of one sample | file: each file is a sample."),
    reference_cm1: float | None = typer.Option(None, "--reference-cm1", help="Unstrained phonon frequency, cm-1: converts the band shift to a lattice strain."),
    gruneisen: float | None = typer.Option(None, "--gruneisen", help="Mode Grueneisen parameter for --reference-cm1 (default 1.1, LO phonon of Cu2Se, White 2017)."),
    strain_peak: int = typer.Option(0, "--strain-peak", help="Band (0-based, in --peaks order) used for the strain."),
    json_out: bool = typer.Option(False, "--json", help="Print {samples: [...]} with converged, warnings, peaks, summary, spikes, strain as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Directory for raman_peaks.csv, raman_summary.csv, raman_curves.csv, raman_fit.json."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF): data, fit, residuals per spectrum."),
) -> None:
    """Fit bands in replicate spectra at once; report per-spectrum centres/widths (SE) and mean +/- SD.

    A fit with R^2 < 0, a parameter at a bound, a standard error missing or larger than its
    value, or two bands closer than the starting FWHM is NOT trustworthy: the output is headed
    by the reasons (text, JSON 'converged': false and 'warnings'), 'warning:' lines go to
    stderr, and the exit code is 3 (2 = bad input, 0 = trustworthy fit).
    """
    import pandas as pd

    from cationx.errors import InputError
    from cationx.io.raman import read_raman
    from cationx.raman import fit_replicates

    if gruneisen is not None and reference_cm1 is None:
        raise InputError("--gruneisen needs --reference-cm1 (the unstrained phonon frequency)")
    if samples not in ("all", "file"):
        raise InputError(f"--samples must be one of all, file; got {samples!r}")
    out_dir = out
    plot_p = output_path(plot, files)
    centres = _parse_peaks(peaks)
    win = parse_range(window, "--window") if window else None
    per_file = []
    for f in files:
        sset = read_raman(f)
        per_file.append((f.stem, [(f.stem if len(sset) == 1 else f"{f.stem} [{s.label}]", s.x, s.y) for s in sset]))
    if samples == "file":
        groups = per_file
    else:
        groups = [(files[0].stem if len(files) == 1 else "all", [it for _, items in per_file for it in items])]
    results = []
    for name, items in groups:
        results.append(
            fit_replicates(
                [(x, y) for _, x, y in items], centres, labels=[lab for lab, _, _ in items], sample=name,
                window_cm1=win, shape=shape, share=share, baseline=baseline, remove_spikes=despike_on,
                spike_threshold=spike_threshold, fwhm_cm1=fwhm, max_shift_cm1=max_shift,
                reference_cm1=reference_cm1, gruneisen=gruneisen, strain_peak=strain_peak,
            )
        )
    reasons = [f"{r.sample}: {w}" for r in results if not r.converged for w in r.warnings]
    if out_dir is not None:
        from cationx.io.write import guard_not_input, write_csv, write_json

        out_dir.mkdir(parents=True, exist_ok=True)
        targets = {n: guard_not_input(out_dir / n, files) for n in
                   ("raman_peaks.csv", "raman_summary.csv", "raman_curves.csv", "raman_fit.json")}
        write_csv(targets["raman_peaks.csv"], pd.concat([r.peak_table() for r in results], ignore_index=True))
        write_csv(targets["raman_summary.csv"], pd.concat([r.summary_table() for r in results], ignore_index=True))
        curves = [r.curves().assign(sample=r.sample) for r in results]
        write_csv(targets["raman_curves.csv"], pd.concat(curves, ignore_index=True))
        write_json(targets["raman_fit.json"], {"trustworthy": not reasons, "reasons": reasons,
                                               "samples": [r.to_dict() for r in results]})
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.raman import raman_figure

        use_agg()
        save_figure(raman_figure(results), plot_p)
    if json_out:
        emit_json({"converged": all(r.converged for r in results), "trustworthy": not reasons, "reasons": reasons,
                   "samples": [r.to_dict() for r in results]})
    else:
        if reasons:
            typer.echo("NOT TRUSTWORTHY (exit code 3):\n" + "\n".join(f"  - {w}" for w in reasons) + "\n")
        typer.echo("\n\n".join(r.report() for r in results))
    if reasons:
        raise typer.Exit(3)
