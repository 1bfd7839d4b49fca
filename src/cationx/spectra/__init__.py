"""UV-vis and PL titration spectra: axes, baselines, excitons, corrections, sizing, analysis.

- :mod:`cationx.spectra.axes`: wavelength/energy axes with the Jacobian.
- :mod:`cationx.spectra.baseline`: baselines through pybaselines.
- :mod:`cationx.spectra.exciton`: saturated ranges, first-exciton peak/shoulder detection.
- :mod:`cationx.spectra.correction`: the product-spectrum and host-PL corrections of 000.
- :mod:`cationx.spectra.isosbestic`: isosbestic points and the SVD rank of a series.
- :mod:`cationx.spectra.sizing`: Yu et al. 2003 sizing, Beer-Lambert, cations and ions per NC.
- :mod:`cationx.spectra.forward`: synthetic titrations from the cooperative model.
- :mod:`cationx.spectra.analysis`: the whole titration analysis.
"""

from cationx.spectra.axes import ev_to_nm, nm_to_ev, to_energy_axis
from cationx.spectra.correction import correct_absorbance, correct_pl
from cationx.spectra.exciton import Exciton, find_exciton, saturated_ranges, track_excitons
from cationx.spectra.isosbestic import find_isosbestic, svd_rank
from cationx.spectra.sizing import size_from_exciton

__all__ = [
    "Exciton",
    "correct_absorbance",
    "correct_pl",
    "ev_to_nm",
    "find_exciton",
    "find_isosbestic",
    "nm_to_ev",
    "saturated_ranges",
    "size_from_exciton",
    "svd_rank",
    "to_energy_axis",
    "track_excitons",
]
