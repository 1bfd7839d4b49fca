"""Deprecated aliases of names that moved to another module.

:func:`moved_names` builds the module ``__getattr__`` (PEP 562) that every old location uses:
the old name still resolves, with a :class:`DeprecationWarning` naming the new place, and the
new module is imported only when an old name is asked for.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["moved_names"]


def moved_names(module: str, moves: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``module`` whose names in ``moves`` now live in ``moves[name]``."""

    def __getattr__(name: str) -> Any:
        target = moves.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} moved to {target}.{name}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(target), name)

    return __getattr__
