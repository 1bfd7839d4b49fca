"""``cationx xrd debye`` and ``cationx xrd build``: Debye-equation patterns of clusters.

The command functions are attached to the ``xrd`` group in :mod:`cationx.cli.xrd`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json, output_path, save_figure
from cationx.constants import CU_KALPHA1_ANGSTROM

__all__ = ["build", "debye"]


DEBYE_MAX_POINTS = 200_000  # 2-theta points of a Debye pattern (each one a sum over all distance pairs)

def _structure_inputs(structure: str) -> list[Path]:
    p = Path(structure)
    return [p] if p.exists() else []


def _parse_min_distances(items: list[str] | None) -> dict[tuple[str, str], float]:
    from cationx.errors import InputError

    rules: dict[tuple[str, str], float] = {}
    for item in items or []:
        try:
            pair, value = item.split(":")
            a, b = pair.split("-")
            rules[(a.strip(), b.strip())] = float(value)
        except ValueError:
            raise InputError(f"--min-distance must look like Cu-Se:2.0, got {item!r}") from None
    return rules


def _parse_facets(items: list[str] | None) -> dict[tuple[int, int, int], float]:
    from cationx.errors import InputError

    facets: dict[tuple[int, int, int], float] = {}
    for item in items or []:
        try:
            hkl, ratio = item.split(":") if ":" in item else (item, "1")
            parts = hkl.replace(",", " ").split()
            idx = tuple(int(v) for v in (parts if len(parts) == 3 else list(hkl.strip())))
            if len(idx) != 3:
                raise ValueError
            facets[(idx[0], idx[1], idx[2])] = float(ratio)
        except ValueError:
            raise InputError(f"--facet must look like 111:1.0 or '1 1 1:1.0', got {item!r}") from None
    return facets


def debye(
    structure: str = typer.Argument(..., help="A CIF, a TOML or a bundled structure name (see `cationx xrd library`)."),
    diameter_nm: float = typer.Option(..., "--diameter-nm", help="Sphere diameter in nm."),
    size_sd_nm: float = typer.Option(0.0, "--size-sd-nm", help="Standard deviation of a normal size distribution (nm); averages out size fringes."),
    occupancy: str = typer.Option("average", "--occupancy", help="average (fractional occupancies + Laue term) or random (drawn configurations)."),
    configurations: int = typer.Option(1, "--configurations", help="Random configurations averaged per size (with --occupancy random)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for random configurations."),
    min_distance: list[str] | None = typer.Option(None, "--min-distance", help="Exclusion rule for random configurations, e.g. Cu-Se:2.0 (repeatable)."),
    two_theta_range: tuple[float, float] = typer.Option((10.0, 90.0), "--two-theta-range", help="2-theta range A B in degrees."),
    step_deg: float = typer.Option(0.02, "--step-deg", help="2-theta step in degrees."),
    wavelength_angstrom: float = typer.Option(CU_KALPHA1_ANGSTROM, "--wavelength-angstrom", help=f"X-ray wavelength in A (Cu K-alpha1 {CU_KALPHA1_ANGSTROM})."),
    no_dispersion: bool = typer.Option(False, "--no-dispersion", help="Leave out f' and f''."),
    no_thermal_diffuse: bool = typer.Option(
        False, "--no-thermal-diffuse",
        help="Leave out the self-scattering the Debye-Waller factor removes (to compare with codes that damp the self term).",
    ),
    method: str = typer.Option("auto", "--method", help="auto | exact | histogram | fft."),
    shape: str = typer.Option("sphere", "--shape", help="sphere | faceted (with --facet)."),
    facet: list[str] | None = typer.Option(None, "--facet", help="Facet family and distance ratio for --shape faceted, e.g. 111:1.0 (repeatable)."),
    kinematic: bool = typer.Option(False, "--kinematic", help="Compare with the kinematic pattern broadened as a sphere of that diameter (Scherrer K = 1.107 for L = D): list both maxima per reflection (sphere only)."),
    json_out: bool = typer.Option(False, "--json", help="Print two_theta_deg, intensity, laue, n_atoms, n_sites, maxima (and comparison) as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write the pattern (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Debye-equation powder pattern of a cluster (sphere or faceted) cut from STRUCTURE: coherent + Laue diffuse."""
    import numpy as np

    from cationx._validation import check_choice, check_positive
    from cationx.crystal.cluster import OCCUPANCY_MODES, structure_debye_pattern
    from cationx.crystal.debye import METHODS
    from cationx.crystal.library import load_structure
    from cationx.errors import InputError

    check_choice(occupancy, "--occupancy", OCCUPANCY_MODES)
    check_choice(method, "--method", METHODS)
    check_positive(diameter_nm, "--diameter-nm")
    step = check_positive(step_deg, "--step-deg")
    lo, hi = two_theta_range
    if not 0 < lo < hi < 180:
        raise InputError(f"--two-theta-range must satisfy 0 < A < B < 180, got {lo} {hi}")
    from cationx._validation import check_grid_size

    check_grid_size((hi - lo) / step, f"--step-deg {step:g} over {lo:g}-{hi:g} deg", limit=DEBYE_MAX_POINTS,
                    hint="use a larger --step-deg")
    rules = _parse_min_distances(min_distance)
    inputs = _structure_inputs(structure)
    out_p = output_path(out, inputs)
    plot_p = output_path(plot, inputs)
    st = load_structure(structure)
    if kinematic and shape != "sphere":
        raise InputError("--kinematic compares spheres only (Scherrer size = diameter)")
    tt = np.arange(lo, hi + step / 2, step)
    pattern = structure_debye_pattern(
        st, diameter_nm, tt, size_sd_nm=size_sd_nm, occupancy=occupancy, configurations=configurations,
        rng=seed, min_distances=rules or None, wavelength_angstrom=wavelength_angstrom,
        dispersion=not no_dispersion, method=method, shape=shape, facets=_parse_facets(facet) or None,
        thermal_diffuse=not no_thermal_diffuse,
    )
    comparison = None
    if kinematic:
        from cationx.crystal.cluster import compare_kinematic

        comparison = compare_kinematic(
            st, diameter_nm, two_theta_range_deg=(lo, hi), step_deg=step, wavelength_angstrom=wavelength_angstrom,
            size_sd_nm=size_sd_nm, dispersion=not no_dispersion, debye=pattern,
        )
    # positions of the cut (mean over the size nodes); random configurations keep occupied ones only
    n_sites = pattern.n_sites
    maxima = pattern.maxima()
    if out_p:
        from cationx.io.write import write_csv  # pandas: only when a file is asked for

        write_csv(out_p, pattern.to_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.debye import debye_figure

        use_agg()
        kin = None if comparison is None else (comparison.two_theta_deg, comparison.kinematic)
        save_figure(debye_figure(pattern, title=f"{st.name}, {diameter_nm:g} nm {shape}", kinematic=kin), plot_p)
    if json_out:
        emit_json(
            {
                "structure": st.name,
                "diameter_nm": diameter_nm,
                "size_sd_nm": size_sd_nm,
                "occupancy": occupancy,
                "configurations": configurations,
                "wavelength_angstrom": wavelength_angstrom,
                "method": pattern.method,
                "n_atoms": pattern.n_atoms,
                "n_sites": n_sites,
                "n_occupied": pattern.n_occupied,
                "two_theta_deg": tt,
                "intensity": pattern.intensity,
                "coherent": pattern.coherent,
                "laue": pattern.laue,
                "thermal_diffuse": pattern.thermal_diffuse,
                "maxima": maxima,
                "comparison": None if comparison is None else comparison.maxima,
            }
        )
    else:
        typer.echo(
            f"{st.name}: {diameter_nm:g} nm {shape}, {pattern.n_atoms} atoms ({pattern.n_occupied:.1f} occupied), "
            f"method {pattern.method}, {tt.size} points {lo:g}-{hi:g} deg"
        )
        for m in maxima:
            typer.echo(f"  maximum at {m['two_theta_deg']:8.3f} deg  relative {m['relative_intensity']:6.1f}")
        if comparison is not None:
            typer.echo("  hkl   Bragg    kinematic max   Debye max   shift (deg)")
            for row in comparison.maxima:
                def fmt(v: float | None) -> str:
                    return "    merged" if v is None else f"{v:10.3f}"

                shift = "" if row["shift_deg"] is None else f"{row['shift_deg']:+.3f}"
                typer.echo(
                    f"  {row['hkl']:>4} {row['bragg_two_theta_deg']:8.3f} {fmt(row['kinematic_max_deg'])}     "
                    f"{fmt(row['debye_max_deg'])}   {shift}"
                )


def build(
    structure: str = typer.Argument(..., help="A CIF, a TOML or a bundled structure name."),
    diameter_nm: float = typer.Option(..., "--diameter-nm", help="Diameter in nm (faceted: twice the distance of a ratio-1 facet)."),
    out: Path = typer.Option(..., "--out", help="Output file: .xyz (plain; needs full occupancies) or .extxyz (keeps occupancy, b_iso)."),
    shape: str = typer.Option("sphere", "--shape", help="sphere | faceted."),
    facet: list[str] | None = typer.Option(None, "--facet", help="Facet family and distance ratio for --shape faceted, e.g. 111:1.0 (repeatable)."),
    occupancy: str = typer.Option("average", "--occupancy", help="average (keep fractional occupancies) or random (draw one configuration)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for --occupancy random."),
    min_distance: list[str] | None = typer.Option(None, "--min-distance", help="Exclusion rule for random configurations, e.g. Cu-Se:2.0 (repeatable)."),
    json_out: bool = typer.Option(False, "--json", help="Print n_atoms, n_positions, composition as JSON."),
) -> None:
    """Cut a cluster from STRUCTURE and write it as xyz/extxyz (via ASE)."""
    from cationx.crystal.cluster import build_cluster, write_xyz
    from cationx.crystal.library import load_structure

    out_p = output_path(out, _structure_inputs(structure))
    assert out_p is not None
    st = load_structure(structure)
    cl = build_cluster(
        st, diameter_nm, shape=shape, facets=_parse_facets(facet) or None, occupancy=occupancy, rng=seed,
        min_distances=_parse_min_distances(min_distance) or None,
    )
    extended = out_p.suffix.lower() != ".xyz"
    write_xyz(cl, out_p, extended=extended)
    info = cl.to_dict()
    info["out"] = str(out_p)
    if json_out:
        emit_json(info)
    else:
        comp = ", ".join(f"{k} {v:.2f}" for k, v in info["composition"].items())
        typer.echo(f"{st.name}: {cl.n_atoms} atoms on {cl.n_positions} positions ({comp}) -> {out_p}")
