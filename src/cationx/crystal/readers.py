"""Deprecated: the pattern readers moved to :mod:`cationx.io.xrd` (``cationx.io.read_pattern``) and
the data model to :mod:`cationx.crystal.pattern`."""

import warnings

from cationx.crystal.pattern import MeasuredPattern, pattern_from_arrays
from cationx.io.xrd import list_scans, read_pattern

warnings.warn(
    "cationx.crystal.readers moved: read_pattern and list_scans to cationx.io.xrd, "
    "MeasuredPattern and pattern_from_arrays to cationx.crystal.pattern",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["MeasuredPattern", "list_scans", "pattern_from_arrays", "read_pattern"]
