"""Physical constants and X-ray lines: the one place the toolkit takes them from.

Values and provenance:

- ``AVOGADRO`` = 6.02214076e23 mol^-1, ``ELEMENTARY_CHARGE`` = 1.602176634e-19 C,
  ``PLANCK`` = 6.62607015e-34 J s, ``SPEED_OF_LIGHT`` = 299792458 m/s,
  ``BOLTZMANN`` = 1.380649e-23 J/K: exact by the 2019 SI definition (CODATA 2018).
- ``HC_EV_NM`` = h c / e = 1239.8419843320026 eV nm (derived from the exact constants above):
  ``E (eV) = HC_EV_NM / lambda (nm)``.

Importing this module costs nothing beyond the interpreter (no NumPy).
"""

from __future__ import annotations

__all__ = [
    "AVOGADRO",
    "BOLTZMANN",
    "ELEMENTARY_CHARGE",
    "HC_EV_NM",
    "PLANCK",
    "SPEED_OF_LIGHT",
]

AVOGADRO = 6.02214076e23  # mol^-1, exact (SI 2019)
ELEMENTARY_CHARGE = 1.602176634e-19  # C, exact
PLANCK = 6.62607015e-34  # J s, exact
SPEED_OF_LIGHT = 299792458.0  # m/s, exact
BOLTZMANN = 1.380649e-23  # J/K, exact

# h c / e in eV nm, the correctly rounded value of the exact product (the float expression
# PLANCK * SPEED_OF_LIGHT / ELEMENTARY_CHARGE * 1e9 lands one unit in the last place lower)
HC_EV_NM = 1239.8419843320026
