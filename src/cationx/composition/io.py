"""Deprecated: the composition readers moved to :mod:`cationx.io.composition`."""

import warnings

from cationx.io.composition import read_eds, read_icp, read_icp_frame

warnings.warn(
    "cationx.composition.io moved to cationx.io.composition", DeprecationWarning, stacklevel=2
)

__all__ = ["read_eds", "read_icp", "read_icp_frame"]
