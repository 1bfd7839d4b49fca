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
    PRESETS,
    SequentialModel,
    from_log_constants,
    independent,
    ladder,
    make_model,
    mwc,
    white2013,
)

__all__ = [
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
]
