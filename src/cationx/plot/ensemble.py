"""Figures for stochastic NC ensembles: titration/time course, dopant histograms, sweeps."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["result_figure", "sweep_figure"]


def result_figure(result: Any, *, title: str | None = None) -> Any:
    """Fractions host/doped/exchanged (left) and the steps-per-NC histogram map (right).

    Against total ions per NC for a titration, against time for kinetics (one addition).
    """
    fig, (ax, axh) = new_figure(1, 2, figsize=(11, 4.2))
    kinetic = np.unique(result.added_ions_count).size == 1
    x = result.time_s if kinetic else result.total_ions_per_nc
    xlabel = "time (s)" if kinetic else "total ions added per NC"
    ax.plot(x, result.fraction_host, "o-", ms=3, color="black", label="host")
    ax.plot(x, result.fraction_doped, "o-", ms=3, color="tab:red", label="doped")
    ax.plot(x, result.fraction_exchanged, "o-", ms=3, color="tab:blue", label="exchanged")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of NCs")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(frameon=False)
    hist = result.dopant_histogram / result.ensemble.n_ncs
    with np.errstate(divide="ignore"):
        img = np.log10(np.where(hist > 0, hist, np.nan))
    mesh = axh.imshow(img.T, origin="lower", aspect="auto", interpolation="nearest", cmap="viridis",
                      extent=(-0.5, hist.shape[0] - 0.5, -0.5, hist.shape[1] - 0.5))
    axh.set_xlabel("record point")
    axh.set_ylabel("steps taken per NC")
    fig.colorbar(mesh, ax=axh, label="log10 fraction of NCs")
    s = result.ensemble.summary()
    fig.suptitle(title or f"{s['model']}: {s['ncs']} NCs, sites {s['sites_mean']:.4g} +/- {s['sites_sd']:.3g}", fontsize=10)
    return fig


def sweep_figure(sweep: Any) -> Any:
    """Apparent Hill coefficients (on totals and on free ions) vs the swept parameter."""
    fig, ax = new_figure()
    summ = sweep.summary()
    x = summ[sweep.param].to_numpy()
    for key, label in (("n_hill_total", "on total ions"), ("n_hill_free", "on free ions")):
        ax.errorbar(x, summ[f"{key}_mean"], yerr=summ[f"{key}_sd"].fillna(0.0), marker="o", capsize=3, label=label)
    ax.set_xlabel(sweep.param)
    ax.set_ylabel("apparent Hill coefficient")
    ax.legend(frameon=False)
    ax.set_title(f"{sweep.replicates} replicates per value (mean +/- sd)", fontsize=10)
    return fig
