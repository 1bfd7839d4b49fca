"""UV-vis and PL spectra science: axes, baselines, excitons, corrections, sizing, forward model.

- :mod:`cationx.spectra.spectrum`: the data model, :class:`Spectrum` and :class:`SpectrumSet`.
- :mod:`cationx.spectra.axes`: wavelength/energy axes with the Jacobian.
- :mod:`cationx.spectra.baseline`: baselines through pybaselines.
- :mod:`cationx.spectra.exciton`: saturated ranges, first-exciton peak/shoulder detection.
- :mod:`cationx.spectra.correction`: the product-spectrum and host-PL corrections of 000.
- :mod:`cationx.spectra.isosbestic`: isosbestic points and the SVD rank of a series.
- :mod:`cationx.spectra.sizing`: Yu et al. 2003 sizing, Beer-Lambert, cations and ions per NC.
- :mod:`cationx.spectra.forward`: synthetic titrations from the cooperative model.

The titration workflow (description -> analysis -> report) is :mod:`cationx.titration`.
"""


from cationx._lazy import lazy_exports

# names re-exported lazily (PEP 562): importing cationx.spectra.sizing alone (``cationx size``)
# must not pay for scipy.signal and pandas
_EXPORTS = {
    "ev_to_nm": "axes",
    "nm_to_ev": "axes",
    "to_energy_axis": "axes",
    "correct_absorbance": "correction",
    "correct_pl": "correction",
    "Exciton": "exciton",
    "find_exciton": "exciton",
    "saturated_ranges": "exciton",
    "track_excitons": "exciton",
    "find_isosbestic": "isosbestic",
    "svd_rank": "isosbestic",
    "size_from_exciton": "sizing",
    "Spectrum": "spectrum",
    "SpectrumSet": "spectrum",
    "synthesize_titration": "forward",
}


__getattr__, __dir__ = lazy_exports("cationx.spectra", _EXPORTS)



__all__ = [
    "Exciton",
    "Spectrum",
    "SpectrumSet",
    "correct_absorbance",
    "correct_pl",
    "ev_to_nm",
    "find_exciton",
    "find_isosbestic",
    "nm_to_ev",
    "saturated_ranges",
    "size_from_exciton",
    "svd_rank",
    "synthesize_titration",
    "to_energy_axis",
    "track_excitons",
]
