"""``cationx ms``: isotope envelopes, composition search and spectrum assignment for clusters."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import (
    check_input_rows,
    emit_json,
    output_path,
    save_figure,
)

app = typer.Typer(
    help=(
        "Mass spectra of clusters: exact aggregated isotope envelopes, composition search, "
        "envelope and exchange-series fits, periodicity (e.g. 32 = S, 248 = Ag2S). "
        "Formulas: Cd34S33(L) with L = oleic acid C18H34O2; ions as [Cd34S33(L)+H]+."
    ),
    no_args_is_help=True,
)


def _load(spectrum: Path, baseline: bool, index: int = 0, command: str = "this command"):
    from cationx.io.massspec import read_spectrum
    from cationx.massspec.spectrum import subtract_baseline

    check_input_rows(spectrum, command)
    sp = read_spectrum(spectrum, index=index)
    check_input_rows(spectrum, command, n_rows=len(sp.mz))
    if baseline:
        sp, _ = subtract_baseline(sp)
    return sp


@app.command("pattern")
def pattern_cmd(
    formula: str = typer.Argument(..., help="Formula or ion, e.g. 'Cd34S33(L)', '[Cd34S33(L)+H]+', 'Ag29S13+'."),
    charge: int | None = typer.Option(None, "--charge", help="Charge z (overrides the formula's); m/z = (M - z m_e)/|z|."),
    coverage: float = typer.Option(1 - 1e-12, "--coverage", help="Probability the reported peaks hold (tails trimmed)."),
    min_abundance: float = typer.Option(0.0, "--min-abundance", help="Only print/JSON peaks at least this abundant (0 = all)."),
    resolving_power: float | None = typer.Option(None, "--resolving-power", help="With --plot/--profile: peak FWHM = m/z / R."),
    fwhm: float | None = typer.Option(None, "--fwhm", help="With --plot/--profile: peak FWHM in Da."),
    json_out: bool = typer.Option(False, "--json", help="Print {average_mass, most_abundant_mz, peaks: [{mz, abundance}], ...}."),
    out: Path | None = typer.Option(None, "--out", help="Write the peak table (CSV)."),
    profile_out: Path | None = typer.Option(None, "--profile", help="Write a profile spectrum (CSV mz,intensity)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Exact aggregated isotope envelope: average mass, most-abundant m/z and the peaks."""
    import pandas as pd

    from cationx._validation import check_nonnegative
    from cationx.io.write import write_csv
    from cationx.massspec import envelope, profile

    env = envelope(formula, charge=charge, coverage=coverage)
    minab = check_nonnegative(min_abundance, "--min-abundance")
    out_p, prof_p, plot_p = output_path(out), output_path(profile_out), output_path(plot)
    if out_p:
        write_csv(out_p, env.to_frame())
    if prof_p or plot_p:
        if resolving_power is None and fwhm is None:
            resolving_power = 10000.0
        mz, inten = profile(env, resolving_power=resolving_power, fwhm_da=fwhm)
        if prof_p:
            write_csv(prof_p, pd.DataFrame({"mz": mz, "intensity": inten}))
        if plot_p:
            from cationx.plot import use_agg
            from cationx.plot.massspec import envelope_figure

            use_agg()
            save_figure(envelope_figure(env, profile=(mz, inten)), plot_p)
    if json_out:
        emit_json(env.to_dict(min_abundance=minab))
        return
    f = env.formula
    typer.echo(f"{f.ion_label()}  (charge {f.charge}; isotope table: {env.to_dict()['isotope_table']})")
    typer.echo(f"average mass        {env.average_mass_da:.4f} u   (average m/z {env.average_mz:.4f})")
    typer.echo(f"most abundant m/z   {env.most_abundant_mz:.4f}   (nominal {env.nominal[env.most_abundant_index]})")
    typer.echo(
        f"monoisotopic mass   {env.monoisotopic_mass_da:.4f} u  (probability {env.monoisotopic_probability:.2e}: "
        "not a useful reference for Cd-rich clusters)"
    )
    typer.echo(f"{env.nominal.size} aggregated peaks covering {env.coverage:.15f} of the probability")
    frame = env.to_frame()
    frame = frame[frame["relative"] >= max(minab / env.abundance.max(), 1e-3)]
    typer.echo(frame.to_string(index=False, formatters={"mass_da": "{:.4f}".format, "mz": "{:.4f}".format, "abundance": "{:.3e}".format, "relative": "{:.4f}".format}))


@app.command("search")
def search_cmd(
    mz: float = typer.Argument(..., help="Target m/z (most intense peak of an envelope)."),
    elements: str = typer.Option(..., "--elements", help="Element count ranges, e.g. Ag:0-40,Cd:0-40,S:0-40."),
    groups: str | None = typer.Option(None, "--groups", help="Group count ranges, e.g. L:0-1 (L = oleic acid)."),
    charge: int = typer.Option(1, "--charge", help="Ion charge z."),
    modes: str = typer.Option("M,+H,-H,+Na", "--modes", help="Ionisation modes: M (odd-electron ion), +H, -H, +Na, +K."),
    tolerance_da: float = typer.Option(1.0, "--tolerance-da", help="Largest |computed - target| of the most-abundant m/z."),
    no_charge_balance: bool = typer.Option(False, "--no-charge-balance", help="Keep candidates whatever their formal charge."),
    max_imbalance: int = typer.Option(2, "--max-imbalance", help="Largest formal-charge mismatch kept (see docs/massspec.md)."),
    spectrum: Path | None = typer.Option(None, "--spectrum", help="Rank by envelope match and series membership in this spectrum."),
    max_results: int = typer.Option(20, "--max-results", help="Number of candidates shown."),
    json_out: bool = typer.Option(False, "--json", help="Print {target_mz, tolerance_da, examined, candidates: [...]}."),
    out: Path | None = typer.Option(None, "--out", help="Write the candidates (CSV)."),
) -> None:
    """Compositions whose most-abundant m/z matches MZ, with a charge-balance filter."""
    from cationx.io.write import write_csv
    from cationx.massspec.search import parse_ranges, search_compositions
    from cationx.massspec.spectrum import pick_peaks

    out_p = output_path(out, [spectrum] if spectrum else [])
    el = parse_ranges(elements, "--elements")
    gr = parse_ranges(groups, "--groups") if groups else None
    sp = None
    peaks = None
    if spectrum is not None:
        sp = _load(spectrum, baseline=True, command="ms search")
        peaks = pick_peaks(sp).mz
    res = search_compositions(
        mz,
        el,
        group_ranges=gr,
        charge=charge,
        modes=[m.strip() for m in modes.split(",") if m.strip()],
        tolerance_da=tolerance_da,
        charge_balance=not no_charge_balance,
        max_imbalance=max_imbalance,
        spectrum=sp,
        peaks_mz=peaks,
        max_results=max_results,
    )
    if out_p:
        write_csv(out_p, res.to_frame())
    if json_out:
        emit_json(res.to_dict())
        return
    typer.echo(f"{len(res.candidates)} candidate(s) within {res.tolerance_da} Da of m/z {res.target_mz} ({res.examined} combinations examined)")
    if res.candidates:
        typer.echo(res.to_frame().to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@app.command("assign")
def assign_cmd(
    spectrum: Path = typer.Argument(..., help="Spectrum: two-column CSV/TXT (m/z, intensity) or mzML."),
    formula: list[str] = typer.Option(..., "--formula", help="Formula to fit (repeat for several), e.g. 'Cd34S33(L)'."),
    charge: int = typer.Option(1, "--charge", help="Ion charge z for formulas without one."),
    fwhm: float | None = typer.Option(None, "--fwhm", help="Starting peak FWHM in Da (default m/z / 10000)."),
    max_shift: float = typer.Option(3.0, "--max-shift", help="Largest calibration offset searched, Da."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Subtract a SNIP baseline first."),
    index: int = typer.Option(0, "--index", help="mzML: which spectrum."),
    json_out: bool = typer.Option(False, "--json", help="Print a list of fits {formula, shift_da, fwhm_da, score, ...}."),
    out: Path | None = typer.Option(None, "--out", help="Write the fitted curves (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure of data and fits."),
) -> None:
    """Fit the envelope of each formula (shift, scale, width) and score the match.

    Each formula is fitted on its own: where envelopes overlap (an exchange series, whose
    members are 4.5 Da apart and ~20 Da wide) the single fits absorb their neighbours and
    shift; fit the family with `cationx ms series` instead.
    """
    import pandas as pd

    from cationx.io.write import write_csv
    from cationx.massspec import parse_formula
    from cationx.massspec.assign import fit_envelope

    out_p = output_path(out, [spectrum])
    plot_p = output_path(plot, [spectrum])
    sp = _load(spectrum, baseline, index, "ms assign")
    fits = []
    for text in formula:
        f = parse_formula(text)
        fits.append(fit_envelope(sp, f if f.charge else f.with_charge(charge), fwhm_da=fwhm, max_shift_da=max_shift))
    if out_p:
        frames = [ft.to_frame().assign(formula=ft.formula.ion_label()) for ft in fits]
        write_csv(out_p, pd.concat(frames, ignore_index=True))
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.massspec import assign_figure

        use_agg()
        save_figure(assign_figure(sp, fits), plot_p)
    if json_out:
        emit_json({"spectrum": str(spectrum), "fits": [ft.to_dict() for ft in fits]})
        return
    for ft in fits:
        d = ft.to_dict()
        typer.echo(
            f"{d['ion']:<28} computed {d['computed_most_abundant_mz']:.3f}  observed {d['observed_most_abundant_mz']:.3f}  "
            f"shift {d['shift_da']:+.3f} Da ({d['shift_ppm']:+.0f} ppm)  fwhm {d['fwhm_da']:.3f}  score {d['score']:.4f}"
        )


@app.command("series")
def series_cmd(
    spectrum: Path = typer.Argument(..., help="Spectrum: two-column CSV/TXT or mzML."),
    family: str = typer.Option(..., "--family", help="Family with counts in x: 'Ag{x}Cd{34-x}S33(L)' or the shorthand 'AgxCd34-xS33(L)'."),
    charge: int = typer.Option(1, "--charge", help="Ion charge z."),
    x_range: str | None = typer.Option(None, "--x-range", help="Members LO-HI (default: all with counts >= 0)."),
    distribution: str = typer.Option("normal", "--distribution", help="normal (mean, sd) | binomial (mean)."),
    shift_da: float | None = typer.Option(None, "--shift-da", help="Fix the calibration offset (recommended: see docs)."),
    fwhm: float | None = typer.Option(None, "--fwhm", help="Starting peak FWHM in Da."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Subtract a SNIP baseline first."),
    ci: str = typer.Option("profile", "--ci", help="Interval method: profile | bootstrap | stderr | none."),
    index: int = typer.Option(0, "--index", help="mzML: which spectrum."),
    json_out: bool = typer.Option(False, "--json", help="Print {mean, mean_ci_low, mean_ci_high, spread, members, ...}."),
    out: Path | None = typer.Option(None, "--out", help="Write member weights (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure of data, fit and weights."),
) -> None:
    """Fit the distribution of x in an exchange series (mean with interval, spread)."""
    from cationx.errors import InputError
    from cationx.io.write import write_csv
    from cationx.massspec.assign import fit_series

    xs = None
    if x_range:
        try:
            lo, hi = (int(v) for v in x_range.split("-"))
        except ValueError:
            raise InputError(f"--x-range must be LO-HI with integers, got {x_range!r}") from None
        if lo < 0 or hi <= lo:
            raise InputError(f"--x-range must satisfy 0 <= LO < HI, got {x_range!r}")
        xs = range(lo, hi + 1)
    out_p = output_path(out, [spectrum])
    plot_p = output_path(plot, [spectrum])
    sp = _load(spectrum, baseline, index, "ms series")
    res = fit_series(sp, family, charge=charge, x_values=xs, distribution=distribution, fwhm_da=fwhm, shift_da=shift_da, ci=ci)
    if out_p:
        write_csv(out_p, res.to_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.massspec import series_figure

        use_agg()
        save_figure(series_figure(res), plot_p)
    if json_out:
        emit_json(res.to_dict())
        return
    lo_ci, hi_ci = res.mean_ci
    ci_txt = f"[{lo_ci:.3f}, {hi_ci:.3f}]" if lo_ci is not None and hi_ci is not None else "n/a"
    typer.echo(f"{family} ({res.distribution}): mean x = {res.mean:.3f}, {round(100 * res.fit.ci_level)}% interval {ci_txt}, spread {res.spread:.3f}")
    typer.echo(f"shift {res.shift_da:+.3f} Da, fwhm {res.fwhm_da:.3f} Da, score {res.score:.4f}")
    frame = res.to_frame()
    typer.echo(frame[frame["weight"] >= 1e-3].to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@app.command("periodicity")
def periodicity_cmd(
    spectrum: Path = typer.Argument(..., help="Spectrum (profile) or, with --peaks, a peak list (m/z, intensity)."),
    peaks_given: bool = typer.Option(False, "--peaks", help="The file is already a peak list."),
    min_spacing: float = typer.Option(20.0, "--min-spacing", help="Smallest spacing considered, m/z."),
    max_spacing: float = typer.Option(400.0, "--max-spacing", help="Largest spacing considered, m/z."),
    tolerance_da: float = typer.Option(1.5, "--tolerance-da", help="Spacing tolerance, m/z."),
    min_height: float = typer.Option(0.02, "--min-height", help="Peak picking: minimum height relative to the maximum."),
    charge: int = typer.Option(1, "--charge", help="Charge used to label spacings with unit formulas."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Subtract a SNIP baseline first (profile spectra)."),
    label_elements: str | None = typer.Option(None, "--label-elements", help="Label each peak with its best composition, e.g. Ag:0-60,S:0-40."),
    json_out: bool = typer.Option(False, "--json", help="Print {spacings: [{spacing, pairs, weight, label, unit_mass}], peaks}."),
    out: Path | None = typer.Option(None, "--out", help="Write the spacings (CSV)."),
) -> None:
    """Recurring spacings between peaks, such as 32 (S) and 248 (Ag2S), with formula labels."""
    from cationx.io.massspec import read_spectrum
    from cationx.io.write import write_csv
    from cationx.massspec.periodicity import find_periodicity
    from cationx.massspec.spectrum import pick_peaks

    out_p = output_path(out, [spectrum])
    if peaks_given:
        sp = read_spectrum(spectrum)
        mz, inten = sp.mz, sp.intensity
    else:
        sp = _load(spectrum, baseline, command="ms periodicity")
        pk = pick_peaks(sp, min_relative_height=min_height, min_distance_da=2.0)
        mz, inten = pk.mz, pk.intensity
    res = find_periodicity(mz, inten, min_spacing=min_spacing, max_spacing=max_spacing, tolerance_da=tolerance_da, charge=charge)
    labels = None
    if label_elements:
        from cationx.massspec.search import label_peaks, parse_ranges

        found = label_peaks(mz, parse_ranges(label_elements, "--label-elements"), charge=charge, tolerance_da=tolerance_da)
        labels = [None if c is None else c.formula for c in found]
    if out_p:
        write_csv(out_p, res.to_frame())
    if json_out:
        peaks = {"mz": mz, "intensity": inten}
        if labels is not None:
            peaks["label"] = labels
        emit_json({**res.to_dict(), "peaks": peaks})
        return
    typer.echo(f"{len(mz)} peaks; recurring spacings (strongest first):")
    if res.spacings:
        typer.echo(res.to_frame().to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if labels is not None:
        typer.echo("peak labels:")
        for m, lab in zip(mz, labels, strict=True):
            typer.echo(f"  {m:10.3f}  {lab or '-'}")


@app.command("peaks")
def peaks_cmd(
    spectrum: Path = typer.Argument(..., help="Spectrum: two-column CSV/TXT or mzML."),
    min_height: float = typer.Option(0.01, "--min-height", help="Minimum height relative to the maximum."),
    min_distance: float = typer.Option(0.3, "--min-distance", help="Minimum distance between peaks, Da."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Subtract a SNIP baseline first."),
    index: int = typer.Option(0, "--index", help="mzML: which spectrum."),
    json_out: bool = typer.Option(False, "--json", help="Print {mz, intensity, prominence, fwhm_da} arrays."),
    out: Path | None = typer.Option(None, "--out", help="Write the peak list (CSV)."),
) -> None:
    """Pick peaks (scipy find_peaks, parabolic centroids) after an optional SNIP baseline."""
    from cationx._validation import check_positive, check_range
    from cationx.io.write import write_csv
    from cationx.massspec.spectrum import pick_peaks

    check_range(min_height, "--min-height", 0.0, 1.0)
    check_positive(min_distance, "--min-distance")
    out_p = output_path(out, [spectrum])
    sp = _load(spectrum, baseline, index, "ms peaks")
    pk = pick_peaks(sp, min_relative_height=min_height, min_distance_da=min_distance)
    if out_p:
        write_csv(out_p, pk.to_frame())
    if json_out:
        emit_json(pk.to_dict())
        return
    typer.echo(f"{len(pk)} peaks")
    if len(pk):
        typer.echo(pk.to_frame().to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@app.command("calibrate")
def calibrate_cmd(
    spectrum: Path = typer.Argument(..., help="Spectrum: two-column CSV/TXT, mzML or JCAMP-DX (read and checked even without --out)."),
    assign: list[str] = typer.Option(..., "--assign", help="OBSERVED=FORMULA, e.g. 5163.6=Cd34S33(L)+ (repeat; >= 3)."),
    order: str = typer.Option("linear", "--order", help="linear | quadratic."),
    index: int = typer.Option(0, "--index", help="mzML / JCAMP-DX: which spectrum (0-based)."),
    json_out: bool = typer.Option(False, "--json", help="Print {order, coefficients, residual_ppm, rms_ppm, fit}."),
    out: Path | None = typer.Option(None, "--out", help="Write the calibrated spectrum (CSV mz,intensity)."),
) -> None:
    """Calibrate m/z from assigned peaks: observed m/z vs the formulas' most-abundant m/z."""
    from cationx.errors import InputError
    from cationx.io.massspec import read_spectrum
    from cationx.io.write import write_csv
    from cationx.massspec import envelope
    from cationx.massspec.spectrum import calibrate

    out_p = output_path(out, [spectrum])
    sp = read_spectrum(spectrum, index=index)  # read (and check) the file before anything else
    observed, reference = [], []
    for item in assign:
        if "=" not in item:
            raise InputError(f"--assign must look like OBSERVED=FORMULA, got {item!r}")
        obs, formula = item.split("=", 1)
        try:
            observed.append(float(obs))
        except ValueError:
            raise InputError(f"--assign: observed m/z must be a number, got {obs!r}") from None
        env = envelope(formula)
        if env.charge == 0:
            raise InputError(f"--assign: give the ion's charge in {formula!r} (e.g. {formula}+)")
        reference.append(env.most_abundant_mz)
    outside = [m for m in observed if not sp.mz[0] <= m <= sp.mz[-1]]
    if outside:
        import warnings

        from cationx.errors import InterpretationWarning

        warnings.warn(f"--assign: observed m/z {', '.join(f'{m:g}' for m in outside)} outside the spectrum's "
                      f"range {sp.mz[0]:g}-{sp.mz[-1]:g}", InterpretationWarning, stacklevel=2)
    cal = calibrate(observed, reference, order=order)
    if out_p:
        write_csv(out_p, cal.apply_spectrum(sp).to_frame())
    if json_out:
        emit_json({**cal.to_dict(), "observed_mz": observed, "reference_mz": reference})
        return
    d = cal.to_dict()
    typer.echo(f"{order} calibration from {len(observed)} peaks: coefficients {', '.join(f'{c:.8g}' for c in cal.coefficients)}")
    typer.echo(f"residuals (ppm): {', '.join(f'{r:+.1f}' for r in cal.residual_ppm)}; rms {d['rms_ppm']:.2f} ppm")
