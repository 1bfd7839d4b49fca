"""Stochastic ensembles of polydisperse nanocrystals sharing a finite pool of ions.

- :func:`make_ensemble` builds N NCs (fixed ``sites`` or sizes from a lognormal diameter
  distribution, host cations from :mod:`cationx.materials`) with the step constants and the
  stoichiometry (``m h`` ions in, ``h`` host cations out per step) of a
  :mod:`cationx.cooperative` preset.
- :func:`titrate` (additions in steps) and :func:`kinetics` (one addition at once) run the
  stochastic kinetics (exact Gillespie or the fast leaping kernel) and return an
  :class:`EnsembleResult`.
- :func:`canonical_titration` is the exact finite-N stationary limit of a monodisperse
  ensemble; :func:`mean_field_titration` the large-N limit of a polydisperse one.
- :func:`sweep` runs parameter sweeps and replicates on dask.distributed.
"""

from cationx.ensemble.simulate import METHODS, EnsembleResult, kinetics, titrate
from cationx.ensemble.sizing import sample_diameters, sites_from_diameter
from cationx.ensemble.system import Ensemble, make_ensemble

__all__ = [
    "METHODS",
    "Ensemble",
    "EnsembleResult",
    "kinetics",
    "make_ensemble",
    "sample_diameters",
    "sites_from_diameter",
    "titrate",
]
