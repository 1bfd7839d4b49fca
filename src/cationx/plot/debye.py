"""Figures for Debye-equation patterns of clusters."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["debye_figure"]


def debye_figure(pattern: Any, *, title: str | None = None, kinematic: Any = None) -> Any:
    """I(2theta) (or I(Q)) with the Laue diffuse part shaded and the maxima marked.

    ``kinematic``: optional (x, y) of a kinematic profile on the same axis, scaled to the
    Debye maximum, drawn dashed for comparison.
    """
    fig, ax = new_figure()
    x = pattern.x
    y = pattern.intensity
    ax.plot(x, y, color="black", lw=1.2, label="Debye (total)")
    laue = (pattern.laue + pattern.thermal_diffuse) * pattern.polarisation
    ax.fill_between(x, 0, laue, color="tab:orange", alpha=0.35, label="Laue + thermal diffuse")
    if kinematic is not None:
        kx, ky = kinematic
        ky = np.asarray(ky, dtype=float)
        ax.plot(kx, ky / ky.max() * y.max(), "--", color="tab:blue", lw=1.0, label="kinematic + Scherrer")
    for m in pattern.maxima():
        key = "two_theta_deg" if pattern.two_theta_deg is not None else "q_inv_angstrom"
        ax.axvline(m[key], color="grey", lw=0.5, alpha=0.5)
    ax.set_xlabel("2θ (deg)" if pattern.two_theta_deg is not None else "Q (1/Å)")
    ax.set_ylabel("intensity (e² per cluster)")
    ax.legend(frameon=False)
    ax.set_title(title or f"Debye pattern, {pattern.n_atoms} atoms ({pattern.method})", fontsize=10)
    return fig
