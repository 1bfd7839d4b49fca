"""Figures for XPS fits (binding energy decreasing to the right, as usual)."""

from __future__ import annotations

from typing import Any

from cationx.plot import new_figure

__all__ = ["xps_figure"]


def xps_figure(result: Any, *, title: str | None = None) -> Any:
    """Data, background, components (on the background) and the total fit, with residuals."""
    curves = result.curves()
    fig, (ax, axr) = new_figure(2, 1, figsize=(6.4, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    x = curves["binding_energy_ev"]
    ax.plot(x, curves["intensity"], "o", ms=2.5, color="black", label="data")
    ax.plot(x, curves["background"], "--", color="grey", lw=1, label=f"{result.background_kind} background")
    for c in result.components:
        ax.fill_between(x, curves["background"], curves["background"] + curves[c.name], alpha=0.35, label=c.name)
    ax.plot(x, curves["fit"], "-", color="tab:red", lw=1.2, label="fit")
    axr.plot(x, curves["fit"] - curves["intensity"], "o", ms=2)
    axr.axhline(0, color="grey", lw=0.8)
    ax.invert_xaxis()
    ax.set_ylabel("intensity")
    axr.set_xlabel("binding energy (eV)")
    axr.set_ylabel("fit - data")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title or result.fit.model, fontsize=10)
    return fig
