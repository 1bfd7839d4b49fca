"""Page 3: powder pattern of a bundled phase or an uploaded CIF.

Size, occupancies and wavelength as controls; kinematic pattern
(:func:`cationx.crystal.powder.powder_pattern`, as ``cationx xrd simulate``) or Debye-equation
pattern of a sphere (:func:`cationx.crystal.cluster.structure_debye_pattern`, as ``cationx xrd
debye``); a measured pattern (:func:`cationx.io.read_pattern`) can be overlaid and
refined (:func:`cationx.crystal.refine.refine_pattern`, as ``cationx xrd refine``).
"""

from __future__ import annotations

from typing import Any

from cationx.app._common import (
    MAX_DEBYE_SITES,
    MAX_POINTS,
    caught_warnings,
    figure,
    guarded,
    show_warnings,
    upload_bytes,
    uploads_in_folder,
)
from cationx.constants import ANODES, CU_KALPHA1_ANGSTROM
from cationx.errors import InputError

__all__ = ["debye", "kinematic", "load_phase", "page", "read_measured", "refine", "render"]

WAVELENGTHS = {f"{anode} K-alpha1 ({ANODES[anode][0]:.5f} A)": ANODES[anode][0] for anode in ("Cu", "Mo", "Co")} | {"custom": None}


def load_phase(name: str | None = None, cif: tuple[str, bytes] | None = None) -> Any:
    """A bundled phase by name (``cationx xrd library``) or an uploaded CIF/TOML (name, bytes)."""
    from cationx.crystal.library import load_structure

    if cif is not None:
        fname, data = cif
        if not fname.lower().endswith((".cif", ".toml")):
            raise InputError(f"{fname}: a structure upload must be a .cif or .toml file")
        with uploads_in_folder({fname: data}) as paths:
            return load_structure(paths[fname])
    if not name:
        raise InputError("choose a bundled phase or upload a CIF")
    return load_structure(name)


def _grid(two_theta_range: tuple[float, float], step_deg: float) -> tuple[float, float, float]:
    lo, hi = (float(v) for v in two_theta_range)
    if not 0 < lo < hi < 180:
        raise InputError(f"2-theta range must satisfy 0 < A < B < 180, got {lo:g} {hi:g}")
    if step_deg <= 0:
        raise InputError(f"2-theta step must be > 0, got {step_deg!r}")
    n = int((hi - lo) / step_deg) + 1
    if n > MAX_POINTS:
        raise InputError(f"{n} points over {lo:g}-{hi:g} deg at {step_deg:g} deg is over {MAX_POINTS}: take a larger step")
    return lo, hi, float(step_deg)


def kinematic(structure: Any, *, size_nm: float | None, wavelength_angstrom: float, two_theta_range: tuple[float, float] = (10.0, 90.0), step_deg: float = 0.05) -> Any:
    """Kinematic (Bragg + Scherrer) powder pattern, as ``cationx xrd simulate``."""
    from cationx.crystal.powder import powder_pattern

    lo, hi, step = _grid(two_theta_range, step_deg)
    return powder_pattern(structure, wavelength_angstrom=wavelength_angstrom, two_theta_range_deg=(lo, hi), step_deg=step, size_nm=size_nm)


def debye_budget(structure: Any, diameter_nm: float, size_sd_nm: float = 0.0) -> int:
    """Positions the Debye sum visits (all size nodes): the page refuses more than the cap."""
    from cationx.crystal.cluster import estimate_sites, size_nodes

    if size_sd_nm > 0:
        diameters, _ = size_nodes(diameter_nm, size_sd_nm)
        return int(sum(estimate_sites(structure, float(d)) for d in diameters if d > 0))
    return estimate_sites(structure, diameter_nm)


def debye(structure: Any, *, diameter_nm: float, size_sd_nm: float = 0.0, wavelength_angstrom: float, two_theta_range: tuple[float, float] = (10.0, 90.0), step_deg: float = 0.05) -> Any:
    """Debye-equation pattern of a sphere cut from ``structure``, as ``cationx xrd debye``."""
    import numpy as np

    from cationx.crystal.cluster import structure_debye_pattern

    lo, hi, step = _grid(two_theta_range, step_deg)
    budget = debye_budget(structure, diameter_nm, size_sd_nm)
    if budget > MAX_DEBYE_SITES:
        raise InputError(
            f"a {diameter_nm:g} nm sphere of {structure.name} has ~{budget} positions"
            f"{' over its size distribution' if size_sd_nm > 0 else ''}: over the {MAX_DEBYE_SITES} this page computes; "
            "take a smaller diameter (or use `cationx xrd debye` on your own machine)"
        )
    tt = np.arange(lo, hi + step / 2, step)
    return structure_debye_pattern(structure, diameter_nm, tt, size_sd_nm=size_sd_nm, wavelength_angstrom=wavelength_angstrom)


def read_measured(name: str, data: bytes, *, scan: int | None = None) -> Any:
    """A measured pattern from an upload (.xy, .xye, .csv or Rigaku .ras)."""
    from cationx.io.xrd import read_pattern

    with uploads_in_folder({name: data}) as paths:
        return read_pattern(paths[name], scan=scan)


def refine(measured: Any, structure: Any, *, occupancies: list[str], size_nm: float, wavelength_angstrom: float | None, refine_size: bool = True) -> Any:
    """Occupancies, scale, background, size and cell against the measured pattern (``cationx xrd refine``)."""
    from cationx.crystal.refine import refine_pattern

    if len(measured) > 4 * MAX_POINTS:
        raise InputError(f"the measured pattern has {len(measured)} points: over the {4 * MAX_POINTS} this page refines")
    return refine_pattern(measured, structure, occupancies=occupancies, size_nm=size_nm, refine_size=refine_size,
                          wavelength_angstrom=wavelength_angstrom)


# ----------------------------------------------------------------------------- page


def render() -> None:
    import streamlit as st

    from cationx.crystal.library import library_table

    st.title("Powder pattern")
    left, right = st.columns([1, 2.2], gap="large")
    with left:
        table = library_table()
        names = [n for n, cell_only in zip(table["name"], table["cell_only"], strict=True) if not cell_only]
        source = st.radio("structure", ("bundled phase", "upload a CIF"), horizontal=True, key="xrd_source")
        if source == "bundled phase":
            default = names.index("cdse-zincblende") if "cdse-zincblende" in names else 0
            name = st.selectbox("phase", names, index=default, key="xrd_phase")
            structure = load_phase(name)
        else:
            got = upload_bytes(st.file_uploader("CIF (or cationx TOML)", type=["cif", "toml"], key="xrd_cif"))
            if got is None:
                st.info("Upload a CIF to simulate its pattern.")
                return
            structure = load_phase(cif=got)
        st.caption(f"{structure.name}: {structure.spacegroup}, a = {structure.cell[0]:g} Å; {structure.source}")
        kind = st.radio("pattern", ("kinematic (Bragg + Scherrer)", "Debye equation (sphere)"), key="xrd_kind")
        size = st.slider("crystallite size / diameter (nm)", 1.0, 20.0, 4.0, 0.1, key="xrd_size")
        size_sd = 0.0
        if kind.startswith("Debye"):
            size_sd = st.slider("size spread (SD, nm)", 0.0, 1.0, 0.0, 0.05, key="xrd_size_sd")
        wl_label = st.selectbox("wavelength", list(WAVELENGTHS), key="xrd_wl")
        wavelength = WAVELENGTHS[wl_label]
        if wavelength is None:
            wavelength = st.number_input("wavelength (Å)", 0.1, 5.0, CU_KALPHA1_ANGSTROM, format="%.5f", key="xrd_wl_custom")
        lo, hi = st.slider("2θ range (deg)", 5.0, 150.0, (10.0, 90.0), 1.0, key="xrd_range")
        step = st.select_slider("2θ step (deg)", [0.04, 0.05, 0.1, 0.2], value=0.05, key="xrd_step")
        with st.expander("site occupancies"):
            occ = {s.label: st.number_input(f"{s.label} ({s.element})", 0.0, 1.0, float(s.occupancy), 0.01, key=f"xrd_occ_{structure.name}_{s.label}")
                   for s in structure.sites}
        structure = structure.with_occupancies(occ)
    with right:
        guarded(lambda: _results(structure, kind, size, size_sd, wavelength, (lo, hi), step))()


def _results(structure: Any, kind: str, size: float, size_sd: float, wavelength: float,
             two_theta_range: tuple[float, float], step: float) -> None:
    import pandas as pd
    import streamlit as st

    lo, hi = two_theta_range
    with caught_warnings() as warned:
        if kind.startswith("kinematic"):
            pat = kinematic(structure, size_nm=size, wavelength_angstrom=wavelength, two_theta_range=(lo, hi), step_deg=step)
            curve = pd.DataFrame({"simulated": pat.intensity}, index=pd.Index(pat.two_theta_deg, name="2θ (deg)"))
            refl = pat.reflections.to_frame()
        else:
            pat = debye(structure, diameter_nm=size, size_sd_nm=size_sd, wavelength_angstrom=wavelength, two_theta_range=(lo, hi), step_deg=step)
            tt = pat.two_theta_deg
            y = pat.intensity / pat.intensity.max() * 100.0
            curve = pd.DataFrame({"simulated": y}, index=pd.Index(tt, name="2θ (deg)"))
            refl = pd.DataFrame(pat.maxima())
            st.caption(f"{pat.n_atoms} atoms, method {pat.method}")
    show_warnings(warned)
    up = st.file_uploader("measured pattern to overlay (.xy, .xye, .csv, .ras)", type=["xy", "xye", "csv", "txt", "dat", "ras"], key="xrd_measured")
    got = upload_bytes(up)
    measured = None
    if got is not None:
        scan = st.number_input("scan (Rigaku .ras with several scans; -1: none)", -1, 99, -1, key="xrd_scan")
        measured = read_measured(*got, scan=None if scan < 0 else int(scan))
        m_y = measured.intensity / max(float(measured.intensity.max()), 1e-300) * 100.0
        meas = pd.DataFrame({"measured": m_y}, index=pd.Index(measured.two_theta_deg, name="2θ (deg)"))
        curve = curve.join(meas, how="outer").interpolate(method="index", limit_area="inside")
    colors = ["#d62728", "#222222"] if "measured" in curve.columns else ["#1f77b4"]
    st.line_chart(curve, x_label="2θ (deg)", y_label="intensity (max = 100)", color=colors)
    st.caption("Each curve is scaled to a maximum of 100 for the overlay.")
    st.dataframe(refl, width="stretch", height=240)
    st.download_button("Download the simulated pattern (CSV)", curve.reset_index().to_csv(index=False).encode(),
                       file_name=f"{structure.name}_pattern.csv", mime="text/csv", key="xrd_download")
    if measured is not None:
        st.subheader("Refine against the measured pattern")
        with st.form("xrd_refine_form"):
            chosen = st.multiselect("refine the occupancy of", [s.label for s in structure.sites], key="xrd_refine_sites")
            fix_size = st.checkbox("keep the size fixed", key="xrd_fix_size")
            go = st.form_submit_button("Refine", type="primary")
        if go:
            with caught_warnings() as warned:
                res = refine(measured, structure, occupancies=list(chosen), size_nm=size,
                             wavelength_angstrom=measured.wavelength_angstrom or wavelength, refine_size=not fix_size)
            show_warnings(warned)
            if not res.fit.converged:
                st.error("REFINEMENT NOT TRUSTWORTHY: " + "; ".join(res.fit.warnings or (res.fit.message,)))
            st.markdown(f"**Rwp = {res.rwp_percent:.2f} %**, GoF = {res.gof:.3f}; occupancies: "
                        + ", ".join(f"{k} {v:.4f}" for k, v in res.occupancies().items()))
            from cationx.plot.crystal import refinement_figure

            figure(refinement_figure(res, title=f"{structure.name}: Rwp = {res.rwp_percent:.2f} %"))
            st.code(res.report(), language=None)


page = guarded(render)
