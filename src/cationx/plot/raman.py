"""Figures for Raman band fits: each replicate offset vertically, with its fit and residuals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["raman_figure"]


def raman_figure(results: Sequence[Any]) -> Any:
    """Data (after despiking), background and fit per spectrum, stacked; residuals below."""
    fig, (ax, axr) = new_figure(2, 1, figsize=(6.4, 6.0), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    offset = 0.0
    for res in results:
        c = res.curves()
        for lab, sub in c.groupby("spectrum", sort=False):
            x = sub["raman_shift_cm1"].to_numpy()
            y = sub["intensity"].to_numpy()
            ax.plot(x, y + offset, ".", ms=2, color="black")
            ax.plot(x, sub["baseline"].to_numpy() + offset, "--", lw=0.8, color="grey")
            ax.plot(x, sub["fit"].to_numpy() + offset, "-", lw=1.1, color="tab:red")
            ax.text(x[0], float(y[0]) + offset, f" {lab}", fontsize=6, va="bottom", ha="left", clip_on=True)
            axr.plot(x, sub["residual"].to_numpy(), lw=0.6)
            offset += 1.1 * float(np.ptp(y))
        for centre in res.summary_table()["center_cm1_mean"]:
            ax.axvline(centre, color="tab:blue", lw=0.6, alpha=0.5)
    axr.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("intensity (offset)")
    axr.set_xlabel("Raman shift (cm$^{-1}$)")
    axr.set_ylabel("fit - data")
    status = "converged" if all(r.converged for r in results) else "NOT converged: see warnings"
    ax.set_title(f"{results[0].shape} bands, shared: {results[0].share} ({status})", fontsize=10)
    return fig
