"""Electron microscopy: read micrographs with their pixel size, size particles (threshold,
watershed, Feret diameters, lognormal statistics) and measure lattice fringes (power-spectrum
spots, d-spacings with uncertainties, harmonics and superstructure flags).  See
docs/microscopy.md.

Needs scikit-image and tifffile (extra ``cationx[microscopy]``); DigitalMicrograph files need
ncempy (extra ``cationx[microscopy-dm]``).
"""

from __future__ import annotations

from cationx.microscopy.fringes import (
    FringeAnalysis,
    FringeSpot,
    analyse_fringes,
    cubic_reflections,
    index_cubic,
    parse_region,
)
from cationx.microscopy.images import Micrograph, read_micrograph, to_grey, unit_to_nm
from cationx.microscopy.particles import ParticleSegmentation, min_feret_diameter, segment_particles
from cationx.microscopy.sizing import SizeReport, size_micrographs
from cationx.microscopy.stats import LognormalFit, SizeStatistics, size_statistics

__all__ = [
    "FringeAnalysis",
    "FringeSpot",
    "LognormalFit",
    "Micrograph",
    "ParticleSegmentation",
    "SizeReport",
    "SizeStatistics",
    "analyse_fringes",
    "cubic_reflections",
    "index_cubic",
    "min_feret_diameter",
    "parse_region",
    "read_micrograph",
    "segment_particles",
    "size_micrographs",
    "size_statistics",
    "to_grey",
    "unit_to_nm",
]
