"""Reproductions of the seed papers' computable figures and numbers.

Each module of this package reproduces one paper and defines::

    PAPER: str         # the name used on the command line, e.g. "white2013"
    TITLE: str         # citation
    def run(out_dir: pathlib.Path) -> Reproduction

:func:`available` discovers them, so adding a paper is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from cationx.errors import InputError

__all__ = ["Reproduction", "available", "run"]


@dataclass(frozen=True, slots=True)
class Reproduction:
    """What a reproduction wrote and the numbers it computed (name -> value)."""

    paper: str
    out_dir: Path
    files: tuple[Path, ...]
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper": self.paper,
            "out_dir": str(self.out_dir),
            "files": [str(f) for f in self.files],
            "numbers": self.numbers,
        }


def available() -> dict[str, ModuleType]:
    """Paper name -> reproduction module."""
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        paper = getattr(mod, "PAPER", None)
        if paper:
            found[paper] = mod
    return dict(sorted(found.items()))


def run(paper: str, out_dir: str | Path) -> list[Reproduction]:
    """Run one reproduction (or ``"all"``) into ``out_dir/<paper>/``.

    Every paper writes into its own sub-folder, whether run alone or with ``all``, so
    ``all`` gives exactly the union of the single runs (``out_dir/white2013/...``,
    ``out_dir/yao2023/...``) and no two papers' ``SUMMARY.md`` collide.
    """
    mods = available()
    out = Path(out_dir)
    if paper == "all":
        return [mod.run(out / name) for name, mod in mods.items()]
    if paper not in mods:
        raise InputError(f"unknown paper {paper!r}; available: {', '.join(mods)} or all")
    return [mods[paper].run(out / paper)]
