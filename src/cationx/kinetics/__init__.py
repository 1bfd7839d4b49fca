"""Kinetics of exchange reactions: first-order, two-stage and bi-exponential fits of A(t),
the log-linear windows of Yao et al. (2023), model comparison, and piecewise-linear fits.

See :mod:`cationx.kinetics.fits` and :mod:`cationx.kinetics.piecewise`; docs/kinetics.md.
"""

from cationx.kinetics.fits import (
    KINETIC_MODELS,
    LogLinearFit,
    ModelComparison,
    compare_models,
    fit_biexponential,
    fit_first_order,
    fit_kinetics,
    fit_log_linear_windows,
    fit_two_stage,
)
from cationx.kinetics.models import biexponential, first_order, two_stage
from cationx.kinetics.piecewise import (
    LineFit,
    PiecewiseFit,
    WindowsFit,
    fit_line,
    fit_piecewise,
    fit_windows,
    parse_windows,
    piecewise_linear,
)

__all__ = [
    "KINETIC_MODELS",
    "LineFit",
    "LogLinearFit",
    "ModelComparison",
    "PiecewiseFit",
    "WindowsFit",
    "biexponential",
    "compare_models",
    "first_order",
    "fit_biexponential",
    "fit_first_order",
    "fit_kinetics",
    "fit_line",
    "fit_log_linear_windows",
    "fit_piecewise",
    "fit_two_stage",
    "fit_windows",
    "parse_windows",
    "piecewise_linear",
    "two_stage",
]
