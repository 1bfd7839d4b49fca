"""White, Banerjee, Jain, Nat. Commun. (2017): the materials-physics numbers of the paper.

What is reproduced (all from the text; the Raman and LSPR spectra are figures only):

- Raman strain (eq. 2, gamma = 1.1): the phonon shift that a 2.4 % compressive strain
  implies, and the strain recovered from it; the 4.5 % {111} PXRD strain as a peak shift
  at Cu K-alpha from a_c = 5.85 A.
- Equivalent pressure with B = 85 GPa (Cu1.5Se): the paper's "2 GPa" is B x linear strain
  (2.04 GPa); the volumetric strain ("ca. 7 % smaller unit cell volume") gives about 6 GPa,
  Birch-Murnaghan (B' = 4) about 7 GPa.  Reported for both the Raman and the PXRD strain.
- LSPR (Drude): 1 eV <-> ca. 4e21 holes/cm^3 <-> Cu1.8Se with the documented (assumed)
  Drude defaults; the parameter-free ratios 1.06 / 0.99 eV ("7 %") and N ratio ("within
  14 %", exactly 14.6 %); holes per 2.1 nm cluster.
- Ordered fractions (Table 1: 0 / 10 / 80 % at 2 / 4 / 6 nm, ca. 30 NCs each):
  activation-energy differences RT ln(f/f_6nm) at 298 K with Clopper-Pearson intervals.
- Cluster size 2.1 +/- 0.3 nm (s.d.) as a lognormal (moment matching): median, mode,
  geometric SD, the 95 % range, and what the spread means for atoms per cluster.  The number
  of clusters measured is not given (Fig. 1c), so no standard error or confidence interval
  of the mean can be stated.
- The 3.2 A {111} fringes of the 2 nm clusters (Results, HRTEM) against d111 = a/sqrt(3) =
  3.378 A of a = 5.85 A: the compression they imply, beside the Raman (2.4 %) and PXRD
  (4.5 %) strains.
- Gibbs-Thomson / Laplace: the surface stress that would produce each pressure estimate
  between 2.1 nm and 6 nm particles, ``gamma = P / (4 (1/D1 - 1/D2))`` (illustrative).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.io.write import atomic_write_text, write_csv, write_json
from cationx.materials import CU2SE_LATTICE_ANGSTROM
from cationx.physics import (
    DrudeParameters,
    bragg_two_theta_deg,
    hole_density_from_lspr,
    lognormal_from_mean_sd,
    lspr_estimate,
    ordered_fraction_energies,
    pressure_from_strain,
    raman_shift_from_strain,
    strain_from_peak_shift,
    strain_from_raman_shift,
)
from cationx.reproduce import Reproduction
from cationx.reproduce._paper_numbers import (
    PaperNumber,
    numbers_dict,
    numbers_frame,
    numbers_markdown,
    rounding_interval,
)

PAPER = "white2017-physics"
TITLE = "White, Banerjee, Jain, Nat. Commun. (2017): liquid-like cationic sub-lattice in Cu2Se clusters (physics numbers)"

GAMMA_LO = 1.1
RAMAN_STRAIN = 0.024
PXRD_STRAIN = 0.045
BULK_MODULUS_GPA = 85.0
LATTICE_A = CU2SE_LATTICE_ANGSTROM  # 5.85 A


CLUSTER_MEAN_NM = 2.1
CLUSTER_SD_NM = 0.3
FRINGE_2NM_A = 3.2


def paper_numbers() -> list[PaperNumber]:
    """001's size statistics and HRTEM fringe spacing, recomputed (see the module docstring)."""
    from scipy import stats

    mu, sigma = lognormal_from_mean_sd(CLUSTER_MEAN_NM, CLUSTER_SD_NM)
    lo, hi = (float(v) for v in stats.lognorm.ppf([0.025, 0.975], sigma, scale=math.exp(mu)))
    src_size = "001, Fig. 1 caption (HAADF-STEM, 'average diameter of 2.1 nm +/- 0.3 nm (s.d.)')"
    # Cu2Se formula units in a sphere: 4 per cubic cell of a = 5.85 A
    fu_at_mean = 4 * (math.pi / 6) * (10 * CLUSTER_MEAN_NM) ** 3 / LATTICE_A**3
    mean_d3 = math.exp(3 * mu + 4.5 * sigma**2)  # E[D^3] of the lognormal
    fu_mean = 4 * (math.pi / 6) * 1000 * mean_d3 / LATTICE_A**3
    fu_sd = fu_mean * math.sqrt(math.expm1(9 * sigma**2))
    d111 = LATTICE_A / math.sqrt(3)
    strain = FRINGE_2NM_A / d111 - 1
    f_lo, f_hi = rounding_interval(FRINGE_2NM_A, 1)
    return [
        PaperNumber("cluster_lognormal_median_nm", "cluster diameter, lognormal median exp(mu)", None, math.exp(mu), "nm", src_size,
                    note=f"moment-matched lognormal: mu = {mu:.4f}, sigma = {sigma:.4f} (of ln D)"),
        PaperNumber("cluster_lognormal_mode_nm", "cluster diameter, lognormal mode", None, math.exp(mu - sigma**2), "nm", src_size),
        PaperNumber("cluster_geometric_sd", "geometric standard deviation exp(sigma)", None, math.exp(sigma), "", src_size,
                    note="D spreads x/÷ 1.15; the relative SD 0.3/2.1 is 14 %"),
        PaperNumber("cluster_95pct_low_nm", "2.5th percentile of the diameters", None, lo, "nm", src_size,
                    note=f"95 % of clusters between {lo:.2f} and {hi:.2f} nm if the sizes are lognormal"),
        PaperNumber("cluster_95pct_high_nm", "97.5th percentile of the diameters", None, hi, "nm", src_size),
        PaperNumber("cluster_sem_nm_if_n30", "standard error of the mean, IF n were 30", None, CLUSTER_SD_NM / math.sqrt(30), "nm", src_size,
                    note="the number of clusters in the histogram is not given, so no standard error or CI of 2.1 nm can be "
                         "stated; 30 is only the HRTEM count of Table 1, shown for scale (SEM = 0.3/sqrt(n))"),
        PaperNumber("cu2se_units_at_2p1nm", "Cu2Se formula units in a 2.1 nm sphere (a = 5.85 A)", None, fu_at_mean, "", src_size,
                    note="4 Se per cubic cell"),
        PaperNumber("cu2se_units_lognormal_mean", "Cu2Se formula units averaged over the lognormal", None, fu_mean, "", src_size,
                    uncertainty=fu_sd,
                    note=f"mean of D^3 exceeds 2.1^3 by {100 * (mean_d3 / CLUSTER_MEAN_NM**3 - 1):.1f} %; the +/- is the "
                         f"cluster-to-cluster SD ({100 * fu_sd / fu_mean:.0f} %): 'a 2 nm cluster' is a broad population"),
        PaperNumber("fringe_strain_2nm", "strain of the 3.2 A {111} fringes vs d111 = a/sqrt(3) = 3.378 A", None, strain, "",
                    "001, Results 'Lack of vacancy ordering' and Fig. 3 caption ('3.2 A', '0.32 nm')",
                    note=f"printed to 0.1 A, so between {f_lo / d111 - 1:+.2%} and {f_hi / d111 - 1:+.2%}; the PXRD {{111}} "
                         f"strain (4.5 %) lies inside, the Raman 2.4 % does not; the paper does not draw this comparison"),
    ]


def _pressure_figure(out: Path) -> Path:
    from cationx.plot import new_figure, save_figure

    s = np.linspace(0.0, 0.06, 121)
    rows = [pressure_from_strain(v, BULK_MODULUS_GPA) for v in s]
    fig, ax = new_figure()
    ax.plot(100 * s, [r.pressure_linear_shortcut_gpa for r in rows], label="B x linear strain (paper's shortcut)")
    ax.plot(100 * s, [r.pressure_volumetric_gpa for r in rows], label="B x volumetric strain")
    ax.plot(100 * s, [r.pressure_birch_murnaghan_gpa for r in rows], label="Birch-Murnaghan, B' = 4")
    for v, lab in ((RAMAN_STRAIN, "Raman 2.4 %"), (PXRD_STRAIN, "PXRD 4.5 %")):
        ax.axvline(100 * v, color="grey", ls=":", lw=0.8)
        ax.text(100 * v, ax.get_ylim()[1] * 0.95, lab, rotation=90, va="top", ha="right", fontsize=8)
    ax.set_xlabel("compressive linear strain (%)")
    ax.set_ylabel("equivalent pressure (GPa), B = 85 GPa")
    ax.legend(frameon=False, fontsize=8)
    return save_figure(fig, out / "pressure_vs_strain.png")


def run(out_dir: Path) -> Reproduction:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    numbers: dict[str, Any] = {}

    rel = raman_shift_from_strain(-RAMAN_STRAIN, GAMMA_LO)
    numbers["raman_relative_shift_for_2p4pct"] = rel
    numbers["raman_strain_recovered"] = -strain_from_raman_shift(rel, GAMMA_LO)
    tt0 = bragg_two_theta_deg(LATTICE_A / math.sqrt(3), CU_KALPHA1_ANGSTROM)
    tt = bragg_two_theta_deg((1 - PXRD_STRAIN) * LATTICE_A / math.sqrt(3), CU_KALPHA1_ANGSTROM)
    numbers["pxrd_111_two_theta_deg_6nm"] = tt0
    numbers["pxrd_111_two_theta_deg_for_4p5pct"] = tt
    numbers["pxrd_strain_recovered"] = strain_from_peak_shift(tt, tt0).compressive_strain

    prow = []
    for label, s in (("raman", RAMAN_STRAIN), ("pxrd", PXRD_STRAIN)):
        p = pressure_from_strain(s, BULK_MODULUS_GPA)
        d = p.to_dict()
        d.pop("note")
        prow.append({"strain_source": label, **d})
        for key in ("pressure_linear_shortcut_gpa", "pressure_volumetric_gpa", "pressure_birch_murnaghan_gpa", "volumetric_strain"):
            numbers[f"{label}_{key}"] = d[key]
    pframe = pd.DataFrame(prow)
    inv = 1 / 2.1e-9 - 1 / 6e-9
    for col in ("pressure_linear_shortcut_gpa", "pressure_volumetric_gpa", "pressure_birch_murnaghan_gpa"):
        pframe[col.replace("pressure_", "implied_surface_stress_").replace("_gpa", "_j_m2")] = pframe[col] * 1e9 / (4 * inv)
    files.append(write_csv(out / "pressure.csv", pframe))
    files.append(_pressure_figure(out))

    drude = DrudeParameters()
    l1 = lspr_estimate(energy_ev=1.0, diameter_nm=2.1, params=drude)
    numbers["lspr_holes_cm3_at_1ev"] = l1.hole_density_cm3
    numbers["lspr_x_at_1ev"] = l1.x_vacancy
    numbers["lspr_formula_at_1ev"] = l1.formula
    numbers["lspr_holes_per_2p1nm_cluster_at_1ev"] = l1.holes_per_nc
    numbers["lspr_energy_ratio_2nm_6nm"] = 1.06 / 0.99
    numbers["lspr_density_ratio_2nm_6nm"] = hole_density_from_lspr(1.06, drude) / hole_density_from_lspr(0.99, drude)
    lrows = [lspr_estimate(energy_ev=e, diameter_nm=dnm, params=drude).to_frame().assign(sample=name)
             for name, e, dnm in (("2 nm clusters (saturated)", 1.06, 2.1), ("6 nm NCs (saturated)", 0.99, 6.0), ("1 eV reference", 1.0, None))]
    files.append(write_csv(out / "lspr.csv", pd.concat(lrows, ignore_index=True)))

    of = ordered_fraction_energies([2.0, 4.0, 6.0], [0.0, 0.1, 0.8], 30, temperature_k=298.15)
    files.append(write_csv(out / "ordered_fractions.csv", of.to_frame()))
    numbers["delta_ea_4nm_vs_6nm_kj_mol"] = float(of.frame.loc[1, "delta_ea_kj_mol"])
    numbers["delta_ea_2nm_vs_6nm_upper_kj_mol"] = float(of.frame.loc[0, "delta_ea_upper_kj_mol"])

    mu, sigma = lognormal_from_mean_sd(2.1, 0.3)
    numbers["cluster_lognormal_mu"] = mu
    numbers["cluster_lognormal_sigma"] = sigma
    numbers["cluster_lognormal_median_nm"] = math.exp(mu)

    pn = paper_numbers()
    numbers["paper_numbers"] = numbers_dict(pn)
    files.append(write_csv(out / "paper_numbers.csv", numbers_frame(pn)))
    files.append(write_json(out / "numbers.json", numbers))
    md = [
        f"# {TITLE}",
        "",
        "| quantity | paper | cationx |",
        "|---|---|---|",
        f"| LO phonon shift for 2.4 % compression (gamma = 1.1) | (Fig. 5) | {100 * rel:.2f} % |",
        f"| (111) of a_c = 5.85 A, Cu K-alpha1 | 26.4 deg | {tt0:.2f} deg |",
        f"| pressure, B x linear strain (2.4 %) | 2 GPa | {numbers['raman_pressure_linear_shortcut_gpa']:.2f} GPa |",
        f"| volumetric strain of 2.4 % linear | ca. 7 % | {100 * numbers['raman_volumetric_strain']:.2f} % |",
        f"| pressure, B x volumetric strain | - | {numbers['raman_pressure_volumetric_gpa']:.2f} GPa |",
        f"| pressure, Birch-Murnaghan (B' = 4 assumed: no value for Cu2Se in 001) | - | {numbers['raman_pressure_birch_murnaghan_gpa']:.2f} GPa |",
        f"| same three for the 4.5 % PXRD strain | - | {numbers['pxrd_pressure_linear_shortcut_gpa']:.2f} / "
        f"{numbers['pxrd_pressure_volumetric_gpa']:.2f} / {numbers['pxrd_pressure_birch_murnaghan_gpa']:.2f} GPa |",
        f"| holes for a 1 eV LSPR (Drude defaults assumed so as to give ca. 4e21: not a check) | ca. 4e21 cm^-3 | {l1.hole_density_cm3:.3g} cm^-3 |",
        f"| stoichiometry | Cu1.8Se | {l1.formula} |",
        f"| 1.06 / 0.99 eV | 7 % | {100 * (numbers['lspr_energy_ratio_2nm_6nm'] - 1):.1f} % |",
        f"| hole-density ratio | within 14 % | {100 * (numbers['lspr_density_ratio_2nm_6nm'] - 1):.1f} % |",
        f"| dEa 4 nm vs 6 nm from 10 % vs 80 % ordered, 298 K | - | {numbers['delta_ea_4nm_vs_6nm_kj_mol']:.2f} kJ/mol |",
        f"| cluster size 2.1 +/- 0.3 nm as lognormal | - | median {math.exp(mu):.3f} nm, sigma {sigma:.4f} |",
        "",
        "The paper's 2 GPa multiplies a bulk (volume) modulus by a linear strain; pressure relates to the",
        "volumetric strain, which is about three times larger (7.0 %), so about 6 GPa (7 GPa with Birch-Murnaghan).",
        "The Drude parameters are assumptions documented in cationx.physics.lspr; the LSPR ratios are parameter-free.",
        "",
        *numbers_markdown(pn),
        "",
        "The size histogram's n is not given: 2.1 +/- 0.3 nm is a spread (s.d.), not a precision of the mean.",
    ]
    files.append(atomic_write_text(out / "SUMMARY.md", "\n".join(md) + "\n"))
    return Reproduction(PAPER, out, tuple(files), numbers)
