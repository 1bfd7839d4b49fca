"""Physical constants and X-ray lines: the one place the toolkit takes them from.

Values and provenance:

- ``AVOGADRO`` = 6.02214076e23 mol^-1, ``ELEMENTARY_CHARGE`` = 1.602176634e-19 C,
  ``PLANCK`` = 6.62607015e-34 J s, ``SPEED_OF_LIGHT`` = 299792458 m/s,
  ``BOLTZMANN`` = 1.380649e-23 J/K: exact by the 2019 SI definition (CODATA 2018).
- ``HC_EV_NM`` = h c / e = 1239.8419843320026 eV nm (derived from the exact constants above):
  ``E (eV) = HC_EV_NM / lambda (nm)``.
- ``BOLTZMANN_EV`` = k / e = 8.617333262e-5 eV/K (derived, exact).
- ``GAS_CONSTANT`` = N_A k = 8.31446261815324 J/(mol K) and ``HBAR`` = h / 2 pi: derived, exact.
- ``ELECTRON_MASS`` = 9.1093837139e-31 kg and ``VACUUM_PERMITTIVITY`` = 8.8541878188e-12 F/m:
  CODATA 2022 (measured, relative uncertainties 3e-10 and 2e-10; the values scipy.constants
  gives from SciPy 1.15 on).
- ``ZERO_CELSIUS_K`` = 273.15 K (definition of the Celsius scale).
- ``GAUSSIAN_FWHM_PER_SIGMA`` = 2 sqrt(2 ln 2) = 2.3548200450309493 (mathematical).
- X-ray emission lines ``ANODES`` (K-alpha1, K-alpha2 in angstrom): J. A. Bearden, "X-Ray
  Wavelengths", Rev. Mod. Phys. 39, 78 (1967), the values ICDD powder cards and
  pymatgen use.  ``CU_KALPHA1_ANGSTROM`` = 1.54056, ``CU_KALPHA2_ANGSTROM`` = 1.54439;
  ``KALPHA2_RATIO`` = 0.5 (alpha2/alpha1 intensity), so the intensity-weighted mean
  ``CU_KALPHA_ANGSTROM`` = (2 K-alpha1 + K-alpha2) / 3 = 1.541837 A.  The newer Hoelzer et al.,
  Phys. Rev. A 56, 4554 (1997) Cu values (8047.8227 / 8027.8416 eV, i.e. 1.540593 / 1.544427 A)
  differ by 2.5e-5 relative; the toolkit keeps Bearden's so its patterns match the ICDD cards.

Importing this module costs nothing beyond the interpreter (no NumPy).
"""

from __future__ import annotations

import math

__all__ = [
    "ANODES",
    "AVOGADRO",
    "BOLTZMANN",
    "BOLTZMANN_EV",
    "CU_KALPHA1_ANGSTROM",
    "CU_KALPHA2_ANGSTROM",
    "CU_KALPHA_ANGSTROM",
    "ELECTRON_MASS",
    "ELEMENTARY_CHARGE",
    "GAS_CONSTANT",
    "GAUSSIAN_FWHM_PER_SIGMA",
    "HBAR",
    "HC_EV_NM",
    "KALPHA2_RATIO",
    "PLANCK",
    "SPEED_OF_LIGHT",
    "VACUUM_PERMITTIVITY",
    "ZERO_CELSIUS_K",
]

AVOGADRO = 6.02214076e23  # mol^-1, exact (SI 2019)
ELEMENTARY_CHARGE = 1.602176634e-19  # C, exact
PLANCK = 6.62607015e-34  # J s, exact
SPEED_OF_LIGHT = 299792458.0  # m/s, exact
BOLTZMANN = 1.380649e-23  # J/K, exact

# h c / e in eV nm, the correctly rounded value of the exact product (the float expression
# PLANCK * SPEED_OF_LIGHT / ELEMENTARY_CHARGE * 1e9 lands one unit in the last place lower)
HC_EV_NM = 1239.8419843320026

BOLTZMANN_EV = BOLTZMANN / ELEMENTARY_CHARGE  # eV/K, 8.617333262e-5
GAS_CONSTANT = AVOGADRO * BOLTZMANN  # J/(mol K), exact
HBAR = PLANCK / (2 * math.pi)  # J s, exact
ELECTRON_MASS = 9.1093837139e-31  # kg, CODATA 2022 (measured)
VACUUM_PERMITTIVITY = 8.8541878188e-12  # F/m, CODATA 2022 (measured)
ZERO_CELSIUS_K = 273.15  # K, 0 degC
GAUSSIAN_FWHM_PER_SIGMA = 2 * math.sqrt(2 * math.log(2))  # 2.3548200450309493

#: K-alpha1 and K-alpha2 wavelengths (A) of common anodes: Bearden, Rev. Mod. Phys. 39, 78
#: (1967), the values ICDD cards and pymatgen use (module docstring).
ANODES: dict[str, tuple[float, float]] = {
    "Cu": (1.54056, 1.54439),
    "Co": (1.78897, 1.79285),
    "Mo": (0.70930, 0.71359),
    "Cr": (2.28970, 2.29361),
    "Fe": (1.93604, 1.93998),
    "Ag": (0.559421, 0.563813),
}
#: K-alpha2 / K-alpha1 intensity ratio
KALPHA2_RATIO = 0.5
CU_KALPHA1_ANGSTROM, CU_KALPHA2_ANGSTROM = ANODES["Cu"]
#: intensity-weighted Cu K-alpha mean, (2 alpha1 + alpha2) / 3 = 1.541837 A
CU_KALPHA_ANGSTROM = (CU_KALPHA1_ANGSTROM + KALPHA2_RATIO * CU_KALPHA2_ANGSTROM) / (1 + KALPHA2_RATIO)
