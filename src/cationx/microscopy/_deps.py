"""Optional dependencies of the microscopy domain, with an error that names the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from cationx.errors import CationxError

__all__ = ["require"]

_EXTRAS = {"imageio": ("imageio", "microscopy"), "skimage": ("scikit-image", "microscopy"), "tifffile": ("tifffile", "microscopy"),
           "ncempy": ("ncempy", "microscopy-dm")}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise a :class:`CationxError` saying which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package, extra = _EXTRAS.get(module.split(".")[0], (module, "microscopy"))
        raise CationxError(f"this needs the package {package}: pip install 'cationx[{extra}]'") from None
