"""Element symbols, standard atomic weights and the wt% <-> at% conversion.

Atomic weights come from ``periodictable`` (the table :mod:`cationx.massspec.isotopes`
already uses), so every composition number in cationx rests on one table.  Values are
plain floats in g/mol; the weights' own uncertainties (at most 1e-4 relative for the
elements of interest here) are negligible against any ICP-OES or EDS uncertainty and are
not propagated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from cationx.errors import InputError

__all__ = ["COMPOSITION_UNITS", "at_to_wt", "atomic_mass", "check_element", "split_element_label", "wt_to_at"]

COMPOSITION_UNITS = ("at", "wt")  # atomic %, weight %

_LABEL_RE = re.compile(r"^\s*([A-Z][a-z]?)(?![a-z])[\s_:\-]*(.*)$")
_NUMBER_RE = re.compile(r"(\d+(?:\.\d+)?)")


@cache
def _symbols() -> frozenset[str]:
    import periodictable

    return frozenset(el.symbol for el in periodictable.elements if el.number > 0)


def check_element(symbol: str, name: str = "element") -> str:
    """Return ``symbol`` stripped if it is an element symbol, else raise naming ``name``."""
    s = str(symbol).strip()
    if s not in _symbols():
        raise InputError(f"unknown element {s!r} in {name}")
    return s


def atomic_mass(symbol: str) -> float:
    """Standard atomic weight of ``symbol`` in g/mol (periodictable)."""
    import periodictable

    s = check_element(symbol)
    return float(periodictable.elements.symbol(s).mass)


def split_element_label(label: str, name: str = "column") -> tuple[str, float | None]:
    """Split an instrument label such as ``"Cd 228.802"``, ``"Cu324.754 nm"``, ``"Cu K"``.

    Returns the element symbol and the emission line in nm (None when the label carries
    no number).  Raises :class:`InputError` when the label does not start with an element.
    """
    text = str(label).strip()
    m = _LABEL_RE.match(text)
    if not m or m.group(1) not in _symbols():
        head = re.match(r"^\s*([A-Za-z]+)", text)
        token = head.group(1) if head else text
        raise InputError(f"unknown element {token!r} in {name} {text!r}")
    rest = m.group(2)
    num = _NUMBER_RE.search(rest)
    return m.group(1), (float(num.group(1)) if num else None)


def _check_amounts(values: Mapping[str, float], name: str) -> dict[str, float]:
    if not values:
        raise InputError(f"{name} needs at least one element")
    out = {}
    for el, v in values.items():
        check_element(el, name)
        x = float(v)
        if not x >= 0:
            raise InputError(f"{name}: {el} must be >= 0, got {v!r}")
        out[el] = x
    if sum(out.values()) <= 0:
        raise InputError(f"{name} must have a positive total")
    return out


def wt_to_at(wt: Mapping[str, float]) -> dict[str, float]:
    """Weight % (any scale) -> atomic % normalised to 100 over the given elements.

    ``at_i = (w_i / M_i) / sum_j (w_j / M_j) * 100``.
    """
    w = _check_amounts(wt, "wt%")
    mol = {el: v / atomic_mass(el) for el, v in w.items()}
    tot = sum(mol.values())
    return {el: 100.0 * v / tot for el, v in mol.items()}


def at_to_wt(at: Mapping[str, float]) -> dict[str, float]:
    """Atomic % (any scale) -> weight % normalised to 100: ``w_i = a_i M_i / sum_j a_j M_j``."""
    a = _check_amounts(at, "at%")
    mass = {el: v * atomic_mass(el) for el, v in a.items()}
    tot = sum(mass.values())
    return {el: 100.0 * v / tot for el, v in mass.items()}
