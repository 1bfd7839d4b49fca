"""Materials-physics calculators for nanocrystals (White, Banerjee, Jain, Nat. Commun. 2017):
Raman/diffraction strain, equivalent pressure (linear shortcut, volumetric, Birch-Murnaghan),
Drude LSPR and Cu(2-x)Se stoichiometry, Gibbs-Thomson, ordered fractions, size statistics.

See docs/physics.md.
"""

from cationx.physics.lspr import (
    DrudeParameters,
    LsprEstimate,
    formula_unit_density_cm3,
    hole_density_from_lspr,
    lspr_energy_from_holes,
    lspr_estimate,
)
from cationx.physics.pressure import (
    BULK_MODULUS_CU15SE_GPA,
    PressureEstimate,
    birch_murnaghan_pressure,
    pressure_from_strain,
    strain_from_pressure,
)
from cationx.physics.sizes import (
    SizeStatistics,
    fit_size_histogram,
    lognormal_from_mean_sd,
    size_statistics,
)
from cationx.physics.strain import (
    GRUNEISEN_LO_CU2SE,
    StrainEstimate,
    bragg_two_theta_deg,
    raman_shift_from_strain,
    strain_from_peak_shift,
    strain_from_raman,
    strain_from_raman_shift,
)
from cationx.physics.thermo import (
    GibbsThomson,
    OrderedFractions,
    gibbs_thomson,
    ordered_fraction_energies,
)

__all__ = [
    "BULK_MODULUS_CU15SE_GPA",
    "GRUNEISEN_LO_CU2SE",
    "DrudeParameters",
    "GibbsThomson",
    "LsprEstimate",
    "OrderedFractions",
    "PressureEstimate",
    "SizeStatistics",
    "StrainEstimate",
    "birch_murnaghan_pressure",
    "bragg_two_theta_deg",
    "fit_size_histogram",
    "formula_unit_density_cm3",
    "gibbs_thomson",
    "hole_density_from_lspr",
    "lognormal_from_mean_sd",
    "lspr_energy_from_holes",
    "lspr_estimate",
    "ordered_fraction_energies",
    "pressure_from_strain",
    "raman_shift_from_strain",
    "size_statistics",
    "strain_from_peak_shift",
    "strain_from_pressure",
    "strain_from_raman",
    "strain_from_raman_shift",
]
