"""``cationx tem``: particle sizes and lattice fringes from (S)TEM micrographs."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, parse_range, save_figure

app = typer.Typer(
    help=(
        "(S)TEM micrographs: particle size distributions (threshold, watershed, Feret, lognormal) "
        "and lattice-fringe d-spacings from the power spectrum (harmonics, superstructure flags). "
        "Reads TIFF (pixel size from ImageJ, FEI/Thermo, Zeiss or resolution tags), DM3/DM4 "
        "(needs cationx[microscopy-dm]) and PNG/JPEG (give --pixel-nm)."
    ),
    no_args_is_help=True,
)

PIXEL_HELP = "Pixel size in nm; overrides the file's calibration (required if the file has none)."


def _pixel(value: float | None) -> float | None:
    from cationx._validation import check_positive

    return None if value is None else check_positive(value, "--pixel-nm")


def _guarded(folder: Path, name: str, inputs: list[Path]) -> Path:
    return output_path(folder / name, inputs)  # type: ignore[return-value]


@app.command("info")
def info_cmd(
    images: list[Path] = typer.Argument(..., help="One or more micrographs (TIFF, DM3/DM4, PNG, JPEG)."),
    pixel_nm: float | None = typer.Option(None, "--pixel-nm", help=PIXEL_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print path, shape, dtype, pixel_nm, pixel_source and warnings per image as JSON."),
) -> None:
    """Show what cationx reads from each image: size, pixel type, pixel size and where it came from."""
    from cationx.io.micrograph import read_micrograph

    px = _pixel(pixel_nm)
    rows = [read_micrograph(p, pixel_nm=px).to_dict() for p in images]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        h, w = r["shape"]
        typer.echo(f"{Path(r['path']).name}: {w} x {h} pixels, {r['dtype']}; pixel {r['pixel_nm']:.5g} nm "
                   f"({r['pixel_source']}); field of view {w * r['pixel_nm']:.4g} x {h * r['pixel_nm']:.4g} nm")


@app.command("sizes")
def sizes_cmd(
    images: list[Path] = typer.Argument(..., help="One or more micrographs (TIFF, DM3/DM4, PNG, JPEG)."),
    pixel_nm: float | None = typer.Option(None, "--pixel-nm", help=PIXEL_HELP),
    threshold: str = typer.Option("otsu", "--threshold", help="otsu | li | yen | a grey value in the image's stored scale (particles above it; below it with --dark-particles)."),
    dark_particles: bool = typer.Option(False, "--dark-particles", help="Particles darker than the background (bright-field TEM); default: bright (HAADF)."),
    min_area_px: int = typer.Option(10, "--min-area-px", help="Smallest particle kept, pixels."),
    no_watershed: bool = typer.Option(False, "--no-watershed", help="Do not split touching particles."),
    expected_nm: float | None = typer.Option(None, "--expected-nm", help="Expected diameter, nm: sets the watershed marker spacing (default: from the data)."),
    smooth_px: float = typer.Option(1.0, "--smooth-px", help="Gaussian smoothing before thresholding, pixels (0 = none)."),
    flatten_px: float | None = typer.Option(None, "--flatten-px", help="Flatten an uneven background: subtract a Gaussian blur of this sd (pixels; several particle diameters)."),
    keep_edge: bool = typer.Option(False, "--keep-edge", help="Keep particles touching the image edge (their size is cut; not recommended)."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level of the interval of the mean."),
    json_out: bool = typer.Option(False, "--json", help="Print n_particles, mean/sd/median diameter, CI, lognormal, per-image details and warnings as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Folder: particles.csv, summary.json, histogram.png, overlay_<image>.png."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the size histogram with the lognormal (PNG/SVG/PDF)."),
) -> None:
    """Segment particles in each image and report the pooled size distribution.

    Particles touching the image edge are dropped (their size is unknown); touching particles
    are split by a distance-transform watershed.  Sizes are equivalent-circle diameters; Feret
    max/min and circularity are in particles.csv.  With fewer than 10 particles the statistics
    are reported with a warning that they are unreliable.
    """
    from cationx.io.micrograph import read_micrograph
    from cationx.io.write import write_csv, write_json
    from cationx.microscopy import size_micrographs

    px = _pixel(pixel_nm)
    out_dir = output_path(out, images)
    plot_p = output_path(plot, images)
    mgs = [read_micrograph(p, pixel_nm=px) for p in images]
    report = size_micrographs(
        mgs, confidence=confidence, threshold=threshold, dark_particles=dark_particles, min_area_px=min_area_px,
        watershed=not no_watershed, expected_diameter_nm=expected_nm, smooth_px=smooth_px,
        flatten_sigma_px=flatten_px, exclude_edge=not keep_edge,
    )
    if out_dir is not None or plot_p is not None:
        from cationx.plot import use_agg
        from cationx.plot.microscopy import overlay_figure, size_histogram_figure

        use_agg()
    if out_dir is not None:
        write_csv(_guarded(out_dir, "particles.csv", images), report.to_frame())
        write_json(_guarded(out_dir, "summary.json", images), report.to_dict())
        save_figure(size_histogram_figure(report), _guarded(out_dir, "histogram.png", images))
        seen: set[str] = set()
        for i, (m, s) in enumerate(zip(report.micrographs, report.segmentations, strict=True)):
            stem = Path(m.path).stem
            name = f"overlay_{stem}.png" if stem not in seen else f"overlay_{i}_{stem}.png"
            seen.add(stem)
            save_figure(overlay_figure(m, s, title=Path(m.path).name), _guarded(out_dir, name, images))
    if plot_p is not None:
        save_figure(size_histogram_figure(report), plot_p)
    if json_out:
        emit_json(report.to_dict())
        return
    st = report.statistics
    for s in report.segmentations:
        for w in s.warnings:
            if w.startswith("SEGMENTATION NOT SUPPORTED"):
                typer.echo(f"WARNING: {w}")
    for m, s in zip(report.micrographs, report.segmentations, strict=True):
        typer.echo(f"{Path(m.path).name}: {s.n_particles} particles (pixel {m.pixel_nm:.4g} nm from {m.pixel_source}; "
                   f"{s.n_edge_excluded} on the edge dropped, {s.n_split} splits)")
    typer.echo(f"n = {st.n_particles}")
    if st.n_particles:
        typer.echo(f"mean diameter {st.mean_diameter_nm:.3f} nm, sd {st.sd_diameter_nm:.3f} nm, median "
                   f"{st.median_diameter_nm:.3f} nm; {100 * st.confidence:.0f} % CI of the mean "
                   f"{st.ci_low_nm:.3f}..{st.ci_high_nm:.3f} nm")
    if st.lognormal is not None:
        ln = st.lognormal
        typer.echo(f"lognormal: mu {ln.mu:.4f}, sigma {ln.sigma:.4f}; geometric mean {ln.geometric_mean_nm:.3f} nm, "
                   f"geometric sd {ln.geometric_sd:.3f}; KS p = {ln.ks_pvalue:.3g}")


@app.command("fringes")
def fringes_cmd(
    image: Path = typer.Argument(..., help="A high-resolution micrograph (TIFF, DM3/DM4, PNG, JPEG)."),
    region: str | None = typer.Option(None, "--region", help="x0,y0,w,h in pixels (x = column); default: the largest centred square."),
    pixel_nm: float | None = typer.Option(None, "--pixel-nm", help=PIXEL_HELP),
    match_cell: float | None = typer.Option(None, "--match-cell", help="Cubic lattice constant, angstrom: index each d against hkl (e.g. 5.85 for antifluorite Cu2Se)."),
    centering: str = typer.Option("F", "--centering", help="Lattice centring for --match-cell: P | I | F."),
    calibration_pct: float = typer.Option(0.0, "--calibration-pct", help="Relative uncertainty of the pixel size, %, added to each d uncertainty."),
    d_range: str | None = typer.Option(None, "--d-range", help="Keep spots with d in LO:HI angstrom."),
    max_spots: int = typer.Option(12, "--max-spots", help="Keep the strongest N spots (one per Friedel pair)."),
    false_alarm: float = typer.Option(0.01, "--false-alarm", help="Expected number of noise spots above the detection threshold per spectrum."),
    filter_spots: str | None = typer.Option(None, "--filter-spots", help="Spot ids kept in the Fourier-filtered image, e.g. 1,2 (default: all)."),
    json_out: bool = typer.Option(False, "--json", help="Print spots (d, uncertainty, direction, order), families, harmonics, ratio flags and cell matches as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Folder: spots.csv, fringes.json, fringes.png, filtered.tif (float32, ImageJ calibration), filtered.png."),
    plot: Path | None = typer.Option(None, "--plot", help="Write region / power spectrum / filtered image (PNG/SVG/PDF)."),
) -> None:
    """d-spacings of lattice fringes from the power spectrum of a region.

    Spots are local maxima of the power over its ring-median background; each d comes with an
    uncertainty from the sub-bin interpolation and the spot's signal-to-background (plus
    --calibration-pct).  Collinear spots at integer multiples are reported as harmonics; a pair
    with d1/d2 near 2 is flagged as superstructure-or-artifact with the evidence for each.
    """
    from cationx.errors import InputError
    from cationx.io.micrograph import read_micrograph
    from cationx.io.write import write_csv, write_json
    from cationx.microscopy import analyse_fringes

    px = _pixel(pixel_nm)
    out_dir = output_path(out, [image])
    plot_p = output_path(plot, [image])
    dr = parse_range(d_range, "--d-range") if d_range else None
    ids = None
    if filter_spots:
        try:
            ids = [int(v) for v in filter_spots.split(",") if v.strip()]
        except ValueError:
            raise InputError(f"--filter-spots must be comma-separated integers, got {filter_spots!r}") from None
    if calibration_pct < 0 or calibration_pct != calibration_pct:
        raise InputError(f"--calibration-pct must be >= 0, got {calibration_pct}")
    mg = read_micrograph(image, pixel_nm=px)
    res = analyse_fringes(mg.data, mg.pixel_nm, region=region, false_alarm=false_alarm, d_range_angstrom=dr,
                          max_spots=max_spots, calibration_rel=calibration_pct / 100.0,
                          match_cell_angstrom=match_cell, centering=centering, filter_spot_ids=ids)
    doc = {"image": mg.to_dict(), **res.to_dict()}
    doc["warnings"] = list(mg.warnings) + doc["warnings"]
    if out_dir is not None or plot_p is not None:
        from cationx.plot import use_agg
        from cationx.plot.microscopy import fringe_figure

        use_agg()
    if out_dir is not None:
        write_csv(_guarded(out_dir, "spots.csv", [image]), res.to_frame())
        write_json(_guarded(out_dir, "fringes.json", [image]), doc)
        save_figure(fringe_figure(res, title=image.name), _guarded(out_dir, "fringes.png", [image]))
        _write_filtered(res, _guarded(out_dir, "filtered.tif", [image]), _guarded(out_dir, "filtered.png", [image]))
    if plot_p is not None:
        save_figure(fringe_figure(res, title=image.name), plot_p)
    if json_out:
        emit_json(doc)
        return
    x0, y0, w, h = res.region
    typer.echo(f"{image.name}: region {x0},{y0},{w},{h}; pixel {mg.pixel_nm:.4g} nm ({mg.pixel_source}); "
               f"{len(res.spots)} spot(s) above {res.ratio_threshold:.1f} x background")
    for s in res.spots:
        if s.order == 1:
            kind = "order 1"
        else:
            fund = next(f for f in res.spots if f.id == s.fundamental_id)
            kind = f"{s.order} x g of spot {fund.id}"
            if s.relative_power > fund.relative_power:
                kind += f", and stronger: spot {fund.id} is at 1/{s.order} of its frequency"
        typer.echo(f"  {s.id:>2}  d = {s.d_angstrom:.3f} +/- {s.d_uncertainty_angstrom:.3f} A  at {s.angle_deg:6.1f} deg  "
                   f"power {s.relative_power:.3g}  ({kind})")
    for f in res.ratio_flags:
        typer.echo(f"  ratio flag: {f['interpretation']}")
        for e in f["evidence_for_superstructure"]:
            typer.echo(f"    for a superstructure: {e}")
        for e in f["evidence_for_artifact"]:
            typer.echo(f"    for an artifact: {e}")
    for m in res.cell_matches or ():
        hkl = "".join(map(str, m["hkl"])) if m["hkl"] else "-"
        extra = f"; d/2 matches {''.join(map(str, m['doubled_hkl']))} (doubled period)" if m["doubled_hkl"] else ""
        mis = f"{m['mismatch_pct']:+.2f} %" if m["mismatch_pct"] is not None else "n/a"
        typer.echo(f"  spot {m['spot_id']}: nearest {hkl} ({mis}){extra}")


def _write_filtered(res: object, tif_path: Path, png_path: Path) -> None:
    import numpy as np
    import tifffile

    from cationx.io.write import atomic_write_with

    data = np.asarray(res.filtered, dtype=np.float32)  # type: ignore[attr-defined]
    px = float(res.pixel_nm)  # type: ignore[attr-defined]
    atomic_write_with(tif_path, lambda tmp: tifffile.imwrite(tmp, data, imagej=True, resolution=(1 / px, 1 / px),
                                                              metadata={"unit": "nm"}))

    def png(tmp: Path) -> None:
        import matplotlib.pyplot as plt

        lo, hi = np.percentile(data, [0.5, 99.5])
        plt.imsave(tmp, data, cmap="gray", vmin=lo, vmax=hi, format="png")

    atomic_write_with(png_path, png)
