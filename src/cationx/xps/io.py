"""Deprecated: the XPS readers moved to :mod:`cationx.io.xps` and the data model to
:mod:`cationx.xps.spectrum`."""

import warnings

from cationx.io.xps import list_blocks, read_spectrum
from cationx.xps.spectrum import Spectrum

warnings.warn(
    "cationx.xps.io moved: read_spectrum and list_blocks to cationx.io.xps, Spectrum to cationx.xps.spectrum",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["Spectrum", "list_blocks", "read_spectrum"]
