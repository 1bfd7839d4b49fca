"""Deprecated: the titration analysis moved to :mod:`cationx.titration.analysis`."""

import warnings

from cationx.titration.analysis import TitrationAnalysis, analyze_titration, select_series

warnings.warn(
    "cationx.spectra.analysis moved to cationx.titration.analysis (also cationx.titration.analyze_titration)",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["TitrationAnalysis", "analyze_titration", "select_series"]
