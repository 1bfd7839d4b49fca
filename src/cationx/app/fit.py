"""Page 2: fit my titration.

Two ways in:

- a table (CSV/TXT with a header row) of ions per NC vs the observed fraction: choose the
  columns and a model; :func:`cationx.cooperative.fits.fit` does the fit (as ``cationx coop
  fit``), and the page shows ``converged``/``warnings`` first, then values, intervals and notes;
- titration spectra with their TOML description (see docs/titration.md): the same analysis as
  ``cationx titration analyze`` (:func:`cationx.titration.analysis.analyze_titration` and
  :func:`cationx.report.write_report`), with the report folder as a zip download.

The upload handlers take ``{name: bytes}`` so they are tested without a browser.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cationx.app._common import (
    MAX_POINTS,
    MAX_SITES,
    caught_warnings,
    figure,
    guarded,
    json_safe,
    safe_name,
    show_warnings,
    upload_bytes,
    uploads_in_folder,
)
from cationx.errors import InputError

# interval methods the page offers: cationx.fitting.CI_METHODS without the (slow) bootstrap;
# tests/app check that it stays a subset
CI_CHOICES = ("profile", "stderr", "none")

__all__ = ["SpectraOutcome", "TableFit", "analyze_spectra", "demo_files", "fit_table", "page", "read_uploaded_table", "render"]

SEQUENTIAL_HELP = "Sequential presets need the NC size (host cations N, or the diameter) and the NC concentration."


def read_uploaded_table(name: str, data: bytes) -> Any:
    """The numeric table of an uploaded CSV/TXT (:func:`cationx.io.read_table`)."""
    from cationx.io import read_table

    with uploads_in_folder({name: data}) as paths:
        return read_table(paths[name])


@dataclass(frozen=True)
class TableFit:
    result: Any
    warnings: tuple[str, ...]
    host_cations: int | None


def fit_table(
    name: str,
    data: bytes,
    *,
    x_col: str,
    y_col: str,
    model: str = "hill",
    sigma_col: str | None = None,
    percent: bool = False,
    host_cations: int | None = None,
    diameter_nm: float | None = None,
    material: str = "CdSe",
    phase: str = "zincblende",
    host_per_site: int = 1,
    sites: int | None = None,
    nc_conc_molar: float | None = None,
    observable: str = "product",
    ci: str = "profile",
) -> TableFit:
    """Fit one uploaded titration table, as ``cationx coop fit`` does with the same options."""
    from cationx._validation import check_choice, check_int
    from cationx.cooperative.equilibrium import OBSERVABLES
    from cationx.cooperative.fits import FIT_MODELS, Titration, fit
    from cationx.io import select_columns

    check_choice(model, "model", FIT_MODELS)
    check_choice(ci, "ci", CI_CHOICES)
    frame = read_uploaded_table(name, data)
    cols = [x_col, y_col] + ([sigma_col] if sigma_col else [])
    arrays = select_columns(frame, cols, source=name)
    x, y = arrays[0], arrays[1]
    sigma = arrays[2] if sigma_col else None
    if percent:
        y = y / 100.0
        sigma = None if sigma is None else sigma / 100.0
    elif y.size and y.max() > 1.5:
        raise InputError(f"{name}: column {y_col!r} goes up to {y.max():.4g}: fractions must be 0..1 (tick 'y in percent')")
    sequential = model not in ("hill", "hill-free", "langmuir")
    h = check_int(host_per_site, "host_per_site", minimum=1)
    host = None
    if sequential:
        check_choice(observable, "observable", OBSERVABLES)
        if host_cations is not None and diameter_nm is not None:
            raise InputError("give the host cations per NC or the diameter, not both")
        if diameter_nm is not None:
            from cationx.spectra.sizing import host_cations_per_nc

            raw = host_cations_per_nc(material, diameter_nm, phase=phase)
            host = max(1, round(raw / h)) * h
        elif host_cations is not None:
            host = check_int(host_cations, "host_cations", minimum=1)
        if host is None and sites is None:
            raise InputError("sequential models need the NC size (host cations or diameter) or the number of steps n")
        if host is not None and nc_conc_molar is None:
            raise InputError("real units need the NC concentration in M (e.g. 2.4e-6)")
        n_steps = host // h if host is not None else sites
        if n_steps is not None and n_steps > MAX_SITES:
            raise InputError(
                f"n = {n_steps} steps is over the {MAX_SITES} this page fits: take a larger step size h "
                "(or use `cationx coop fit` on your own machine)"
            )
    if x.size > MAX_POINTS:
        raise InputError(f"{name} has {x.size} rows: over the {MAX_POINTS} this page fits")
    conc = 1.0 if nc_conc_molar is None else nc_conc_molar
    t = Titration.from_arrays(x, y, sigma=sigma, nc_conc_molar=conc, label=name)
    kwargs: dict[str, Any] = {"ci": ci}
    if sequential:
        kwargs.update(
            sites=None if host is not None else sites, host_cations=host, host_per_site=h, observable=observable
        )
    with caught_warnings() as warned:
        result = fit(t, model, **kwargs)
    return TableFit(result, tuple(warned), host)


@dataclass(frozen=True)
class SpectraOutcome:
    analysis: Any
    report_zip: bytes
    figures: dict[str, bytes]
    warnings: tuple[str, ...]


def demo_files() -> dict[str, bytes]:
    """The bundled synthetic titration (description and spectra) as ``{name: bytes}``."""
    import cationx

    folder = Path(cationx.__file__).resolve().parent / "data" / "demo"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".toml", ".csv")}


def analyze_spectra(files: dict[str, bytes]) -> SpectraOutcome:
    """Run ``cationx titration analyze`` on uploaded files: one ``.toml`` and the files it names.

    The description's file names are looked up among the uploads (folders in them are ignored:
    every upload lands in one private folder).
    """
    from cationx.report import write_report
    from cationx.titration import load_description
    from cationx.titration.analysis import analyze_titration

    tomls = [n for n in files if n.lower().endswith(".toml")]
    if len(tomls) != 1:
        raise InputError(f"upload exactly one titration description (.toml) with its spectra; got {len(tomls)}")
    with uploads_in_folder(files) as paths, caught_warnings() as warned:
        toml = paths[tomls[0]]
        folder = toml.parent.resolve()
        desc = load_description(toml, check_files=False)
        by_name = {p.name: p for p in paths.values()}
        missing = []
        for f in desc.input_files():
            target = f.resolve()
            if not target.is_relative_to(folder):
                raise InputError(f"{tomls[0]} names {f.name!r} outside its folder: use plain file names in the description")
            if target.exists():
                continue
            source = by_name.get(safe_name(f.name))
            if source is None:
                missing.append(f.name)
                continue
            # the description may name files in sub-folders: the uploads are all in one folder
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
        if missing:
            raise InputError(f"{tomls[0]} names files that were not uploaded: {', '.join(missing)}")
        analysis = analyze_titration(desc)
        out = toml.parent / "report"
        report = write_report(analysis, out, inputs=[toml, *desc.input_files()])
        buf = io.BytesIO()
        figures: dict[str, bytes] = {}
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(out.rglob("*")):
                if p.is_file():
                    zf.write(p, Path("report") / p.relative_to(out))
                    if p.suffix == ".png":
                        figures[p.name] = p.read_bytes()
        _ = report
    return SpectraOutcome(analysis, buf.getvalue(), figures, tuple(warned))


# ----------------------------------------------------------------------------- page


def _result_block(fitted: TableFit, x_label: str, y_label: str) -> None:
    import streamlit as st

    from cationx.plot.cooperative import fit_figure

    res = fitted.result
    if res.converged:
        st.success(f"Fit converged and nothing was flagged (R² = {res.r2:.4f}).")
    else:
        st.error("FIT NOT TRUSTWORTHY: " + ("; ".join(res.warnings) if res.warnings else f"the optimiser did not succeed ({res.message})"))
    show_warnings([w for w in fitted.warnings if w not in res.warnings])
    c1, c2 = st.columns([1.2, 1])
    with c1:
        figure(fit_figure(res, x_label=x_label, y_label=y_label))
    with c2:
        st.markdown(f"**{res.model}**: R² = {res.r2:.4f}, AIC = {res.aic:.4g}, BIC = {res.bic:.4g}, "
                    f"{res.ndata} points, intervals: {res.ci_method} ({100 * res.ci_level:.0f} %)")
        st.dataframe(res.to_frame(), width="stretch")
        consts = res.extra.get("constants")
        if consts:
            import pandas as pd

            st.markdown("**constants**")
            st.dataframe(pd.DataFrame(consts).T, width="stretch")
    for note in res.notes:
        st.info(note)
    st.download_button("Download data, fit and residuals (CSV)", res.curve_frame().to_csv(index=False).encode(),
                       file_name="fit.csv", mime="text/csv", key="fit_download_csv")
    with st.expander("result (JSON)"):
        st.json(json_safe(res.to_dict(arrays=False)))


def _table_tab() -> None:
    import streamlit as st

    from cationx.cooperative.equilibrium import OBSERVABLES
    from cationx.cooperative.fits import FIT_MODELS
    from cationx.spectra.sizing import MATERIALS, PHASES

    up = st.file_uploader("Titration table (CSV or TXT with a header row)", type=["csv", "txt", "tsv", "dat"], key="fit_table_upload")
    got = upload_bytes(up)
    if got is None:
        st.info("Upload a table of ions added per NC (x) and the observed fraction (y), e.g. columns x,y.")
        return
    name, data = got
    frame = read_uploaded_table(name, data)
    st.dataframe(frame.head(8), width="stretch")
    columns = list(frame.columns)
    c1, c2 = st.columns([1, 2])
    model = c1.selectbox("model", FIT_MODELS, key="fit_model")
    sequential = model not in ("hill", "hill-free", "langmuir")
    size_by = "steps"
    if sequential:
        size_by = c2.radio("NC size from", ("diameter", "host cations N", "steps n (per-NC units)"), horizontal=True,
                           key="fit_size_by", help=SEQUENTIAL_HELP)
    with st.form("fit_form"):
        c1, c2, c3 = st.columns(3)
        x_col = c1.selectbox("x: ions added per NC", columns, index=0, key="fit_x")
        y_col = c2.selectbox("y: observed fraction", columns, index=min(1, len(columns) - 1), key="fit_y")
        sigma_col = c3.selectbox("sigma (optional)", ["(none)", *columns], key="fit_sigma")
        c1, c2, c3 = st.columns(3)
        ci = c1.selectbox("intervals", CI_CHOICES, key="fit_ci")
        percent = c2.checkbox("y in percent", key="fit_percent")
        diameter = host = sites = None
        material, phase, h, nc_conc, observable = "CdSe", "zincblende", 1, None, "product"
        if sequential:
            c1, c2, c3, c4 = st.columns(4)
            if size_by == "diameter":
                diameter = c1.number_input("diameter (nm)", 0.5, 30.0, 4.0, 0.1, key="fit_diameter")
                material = c2.selectbox("material", MATERIALS, key="fit_material")
                phase = c3.selectbox("phase", PHASES, key="fit_phase")
            elif size_by.startswith("host"):
                host = c1.number_input("host cations N", 1, 1_000_000, 660, key="fit_host")
            else:
                sites = c1.number_input("steps n", 1, 5000, 20, key="fit_sites")
            h = c4.number_input("step size h", 1, 5000, 1, key="fit_h")
            if not size_by.startswith("steps"):
                nc_conc = st.number_input("NC concentration (M)", 1e-12, 1.0, 2.4e-6, format="%.3e", key="fit_nc")
            observable = st.selectbox("what y measures", OBSERVABLES, index=OBSERVABLES.index("product"), key="fit_observable",
                                      help="product: product material (as A(1.82 eV)); exchanged: fully exchanged NCs; "
                                           "host: pristine NCs (first-exciton height); unexchanged; host-material")
        submitted = st.form_submit_button("Fit", type="primary")
    if submitted:
        st.session_state["fit_last"] = fit_table(
            name, data, x_col=x_col, y_col=y_col, model=model,
            sigma_col=None if sigma_col == "(none)" else sigma_col, percent=percent,
            diameter_nm=diameter, host_cations=None if host is None else int(host),
            sites=None if sites is None else int(sites), material=material, phase=phase, host_per_site=int(h),
            nc_conc_molar=None if nc_conc is None else float(nc_conc), observable=observable, ci=ci,
        )
        st.session_state["fit_labels"] = (x_col, y_col)
    if "fit_last" in st.session_state:
        _result_block(st.session_state["fit_last"], *st.session_state.get("fit_labels", ("x", "y")))


def _spectra_tab() -> None:
    import streamlit as st

    st.markdown(
        "Upload the titration description (**.toml**, see docs/titration.md) together with the spectrum "
        "files it names. The analysis is the one of `cationx titration analyze`."
    )
    ups = st.file_uploader("Description and spectra", accept_multiple_files=True, key="fit_spectra_upload")
    use_demo = st.button("Or analyse the bundled demo titration", key="fit_demo")
    files: dict[str, bytes] = {}
    for up in ups or []:
        got = upload_bytes(up)
        if got is not None:
            files[got[0]] = got[1]
    if use_demo:
        files = demo_files()
    if files:
        key = tuple(sorted((name, len(data), hash(data)) for name, data in files.items()))
        if st.session_state.get("fit_spectra_key") != key:
            st.session_state.pop("fit_spectra_outcome", None)
            st.session_state["fit_spectra_outcome"] = analyze_spectra(files)
            st.session_state["fit_spectra_key"] = key
    outcome = st.session_state.get("fit_spectra_outcome")
    if outcome is None:
        return
    a = outcome.analysis
    s = a.sizing
    st.subheader(a.title)
    show_warnings(list(outcome.warnings))
    st.markdown(
        f"{len(a.labels)} spectra; {s.material} exciton {s.wavelength_nm:.1f} nm → D = {s.diameter_nm:.2f} ± "
        f"{s.diameter_uncertainty_nm:.2f} nm, {s.host_cations_per_nc:.0f} host cations per NC; SVD rank {a.svd.rank}; "
        "isosbestic points: " + (", ".join(f"{p.wavelength_nm:.1f} ± {p.uncertainty_nm:.1f} nm" for p in a.isosbestic) or "none")
    )
    if a.half_exchange_ions_per_nc is not None:
        st.markdown(f"half exchange at **{a.half_exchange_ions_per_nc:.4g}** ions per NC")
    for fname, res in a.fits.items():
        if res.converged:
            st.success(f"{fname}: converged, R² = {res.r2:.4f}")
        else:
            st.error(f"{fname}: FIT NOT TRUSTWORTHY: " + "; ".join(res.warnings or (res.message,)))
    st.dataframe(a.fit_table(), width="stretch")
    for note in a.notes:
        st.info(note)
    st.download_button("Download the report folder (zip)", outcome.report_zip, file_name="titration_report.zip",
                       mime="application/zip", key="fit_report_zip")
    cols = st.columns(2)
    for k, (fname, png) in enumerate(sorted(outcome.figures.items())[:4]):
        cols[k % 2].image(png, caption=fname)


def render() -> None:
    import streamlit as st

    st.title("Fit my titration")
    tab1, tab2 = st.tabs(["Table of fractions", "Spectra + description"])
    # each tab shows its own errors
    with tab1:
        guarded(_table_tab)()
    with tab2:
        guarded(_spectra_tab)()


page = guarded(render)
