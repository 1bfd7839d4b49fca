"""Page 4: mass spectra of clusters.

A formula gives its exact aggregated isotope envelope (:func:`cationx.massspec.envelope`, as
``cationx ms pattern``); an uploaded spectrum gives its peaks
(:func:`cationx.massspec.spectrum.pick_peaks`) and, for the formulas given, envelope fits
(:func:`cationx.massspec.assign.fit_envelope`, as ``cationx ms assign``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cationx.app._common import (
    caught_warnings,
    figure,
    guarded,
    show_warnings,
    upload_bytes,
    uploads_in_folder,
)
from cationx.errors import InputError

__all__ = ["MAX_ATOMS", "SpectrumOutcome", "analyze_spectrum", "isotope_envelope", "page", "render"]

MAX_ATOMS = 5000  # atoms in one formula (a Cd2000S2000 envelope takes ~1 s)
MAX_FORMULAS = 5
MAX_SPECTRUM_POINTS = 2_000_000


def _formula(text: str, charge: int | None) -> Any:
    from cationx.massspec import parse_formula

    f = parse_formula(text)
    if f.atoms > MAX_ATOMS:
        raise InputError(f"{text!r} has {f.atoms} atoms: over the {MAX_ATOMS} this page computes")
    if charge is not None and not f.charge:
        f = f.with_charge(charge)
    return f


def isotope_envelope(formula: str, *, charge: int | None = None, resolving_power: float = 10000.0) -> tuple[Any, Any, Any]:
    """Envelope and profile (m/z, intensity) of ``formula`` (charge used when it has none)."""
    from cationx.massspec import envelope, profile

    f = _formula(formula, charge)
    env = envelope(f)
    mz, inten = profile(env, resolving_power=resolving_power)
    return env, mz, inten


@dataclass(frozen=True)
class SpectrumOutcome:
    spectrum: Any
    peaks: Any
    fits: tuple[Any, ...]
    warnings: tuple[str, ...]


def analyze_spectrum(
    name: str,
    data: bytes,
    *,
    formulas: list[str] = (),  # type: ignore[assignment]
    charge: int = 1,
    baseline: bool = True,
    min_relative_height: float = 0.05,
) -> SpectrumOutcome:
    """Peaks of an uploaded spectrum (CSV/TXT m/z,intensity or mzML) and envelope fits."""
    from cationx.io.massspec import read_spectrum
    from cationx.massspec.assign import fit_envelope
    from cationx.massspec.spectrum import pick_peaks, subtract_baseline

    formulas = [f.strip() for f in formulas if f.strip()]
    if len(formulas) > MAX_FORMULAS:
        raise InputError(f"give at most {MAX_FORMULAS} formulas at once, got {len(formulas)}")
    with caught_warnings() as warned:
        with uploads_in_folder({name: data}) as paths:
            sp = read_spectrum(paths[name])
        if sp.mz.size > MAX_SPECTRUM_POINTS:
            raise InputError(f"{name} has {sp.mz.size} points: over the {MAX_SPECTRUM_POINTS} this page reads")
        if baseline:
            sp, _ = subtract_baseline(sp)
        peaks = pick_peaks(sp, min_relative_height=min_relative_height)
        fits = tuple(fit_envelope(sp, _formula(text, charge)) for text in formulas)
    return SpectrumOutcome(sp, peaks, fits, tuple(warned))


# ----------------------------------------------------------------------------- page


def _envelope_section() -> None:
    import pandas as pd
    import streamlit as st

    c1, c2, c3 = st.columns([2, 1, 1])
    text = c1.text_input("formula or ion", "[Cd34S33(L)+H]+", key="ms_formula",
                         help="e.g. Cd34S33(L), [Cd34S33(L)+H]+, Ag29S13+; L = oleic acid C18H34O2")
    charge = c2.number_input("charge (if the formula has none)", -10, 10, 1, key="ms_charge")
    rp = c3.select_slider("resolving power", [1000, 3000, 10000, 30000, 100000], value=10000, key="ms_rp")
    if not text.strip():
        st.info("Type a formula.")
        return
    env, mz, inten = isotope_envelope(text, charge=int(charge) or None, resolving_power=float(rp))
    f = env.formula
    st.markdown(f"**{f.ion_label()}** (charge {f.charge})")
    a, b, c = st.columns(3)
    a.metric("most abundant m/z", f"{env.most_abundant_mz:.4f}")
    b.metric("average m/z", f"{env.average_mz:.4f}")
    c.metric("average mass (u)", f"{env.average_mass_da:.4f}")
    st.line_chart(pd.DataFrame({"intensity": inten}, index=pd.Index(mz, name="m/z")), x_label="m/z", y_label="intensity")
    frame = env.to_frame()
    frame = frame[frame["relative"] >= 1e-3]
    st.dataframe(frame, width="stretch", height=220)
    st.download_button("Download the peak table (CSV)", env.to_frame().to_csv(index=False).encode(),
                       file_name="envelope.csv", mime="text/csv", key="ms_env_download")


def _spectrum_section() -> None:
    import pandas as pd
    import streamlit as st

    up = st.file_uploader("spectrum (CSV/TXT m/z,intensity, or mzML)", type=["csv", "txt", "tsv", "dat", "mzml", "xy"], key="ms_spectrum")
    got = upload_bytes(up)
    c1, c2, c3 = st.columns([2, 1, 1])
    formulas = c1.text_input("formulas to assign (comma-separated)", "", key="ms_assign_formulas")
    charge = c2.number_input("charge", -10, 10, 1, key="ms_assign_charge")
    min_h = c3.slider("peak threshold (fraction of max)", 0.005, 0.5, 0.05, key="ms_min_height")
    baseline = st.checkbox("subtract a SNIP baseline", value=True, key="ms_baseline")
    if got is None:
        st.info("Upload a spectrum to pick its peaks and fit formulas to it.")
        return
    out = analyze_spectrum(*got, formulas=formulas.split(","), charge=int(charge) or 1, baseline=baseline, min_relative_height=min_h)
    show_warnings(list(out.warnings))
    sp = out.spectrum
    st.markdown(f"{sp.mz.size} points, m/z {sp.mz[0]:.2f}-{sp.mz[-1]:.2f}; **{len(out.peaks)} peaks**")
    if out.fits:
        from cationx.plot.massspec import assign_figure

        fig_col, _ = st.columns([2, 1])
        with fig_col:
            figure(assign_figure(sp, list(out.fits)))
        st.dataframe(pd.DataFrame([{k: v for k, v in ft.to_dict().items() if k != "params"} for ft in out.fits]), width="stretch")
    else:
        st.line_chart(pd.DataFrame({"intensity": sp.intensity}, index=pd.Index(sp.mz, name="m/z")), x_label="m/z", y_label="intensity")
    st.dataframe(out.peaks.to_frame(), width="stretch", height=220)


def render() -> None:
    import streamlit as st

    st.title("Mass spectrum")
    tab1, tab2 = st.tabs(["Isotope envelope", "Spectrum: peaks and assignment"])
    # each tab shows its own errors, so a bad formula does not hide the spectrum tab
    with tab1:
        guarded(_envelope_section)()
    with tab2:
        guarded(_spectrum_section)()


page = guarded(render)
