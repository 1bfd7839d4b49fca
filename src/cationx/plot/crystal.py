"""Figures for powder diffraction: simulated patterns, refinements, phase mixtures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["pattern_figure", "patterns_figure", "refinement_figure"]


def pattern_figure(pattern: Any, *, title: str | None = None, label_top: int = 8) -> Any:
    """Profile with sticks and hkl labels of the strongest reflections."""
    fig, ax = new_figure(figsize=(7.0, 4.2))
    ax.plot(pattern.two_theta_deg, pattern.intensity, color="black", lw=1.2, label="profile")
    r = pattern.reflections
    if len(r):
        rel = r.relative
        ax.vlines(r.two_theta_deg, 0, rel, color="tab:red", lw=1.0, label="sticks (strongest = 100)")
        for i in np.argsort(rel)[::-1][:label_top]:
            ax.annotate(r.labels()[i], (r.two_theta_deg[i], rel[i]), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7)
    ax.set_xlabel("2θ (deg)")
    ax.set_ylabel("intensity (max = 100)")
    ax.set_xlim(pattern.two_theta_deg[0], pattern.two_theta_deg[-1])
    ax.set_ylim(0, 112)
    lam = pattern.wavelength_angstrom
    size = f", L = {pattern.size_nm:g} nm" if pattern.size_nm else ""
    ax.set_title(title or f"{r.structure_name}: λ = {lam:g} Å{size}", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return fig


def patterns_figure(patterns: Sequence[Any], labels: Sequence[str], *, title: str = "", offset: float = 110.0, marks: Sequence[float] = ()) -> Any:
    """Stacked profiles (001 Fig. 4 style), first at the bottom."""
    fig, ax = new_figure(figsize=(6.0, 1.6 + 1.3 * len(patterns)))
    for k, (p, lab) in enumerate(zip(patterns, labels, strict=True)):
        ax.plot(p.two_theta_deg, p.intensity + k * offset, lw=1.2)
        ax.text(p.two_theta_deg[-1], k * offset + 20, lab, ha="right", fontsize=8)
    for m in marks:
        ax.axvline(m, color="0.7", lw=0.8, ls=":")
    ax.set_xlabel("2θ (deg)")
    ax.set_ylabel("intensity (offset)")
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    return fig


def refinement_figure(result: Any, *, title: str | None = None) -> Any:
    """Observed, calculated, background and difference curve."""
    fig, (ax, axd) = new_figure(2, 1, figsize=(7.0, 5.0), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    x = result.two_theta_deg
    ax.plot(x, result.observed, ".", ms=2, color="black", label="observed")
    ax.plot(x, result.calculated, color="tab:red", lw=1.0, label="calculated")
    bg = getattr(result, "background", None)
    if bg is not None:
        ax.plot(x, bg, color="tab:gray", lw=0.8, label="background")
    ax.set_ylabel("intensity")
    ax.legend(frameon=False, fontsize=8)
    rwp = getattr(result, "rwp_percent", None)
    ax.set_title(title or (f"Rwp = {rwp:.2f} %" if rwp is not None else ""), fontsize=10)
    axd.plot(x, result.observed - result.calculated, color="tab:blue", lw=0.8)
    axd.axhline(0, color="0.6", lw=0.6)
    axd.set_xlabel("2θ (deg)")
    axd.set_ylabel("obs - calc")
    return fig
