"""Raman: cosmic-spike removal, baselines, Lorentzian/Voigt/pseudo-Voigt bands fitted
globally across replicate spectra (shared widths or positions), replicate statistics and
phonon-shift strain through :mod:`cationx.physics.strain`.  Reading: :func:`cationx.io.raman.read_raman`.
See docs/raman.md.
"""

from cationx.raman.despike import DespikeResult, despike
from cationx.raman.fit import BASELINES, SHAPES, SHARE, RamanFit, fit_replicates

__all__ = ["BASELINES", "SHAPES", "SHARE", "DespikeResult", "RamanFit", "despike", "fit_replicates"]
