"""Lattice strain of replicate phonon positions, by :func:`cationx.physics.strain.strain_from_raman`.

The Grueneisen relation itself (White et al. 2017 eq. 2) lives in :mod:`cationx.physics.strain`;
this module only applies it to each replicate centre of a fitted band and summarises the
result (mean +/- SD over replicates, or the fit standard error of a shared centre propagated
through the relation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx._validation import check_positive

__all__ = ["replicate_strain"]


def replicate_strain(rows: list[dict[str, Any]], j: int, ref: float, gruneisen: float | None, share: str) -> dict[str, Any]:
    """Strain of band ``j`` for each row of a peak table (``center_cm1``, ``center_se``) and at the mean."""
    from cationx.physics.strain import GRUNEISEN_LO_CU2SE, strain_from_raman

    g = GRUNEISEN_LO_CU2SE if gruneisen is None else check_positive(gruneisen, "gruneisen")
    check_positive(ref, "reference_cm1")
    sub = [r for r in rows if r["peak"] == j]
    per = [strain_from_raman(r["center_cm1"], ref, g).linear_strain for r in sub]
    centres = np.array([r["center_cm1"] for r in sub])
    mean_c = float(centres.mean())
    at_mean = strain_from_raman(mean_c, ref, g)
    if share == "position" or len(per) < 2:
        se = sub[0]["center_se"]
        sd = None
        if se is not None:
            hi = strain_from_raman(mean_c + se, ref, g).linear_strain
            lo = strain_from_raman(mean_c - se, ref, g).linear_strain
            sd = abs(hi - lo) / 2
        spread = "fit standard error of the shared position"
    else:
        sd = float(np.std(per, ddof=1))
        spread = "SD over replicates"
    return {
        "peak": j,
        "reference_cm1": ref,
        "gruneisen": g,
        "relation": "d_omega/omega = (1 + 3 da/a)^(-gamma) - 1 (cationx.physics.strain.strain_from_raman)",
        "per_spectrum_linear_strain": per,
        "linear_strain_mean": float(np.mean(per)),
        "linear_strain_sd": sd,
        "spread": spread,
        "at_mean": at_mean.to_dict(),
    }
