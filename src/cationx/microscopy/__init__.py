"""Electron microscopy: micrographs with their pixel size, size particles (threshold,
watershed, Feret diameters, lognormal statistics) and measure lattice fringes (power-spectrum
spots, d-spacings with uncertainties, harmonics and superstructure flags).  See
docs/microscopy.md.  Files are read by :func:`cationx.io.micrograph.read_micrograph`
(``read_micrograph`` here is a deprecated alias).

Needs scikit-image and tifffile (extra ``cationx[microscopy]``); DigitalMicrograph files need
ncempy (extra ``cationx[microscopy-dm]``).
"""

from __future__ import annotations

from cationx._lazy import moved_names
from cationx.microscopy.fringes import (
    FringeAnalysis,
    FringeSpot,
    analyse_fringes,
    cubic_reflections,
    index_cubic,
    parse_region,
)
from cationx.microscopy.images import Micrograph, to_grey, unit_to_nm
from cationx.microscopy.particles import ParticleSegmentation, min_feret_diameter, segment_particles
from cationx.microscopy.sizing import SizeReport, size_micrographs
from cationx.microscopy.stats import LognormalFit, SizeStatistics, size_statistics

# names moved to the io layer, kept as deprecated aliases
__getattr__ = moved_names("cationx.microscopy", {"read_micrograph": "cationx.io.micrograph"})


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
