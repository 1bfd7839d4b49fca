"""``cationx xrd``: simulate powder patterns, refine occupancies, index rings, identify phases."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import check_input_rows, emit_json, output_path, save_figure
from cationx.constants import CU_KALPHA1_ANGSTROM

app = typer.Typer(
    help=(
        "Powder and electron diffraction from (partially occupied) structures. STRUCTURE is a "
        "bundled phase (see 'cationx xrd library'), a CIF or a TOML file."
    ),
    no_args_is_help=True,
)

IDENTIFY_MAX_POINTS = 5_000  # xrd identify fits every candidate to the whole pattern: longer ones are binned


def _binned(measured, max_points: int):
    """Sum groups of k adjacent points so that at most ``max_points`` remain (a named warning).

    Summing (not averaging) keeps counting statistics: the sum of k counts has variance equal to
    itself, so the default weights sqrt(I) stay right; given sigmas add in quadrature.
    """
    import math
    import warnings

    import numpy as np

    from cationx.crystal.pattern import pattern_from_arrays
    from cationx.errors import InterpretationWarning

    n = len(measured)
    if n <= max_points:
        return measured
    k = math.ceil(n / max_points)
    m = n // k
    x = measured.two_theta_deg[: m * k].reshape(m, k).mean(axis=1)
    y = measured.intensity[: m * k].reshape(m, k).sum(axis=1)
    s = None if measured.sigma is None else np.sqrt((measured.sigma[: m * k].reshape(m, k) ** 2).sum(axis=1))
    warnings.warn(
        f"{measured.source}: {n} points summed in groups of {k} to {m} points "
        f"(step {float(np.median(np.diff(x))):.4g} deg) to keep the phase search fast",
        InterpretationWarning,
        stacklevel=2,
    )
    return pattern_from_arrays(x, y, s, wavelength_angstrom=measured.wavelength_angstrom, source=measured.source)

STRUCTURE_HELP = "Bundled phase name (cationx xrd library), a .cif or a .toml file."


def _inputs(*items: object) -> list[Path]:
    return [Path(str(i)) for i in items if i is not None and Path(str(i)).exists()]


@app.command("simulate")
def simulate_cmd(
    structure: str = typer.Argument(..., help=STRUCTURE_HELP),
    size_nm: float | None = typer.Option(None, "--size-nm", help="Scherrer crystallite size L (nm), K = 0.9: about the cube root of the volume (a sphere of diameter D has L = 0.81 D)."),
    wavelength_angstrom: float = typer.Option(CU_KALPHA1_ANGSTROM, "--wavelength-angstrom", help="X-ray wavelength in A (default Cu K-alpha1)."),
    two_theta_range: tuple[float, float] | None = typer.Option(None, "--two-theta-range", help="Range A B in degrees 2-theta (default 10 90; electrons: d from 10 to 0.8 A)."),
    step_deg: float | None = typer.Option(None, "--step-deg", help="Profile step (deg; default 0.02, electrons 0.001)."),
    electron_kv: float | None = typer.Option(None, "--electron-kv", help="Electron diffraction at this voltage (kV): Mott-Bethe factors, ring-profile d^2 factor."),
    no_dispersion: bool = typer.Option(False, "--no-dispersion", help="Switch off anomalous dispersion f', f''."),
    profile: str = typer.Option("pseudo-voigt", "--profile", help="gaussian | lorentzian | pseudo-voigt."),
    instrument_fwhm_deg: float = typer.Option(0.05, "--instrument-fwhm-deg", help="Instrumental FWHM (deg)."),
    kalpha2: bool = typer.Option(False, "--kalpha2", help=f"Add the K-alpha2 line (anode wavelengths only, e.g. {CU_KALPHA1_ANGSTROM})."),
    monochromator_two_theta_deg: float | None = typer.Option(None, "--monochromator-two-theta-deg", help="Monochromator 2-theta for the polarisation factor (graphite for Cu: 26.6)."),
    json_out: bool = typer.Option(False, "--json", help="Print reflections [{h,k,l,multiplicity,d_angstrom,two_theta_deg,intensity}] and the profile arrays."),
    out: Path | None = typer.Option(None, "--out", help="Write the profile (CSV: two_theta_deg, q_inv_angstrom, d_angstrom, intensity)."),
    sticks: Path | None = typer.Option(None, "--sticks", help="Write the reflection list (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Simulate a kinematic powder pattern: reflections (multiplicity, d, 2-theta, intensity) and a profile."""
    from cationx.crystal.library import load_structure
    from cationx.crystal.powder import d_to_two_theta, powder_pattern
    from cationx.io.write import write_csv

    st = load_structure(structure)
    radiation = "xray"
    if electron_kv is not None:
        from cationx.crystal.formfactors import electron_wavelength_angstrom

        radiation = "electron"
        wavelength_angstrom = electron_wavelength_angstrom(electron_kv)
        if two_theta_range is None:
            two_theta_range = (float(d_to_two_theta(10.0, wavelength_angstrom)), float(d_to_two_theta(0.8, wavelength_angstrom)))
        step_deg = 0.001 if step_deg is None else step_deg
    two_theta_range = two_theta_range or (10.0, 90.0)
    step_deg = 0.02 if step_deg is None else step_deg
    pat = powder_pattern(
        st,
        wavelength_angstrom=wavelength_angstrom,
        two_theta_range_deg=two_theta_range,
        step_deg=step_deg,
        radiation=radiation,
        size_nm=size_nm,
        profile=profile,
        instrument_fwhm_deg=instrument_fwhm_deg,
        kalpha2=kalpha2,
        dispersion=not no_dispersion,
        monochromator_two_theta_deg=monochromator_two_theta_deg,
    )
    ins = _inputs(structure)
    out_p, sticks_p, plot_p = output_path(out, ins), output_path(sticks, ins), output_path(plot, ins)
    if out_p:
        write_csv(out_p, pat.to_frame())
    if sticks_p:
        write_csv(sticks_p, pat.reflections.to_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.crystal import pattern_figure

        use_agg()
        save_figure(pattern_figure(pat), plot_p)
    if json_out:
        emit_json(pat.to_dict())
        return
    frame = pat.reflections.to_frame()
    frame = frame[frame["intensity"] >= 0.5]
    typer.echo(
        f"{st.name} ({st.spacegroup}, a = {st.cell[0]:g} A): {len(pat.reflections)} reflections in "
        f"{two_theta_range[0]:.4g}-{two_theta_range[1]:.4g} deg at {pat.wavelength_angstrom:.5g} A; "
        + (f"electrons at {electron_kv:g} kV" if electron_kv is not None else f"dispersion {'off' if no_dispersion else 'on'}")
    )
    cols = ["h", "k", "l", "multiplicity", "d_angstrom", "two_theta_deg", "intensity"]
    typer.echo(frame[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))


def _parse_composition(items: list[str]) -> dict[str, float]:
    from cationx.errors import InputError

    out = {}
    for item in items:
        key, sep, val = item.partition("=")
        try:
            out[key.strip()] = float(val)
        except ValueError:
            raise InputError(f"--composition must look like Cu=8, got {item!r}") from None
        if not sep:
            raise InputError(f"--composition must look like Cu=8, got {item!r}")
    return out


@app.command("refine")
def refine_cmd(
    pattern: Path = typer.Argument(..., help="Measured pattern: .xy, .xye, .csv or Rigaku .ras."),
    scan: int | None = typer.Option(None, "--scan", help="Rigaku .ras holding several scans: which one (0-based); "
                                    "without it such a file is an error listing the scans."),
    structure: str = typer.Argument(..., help=STRUCTURE_HELP),
    occupancy: list[str] = typer.Option([], "--occupancy", help="Site label whose occupancy is refined (repeat)."),
    composition: list[str] = typer.Option([], "--composition", help="Atoms per cell kept fixed, e.g. Cu=8 (repeat per element)."),
    size_nm: float = typer.Option(5.0, "--size-nm", help="Starting (or fixed, with --fix-size) crystallite size (nm)."),
    fix_size: bool = typer.Option(False, "--fix-size", help="Keep the size fixed."),
    fix_cell: bool = typer.Option(False, "--fix-cell", help="Keep the cell fixed."),
    refine_zero: bool = typer.Option(False, "--refine-zero", help="Refine a 2-theta zero shift."),
    refine_b: bool = typer.Option(False, "--refine-b", help="Refine an overall B added to every site."),
    background_terms: int = typer.Option(3, "--background-terms", help="Chebyshev background terms."),
    two_theta_range: tuple[float, float] | None = typer.Option(None, "--two-theta-range", help="Fit only A B (deg)."),
    wavelength_angstrom: float | None = typer.Option(None, "--wavelength-angstrom", help=f"Wavelength in A (default: from the file, else {CU_KALPHA1_ANGSTROM})."),
    kalpha2: bool = typer.Option(False, "--kalpha2", help="Include K-alpha2."),
    no_dispersion: bool = typer.Option(False, "--no-dispersion", help="Switch off anomalous dispersion."),
    instrument_fwhm_deg: float = typer.Option(0.05, "--instrument-fwhm-deg", help="Instrumental FWHM (deg)."),
    json_out: bool = typer.Option(False, "--json", help="Print params, occupancies, Rwp, GoF and the curves as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write observed, calculated, background, difference (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the refinement figure."),
) -> None:
    """Refine occupancies, scale, background, size and cell against a measured pattern (Rwp, difference curve)."""
    from cationx.crystal.library import load_structure
    from cationx.crystal.refine import refine_pattern
    from cationx.io.write import write_csv
    from cationx.io.xrd import read_pattern

    check_input_rows(pattern, "xrd refine")
    measured = read_pattern(pattern, scan=scan)
    st = load_structure(structure)
    res = refine_pattern(
        measured,
        st,
        occupancies=occupancy,
        composition=_parse_composition(composition) or None,
        refine_size=not fix_size,
        size_nm=size_nm,
        refine_cell=not fix_cell,
        refine_zero=refine_zero,
        refine_b_overall=refine_b,
        background_terms=background_terms,
        wavelength_angstrom=wavelength_angstrom,
        kalpha2=kalpha2,
        dispersion=not no_dispersion,
        instrument_fwhm_deg=instrument_fwhm_deg,
        two_theta_range_deg=two_theta_range,
    )
    ins = _inputs(pattern, structure)
    out_p, plot_p = output_path(out, ins), output_path(plot, ins)
    if out_p:
        write_csv(out_p, res.to_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.crystal import refinement_figure

        use_agg()
        save_figure(refinement_figure(res, title=f"{st.name}: Rwp = {res.rwp_percent:.2f} %"), plot_p)
    if json_out:
        emit_json(res.to_dict())
        return
    typer.echo(res.report())
    typer.echo("occupancies: " + ", ".join(f"{k} {v:.4f}" for k, v in res.occupancies().items()))


@app.command("index")
def index_cmd(
    spacings: list[str] = typer.Argument(None, help="Measured d-spacings in A (space- or comma-separated)."),
    d_flag: bool = typer.Option(False, "--d", help="Optional marker before the spacings: --d 3.57 2.55 2.17."),
    au111: float | None = typer.Option(None, "--au111", help="d of the Au(111) ring measured under the same conditions (calibration)."),
    elements: str | None = typer.Option(None, "--elements", help="Only candidates made of these elements, e.g. Cd,Se,Cu."),
    candidate: list[str] = typer.Option([], "--candidate", help="Candidate phase (name, CIF or TOML; repeat). Default: the library."),
    tolerance_percent: float = typer.Option(2.5, "--tolerance-percent", help="Largest relative d error for a match."),
    json_out: bool = typer.Option(False, "--json", help="Print match (null if none), verdict, reason, warnings, the ranking and hkl assignments as JSON."),
) -> None:
    """Rank candidate phases for measured d-spacings (rings or peaks) and assign hkl.

    The top phase is reported as a match only if it assigns at least one spacing within
    tolerance and its score is > 0; otherwise the output says "no match" with the reason
    (exit code 0: a finding).
    """
    from cationx.crystal.index import index_d_spacings
    from cationx.errors import InputError

    values: list[float] = []
    for item in spacings or []:
        for part in item.replace(",", " ").split():
            try:
                values.append(float(part))
            except ValueError:
                raise InputError(f"d-spacings must be numbers, got {part!r}") from None
    if not values:
        raise InputError("give at least one d-spacing, e.g. cationx xrd index --d 3.57 2.55 2.17")
    res = index_d_spacings(
        values,
        candidates=candidate or None,
        tolerance_percent=tolerance_percent,
        au111_measured_angstrom=au111,
        elements=[e for e in elements.split(",") if e.strip()] if elements else None,
    )
    if json_out:
        emit_json(res.to_dict())
        return
    if au111 is not None:
        typer.echo(f"calibration factor {res.calibration_factor:.5f} (Au(111) {au111:g} A measured)")
    typer.echo(res.to_frame().to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if res.match is None:
        typer.echo(f"\nno match: {res.reason}")
        return
    typer.echo(f"\nmatch: {res.match.phase}")
    for w in res.warnings:
        typer.echo(f"caution: {w}")
    typer.echo(res.assignments_frame().to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@app.command("identify")
def identify_cmd(
    pattern: Path = typer.Argument(..., help="Measured pattern: .xy, .xye, .csv or Rigaku .ras."),
    scan: int | None = typer.Option(None, "--scan", help="Rigaku .ras holding several scans: which one (0-based); "
                                    "without it such a file is an error listing the scans."),
    candidate: list[str] = typer.Option([], "--candidate", help="Candidate phase (name, CIF or TOML; repeat). Default: the library. Files are labelled by file name."),
    elements: str | None = typer.Option(None, "--elements", help="Only candidates made of these elements, e.g. Cd,Se,Cu."),
    max_phases: int = typer.Option(3, "--max-phases", help="Largest number of phases in the mixture."),
    wavelength_angstrom: float | None = typer.Option(None, "--wavelength-angstrom", help=f"Wavelength in A (default: from the file, else {CU_KALPHA1_ANGSTROM})."),
    instrument_fwhm_deg: float = typer.Option(0.05, "--instrument-fwhm-deg", help="Instrumental FWHM (deg)."),
    no_zero_shift: bool = typer.Option(False, "--no-zero-shift", help="Do not refine the 2-theta zero shift (default: refined within +/- 0.3 deg)."),
    json_out: bool = typer.Option(False, "--json", help="Print match (null if none fits), verdict, reason, warnings, the ranking with its evidence, phase fractions and curves as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write observed and calculated curves (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the fit figure."),
) -> None:
    """Match a measured pattern against the library (and user CIFs) and estimate phase fractions.

    A candidate is a match only if its scale is > 0, it lowers Rwp by >= 10 % below the
    background-only Rwp, at least half of its strong lines meet an observed peak and no
    refined parameter sits at a bound.  When none matches the output says "no candidate
    fits" with the evidence and gives no phase fractions (exit code 0: a finding).
    """
    import pandas as pd

    from cationx._validation import check_magnitude, check_range, warn_negative
    from cationx.crystal.identify import identify_phases
    from cationx.io.write import write_csv
    from cationx.io.xrd import read_pattern

    check_range(instrument_fwhm_deg, "--instrument-fwhm-deg", 1e-4, 10.0)
    ins = _inputs(pattern, *candidate)
    out_p, plot_p = output_path(out, ins), output_path(plot, ins)
    check_input_rows(pattern, "xrd identify")
    measured = _binned(read_pattern(pattern, scan=scan), IDENTIFY_MAX_POINTS)
    check_magnitude(measured.intensity, f"{pattern}: intensities")
    warn_negative(measured.intensity, f"{pattern}: intensities")
    res = identify_phases(
        measured,
        candidates=candidate or None,
        elements=[e for e in elements.split(",") if e.strip()] if elements else None,
        max_phases=max_phases,
        wavelength_angstrom=wavelength_angstrom,
        instrument_fwhm_deg=instrument_fwhm_deg,
        refine_zero=not no_zero_shift,
    )
    if out_p:
        write_csv(out_p, pd.DataFrame({"two_theta_deg": res.two_theta_deg, "observed": res.observed, "calculated": res.calculated}))
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.crystal import refinement_figure

        use_agg()
        names = " + ".join(p.phase for p in res.phases) or "no candidate fits (background only)"
        save_figure(refinement_figure(res, title=f"{names}: Rwp = {res.rwp_percent:.2f} %"), plot_p)
    if json_out:
        emit_json(res.to_dict())
        return
    cols = ["phase", "match", "rwp_percent", "scale", "lines_matched", "lines_predicted", "size_nm", "a_angstrom", "zero_shift_deg", "reasons"]
    frame = res.to_frame()
    typer.echo(f"single-phase ranking (background alone: Rwp = {res.rwp_background_percent:.2f} %; {res.n_observed_peaks} observed peaks):")
    typer.echo(frame[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if res.match is None:
        typer.echo(f"\n{res.reason}")
        typer.echo("no phase fractions: no candidate phase fits this pattern")
        return
    typer.echo(f"\n{res.verdict}; mixture Rwp = {res.rwp_percent:.2f} % (background alone {res.rwp_background_percent:.2f} %):")
    typer.echo(res.fractions_frame().to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for w in res.warnings:
        typer.echo(f"caution: {w}")


@app.command("series")
def series_cmd(
    start: str = typer.Argument(..., help="First structure of the series (" + STRUCTURE_HELP + ")"),
    end: str = typer.Argument(..., help="Last structure: same space group and site labels, other occupancies."),
    steps: int = typer.Option(3, "--steps", min=2, max=200, help="Number of structures from START to END (2-200)."),
    size_nm: float | None = typer.Option(None, "--size-nm", help="Scherrer crystallite size L (nm), K = 0.9: about the cube root of the volume (a sphere of diameter D has L = 0.81 D)."),
    wavelength_angstrom: float = typer.Option(CU_KALPHA1_ANGSTROM, "--wavelength-angstrom", help="X-ray wavelength in A."),
    two_theta_range: tuple[float, float] = typer.Option((15.0, 65.0), "--two-theta-range", help="Range A B (deg)."),
    no_dispersion: bool = typer.Option(False, "--no-dispersion", help="Switch off anomalous dispersion."),
    json_out: bool = typer.Option(False, "--json", help="Print each step's occupancies and reflections as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write the profiles, one column per step (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the stacked patterns (001 Fig. 4c/d style)."),
) -> None:
    """Patterns of an occupancy series interpolated between two structures (001 Tables 3-4)."""
    import pandas as pd

    from cationx.crystal.library import load_structure
    from cationx.crystal.powder import powder_pattern
    from cationx.crystal.refine import occupancy_series
    from cationx.io.write import write_csv

    series = occupancy_series(load_structure(start), load_structure(end), steps)
    pats = [
        powder_pattern(s, size_nm=size_nm, wavelength_angstrom=wavelength_angstrom, two_theta_range_deg=two_theta_range, dispersion=not no_dispersion)
        for s in series
    ]
    ins = _inputs(start, end)
    out_p, plot_p = output_path(out, ins), output_path(plot, ins)
    if out_p:
        frame = pd.DataFrame({"two_theta_deg": pats[0].two_theta_deg})
        for s, p in zip(series, pats, strict=True):
            frame[s.name] = p.intensity
        write_csv(out_p, frame)
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.crystal import patterns_figure

        use_agg()
        labels = [", ".join(f"{x.label} {x.occupancy:.4g}" for x in s.sites if x.element != s.sites[0].element) for s in series]
        save_figure(patterns_figure(pats, labels, title=f"{start} -> {end}"), plot_p)
    steps_out = [
        {"name": s.name, "occupancies": {x.label: x.occupancy for x in s.sites}, "composition": s.composition(), **p.reflections.to_dict()}
        for s, p in zip(series, pats, strict=True)
    ]
    if json_out:
        emit_json({"steps": steps_out, "two_theta_deg": pats[0].two_theta_deg, "intensity": [p.intensity for p in pats]})
        return
    for step in steps_out:
        occ = ", ".join(f"{k} {v:.4g}" for k, v in step["occupancies"].items())
        strong = sorted(step["reflections"], key=lambda r: -r["intensity"])[:4]
        peaks = "; ".join(f"({r['h']} {r['k']} {r['l']}) {r['intensity']:.1f}" for r in strong)
        typer.echo(f"{step['name']}: {occ} | strongest: {peaks}")


@app.command("library")
def library_cmd(
    json_out: bool = typer.Option(False, "--json", help="Print the phases as a JSON list."),
) -> None:
    """List the bundled phases with space group, cell and source."""
    from cationx.crystal.library import library_table

    frame = library_table()
    if json_out:
        emit_json({"phases": frame.to_dict(orient="records")})
        return
    typer.echo(frame[["name", "spacegroup", "a", "c", "cell_only", "description"]].to_string(index=False))


# Debye-equation commands (cationx.cli.xrd_debye) share the xrd group
from cationx.cli import xrd_debye  # noqa: E402

app.command("debye")(xrd_debye.debye)
app.command("build")(xrd_debye.build)
