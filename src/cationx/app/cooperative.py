"""Page 1: cooperative model explorer (cationx.cooperative, live).

Choose a preset, the NC size (diameter -> host cations per NC by
:func:`cationx.spectra.sizing.host_cations_per_nc`), the step size ``h`` (``n = round(N/h)``),
the constants and the NC concentration; see the fractions, the dopant population, free
versus total ions, the mass-balance bound and Hill coefficients fitted against total and
against free ions.  All numbers come from :func:`cationx.cooperative.make_model`,
:func:`~cationx.cooperative.solve_titration` and :func:`cationx.cooperative.fits.fit_hill`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cationx.app._common import (
    MAX_POINTS,
    MAX_SITES,
    caught_warnings,
    guarded,
    log_slider,
    show_warnings,
)
from cationx.errors import CationxError, InputError

__all__ = ["CONSTANTS", "DEFAULTS", "ExplorerResult", "explore", "page", "render"]

# the constants each preset takes (as make_model names them) and the slider ranges (log10)
CONSTANTS: dict[str, tuple[str, ...]] = {
    "white2013": ("k1", "alpha"),
    "ladder": ("k1", "alpha"),
    "nucleation": ("k", "sigma"),
    "mwc": ("k1", "alpha"),
    "lattice": ("k", "coupling"),
    "independent": ("k1",),
}
# starting values (per step, M^-h for Cu+/Cd2+): curves that end within a few times the
# stoichiometric amount for a 4 nm CdSe NC at 2.4 uM, h = 1
DEFAULTS: dict[str, dict[str, float]] = {
    "white2013": {"k1": 1e3, "alpha": 55.0},
    "ladder": {"k1": 1e3, "alpha": 1.01},
    "nucleation": {"k": 1e4, "sigma": 1e-3},
    "mwc": {"k1": 1e3, "alpha": 3.0},
    "lattice": {"k": 1e4, "coupling": 4.0},
    "independent": {"k1": 1e6},
}
_LOG_RANGE = {"k1": (-6.0, 14.0), "k": (-6.0, 14.0), "alpha": (-3.0, 4.0), "sigma": (-10.0, 0.0)}
_HELP = {
    "k1": "First stepwise constant K1 (per step of h host cations, M^-h for 2 Cu+ per Cd2+).",
    "k": "Affinity constant k of every step (per step, M^-h for 2 Cu+ per Cd2+).",
    "alpha": "Cooperativity: later steps are alpha times more favourable (white2013: K_i = alpha K1).",
    "sigma": "Nucleation penalty of a partly exchanged NC (<= 1; small = two-state).",
    "coupling": "Coupling J between exchanged steps, in kT (J > 2: first-order, two-state-like).",
}
HILL_ON = {"fully exchanged NCs": "fraction_exchanged", "product material": "product_fraction"}


@dataclass(frozen=True)
class ExplorerResult:
    """What the page shows: the model, the equilibrium state and the two Hill fits."""

    model: Any
    state: Any
    host_cations_raw: float
    hill_total: Any | None
    hill_free: Any | None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> dict[str, Any]:
        m = self.model
        out: dict[str, Any] = {
            "model": m.to_dict(),
            "host_cations_from_size": self.host_cations_raw,
            "full_exchange_ions_per_nc": m.ions_per_host * m.host_cations,
            "max_doped_fraction": self.state.max_doped_fraction,
        }
        for label, res in (("n_hill_total", self.hill_total), ("n_hill_free", self.hill_free)):
            out[label] = None if res is None else res.value("n_hill")
        return out


def explore(
    model: str,
    *,
    diameter_nm: float,
    material: str = "CdSe",
    phase: str = "zincblende",
    host_per_site: int = 1,
    constants: dict[str, float],
    nc_conc_molar: float = 2.4e-6,
    points: int = 200,
    hill_on: str = "fraction_exchanged",
) -> ExplorerResult:
    """Build the model from the NC size and solve the titration (public API calls only)."""
    from cationx._validation import check_int
    from cationx.cooperative import default_totals, make_model, solve_titration
    from cationx.cooperative.fits import Titration, fit_hill
    from cationx.spectra.sizing import host_cations_per_nc

    points = check_int(points, "points", minimum=10, maximum=MAX_POINTS)
    h = check_int(host_per_site, "host_per_site", minimum=1, maximum=MAX_SITES)
    raw = host_cations_per_nc(material, diameter_nm, phase=phase)
    n = max(1, round(raw / h))
    if n > MAX_SITES:
        raise InputError(
            f"{material} {diameter_nm:g} nm holds {raw:.0f} host cations: n = N/h = {n} steps is over "
            f"the explorer's {MAX_SITES}; take a larger step size h (e.g. {int(raw // MAX_SITES) + 1})"
        )
    mdl = make_model(model, sites=n, host_per_site=h, **constants)
    totals = default_totals(mdl, points, nc_conc_molar=nc_conc_molar)
    state = solve_titration(mdl, totals, nc_conc_molar=nc_conc_molar)
    notes = [
        f"{material} {phase} sphere of {diameter_nm:g} nm: {raw:.1f} host cations (sizing); "
        f"n = {n} steps x h = {h} = {mdl.host_cations} host cations, fully exchanged by "
        f"{mdl.ions_per_host * mdl.host_cations} ions per NC"
    ]
    y = getattr(state, hill_on)
    hill_total = hill_free = None
    with caught_warnings() as warned:
        try:
            hill_total = fit_hill(
                Titration.from_arrays(state.total_ions_per_nc, y), against="total",
                sites=mdl.host_cations, ions_per_site=mdl.ions_per_host, ci="none",
            )
        except CationxError as exc:
            notes.append(f"n_H on total ions not fitted: {exc}")
        try:
            hill_free = fit_hill(Titration.from_arrays(state.free_ions_per_nc, y), against="free", ci="none")
        except CationxError as exc:
            notes.append(f"n_H on free ions not fitted: {exc}")
    for res in (hill_total, hill_free):
        if res is not None:
            notes.extend(n for n in res.notes if n not in notes and n not in warned)
    return ExplorerResult(mdl, state, raw, hill_total, hill_free, tuple(notes), tuple(warned))


def _constant_controls(model: str) -> dict[str, float]:
    import math

    import streamlit as st

    values: dict[str, float] = {}
    for name in CONSTANTS[model]:
        default = DEFAULTS[model][name]
        key = f"coop_{model}_{name}"
        if name == "coupling":
            values[name] = st.slider("coupling J (kT)", -10.0, 10.0, default, 0.1, key=key, help=_HELP[name])
        else:
            lo, hi = _LOG_RANGE[name]
            values[name] = log_slider(
                f"log10 {name}", key=key, lo=lo, hi=hi, default=round(math.log10(default), 2), help=_HELP[name]
            )
            st.caption(f"{name} = {values[name]:.4g}")
    return values


def render() -> None:
    import streamlit as st

    from cationx.cooperative import PRESETS
    from cationx.spectra.sizing import MATERIALS, PHASES

    st.title("Cooperative model explorer")
    st.caption(
        "Sequential cation-exchange models (White et al. 2013 and relatives) in real units: the "
        "NC size fixes the host cations per NC, the NC concentration the free ions. See docs/science.md."
    )
    left, right = st.columns([1, 2.2], gap="large")
    with left:
        model = st.selectbox("model", PRESETS, key="coop_model")
        c1, c2 = st.columns(2)
        material = c1.selectbox("material", MATERIALS, key="coop_material")
        phase = c2.selectbox("phase", PHASES, key="coop_phase")
        diameter = st.slider("NC diameter (nm)", 1.0, 15.0, 4.0, 0.1, key="coop_diameter")
        h = st.number_input("step size h (host cations per step)", 1, MAX_SITES, 1, key="coop_h")
        constants = _constant_controls(model)
        nc_conc = log_slider("log10 NC concentration (M)", key="coop_log10_nc", lo=-9.0, hi=-3.0, default=-5.62)
        st.caption(f"NC concentration = {nc_conc:.3g} M")
        points = st.slider("points", 50, MAX_POINTS, 200, 50, key="coop_points")
        hill_label = st.selectbox("n_H fitted to", list(HILL_ON), key="coop_hill_on")
    with right:
        guarded(lambda: _results(model, diameter, material, phase, int(h), constants, nc_conc, points, HILL_ON[hill_label]))()


def _results(model: str, diameter: float, material: str, phase: str, h: int, constants: dict[str, float],
             nc_conc: float, points: int, hill_on: str) -> None:
    import pandas as pd
    import streamlit as st

    res = explore(
        model, diameter_nm=diameter, material=material, phase=phase, host_per_site=h,
        constants=constants, nc_conc_molar=nc_conc, points=points, hill_on=hill_on,
    )
    st_ = res.state
    m = res.model
    a, b, c, d = st.columns(4)
    a.metric("steps n x h", f"{m.sites} x {m.host_per_site}")
    b.metric("n_H (total ions)", "n/a" if res.hill_total is None else f"{res.hill_total.value('n_hill'):.3g}")
    c.metric("n_H (free ions)", "n/a" if res.hill_free is None else f"{res.hill_free.value('n_hill'):.3g}")
    d.metric("max doped fraction", f"{st_.max_doped_fraction:.3f}")
    show_warnings(list(res.warnings))
    x = pd.Index(st_.total_ions_per_nc, name="total ions per NC")
    st.subheader("Fractions of NCs")
    st.caption("exchanged: fully exchanged NCs; product material: host cations replaced / all; pristine: no step "
               "taken; doped: partly exchanged; bound T/(mN): the most the ions added allow (mass balance)")
    st.line_chart(
        pd.DataFrame(
            {
                "exchanged NCs": st_.fraction_exchanged,
                "product material": st_.product_fraction,
                "pristine": st_.fraction_host,
                "doped": st_.fraction_doped,
                "bound T/(mN)": st_.feasibility_bound,
            },
            index=x,
        ),
        x_label="total ions added per NC", y_label="fraction",
        color=["#1f77b4", "#2ca02c", "#222222", "#ff7f0e", "#b0b0b0"],
    )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Dopant population")
        st.line_chart(
            pd.DataFrame({"dopants per NC": st_.dopants_per_nc}, index=x),
            x_label="total ions added per NC", y_label="dopants per NC",
        )
    with c2:
        st.subheader("Free vs total ions")
        st.line_chart(
            pd.DataFrame({"free": st_.free_ions_per_nc, "bound": st_.bound_ions_per_nc}, index=x),
            x_label="total ions added per NC", y_label="ions per NC",
        )
    for note in res.notes:
        st.info(note)
    st.download_button(
        "Download the curves (CSV)", st_.to_frame().to_csv(index=False).encode(),
        file_name=f"{m.name}_n{m.sites}_h{m.host_per_site}.csv", mime="text/csv", key="coop_download",
    )
    with st.expander("summary (JSON)"):
        from cationx.app._common import json_safe

        st.json(json_safe(res.summary()))


page = guarded(render)
