"""White, Smith, Behl, Jain, Nat. Commun. 4, 2933 (2013): the simulation of Fig. 2b and its Hill fits.

What is reproduced (Methods "Theoretical model", Fig. 2b):

- the paper's 20-site model with K1 = 1e-2 M^-1 and alpha = 55, in the closed form the
  paper prints (``white2013`` preset), in per-NC units: fraction of fully exchanged NCs,
  host NCs (pure + doped) and dopants per NC against total ions added per NC;
- the paper's printed fractions (M/M_T, ML_n/M_T, c_d, c_b, c_f, c_t) from its closed
  formulas, compared with the general engine;
- Hill fits of the simulated curve against total and against free ions, with the bound
  fraction at the midpoint (the paper fitted experimental data against totals);
- the same titration with the ``ladder`` preset (the model the paper states in words)
  and the ``independent`` non-cooperative reference at the same half-exchange point;
- what the paper's constants mean in real units: the NC concentration of the experiment
  (Methods: 4.8e-6 mol Cd in 3.0 mL, ~660 Cd per NC) and one step per host cation.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from cationx.constants import BOLTZMANN_EV
from cationx.cooperative import (
    independent,
    ladder,
    simulate,
    solve_titration,
    sweep_kappa,
    total_at_fraction_exchanged,
    white2013,
)
from cationx.cooperative.fits import Titration, fit_hill
from cationx.errors import InterpretationWarning
from cationx.io.write import atomic_write_text, write_csv, write_json
from cationx.reproduce import Reproduction

PAPER = "white2013"
TITLE = "White, Smith, Behl, Jain, Nat. Commun. 4, 2933 (2013): co-operativity in CdSe -> Cu2Se exchange"

SITES = 20
K1 = 1e-2  # M^-1, "a relatively small magnitude (10^-2 M^-1)"
ALPHA = 55.0  # "a 0.1-eV stabilization can result in alpha ~ 55"
KT_EV_298 = BOLTZMANN_EV * 298.15  # k_B T at 298.15 K, eV


def printed_fractions(kappa: np.ndarray, n: int, k1: float, alpha: float) -> dict[str, np.ndarray]:
    """The paper's closed formulas (Methods), with c_d's printed "(n-1) ML_n" read as
    ``(n-1) ML_{n-1}`` (fully exchanged NCs hold no dopants).  Direct sums; for checks."""
    ka = np.asarray(kappa, dtype=float)[:, None] * alpha
    i = np.arange(1, n + 1, dtype=float)
    terms = ka**i  # (kappa alpha)^i
    s = terms.sum(axis=1)
    denom = alpha + s
    cb = 2 * (terms * i).sum(axis=1) / denom
    cd = 2 * (terms[:, : n - 1] * i[: n - 1]).sum(axis=1) / denom
    d = cb / 2
    cf = np.sqrt(cb * np.asarray(kappa, dtype=float) / (2 * k1))
    return {
        "pure_host": alpha / denom,
        "exchanged": terms[:, -1] / denom,
        "dopants": cd,
        "bound": cb,
        "free_host": d,
        "free": cf,
        "total": cb + cf,
    }


def _hill_pair(state: Any) -> dict[str, Any]:
    y = state.fraction_exchanged
    sel = (y > 1e-4) & (y < 1 - 1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InterpretationWarning)
        on_total = fit_hill(Titration.from_arrays(state.total_ions_per_nc[sel], y[sel]), against="total")
    on_free = fit_hill(Titration.from_arrays(state.free_ions_per_nc[sel], y[sel]), against="free")
    # mean site occupancy against the exchange activity x = c^m/d = kappa/K1: the variable in
    # which independent sites are exactly Langmuirian (n_H = 1), so n_H here measures cooperativity
    occ = state.released_host_per_nc / state.model.sites
    act = state.kappa / math.exp(state.model.log_k1)
    sel_o = (occ > 1e-4) & (occ < 1 - 1e-4) & (act > 0)
    on_activity = fit_hill(Titration.from_arrays(act[sel_o], occ[sel_o]), against="free")
    t_half = on_total.value("k_half")
    bound_mid = float(np.interp(t_half, state.total_ions_per_nc, state.bound_fraction))
    return {
        "n_hill_total": on_total.value("n_hill"),
        "n_hill_total_ci": [on_total["n_hill"].ci_low, on_total["n_hill"].ci_high],
        "k_half_total": t_half,
        "r2_total": on_total.r2,
        "n_hill_free": on_free.value("n_hill"),
        "n_hill_free_ci": [on_free["n_hill"].ci_low, on_free["n_hill"].ci_high],
        "k_half_free": on_free.value("k_half"),
        "r2_free": on_free.r2,
        "bound_fraction_at_midpoint": bound_mid,
        "n_hill_occupancy_vs_activity": on_activity.value("n_hill"),
        "fit_total": on_total,
        "fit_free": on_free,
    }


def _features(state: Any) -> dict[str, float]:
    x = state.total_ions_per_nc
    y = state.fraction_exchanged
    dop = state.dopants_per_nc
    t_half = float(np.interp(0.5, y, x))
    t_01 = float(np.interp(0.01, y, x))
    t_99 = float(np.interp(0.99, y, x))
    k_peak = int(np.argmax(dop))
    return {
        "total_at_1pct_exchanged": t_01,
        "total_at_half_exchanged": t_half,
        "total_at_99pct_exchanged": t_99,
        "latent_fraction_of_midpoint": t_01 / t_half,
        "transition_width_10_90": float(np.interp(0.9, y, x) - np.interp(0.1, y, x)),
        "dopant_peak_per_nc": float(dop[k_peak]),
        "dopant_peak_at_total": float(x[k_peak]),
        "dopants_at_end_over_peak": float(dop[-1] / dop[k_peak]),
    }


def _matched_independent(t_half: float) -> Any:
    """Independent-site model with K1 chosen to put half exchange at ``t_half``."""

    def g(log_k1: float) -> float:
        return math.log(total_at_fraction_exchanged(independent(SITES, 10.0**log_k1), 0.5)) - math.log(t_half)

    log_k1 = brentq(g, -12, 12, xtol=1e-12)
    return independent(SITES, 10.0**log_k1)


# 000 Methods / SCIENCE.md section 2: 4.8e-6 mol Cd2+ exchanged, 3.0 mL toluene, ~660 Cd per 4 nm NC
MOL_CD = 4.8e-6
VOLUME_L = 3.0e-3
HOST_PER_NC = 660


def hill_mass_balance(n_hill: float, host: int, m: int = 2) -> dict[str, float]:
    """Smallest Hill midpoint K (ions per NC) compatible with mass balance for NCs of ``host`` cations.

    Read as fully exchanged NCs, the curve must stay below ``T/(m N)`` (level bound); read as
    product material, its slope may also not exceed ``1/(m N)`` (only added ions exchange).
    Bisection on K over a dense grid of T.
    """

    def ok(k: float, slope: bool) -> bool:
        t = np.linspace(1e-9, 8 * k, 200_001)
        th = 1.0 / (1.0 + (k / t) ** n_hill)
        good = bool(np.all(th <= np.minimum(1.0, t / (m * host)) + 1e-12))
        return good and (not slope or float(np.max(np.gradient(th, t))) <= 1.0 / (m * host))

    out = {}
    for key, slope in (("k_min_fully_exchanged", False), ("k_min_product_material", True)):
        lo, hi = 1.0, 50.0 * host
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if ok(mid, slope) else (mid, hi)
        out[key] = hi
    out["n_hill"] = n_hill
    out["full_exchange_ions_per_nc"] = float(m * host)
    return out


def models_near_stoichiometry(conc: float) -> dict[str, dict[str, float | None]]:
    """Each preset at n = 660 with its product midpoint at 1.15 Cu+ per Cd: Hill n_H on totals of
    the product material and of the fully exchanged fraction, and the largest doped fraction."""
    from cationx.cooperative.fits import _affinity_for_midpoint, _build
    from cationx.cooperative.models import MODEL_PARAMETERS

    shapes = {
        "white2013": {"log10_alpha": math.log10(ALPHA)},
        "ladder": {"log10_alpha": 2.0 / (HOST_PER_NC - 1)},
        "nucleation": {"log10_sigma": -3.5},
        "mwc": {"log10_alpha": 1.0},
        "lattice": {"coupling": 3.0},
        "independent": {},
    }
    out: dict[str, dict[str, float | None]] = {}
    totals = np.linspace(0.0, 2.5 * HOST_PER_NC, 101)[1:]
    for name, shape in shapes.items():
        aff = MODEL_PARAMETERS[name][0]
        names = [aff, *shape]
        values = {aff: 0.0, **shape}
        unit = _build(name, HOST_PER_NC, values, 0, 2, 1, names)
        values[aff] = _affinity_for_midpoint(unit, "product", 0.5, 1.15 * HOST_PER_NC, conc, 0.0) / math.log(10)
        st = solve_titration(_build(name, HOST_PER_NC, values, 0, 2, 1, names), totals, nc_conc_molar=conc)
        row: dict[str, float | None] = {"max_doped_fraction": st.max_doped_fraction, **shape}
        for key, y in (("n_hill_product", st.product_fraction), ("n_hill_exchanged", st.fraction_exchanged)):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    row[key] = fit_hill(Titration.from_arrays(totals, y), ci="none").value("n_hill")
            except Exception:  # a curve no Hill equation fits (reported as missing)
                row[key] = None
        out[name] = row
    return out


def real_units() -> dict[str, Any]:
    """The paper's K1 = 1e-2 M^-1 and alpha = 55 at 000's real NC concentration.

    Half of the NCs fully exchanged needs at least ``0.5 x 2 x 660`` bound Cu+ per NC; the
    question is how many *free* Cu+ the paper's constants leave beside them.
    """
    from cationx.cooperative.fits import _affinity_for_midpoint

    conc = MOL_CD / HOST_PER_NC / VOLUME_L
    out: dict[str, Any] = {"nc_conc_molar": conc, "host_cations_per_nc": HOST_PER_NC, "full_exchange_ions_per_nc": 2 * HOST_PER_NC}
    for label, n in (("paper_20_steps", SITES), ("one_step_per_host_cation", HOST_PER_NC)):
        model = white2013(n, K1, ALPHA)
        t50 = total_at_fraction_exchanged(model, 0.5, nc_conc_molar=conc)
        st = solve_titration(model, [t50], nc_conc_molar=conc)
        out[label] = {
            "sites": n,
            "half_exchange_ions_per_nc": t50,
            "free_ion_molar_at_half": float(st.free_ion_molar[0]),
            "free_ions_per_nc_at_half": float(st.free_ions_per_nc[0]),
            "bound_ions_per_nc_at_half": float(st.bound_ions_per_nc[0]),
            "times_stoichiometric_full_exchange": t50 / (2 * HOST_PER_NC),
        }
    # the K1 that, with the paper's alpha and 660 steps, leaves 20 % of the ions free at half
    # exchange; the bound ions there do not depend on K1 (only the free-ion activity does)
    unit = white2013(HOST_PER_NC, 1.0, ALPHA)
    probe = math.exp(_affinity_for_midpoint(unit, "exchanged", 0.5, 1e6, conc, 0.0))
    t_probe = total_at_fraction_exchanged(white2013(HOST_PER_NC, probe, ALPHA), 0.5, nc_conc_molar=conc)
    bound = float(solve_titration(white2013(HOST_PER_NC, probe, ALPHA), [t_probe], nc_conc_molar=conc).bound_ions_per_nc[0])
    target = 1.25 * bound
    ln_k1 = _affinity_for_midpoint(unit, "exchanged", 0.5, target, conc, 0.0)
    out["hill_7p1_mass_balance"] = hill_mass_balance(7.1, HOST_PER_NC)
    out["models_near_stoichiometry"] = models_near_stoichiometry(conc)
    out["k1_for_midpoint_near_stoichiometry"] = {
        "half_exchange_ions_per_nc": target,
        "bound_ions_per_nc_at_half": bound,
        "k1_per_molar": math.exp(ln_k1),
        "log10_k1": ln_k1 / math.log(10),
    }
    return out


def run(out_dir: Path) -> Reproduction:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    from cationx.plot import save_figure
    from cationx.plot.cooperative import compare_figure, fit_figure, titration_figure

    model = white2013(SITES, K1, ALPHA)
    state = simulate(model, 401)
    frame = state.to_frame()
    files.append(write_csv(out / "fig2b_white2013.csv", frame))
    files.append(write_csv(out / "fig2b_populations.csv", state.populations_frame()))
    fig = titration_figure(state, title="White 2013 Fig. 2b: n = 20, K1 = 1e-2 M^-1, alpha = 55")
    files.append(save_figure(fig, out / "fig2b_white2013.png"))

    # printed closed forms vs the general engine
    kappa = np.geomspace(1e-4, 1.0, 61)
    printed = printed_fractions(kappa, SITES, K1, ALPHA)
    engine = sweep_kappa(model, kappa)
    diffs = {
        "pure_host": np.max(np.abs(printed["pure_host"] - engine.fraction_host)),
        "exchanged": np.max(np.abs(printed["exchanged"] - engine.fraction_exchanged)),
        "dopants": np.max(np.abs(printed["dopants"] - engine.dopants_per_nc) / np.maximum(1, printed["dopants"])),
        "total": np.max(np.abs(printed["total"] - engine.total_ions_per_nc) / printed["total"]),
    }

    hill = _hill_pair(state)
    feats = _features(state)
    for key, fitres in (("fit_total", "hill_fit_total"), ("fit_free", "hill_fit_free")):
        fig = fit_figure(hill[key], x_label="total ions per NC" if key == "fit_total" else "free ions per NC", y_label="fraction exchanged")
        files.append(save_figure(fig, out / f"{fitres}.png"))
        files.append(write_csv(out / f"{fitres}.csv", hill[key].curve_frame()))

    # contrast: ladder (paper's words, same K1 and alpha) and independent sites (same midpoint)
    lad = ladder(SITES, K1, ALPHA)
    lad_state = simulate(lad, 401)
    ind = _matched_independent(feats["total_at_half_exchanged"])
    ind_state = solve_titration(ind, np.linspace(0, 2.0 * feats["total_at_99pct_exchanged"], 401))
    contrast = {}
    for name, st in (("white2013", state), ("ladder", lad_state), ("independent", ind_state)):
        h = _hill_pair(st) if name != "white2013" else hill
        f = _features(st)
        contrast[name] = {
            "n_hill_total": h["n_hill_total"],
            "n_hill_free": h["n_hill_free"],
            "n_hill_occupancy_vs_activity": h["n_hill_occupancy_vs_activity"],
            "k_half_total": h["k_half_total"],
            "bound_fraction_at_midpoint": h["bound_fraction_at_midpoint"],
            "dopant_peak_per_nc": f["dopant_peak_per_nc"],
            "max_fraction_doped": float(np.max(st.fraction_doped)),
            "total_at_half_exchanged": f["total_at_half_exchanged"],
        }
    contrast_frame = pd.DataFrame(contrast).T
    contrast_frame.index.name = "model"
    files.append(write_csv(out / "model_contrast.csv", contrast_frame, index=True))
    fig = compare_figure({"white2013 (printed form)": state, "ladder (stated in words)": lad_state, "independent (same midpoint)": ind_state})
    files.append(save_figure(fig, out / "model_contrast.png"))

    numbers: dict[str, Any] = {
        "sites": SITES,
        "k1_per_molar": K1,
        "alpha": ALPHA,
        "alpha_from_0.1eV_at_298K": math.exp(0.1 / KT_EV_298),
        "printed_formula_max_difference": {k: float(v) for k, v in diffs.items()},
        **{k: v for k, v in hill.items() if not k.startswith("fit_")},
        **feats,
        "independent_k1_matched": ind.parameters["k1"],
        "contrast": contrast,
        "real_units": real_units(),
    }
    files.append(write_json(out / "numbers.json", numbers))
    summary = _summary(numbers)
    files.append(atomic_write_text(out / "SUMMARY.md", summary))
    return Reproduction(PAPER, out, tuple(files), numbers)


def _summary(nb: dict[str, Any]) -> str:
    c = nb["contrast"]
    rows = "\n".join(
        f"| {name} | {v['total_at_half_exchanged']:.1f} | {v['n_hill_total']:.2f} | {v['n_hill_free']:.2f} | "
        f"{v['n_hill_occupancy_vs_activity']:.2f} | "
        f"{v['bound_fraction_at_midpoint']:.2f} | {v['max_fraction_doped']:.3f} | {v['dopant_peak_per_nc']:.2f} |"
        for name, v in c.items()
    )
    d = nb["printed_formula_max_difference"]
    ru = nb["real_units"]
    p20, p660, kk = ru["paper_20_steps"], ru["one_step_per_host_cation"], ru["k1_for_midpoint_near_stoichiometry"]
    hb = ru["hill_7p1_mass_balance"]

    def fmt(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    model_rows = "\n".join(
        f"| {name} | {fmt(r['n_hill_product'])} | {fmt(r['n_hill_exchanged'])} | {r['max_doped_fraction']:.2f} |"
        for name, r in ru["models_near_stoichiometry"].items()
    )
    return f"""# White et al. 2013 (Nat. Commun. 4, 2933): simulation of Fig. 2b

Model: n = {nb['sites']} sites, K1 = {nb['k1_per_molar']:g} M^-1, alpha = {nb['alpha']:g}, 2 Cu+ in and
1 Cd2+ out per step, per-NC units (NC concentration 1 M), no Cd2+ at the start.
The paper says a 0.1 eV stabilisation gives alpha ~ 55; exp(0.1 eV / kT) at 298 K is
{nb['alpha_from_0.1eV_at_298K']:.1f}.

## Fig. 2b features (white2013 preset = the paper's printed closed form)

- Half of the NCs are fully exchanged at {nb['total_at_half_exchanged']:.1f} ions per NC
  (full exchange needs {2 * nb['sites']} bound ions per NC).
- Latent region: under 1 % exchanged up to {nb['total_at_1pct_exchanged']:.1f} ions per NC
  ({100 * nb['latent_fraction_of_midpoint']:.0f} % of the midpoint); 10-90 % width
  {nb['transition_width_10_90']:.1f} ions per NC.
- Dopants peak at {nb['dopant_peak_per_nc']:.2f} per NC at {nb['dopant_peak_at_total']:.1f} ions per NC,
  near the midpoint, and fall to {100 * nb['dopants_at_end_over_peak']:.2f} % of the peak at the end.

## The paper's printed formulas vs the general engine

Largest differences over kappa = 1e-4 .. 1: pure host {d['pure_host']:.1e}, exchanged {d['exchanged']:.1e},
dopants (relative) {d['dopants']:.1e}, total (relative) {d['total']:.1e}.
The printed dopant sum ends in "(n-1) ML_n", a typo for (n-1) ML_(n-1): fully exchanged NCs hold no dopants.

## Hill fits of the simulated curve

- Against **total** ions per NC (as the paper fitted its data): n_H = {nb['n_hill_total']:.2f}
  (95 % CI {nb['n_hill_total_ci'][0]:.2f}-{nb['n_hill_total_ci'][1]:.2f}), K = {nb['k_half_total']:.1f}, R^2 = {nb['r2_total']:.4f}.
  The paper reports n_H = 7.1 (R = 0.996) for its Cu+ titration.
- Against **free** ions per NC: n_H = {nb['n_hill_free']:.2f}
  (95 % CI {nb['n_hill_free_ci'][0]:.2f}-{nb['n_hill_free_ci'][1]:.2f}), K = {nb['k_half_free']:.2f}, R^2 = {nb['r2_free']:.4f}.
- At the midpoint {100 * nb['bound_fraction_at_midpoint']:.0f} % of the added ions are bound. The Hill equation
  holds for free ions; on totals, n_H mixes cooperativity with depletion and is descriptive only.

## The three readings of the model at a glance

n_H total and n_H free are Hill fits of the *fully exchanged* fraction against total and free
ions; n_H occupancy is the Hill fit of the mean site occupancy (steps taken / n) against the
exchange activity x = c^2/d, the variable in which independent sites are exactly Langmuirian
(n_H = 1): only that last column is a measure of cooperativity. Against totals even
independent sites give a steep curve: nearly every added ion is bound, so the fraction rises
as fast as ions arrive (depletion), not because "all n sites must fill" (against the activity
the fully exchanged fraction of independent sites has n_H = 1.36 at its midpoint for n = 20,
approaching 2 ln 2 = 1.39 for large n).

| model | half-exchange (ions/NC) | n_H total | n_H free | n_H occupancy | bound at midpoint | max doped fraction | dopant peak/NC |
|---|---|---|---|---|---|---|---|
{rows}

- **white2013** (printed closed form: K1, then alpha K1 for every later step): one hard first
  step, then an avalanche; doped intermediates are plentiful around the midpoint, which is what
  the defect photoluminescence of Fig. 2a shows.
- **ladder** (K_i = K1 alpha^(i-1), as the paper states in words): with alpha = 55 and n = 20 the
  constants grow as 55^190 by the last step; NCs are either untouched or fully exchanged, and
  there are essentially no dopants. It cannot produce Fig. 2b, so the figure was made with the
  closed form.
- **independent** sites (binomial; K1 chosen for the same midpoint, K1 = {nb['independent_k1_matched']:.3g}):
  the non-cooperative reference. NCs pass through every intermediate composition and the
  curve is shallow.

## The paper's constants in real units

The paper's simulation uses per-NC units (NC concentration 1 M), in which K1 = 1e-2 M^-1 has no
molar meaning. In the experiment (Methods: 4.8e-6 mol Cd in 3.0 mL, ~{ru['host_cations_per_nc']} Cd per NC) the NC
concentration is {1e6 * ru['nc_conc_molar']:.2f} uM, and a real NC is fully exchanged by {ru['full_exchange_ions_per_nc']} Cu+.
At that concentration the paper's constants (K1 = 1e-2 M^-1, alpha = 55) put half of the NCs fully
exchanged at:

- {p20['half_exchange_ions_per_nc']:,.0f} Cu+ per NC with the paper's 20 steps ({p20['free_ion_molar_at_half'] * 1e3:.1f} mM free Cu+; only
  {p20['bound_ions_per_nc_at_half']:.0f} bound, because a 20-step NC holds 40);
- {p660['half_exchange_ions_per_nc']:,.0f} Cu+ per NC with one step per host cation (n = {p660['sites']}):
  {p660['times_stoichiometric_full_exchange']:.0f}x the {ru['full_exchange_ions_per_nc']} needed for full exchange, with
  {p660['free_ion_molar_at_half'] * 1e3:.0f} mM free Cu+ left in solution.

The experiment completed the exchange near the stoichiometric point (Table 1: only Cu2Se rings
at 1,317 Cu+ per NC), so the paper's K1 cannot be read as a molar constant. With alpha = 55 and 660 steps, the NCs not yet fully exchanged hold
many dopants at the midpoint ({kk['bound_ions_per_nc_at_half']:.0f} Cu+ bound per NC on average), and half exchange at
{kk['half_exchange_ions_per_nc']:.0f} Cu+ per NC (20 % of the ions free) needs K1 = {kk['k1_per_molar']:.3g} M^-1
(log10 K1 = {kk['log10_k1']:.2f}). Fits in real units: `cationx coop fit --host-cations N --nc-conc C`
(docs/science.md).

**What n_H(total) = 7.1 implies.** A Hill curve of n_H = 7.1 on total Cu+ per NC, for NCs of
{ru['host_cations_per_nc']} Cd, obeys mass balance only if its midpoint K is at least
{hb['k_min_fully_exchanged']:.0f} Cu+ per NC when it counts fully exchanged NCs (level bound fraction <= T/(2N)),
and at least {hb['k_min_product_material']:.0f} Cu+ per NC ({hb['k_min_product_material'] / hb['full_exchange_ions_per_nc']:.1f}x the full exchange) when it counts
product material (its steepest slope may not exceed 1/(2N) per added ion). A steep curve
near the stoichiometric point is therefore a curve of whole NCs switching, fed by NCs that
already hold dopants, not of material.

**Which models give a sigmoid near the stoichiometric point** (n = 660, 2.42 uM, constants
putting the product midpoint at 1.15 Cu+ per Cd): n_H on totals of the product material and of
the fully exchanged fraction, and the largest fraction of partly exchanged NCs:

| model | n_H product | n_H fully exchanged | max doped fraction |
|---|---|---|---|
{model_rows}

Near the stoichiometric point every model's *material* curve is the same mass-balance ramp
(n_H ~ 2.6); only the fully exchanged fraction can be steep, and it is steep where NCs pass
through doped intermediates.

Files: fig2b_white2013.csv/png, fig2b_populations.csv, hill_fit_total/free.csv/png,
model_contrast.csv/png, numbers.json.
"""
