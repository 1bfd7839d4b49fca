"""Cooperative sequential cation exchange: models, equilibrium, fits (White et al. 2013)."""

from cationx.cooperative.equilibrium import (
    ExchangeState,
    default_totals,
    simulate,
    solve_titration,
    sweep_kappa,
    total_at_fraction_exchanged,
)
from cationx.cooperative.models import (
    PAPER,
    PRESETS,
    SequentialModel,
    from_log_constants,
    independent,
    ladder,
    make_model,
    mwc,
    white2013,
    white2013_paper,
)

__all__ = [
    "PAPER",
    "PRESETS",
    "ExchangeState",
    "SequentialModel",
    "default_totals",
    "from_log_constants",
    "independent",
    "ladder",
    "make_model",
    "mwc",
    "simulate",
    "solve_titration",
    "sweep_kappa",
    "total_at_fraction_exchanged",
    "white2013",
    "white2013_paper",
]
