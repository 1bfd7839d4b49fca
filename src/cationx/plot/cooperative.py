"""Figures for the cooperative exchange equilibrium and its fits."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["compare_figure", "fit_figure", "titration_figure"]


def titration_figure(state: Any, *, title: str | None = None) -> Any:
    """White et al. 2013 Fig. 2b style: exchanged, host (pure + doped) and dopants vs total ions per NC."""
    fig, ax = new_figure()
    x = state.total_ions_per_nc
    ax.plot(x, state.fraction_exchanged, color="tab:blue", label="fully exchanged NCs")
    ax.plot(x, state.product_fraction, color="tab:green", ls="--", label="product material")
    ax.plot(x, state.fraction_unexchanged, color="black", label="host (pure + doped)")
    ax.plot(x, state.feasibility_bound, color="grey", ls=":", lw=1, label="mass-balance bound T/(m N)")
    ax.set_xlabel("total ions added per NC")
    ax.set_ylabel("fraction of NCs")
    ax.set_ylim(-0.02, 1.02)
    ax2 = ax.twinx()
    ax2.plot(x, state.dopants_per_nc, color="tab:red", label="dopants per NC")
    ax2.set_ylabel("dopants per NC", color="tab:red")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], loc="center right", frameon=False)
    m = state.model
    ax.set_title(title or f"{m.name}, n = {m.sites} steps x h = {m.host_per_site} host cations", fontsize=10)
    return fig


def fit_figure(result: Any, *, x_label: str = "x", y_label: str = "y") -> Any:
    """Data, fitted curve and residuals."""
    fig, (ax, axr) = new_figure(2, 1, figsize=(6.4, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    idx = result.dataset_index if result.dataset_index.size else np.zeros(result.x.size, dtype=int)
    for k in np.unique(idx):
        sel = idx == k
        order = np.argsort(result.x[sel])
        ax.plot(result.x[sel], result.y[sel], "o", ms=4, label=f"data {k}" if idx.max() > 0 else "data")
        ax.plot(result.x[sel][order], result.y_fit[sel][order], "-", label=f"{result.model} fit")
        axr.plot(result.x[sel], result.residuals[sel], "o", ms=3)
    axr.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel(y_label)
    axr.set_xlabel(x_label)
    axr.set_ylabel("fit - data")
    ax.legend(frameon=False)
    ax.set_title(f"{result.model}: R^2 = {result.r2:.4f}", fontsize=10)
    return fig


def compare_figure(states: dict[str, Any]) -> Any:
    """Fraction exchanged and dopants per NC for several models on one set of axes."""
    fig, (ax, ax2) = new_figure(1, 2, figsize=(10, 4))
    for label, st in states.items():
        ax.plot(st.total_ions_per_nc, st.fraction_exchanged, label=label)
        ax2.plot(st.total_ions_per_nc, st.dopants_per_nc, label=label)
    ax.set_xlabel("total ions added per NC")
    ax.set_ylabel("fraction fully exchanged")
    ax2.set_xlabel("total ions added per NC")
    ax2.set_ylabel("dopants per NC")
    ax.legend(frameon=False)
    return fig
