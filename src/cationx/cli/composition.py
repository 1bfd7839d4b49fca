"""``cationx composition``: ICP-OES and EDS tables, mole ratios, exchanged fractions, ions per particle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cationx.cli._common import emit_json, output_path

app = typer.Typer(
    help=(
        "Elemental composition: ICP-OES (blanks, LOD/LOQ, line agreement, mg/L -> mol), EDS spot tables "
        "(mean ± SD, at% <-> wt%), and derived numbers: mole ratios, x in Cu(2-x)Se, exchanged fraction, "
        "incoming ions per NC or cluster, with a mass-balance check. Uncertainties: first-order propagation."
    ),
    no_args_is_help=True,
)

_D = "Derived quantities"
RATIO = typer.Option([], "--ratio", help="Mole-ratio expression, e.g. 'Cu/(Cu+Cd)' or 'Cu/(Cu+2Cd)' (repeatable).", rich_help_panel=_D)
INCOMING = typer.Option(None, "--incoming", help="Element of the incoming ion (Cu, Ag).", rich_help_panel=_D)
HOST = typer.Option(None, "--host", help="Host cation element (Cd).", rich_help_panel=_D)
ANION = typer.Option(None, "--anion", help="Anion element (Se, S): gives x in I(m-x)A from I/A.", rich_help_panel=_D)
CHARGE = typer.Option(None, "--charge-ratio", help="Incoming ions per host cation released (default 2: Cu+/Ag+ for Cd2+).", rich_help_panel=_D)
HOST0 = typer.Option(None, "--host-original", help="Host originally present, in the unit of the amounts (default: remaining + incoming/m).", rich_help_panel=_D)
DIAM = typer.Option(None, "--diameter-nm", help="NC diameter (nm): host cations per NC from --material.", rich_help_panel=_D)
DIAM_U = typer.Option(0.0, "--diameter-u", help="Standard uncertainty of the diameter, nm.", rich_help_panel=_D)
MATERIAL = typer.Option(None, "--material", help="CdSe, CdS or CdTe (with --diameter-nm).", rich_help_panel=_D)
PHASE = typer.Option("zincblende", "--phase", help="zincblende or wurtzite (density for --diameter-nm).", rich_help_panel=_D)
FORMULA = typer.Option(None, "--formula", help="Cluster formula, e.g. Cd34S33: host cations per cluster.", rich_help_panel=_D)
ADDED_H = typer.Option(None, "--added-per-host", help="Incoming added per host originally present, mol/mol (0.75 for 75 % addition).", rich_help_panel=_D)
ADDED_P = typer.Option(None, "--added-per-particle", help="Incoming ions added per NC/cluster.", rich_help_panel=_D)


def _derive_kwargs(ratio: list[str], incoming: str | None, host: str | None, anion: str | None, charge_ratio: float | None,
                   host_original: str | None, diameter_nm: float | None, diameter_u: float, material: str | None,
                   phase: str, formula: str | None, added_per_host: str | None, added_per_particle: str | None) -> dict[str, Any]:
    from cationx.composition.derived import particle_from_diameter, particle_from_formula
    from cationx.errors import InputError

    particle = None
    if diameter_nm is not None and formula is not None:
        raise InputError("give either --diameter-nm (with --material) or --formula, not both")
    if diameter_nm is not None:
        if material is None:
            raise InputError("--diameter-nm needs --material (CdSe, CdS or CdTe)")
        particle = particle_from_diameter(material, diameter_nm, diameter_u, phase=phase)
    elif material is not None:
        raise InputError("--material needs --diameter-nm")
    if formula is not None:
        if host is None:
            raise InputError("--formula needs --host (the host cation element, e.g. Cd)")
        particle = particle_from_formula(formula, host)
    return {
        "ratios": list(ratio), "incoming": incoming, "host": host, "anion": anion, "charge_ratio": charge_ratio,
        "host_original": _value(host_original, "--host-original"), "particle": particle,
        "added_per_host": _value(added_per_host, "--added-per-host"),
        "added_per_particle": _value(added_per_particle, "--added-per-particle"),
    }


def _value(text: str | None, name: str) -> Any:
    """``"1.2"`` or ``"1.2+-0.1"`` -> (value, sd)."""
    if text is None:
        return None
    from cationx.composition.derived import parse_amount
    from cationx.errors import InputError

    try:
        _, v, s = parse_amount(f"H={text}")
    except InputError:
        raise InputError(f"{name} must look like VALUE or VALUE+-SD (>= 0), got {text!r}") from None
    return (v, s)


def _wants_derived(kw: dict[str, Any]) -> bool:
    return bool(kw["ratios"] or kw["incoming"] or kw["host"] or kw["anion"])


def _write_dir(out: Path, files: dict[str, Any]) -> list[Path]:
    from cationx.io.write import write_csv, write_json

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, obj in files.items():
        p = out / name
        written.append(write_csv(p, obj) if name.endswith(".csv") else write_json(p, obj))
    return written


@app.command("icp")
def icp_cmd(
    table: Path = typer.Argument(..., help="ICP-OES readings: CSV/TSV (long or wide) or TOML (see docs/composition.md)."),
    digest_ml: float | None = typer.Option(None, "--digest-ml", help="Digestion (made-up) volume, mL: gives mol."),
    digest_ml_u: float = typer.Option(0.0, "--digest-ml-u", help="Standard uncertainty of the digestion volume, mL."),
    dilution: list[float] = typer.Option([], "--dilution", help="Dilution factor of the measured solution (repeat for serial dilutions: multiplied)."),
    dilution_u: float = typer.Option(0.0, "--dilution-u", help="Standard uncertainty of the total dilution factor."),
    mass_mg: float | None = typer.Option(None, "--mass-mg", help="Mass of solid digested, mg: gives wt%."),
    mass_mg_u: float = typer.Option(0.0, "--mass-mg-u", help="Standard uncertainty of the mass, mg."),
    volume_ml: float | None = typer.Option(None, "--volume-ml", help="Volume of sample solution digested, mL: gives mol/L."),
    blank: list[str] = typer.Option([], "--blank", help="Sample name of a blank (repeatable; default: names starting with 'blank')."),
    line: list[str] = typer.Option([], "--line", help="Use one emission line for an element, EL=NM (repeatable), e.g. Cd=228.802."),
    line_tolerance: float = typer.Option(0.10, "--line-tolerance", help="Warn when lines of one element differ by more than this fraction."),
    allow_negative: bool = typer.Option(False, "--allow-negative", help="Accept negative readings (already blank-corrected by the instrument)."),
    sample: list[str] = typer.Option([], "--sample", help="Analyse only this sample (repeatable; e.g. to leave out calibration standards). Blanks are always used."),
    ratio: list[str] = RATIO, incoming: str | None = INCOMING, host: str | None = HOST, anion: str | None = ANION,
    charge_ratio: float | None = CHARGE, host_original: str | None = HOST0, diameter_nm: float | None = DIAM,
    diameter_u: float = DIAM_U, material: str | None = MATERIAL, phase: str = PHASE, formula: str | None = FORMULA,
    added_per_host: str | None = ADDED_H, added_per_particle: str | None = ADDED_P,
    json_out: bool = typer.Option(False, "--json", help="Print blanks, lines, elements, derived quantities and warnings as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Folder for blanks.csv, lines.csv, elements.csv, derived.csv, icp.json."),
) -> None:
    """Blank-subtract ICP-OES readings, flag values below LOD/LOQ, check lines, convert mg/L to mol."""
    import math
    import warnings

    import pandas as pd

    from cationx.composition.derived import derive
    from cationx.composition.elements import check_element
    from cationx.composition.icp import SampleInfo, analyze_icp
    from cationx.errors import InputError
    from cationx.io.composition import read_icp

    out_p = output_path(out, [table])
    kw = _derive_kwargs(ratio, incoming, host, anion, charge_ratio, host_original, diameter_nm, diameter_u, material,
                        phase, formula, added_per_host, added_per_particle)
    tidy, infos, default = read_icp(table)
    given: dict[str, float] = dict(default)
    for key, val in (("digest_ml", digest_ml), ("mass_mg", mass_mg), ("volume_ml", volume_ml)):
        if val is not None:
            if not val > 0:
                raise InputError(f"--{key.replace('_', '-')} must be > 0, got {val:g}")
            given[key] = val
    if dilution:
        given["dilution"] = math.prod(dilution)
    for key, val in (("digest_ml_u", digest_ml_u), ("dilution_u", dilution_u), ("mass_mg_u", mass_mg_u)):
        if val:
            given[key] = val
    base = SampleInfo(**given)
    chosen = {}
    for item in line:
        if "=" not in item:
            raise InputError(f"--line must look like EL=NM, got {item!r}")
        el, nm = item.split("=", 1)
        try:
            chosen[check_element(el, "--line")] = float(nm)
        except ValueError:
            raise InputError(f"--line {item!r}: the wavelength must be a number") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze_icp(tidy, samples=infos, default=base, blank_samples=blank or None, lines=chosen,
                          line_tolerance=line_tolerance, allow_negative=allow_negative, report=sample or None)
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)
    derived = {}
    if _wants_derived(kw):
        for s in res.sample_names:
            derived[s] = derive(res.amounts(s), below_lod=res.below_lod(s), **kw)
    doc = res.to_dict()
    doc["amount_unit"] = "mol" if "mol" in res.elements else "mmol/L of the digest"
    doc["derived"] = {s: d.to_dict() for s, d in derived.items()}
    if out_p:
        frames: dict[str, Any] = {"blanks.csv": res.blanks, "lines.csv": res.lines, "elements.csv": res.elements}
        if derived:
            frames["derived.csv"] = pd.concat([d.to_frame().assign(sample=s) for s, d in derived.items()], ignore_index=True)
        frames["icp.json"] = doc
        _write_dir(out_p, frames)
    if json_out:
        emit_json(doc)
        return
    cols = [c for c in ("sample", "element", "flag", "lines_used", "net_mg_l", "u_net_mg_l", "digest_mg_l", "mol", "u_mol", "wt_pct", "u_wt_pct")
            if c in res.elements]
    typer.echo(res.elements[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for s, d in derived.items():
        typer.echo(f"\n[{s}]  amounts in {doc['amount_unit']}")
        typer.echo(d.report())


@app.command("eds")
def eds_cmd(
    table: Path = typer.Argument(..., help="EDS table: one row per spot/area, one column per element (CSV/TSV)."),
    unit: str = typer.Option("at", "--unit", help="Unit of the table: at (atomic %) or wt (weight %)."),
    elements: str | None = typer.Option(None, "--elements", help="Comma-separated elements to keep and renormalise over, e.g. Cu,Se,Cd."),
    reference: str | None = typer.Option(None, "--reference", help="Express amounts relative to this element (= 1), e.g. Se."),
    ratio: list[str] = RATIO, incoming: str | None = INCOMING, host: str | None = HOST, anion: str | None = ANION,
    charge_ratio: float | None = CHARGE, host_original: str | None = HOST0, diameter_nm: float | None = DIAM,
    diameter_u: float = DIAM_U, material: str | None = MATERIAL, phase: str = PHASE, formula: str | None = FORMULA,
    added_per_host: str | None = ADDED_H, added_per_particle: str | None = ADDED_P,
    json_out: bool = typer.Option(False, "--json", help="Print the summary, per-spot tables and derived quantities as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Folder for summary.csv, spots_at_pct.csv, spots_wt_pct.csv, derived.csv, eds.json."),
) -> None:
    """Mean ± SD over EDS spots after renormalising over chosen elements; at% <-> wt%; derived numbers from the mean at%."""
    from cationx.composition.derived import derive
    from cationx.composition.eds import analyze_eds
    from cationx.io.composition import read_eds

    out_p = output_path(out, [table])
    kw = _derive_kwargs(ratio, incoming, host, anion, charge_ratio, host_original, diameter_nm, diameter_u, material,
                        phase, formula, added_per_host, added_per_particle)
    frame, ignored = read_eds(table)
    els = [e.strip() for e in elements.split(",") if e.strip()] if elements else None
    res = analyze_eds(frame, unit=unit, elements=els, reference=reference)
    if res.n < 2:
        typer.echo("warning: one spot only: no SD or SEM (derived quantities carry no uncertainty)", err=True)
    derived = derive(res.amounts(), **kw) if _wants_derived(kw) else None
    doc = res.to_dict()
    doc["ignored_columns"] = ignored
    doc["derived"] = None if derived is None else derived.to_dict()
    if out_p:
        files: dict[str, Any] = {"summary.csv": res.summary, "spots_at_pct.csv": res.at_pct.reset_index(),
                                 "spots_wt_pct.csv": res.wt_pct.reset_index()}
        if res.relative is not None:
            files[f"spots_per_{reference}.csv"] = res.relative.reset_index()
        if derived is not None:
            files["derived.csv"] = derived.to_frame()
        files["eds.json"] = doc
        _write_dir(out_p, files)
    if json_out:
        emit_json(doc)
        return
    typer.echo(f"{res.n} spots, input {unit}%, normalised over {', '.join(res.elements)}")
    typer.echo(res.summary.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if derived is not None:
        typer.echo("\nderived (mean at% ± SEM):")
        typer.echo(derived.report())


@app.command("ratio")
def ratio_cmd(
    amounts: list[str] = typer.Argument(..., help="Element amounts EL=VALUE or EL=VALUE+-SD, e.g. Cu=2.1+-0.1 Cd=0.30+-0.02 Se=1.0."),
    unit: str = typer.Option("mol", "--unit", help="Unit of the amounts: mol (any molar unit, at%) or mass (mg/L, ug, wt%: converted with atomic masses)."),
    ratio: list[str] = RATIO, incoming: str | None = INCOMING, host: str | None = HOST, anion: str | None = ANION,
    charge_ratio: float | None = CHARGE, host_original: str | None = HOST0, diameter_nm: float | None = DIAM,
    diameter_u: float = DIAM_U, material: str | None = MATERIAL, phase: str = PHASE, formula: str | None = FORMULA,
    added_per_host: str | None = ADDED_H, added_per_particle: str | None = ADDED_P,
    json_out: bool = typer.Option(False, "--json", help="Print amounts, quantities and the mass-balance checks as JSON."),
) -> None:
    """Mole ratios, x in Cu(2-x)Se, exchanged fraction and ions per NC/cluster from element amounts."""
    from cationx._validation import check_choice
    from cationx.composition.derived import derive, parse_amount
    from cationx.composition.elements import atomic_mass
    from cationx.errors import InputError

    check_choice(unit, "--unit", ("mol", "mass"))
    vals: dict[str, tuple[float, float]] = {}
    for a in amounts:
        el, v, s = parse_amount(a)
        if el in vals:
            raise InputError(f"{el} is given twice")
        if unit == "mass":
            m = atomic_mass(el)
            v, s = v / m, s / m
        vals[el] = (v, s)
    kw = _derive_kwargs(ratio, incoming, host, anion, charge_ratio, host_original, diameter_nm, diameter_u, material,
                        phase, formula, added_per_host, added_per_particle)
    d = derive(vals, **kw)
    if json_out:
        emit_json(d.to_dict())
        return
    typer.echo(d.report())


@app.command("convert")
def convert_cmd(
    amounts: list[str] = typer.Argument(..., help="Element amounts EL=VALUE, e.g. Cu=61.7 Se=38.3."),
    from_unit: str = typer.Option("wt", "--from", help="wt (weight %) -> at%, or at (atomic %) -> wt%."),
    json_out: bool = typer.Option(False, "--json", help="Print both compositions as JSON."),
) -> None:
    """Convert a composition between weight % and atomic % (normalised to 100 over the given elements)."""
    from cationx._validation import check_choice
    from cationx.composition.derived import parse_amount
    from cationx.composition.elements import COMPOSITION_UNITS, at_to_wt, wt_to_at

    check_choice(from_unit, "--from", COMPOSITION_UNITS)
    vals = {}
    for a in amounts:
        el, v, _ = parse_amount(a)
        vals[el] = v
    conv = wt_to_at(vals) if from_unit == "wt" else at_to_wt(vals)
    other = "at" if from_unit == "wt" else "wt"
    if json_out:
        emit_json({f"{from_unit}_pct": vals, f"{other}_pct": conv})
        return
    for el, v in conv.items():
        typer.echo(f"{el:<3} {vals[el]:10.4g} {from_unit}%  ->  {v:8.4f} {other}%")
