"""Isotope masses and abundances: one source, periodictable.

Source (one maintained table, used for every mass and envelope in :mod:`cationx.massspec`):
``periodictable`` (NIST-maintained, public domain), whose isotope masses are the AME 2020
atomic mass evaluation (Wang et al., Chinese Phys. C 45, 030003 (2021)) and whose natural
abundances are the CIAAW "Isotopic compositions of the elements 2021" (centre of each
range, renormalised to 100 % by periodictable).  Abundances are renormalised to sum to 1
here as well (a change below 1e-15 for every element).

Average masses.  ``average_mass`` in cationx is the abundance-weighted mean isotope mass of
this same table, so that it equals the mean of the computed envelope exactly.  This is not
the IUPAC abridged standard atomic weight (periodictable's ``element.mass``, CIAAW 2021):
for sulfur the table mean is 32.0675 u while the abridged weight is 32.06 u, so a cluster
with 33 S differs by 0.25 Da between the two conventions, and molmass (older NIST
abundances, S 32.0648 u) by another ~0.09 Da.  :func:`standard_weight_mass` gives the
standard-atomic-weight value for comparison.

The electron mass is CODATA 2018 (5.48579909065e-4 u).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from cationx.errors import InputError

__all__ = [
    "ELECTRON_MASS_DA",
    "ElementIsotopes",
    "element_isotopes",
    "is_element",
    "oxidation_state",
    "standard_weight_mass",
    "table_name",
]

ELECTRON_MASS_DA = 5.48579909065e-4  # CODATA 2018, in u

# Formal oxidation states used by the charge-balance filter of the composition search.
FORMAL_CHARGES: dict[str, int] = {
    "Cd": 2, "Zn": 2, "Pb": 2, "Hg": 2, "Mn": 2, "Co": 2, "Ni": 2,
    "Ag": 1, "Cu": 1, "Au": 1, "Na": 1, "K": 1, "Li": 1, "Cs": 1,
    "In": 3, "Ga": 3,
    "S": -2, "Se": -2, "Te": -2,
}


def table_name() -> str:
    """The isotope table in use, with its version (for reports and JSON)."""
    import periodictable

    return f"periodictable {periodictable.__version__} (AME 2020 masses, CIAAW 2021 abundances)"


@dataclass(frozen=True, slots=True)
class ElementIsotopes:
    """Naturally occurring isotopes of one element.

    Attributes
    ----------
    symbol
        Element symbol.
    mass_numbers
        Nucleon numbers A (int array, ascending).
    masses_da
        Isotope masses in u (Da).
    abundances
        Natural abundances as fractions summing to 1.
    average_mass_da
        Abundance-weighted mean isotope mass in u (the cationx average-mass convention).
    lightest_mass_da, log_lightest_abundance
        Mass and log abundance of the lightest isotope (the "monoisotopic" species).
    """

    symbol: str
    mass_numbers: np.ndarray
    masses_da: np.ndarray
    abundances: np.ndarray

    average_mass_da: float = 0.0
    lightest_mass_da: float = 0.0
    log_lightest_abundance: float = 0.0

    def dense(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(A_min, p, q) on a dense grid of nucleon numbers from A_min: ``p`` holds the
        abundances, ``q`` the abundance times the mass defect (mass - A) in u."""
        a0 = int(self.mass_numbers[0])
        size = int(self.mass_numbers[-1]) - a0 + 1
        p = np.zeros(size)
        q = np.zeros(size)
        idx = self.mass_numbers - a0
        p[idx] = self.abundances
        q[idx] = self.abundances * (self.masses_da - self.mass_numbers)
        return a0, p, q


@cache
def _element_symbols() -> frozenset[str]:
    import periodictable

    return frozenset(el.symbol for el in periodictable.elements if el.number > 0)


def is_element(symbol: str) -> bool:
    """True if ``symbol`` is a chemical element symbol (case-sensitive; D and T are not)."""
    return symbol in _element_symbols()


@cache
def element_isotopes(symbol: str) -> ElementIsotopes:
    """Natural isotopes of ``symbol`` from periodictable (see the module docstring).

    Raises
    ------
    InputError
        Unknown symbol, or an element without a natural isotopic composition (e.g. Tc).
    """
    import periodictable

    if not is_element(symbol):
        raise InputError(f"unknown element {symbol!r}")
    el = periodictable.elements.symbol(symbol)
    rows = []
    for a in el.isotopes:
        iso = el[a]
        ab = iso.abundance
        if ab and ab > 0:
            rows.append((int(a), float(iso.mass), float(ab)))
    if not rows:
        raise InputError(f"element {symbol!r} has no natural isotopic composition in {table_name()}")
    rows.sort()
    a_arr = np.array([r[0] for r in rows], dtype=np.int64)
    m_arr = np.array([r[1] for r in rows])
    p_arr = np.array([r[2] for r in rows])
    p_arr = p_arr / p_arr.sum()
    for arr in (a_arr, m_arr, p_arr):
        arr.setflags(write=False)
    return ElementIsotopes(
        symbol, a_arr, m_arr, p_arr, float(np.dot(m_arr, p_arr)), float(m_arr[0]), math.log(p_arr[0])
    )


def standard_weight_mass(counts: dict[str, int]) -> float:
    """Mass in u from the IUPAC abridged standard atomic weights (CIAAW 2021, via periodictable).

    Given for comparison only; cationx's ``average_mass`` uses the isotope table mean.
    """
    import periodictable

    return float(sum(n * periodictable.elements.symbol(s).mass for s, n in counts.items()))


def oxidation_state(symbol: str) -> int | None:
    """Formal charge used by the charge-balance filter, or None when not defined."""
    return FORMAL_CHARGES.get(symbol)
