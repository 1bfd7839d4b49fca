"""Modified Auger parameter of copper: Cu(0), Cu(I), Cu(II).

``alpha' = BE(Cu 2p3/2) + KE(Cu L3M4,5M4,5)`` (Wagner), independent of charging and of the
X-ray energy.  Cu(0) and Cu(I) have nearly the same 2p3/2 binding energy (~932.5 eV), so
White et al. 2013 read the Cu LMM kinetic energy (917.2 eV) to assign Cu(I).  Cu(0) and
CuO have close alpha' values, so the assignment uses the distance in the Wagner plane
(BE, KE), and reports alpha' alongside.

Reference values (rounded to 0.1 eV): Cu metal 932.6 / 918.6, Cu2O 932.4 / 916.8, CuO
933.7 / 917.8, Cu(OH)2 934.7 / 916.2 eV (BE 2p3/2 / KE LMM), as compiled by Biesinger,
Surf. Interface Anal. 49, 1325 (2017) and in the NIST X-ray Photoelectron Spectroscopy
Database (SRD 20).  Spectrometer calibrations differ by 0.1-0.3 eV; a nearest reference
farther than ``tolerance_ev`` is reported as unassigned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cationx._validation import check_nonnegative, check_positive

__all__ = ["CU_REFERENCES", "AugerAssignment", "AugerReference", "assign_copper_state", "modified_auger_parameter"]

REFERENCE_SOURCE = "Biesinger, Surf. Interface Anal. 49, 1325 (2017); NIST XPS Database SRD 20 (rounded to 0.1 eV)"


@dataclass(frozen=True, slots=True)
class AugerReference:
    state: str
    compound: str
    be_2p32_ev: float
    ke_lmm_ev: float

    @property
    def alpha_prime_ev(self) -> float:
        return self.be_2p32_ev + self.ke_lmm_ev


CU_REFERENCES = (
    AugerReference("Cu(0)", "Cu metal", 932.6, 918.6),
    AugerReference("Cu(I)", "Cu2O", 932.4, 916.8),
    AugerReference("Cu(II)", "CuO", 933.7, 917.8),
    AugerReference("Cu(II)", "Cu(OH)2", 934.7, 916.2),
)


def modified_auger_parameter(be_2p32_ev: float, ke_lmm_ev: float) -> float:
    """``alpha' = BE(2p3/2) + KE(LMM)`` in eV."""
    return check_positive(be_2p32_ev, "be_2p32_ev") + check_positive(ke_lmm_ev, "ke_lmm_ev")


@dataclass(frozen=True, slots=True)
class AugerAssignment:
    be_2p32_ev: float
    ke_lmm_ev: float
    alpha_prime_ev: float
    state: str | None
    nearest: AugerReference
    distance_ev: float
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "be_2p32_ev": self.be_2p32_ev,
            "ke_lmm_ev": self.ke_lmm_ev,
            "alpha_prime_ev": self.alpha_prime_ev,
            "state": self.state,
            "nearest_compound": self.nearest.compound,
            "distance_ev": self.distance_ev,
            "references": self.table.to_dict(orient="records"),
            "reference_source": REFERENCE_SOURCE,
        }


def assign_copper_state(be_2p32_ev: float, ke_lmm_ev: float, *, tolerance_ev: float = 0.6) -> AugerAssignment:
    """Nearest copper reference in the Wagner plane; ``state`` is None beyond ``tolerance_ev``."""
    alpha = modified_auger_parameter(be_2p32_ev, ke_lmm_ev)
    tol = check_nonnegative(tolerance_ev, "tolerance_ev")
    rows = []
    for ref in CU_REFERENCES:
        d = math.hypot(be_2p32_ev - ref.be_2p32_ev, ke_lmm_ev - ref.ke_lmm_ev)
        rows.append({"state": ref.state, "compound": ref.compound, "be_2p32_ev": ref.be_2p32_ev,
                     "ke_lmm_ev": ref.ke_lmm_ev, "alpha_prime_ev": ref.alpha_prime_ev, "distance_ev": d})
    table = pd.DataFrame(rows).sort_values("distance_ev").reset_index(drop=True)
    best = min(CU_REFERENCES, key=lambda r: math.hypot(be_2p32_ev - r.be_2p32_ev, ke_lmm_ev - r.ke_lmm_ev))
    dist = float(table["distance_ev"].iloc[0])
    return AugerAssignment(float(be_2p32_ev), float(ke_lmm_ev), alpha, best.state if dist <= tol else None, best, dist, table)
