"""Mass spectra of clusters (Yao et al. 2023, seed 004): isotope envelopes, spectra, assignment.

- :mod:`~cationx.massspec.formula`: formula/ion parser with named groups (``L`` = oleic acid).
- :mod:`~cationx.massspec.isotopes`: the isotope table (periodictable: AME 2020, CIAAW 2021).
- :mod:`~cationx.massspec.envelope`: exact aggregated envelopes, profiles, fine structure.
- :mod:`~cationx.massspec.spectrum`: reading (text, mzML), baseline, peaks, calibration.
- :mod:`~cationx.massspec.assign`: envelope fits and exchange-series fits.
- :mod:`~cationx.massspec.search`: composition search with a charge-balance filter.
- :mod:`~cationx.massspec.periodicity`: recurring spacings (32 = S, 248 = Ag2S).

The names of the last four modules are importable from here too (loaded on first use).
"""


from cationx._lazy import lazy_exports
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

_LAZY = {
    "Spectrum": "spectrum",
    "read_spectrum": "spectrum",
    "subtract_baseline": "spectrum",
    "pick_peaks": "spectrum",
    "calibrate": "spectrum",
    "fit_envelope": "assign",
    "fit_series": "assign",
    "expand_family": "assign",
    "search_compositions": "search",
    "label_peaks": "search",
    "find_periodicity": "periodicity",
}


__getattr__, __dir__ = lazy_exports("cationx.massspec", _LAZY)


__all__ = [
    "DEFAULT_COVERAGE",
    "ELECTRON_MASS_DA",
    "Envelope",
    "Formula",
    "Spectrum",
    "average_mass",
    "calibrate",
    "element_isotopes",
    "envelope",
    "envelopes",
    "expand_family",
    "find_periodicity",
    "fine_structure",
    "fit_envelope",
    "fit_series",
    "groups",
    "label_peaks",
    "mz_from_mass",
    "parse_formula",
    "pick_peaks",
    "profile",
    "read_spectrum",
    "register_group",
    "search_compositions",
    "standard_weight_mass",
    "subtract_baseline",
    "table_name",
    "unregister_group",
]
