"""Figures for mass spectra of clusters: envelopes, envelope fits, exchange series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["assign_figure", "envelope_figure", "envelopes_figure", "series_figure"]


def envelope_figure(env: Any, *, profile: tuple[np.ndarray, np.ndarray] | None = None, title: str | None = None) -> Any:
    """Stick envelope (relative abundance) with an optional profile, most-abundant peak marked."""
    fig, ax = new_figure()
    rel = env.abundance / env.abundance.max()
    keep = rel >= 1e-3
    ax.vlines(env.mz[keep], 0, rel[keep], color="tab:blue", lw=1, label="aggregated peaks")
    if profile is not None:
        mz, inten = profile
        ax.plot(mz, inten / inten.max(), color="0.3", lw=0.8, label="profile")
    ax.axvline(env.most_abundant_mz, color="tab:red", ls=":", lw=1, label=f"most abundant {env.most_abundant_mz:.2f}")
    ax.set_xlabel("m/z")
    ax.set_ylabel("relative abundance")
    ax.set_title(title or env.formula.ion_label(), fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return fig


def envelopes_figure(
    envs: Sequence[Any],
    *,
    reported: Sequence[float | None] | None = None,
    labels: Sequence[str] | None = None,
    resolving_power: float | None = None,
    offset: float = 0.0,
) -> Any:
    """Several envelopes on one axis (sticks, or profiles at ``resolving_power``), stacked by
    ``offset``; each with its reported m/z (dashed) and computed most-abundant m/z (dot)."""
    from cationx.massspec.envelope import profile

    fig, ax = new_figure(figsize=(7.2, 4.4))
    for k, env in enumerate(envs):
        color = f"C{k % 10}"
        base = k * offset
        lab = labels[k] if labels else env.formula.ion_label()
        if resolving_power is not None:
            mz, inten = profile(env, resolving_power=resolving_power)
            ax.plot(mz, base + inten / inten.max(), color=color, lw=0.9, label=lab)
        else:
            rel = env.abundance / env.abundance.max()
            keep = rel >= 1e-3
            ax.vlines(env.mz[keep], base, base + rel[keep], color=color, lw=0.8, label=lab)
        ax.plot([env.most_abundant_mz], [base + 1.02], "o", ms=3, color=color)
        if reported is not None and reported[k] is not None:
            ax.axvline(reported[k], color=color, ls="--", lw=0.8)
    ax.set_xlabel("m/z")
    ax.set_ylabel("relative intensity" + (" (offset)" if offset else ""))
    ax.legend(frameon=False, fontsize=7, loc="upper left")
    return fig


def assign_figure(spectrum: Any, fits: Sequence[Any]) -> Any:
    """Spectrum with the fitted envelopes over it."""
    fig, ax = new_figure()
    ax.plot(spectrum.mz, spectrum.intensity, color="0.3", lw=0.8, label="spectrum")
    lo, hi = np.inf, -np.inf
    for k, ft in enumerate(fits):
        ax.plot(ft.fit.x, ft.fit.y_fit, color=f"C{k % 10}", lw=1, label=f"{ft.formula.ion_label()} (score {ft.score:.3f})")
        lo, hi = min(lo, ft.fit.x.min()), max(hi, ft.fit.x.max())
    if np.isfinite(lo):
        ax.set_xlim(lo, hi)
    ax.set_xlabel("m/z")
    ax.set_ylabel("intensity")
    ax.legend(frameon=False, fontsize=8)
    return fig


def series_figure(res: Any) -> Any:
    """Exchange-series fit: data and model (top), member weights (bottom)."""
    fig, (ax, axw) = new_figure(2, 1, figsize=(6.4, 6.0), gridspec_kw={"height_ratios": [2, 1]})
    ax.plot(res.fit.x, res.fit.y, color="0.3", lw=0.8, label="spectrum")
    ax.plot(res.fit.x, res.fit.y_fit, color="tab:red", lw=1, label=f"{res.distribution} fit, mean {res.mean:.2f}")
    ax.set_xlabel("m/z")
    ax.set_ylabel("intensity")
    ax.legend(frameon=False, fontsize=8)
    axw.bar(res.x, res.weights, color="tab:blue")
    axw.set_xlabel("x")
    axw.set_ylabel("weight")
    axw.set_title(res.family, fontsize=9)
    return fig
