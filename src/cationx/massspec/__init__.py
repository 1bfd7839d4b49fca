"""Mass spectra of clusters (Yao et al. 2023, seed 004): isotope envelopes, spectra, assignment.

- :mod:`~cationx.massspec.formula`: formula/ion parser with named groups (``L`` = oleic acid).
- :mod:`~cationx.massspec.isotopes`: the isotope table (periodictable: AME 2020, CIAAW 2021).
- :mod:`~cationx.massspec.envelope`: exact aggregated envelopes, profiles, fine structure.
"""

from cationx.massspec.envelope import (
    DEFAULT_COVERAGE,
    Envelope,
    average_mass,
    envelope,
    envelopes,
    fine_structure,
    mz_from_mass,
    profile,
)
from cationx.massspec.formula import (
    Formula,
    groups,
    parse_formula,
    register_group,
    unregister_group,
)
from cationx.massspec.isotopes import (
    ELECTRON_MASS_DA,
    element_isotopes,
    standard_weight_mass,
    table_name,
)

__all__ = [
    "DEFAULT_COVERAGE",
    "ELECTRON_MASS_DA",
    "Envelope",
    "Formula",
    "average_mass",
    "element_isotopes",
    "envelope",
    "envelopes",
    "fine_structure",
    "groups",
    "mz_from_mass",
    "parse_formula",
    "profile",
    "register_group",
    "standard_weight_mass",
    "table_name",
    "unregister_group",
]
