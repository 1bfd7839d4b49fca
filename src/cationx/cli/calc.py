"""``cationx calc``: materials-physics calculators (strain, pressure, LSPR, Gibbs-Thomson, sizes)."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json

app = typer.Typer(
    help="Calculators: Raman/diffraction strain, equivalent pressure, LSPR (Drude), Gibbs-Thomson, size statistics.",
    no_args_is_help=True,
)


def _print(d: dict, keys: list[str] | None = None) -> None:
    for k in keys or list(d):
        v = d[k]
        if isinstance(v, float):
            typer.echo(f"{k:<32}{v:.6g}")
        elif not isinstance(v, dict | list):
            typer.echo(f"{k:<32}{v}")


@app.command("raman-strain")
def raman_strain_cmd(
    omega: float | None = typer.Option(None, "--omega", help="Phonon frequency of the sample, cm^-1."),
    omega_ref: float | None = typer.Option(None, "--omega-ref", help="Phonon frequency of the reference, cm^-1."),
    shift: float | None = typer.Option(None, "--relative-shift", help="Relative shift d_omega/omega instead of --omega/--omega-ref."),
    strain: float | None = typer.Option(None, "--strain", help="Reverse: linear strain da/a (signed, -0.024 = 2.4 % compression) -> relative shift."),
    gruneisen: float = typer.Option(1.1, "--gruneisen", help="Mode Grueneisen parameter (001: 1.1 for the LO phonon of Cu2Se)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Strain from a phonon shift via d_omega/omega = (1 + 3 da/a)^(-gamma) - 1, or the reverse."""
    from cationx.errors import InputError
    from cationx.physics import raman_shift_from_strain, strain_from_raman, strain_from_raman_shift

    given = [omega is not None or omega_ref is not None, shift is not None, strain is not None]
    if sum(given) != 1:
        raise InputError("give exactly one of: --omega with --omega-ref, --relative-shift, or --strain")
    if strain is not None:
        rel = raman_shift_from_strain(strain, gruneisen)
        d = {"linear_strain": strain, "gruneisen": gruneisen, "relative_shift": rel, "relative_shift_percent": 100 * rel}
    elif shift is not None:
        s = strain_from_raman_shift(shift, gruneisen)
        d = {"relative_shift": shift, "gruneisen": gruneisen, "linear_strain": s, "compressive_strain_percent": -100 * s,
             "volume_ratio": (1 + s) ** 3}
    else:
        if omega is None or omega_ref is None:
            raise InputError("--omega and --omega-ref go together")
        d = strain_from_raman(omega, omega_ref, gruneisen).to_dict()
    if json_out:
        emit_json(d)
    else:
        _print(d)


@app.command("peak-strain")
def peak_strain_cmd(
    two_theta: float = typer.Option(..., "--two-theta", help="Peak position of the sample, degrees 2-theta."),
    two_theta_ref: float = typer.Option(..., "--two-theta-ref", help="Peak position of the reference, degrees 2-theta (same wavelength)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Strain d/d0 - 1 from a diffraction peak shift (Bragg's law)."""
    from cationx.physics import strain_from_peak_shift

    d = strain_from_peak_shift(two_theta, two_theta_ref).to_dict()
    emit_json(d) if json_out else _print(d)


@app.command("pressure")
def pressure_cmd(
    linear_strain: float = typer.Option(..., "--linear-strain", help="Compressive linear strain as a fraction (0.024 = 2.4 %); must lie in (-1/3, 1/3)."),
    bulk_modulus_gpa: float = typer.Option(..., "--bulk-modulus-gpa", help="Bulk modulus B0 in GPa (001: 85 GPa, Cu1.5Se)."),
    b_prime: float = typer.Option(4.0, "--b-prime", help="Pressure derivative B0' for Birch-Murnaghan (4 when unknown)."),
    json_out: bool = typer.Option(False, "--json", help="Print pressure_linear_shortcut_gpa, pressure_volumetric_gpa, pressure_birch_murnaghan_gpa as JSON."),
) -> None:
    """Equivalent pressure of a strain: B x linear strain (shortcut), B x volumetric strain, Birch-Murnaghan."""
    from cationx.physics import pressure_from_strain

    d = pressure_from_strain(linear_strain, bulk_modulus_gpa, b_prime).to_dict()
    if json_out:
        emit_json(d)
    else:
        _print(d, ["linear_strain", "volumetric_strain", "pressure_linear_shortcut_gpa", "pressure_volumetric_gpa",
                   "pressure_birch_murnaghan_gpa"])
        typer.echo(f"note: {d['note']}")


@app.command("lspr")
def lspr_cmd(
    energy_ev: float | None = typer.Option(None, "--energy-ev", help="LSPR peak energy, eV (give this or --holes-cm3)."),
    holes_cm3: float | None = typer.Option(None, "--holes-cm3", help="Free-hole density, cm^-3."),
    diameter_nm: float | None = typer.Option(None, "--diameter-nm", help="NC diameter: also report holes per NC."),
    effective_mass: float = typer.Option(0.4, "--effective-mass", help="Hole effective mass m*/m0 (default: assumed, see docs/physics.md)."),
    eps_inf: float = typer.Option(10.0, "--eps-inf", help="High-frequency dielectric constant of the NC (assumed default)."),
    eps_medium: float = typer.Option(2.0, "--eps-medium", help="Dielectric constant of the medium (n^2; hexane 1.89, toluene 2.24)."),
    damping_ev: float = typer.Option(0.0, "--damping-ev", help="Drude damping hbar*Gamma, eV."),
    lattice: float | None = typer.Option(None, "--lattice-angstrom", help="Cubic lattice parameter of Cu2Se for the stoichiometry, A (default: cationx.materials, 5.85 A as 001)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Drude LSPR: hole density <-> peak energy, and the Cu(2-x)Se stoichiometry it implies."""
    from cationx.materials import CU2SE_LATTICE_ANGSTROM
    from cationx.physics import DrudeParameters, lspr_estimate

    if lattice is None:
        lattice = CU2SE_LATTICE_ANGSTROM

    given = {"m*": effective_mass, "eps_inf": eps_inf, "eps_m": eps_medium, "damping": damping_ev}
    default = {"m*": 0.4, "eps_inf": 10.0, "eps_m": 2.0, "damping": 0.0}
    assumed = [k for k in given if given[k] == default[k]]
    if len(assumed) == len(given):
        source = DrudeParameters().source
    elif assumed:  # a mix: say which values are still the assumed defaults
        source = f"user-supplied {', '.join(k for k in given if k not in assumed)}; assumed defaults for {', '.join(assumed)} (not measured)"
    else:
        source = "user-supplied"
    params = DrudeParameters(effective_mass, eps_inf, eps_medium, damping_ev, source=source)
    d = lspr_estimate(energy_ev=energy_ev, hole_density_cm3=holes_cm3, diameter_nm=diameter_nm, params=params,
                      lattice_angstrom=lattice).to_dict()
    if json_out:
        emit_json(d)
    else:
        _print(d)
        typer.echo(f"drude: m*={effective_mass} m0, eps_inf={eps_inf}, eps_m={eps_medium}, damping={damping_ev} eV ({source})")


@app.command("gibbs-thomson")
def gibbs_thomson_cmd(
    diameter_nm: float = typer.Option(..., "--diameter-nm", help="NC diameter, nm."),
    surface_energy: float = typer.Option(..., "--surface-energy-j-m2", help="Surface tension gamma, J/m^2."),
    molar_volume: float = typer.Option(..., "--molar-volume-cm3-mol", help="Molar volume v, cm^3/mol (Cu2Se ~30.1)."),
    latent_heat: float | None = typer.Option(None, "--latent-heat-kj-mol", help="Latent heat of the transition, kJ/mol (with --bulk-transition-k)."),
    bulk_tc: float | None = typer.Option(None, "--bulk-transition-k", help="Bulk transition temperature, K (Cu2Se: 413 K)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """mu(D) - mu(inf) = 4 gamma v / D, Laplace pressure 4 gamma / D, and the shifted transition temperature."""
    from cationx.physics import gibbs_thomson

    d = gibbs_thomson(diameter_nm, surface_energy, molar_volume, latent_heat_kj_mol=latent_heat, bulk_transition_k=bulk_tc).to_dict()
    emit_json(d) if json_out else _print(d)


@app.command("sizes")
def sizes_cmd(
    data: Path = typer.Argument(..., help="CSV/TXT table with a column of diameters (nm)."),
    col: str = typer.Option("diameter_nm", "--col", help="Column of diameters, nm."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Size histogram statistics: mean +/- sd and lognormal parameters with intervals."""
    from cationx.io import read_table, select_columns
    from cationx.physics import size_statistics

    (d_nm,) = select_columns(read_table(data), [col], source=data.name)
    d = size_statistics(d_nm).to_dict()
    emit_json(d) if json_out else _print(d)


@app.command("ordered-fraction")
def ordered_fraction_cmd(
    diameters: str = typer.Option(..., "--diameters-nm", help="Comma-separated sizes, nm (001: 2,4,6)."),
    fractions: str = typer.Option(..., "--fractions", help="Comma-separated ordered fractions 0..1 (001: 0,0.1,0.8)."),
    n_counted: int = typer.Option(..., "--n-counted", help="NCs examined per size (001: ca. 30)."),
    temperature: float = typer.Option(298.15, "--temperature-k", help="Observation temperature, K."),
    json_out: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """Activation-energy differences RT ln(f/f_ref) from ordered fractions, with binomial intervals."""
    from cationx.errors import InputError
    from cationx.physics import ordered_fraction_energies

    def floats(text: str, name: str) -> list[float]:
        try:
            return [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise InputError(f"{name} must be comma-separated numbers, got {text!r}") from None

    res = ordered_fraction_energies(floats(diameters, "--diameters-nm"), floats(fractions, "--fractions"), n_counted,
                                    temperature_k=temperature)
    if json_out:
        emit_json(res.to_dict())
    else:
        typer.echo(res.to_frame().to_string(index=False, float_format=lambda v: f"{v:.4g}"))
