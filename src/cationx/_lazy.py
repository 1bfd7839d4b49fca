"""Module attributes resolved on first use (PEP 562 module ``__getattr__``).

- :func:`lazy_exports`: a package's public names, each imported from its submodule only when
  it is first asked for, so that importing the package stays light (``import cationx.io``
  loads no reader, ``cationx.crystal`` no SciPy).
- :func:`moved_names`: the deprecated aliases of names that moved to another module: the old
  name still resolves, with a :class:`DeprecationWarning` naming the new place.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports", "moved_names"]


def lazy_exports(
    package: str, exports: Mapping[str, str | tuple[str, str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``.

    ``exports[name]`` is the module that defines ``name``: a submodule of the package, or an
    absolute module path when it contains a dot; or a ``(module, attribute)`` pair for a name
    exported under another name.
    """

    def __getattr__(name: str) -> Any:
        spec = exports.get(name)
        if spec is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = spec if isinstance(spec, tuple) else (spec, name)
        return getattr(importlib.import_module(module if "." in module else f"{package}.{module}"), attr)

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__


def moved_names(module: str, moves: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module`` whose names in ``moves`` now live in ``moves[name]``."""

    def __getattr__(name: str) -> Any:
        target = moves.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} moved to {target}.{name}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(target), name)

    return __getattr__
