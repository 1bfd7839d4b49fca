"""Elemental composition of exchanged nanocrystals and clusters: ICP-OES, EDS, derived numbers.

- :mod:`~cationx.composition.icp`: blank subtraction, LOD/LOQ, agreement of emission lines,
  mg/L -> mol with propagated uncertainties;
- :mod:`~cationx.composition.eds`: spot/area tables -> mean +/- SD, normalisation, wt% <-> at%;
- :mod:`~cationx.composition.derived`: mole ratios, x in Cu(2-x)Se, exchanged fraction,
  incoming ions per NC or per cluster, and a mass-balance check;
- files are read by :mod:`cationx.io.composition` (``read_icp``, ``read_eds``; the names here
  are deprecated aliases).

Uncertainties are propagated to first order with the ``uncertainties`` package (linear
propagation, correlations kept).  See docs/composition.md.
"""

from cationx._lazy import moved_names
from cationx.composition.derived import (
    DerivedComposition,
    Particle,
    Quantity,
    derive,
    evaluate_ratio,
    parse_amount,
    particle_from_diameter,
    particle_from_formula,
)
from cationx.composition.eds import EdsResult, analyze_eds
from cationx.composition.elements import at_to_wt, atomic_mass, wt_to_at
from cationx.composition.icp import IcpResult, SampleInfo, analyze_icp

# names moved to the io layer, kept as deprecated aliases
__getattr__ = moved_names("cationx.composition", {"read_eds": "cationx.io.composition", "read_icp": "cationx.io.composition"})


__all__ = [
    "DerivedComposition",
    "EdsResult",
    "IcpResult",
    "Particle",
    "Quantity",
    "SampleInfo",
    "analyze_eds",
    "analyze_icp",
    "at_to_wt",
    "atomic_mass",
    "derive",
    "evaluate_ratio",
    "parse_amount",
    "particle_from_diameter",
    "particle_from_formula",
    "read_eds",
    "read_icp",
    "wt_to_at",
]
