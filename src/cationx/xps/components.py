"""Fit components: singlets and spin-orbit doublets, and the text syntax that names them.

A doublet has a main line (the higher-j line: p3/2, d5/2, f7/2, at lower binding energy)
and a partner at ``center + split`` with ``area ratio`` partner/main fixed by the
degeneracies (2j + 1): p 1:2, d 2:3, f 3:4.  Both lines share width and shape, so the
area ratio is also the height ratio.

Component syntax (``--components`` on the command line; :func:`parse_components`)::

    NAME:KIND@CENTER[,key=value...]      several separated by ';'

- ``NAME``: a label (letters, digits, underscore; starts with a letter).
- ``KIND``: ``s`` (singlet), ``p``, ``d``, ``f`` (doublet; needs ``split=``), or a core
  level that also sets the splitting: ``ag3d``, ``cd3d``, ``cu2p``, ``s2p``, ``se3d``.
- ``CENTER``: binding energy of the main line, eV (starting value).
- keys: ``split`` (eV), ``ratio`` (partner/main area), ``fwhm`` (starting value, eV),
  ``shape`` (gl | sgl | voigt | gauss | lorentz), ``lor`` (Lorentzian fraction, 0..1,
  default 0.3 = CasaXPS GL(30)), ``window`` (centre may move +/- this many eV, default 2),
  ``fix`` (``center`` to hold the centre fixed).

Example: ``"msc:ag3d@368.9; ag2s:ag3d@366.3"`` (Yao et al. 2023, Fig. 4b) or
``"cu:cu2p@932.5,shape=gl,lor=0.7"`` (White et al. 2013: 30 % G / 70 % L).

Spin-orbit splittings of the core-level presets are rounded standard values (Moulder et
al., Handbook of X-ray Photoelectron Spectroscopy, Perkin-Elmer 1992); 004's own peak
pairs give 6.0 eV (Ag 3d), 1.2 eV (S 2p) and 6.8 eV (Cd 3d).  Override with ``split=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cationx.errors import InputError, ParseError
from cationx.xps.lineshapes import SHAPES

__all__ = ["AREA_RATIOS", "CORE_LEVELS", "Component", "parse_components"]

AREA_RATIOS = {"p": 1 / 2, "d": 2 / 3, "f": 3 / 4}
LINE_LABELS = {"s": ("s", None), "p": ("p3/2", "p1/2"), "d": ("d5/2", "d3/2"), "f": ("f7/2", "f5/2")}
# core level -> (orbital, spin-orbit splitting in eV)
CORE_LEVELS: dict[str, tuple[str, float]] = {
    "ag3d": ("d", 6.00),
    "cd3d": ("d", 6.74),
    "cu2p": ("p", 19.80),
    "s2p": ("p", 1.18),
    "se3d": ("d", 0.86),
}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Component:
    """One singlet or doublet."""

    name: str
    kind: str
    orbital: str
    center_ev: float
    split_ev: float | None = None
    area_ratio: float | None = None
    fwhm_ev: float = 1.2
    shape: str = "gl"
    lor: float = 0.3
    window_ev: float = 2.0
    fix_center: bool = False

    @property
    def is_doublet(self) -> bool:
        return self.orbital != "s"

    @property
    def line_labels(self) -> tuple[str, str | None]:
        return LINE_LABELS[self.orbital]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "orbital": self.orbital,
            "center_ev": self.center_ev,
            "split_ev": self.split_ev,
            "area_ratio": self.area_ratio,
            "fwhm_ev": self.fwhm_ev,
            "shape": self.shape,
            "lor": self.lor,
            "window_ev": self.window_ev,
            "fix_center": self.fix_center,
        }


def _float(value: str, key: str, spec: str) -> float:
    try:
        out = float(value)
    except ValueError:
        raise ParseError(f"component {spec!r}: {key} must be a number, got {value!r}") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise ParseError(f"component {spec!r}: {key} must be finite")
    return out


def make_component(
    name: str,
    kind: str,
    center_ev: float,
    *,
    split_ev: float | None = None,
    area_ratio: float | None = None,
    fwhm_ev: float = 1.2,
    shape: str = "gl",
    lor: float = 0.3,
    window_ev: float = 2.0,
    fix_center: bool = False,
) -> Component:
    """Build and check a :class:`Component` (see the module docstring for the rules)."""
    if not _NAME.match(name):
        raise InputError(f"component name must start with a letter and hold only letters, digits and _, got {name!r}")
    k = kind.lower()
    if k in CORE_LEVELS:
        orbital, default_split = CORE_LEVELS[k]
        split = default_split if split_ev is None else split_ev
    elif k in LINE_LABELS:
        orbital = k
        split = split_ev
        if orbital != "s" and split is None:
            raise InputError(f"component {name!r}: a {orbital} doublet needs split=<eV> (or use a core level such as ag3d)")
    else:
        levels = ", ".join(CORE_LEVELS)
        raise InputError(f"unknown component kind {kind!r} for {name!r}; use s, p, d, f or a core level ({levels})")
    if orbital == "s":
        if split_ev is not None or area_ratio is not None:
            raise InputError(f"component {name!r}: split and ratio apply only to doublets (p, d, f)")
        split, ratio = None, None
    else:
        ratio = AREA_RATIOS[orbital] if area_ratio is None else area_ratio
        if not split or split <= 0:
            raise InputError(f"component {name!r}: split must be > 0 eV, got {split!r}")
        if ratio <= 0:
            raise InputError(f"component {name!r}: ratio must be > 0, got {ratio!r}")
    if shape not in SHAPES:
        raise InputError(f"component {name!r}: shape must be one of {', '.join(SHAPES)}; got {shape!r}")
    if not 0 <= lor <= 1:
        raise InputError(f"component {name!r}: lor (Lorentzian fraction) must lie in [0, 1], got {lor!r}")
    if fwhm_ev <= 0:
        raise InputError(f"component {name!r}: fwhm must be > 0, got {fwhm_ev!r}")
    if window_ev <= 0:
        raise InputError(f"component {name!r}: window must be > 0, got {window_ev!r}")
    return Component(name, k, orbital, float(center_ev), split, ratio, float(fwhm_ev), shape, float(lor), float(window_ev), fix_center)


def parse_components(text: str | list[str]) -> list[Component]:
    """Parse ``NAME:KIND@CENTER[,key=value...]`` items separated by ';' (or a list of such strings)."""
    items = text if isinstance(text, list) else [text]
    specs = [s.strip() for item in items for s in item.split(";") if s.strip()]
    if not specs:
        raise InputError("no components given; e.g. --components 'msc:ag3d@368.9; ag2s:ag3d@366.3'")
    out: list[Component] = []
    for spec in specs:
        head, *opts = [p.strip() for p in spec.split(",")]
        m = re.match(r"^([^:@]+):([^:@]+)@(.+)$", head)
        if not m:
            raise ParseError(f"component {spec!r} must look like NAME:KIND@CENTER[,key=value...]")
        name, kind, center = m.group(1).strip(), m.group(2).strip(), _float(m.group(3).strip(), "CENTER", spec)
        kw: dict[str, Any] = {}
        for opt in opts:
            if "=" not in opt:
                raise ParseError(f"component {spec!r}: option {opt!r} must look like key=value")
            key, value = (s.strip() for s in opt.split("=", 1))
            if key in ("split", "ratio", "fwhm", "lor", "window"):
                kw[{"split": "split_ev", "ratio": "area_ratio", "fwhm": "fwhm_ev", "window": "window_ev"}.get(key, key)] = _float(value, key, spec)
            elif key == "shape":
                kw["shape"] = value.lower()
            elif key == "fix":
                if value != "center":
                    raise ParseError(f"component {spec!r}: fix accepts only 'center', got {value!r}")
                kw["fix_center"] = True
            else:
                raise ParseError(f"component {spec!r}: unknown option {key!r} (split, ratio, fwhm, shape, lor, window, fix)")
        out.append(make_component(name, kind, center, **kw))
    names = [c.name for c in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InputError(f"component names must be unique; repeated: {', '.join(sorted(dup))}")
    return out


__all__.append("make_component")
