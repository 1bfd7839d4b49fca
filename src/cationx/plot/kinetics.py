"""Figures for kinetic fits and piecewise-linear fits."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["kinetics_figure", "piecewise_figure"]


def kinetics_figure(t: Any, a: Any, result: Any) -> Any:
    """Data and fitted curve; log-linear windows are drawn on ln A axes with one line per window."""
    t = np.asarray(t, dtype=float)
    a = np.asarray(a, dtype=float)
    fig, ax = new_figure()
    if hasattr(result, "lines") and hasattr(result, "rate_constants"):
        pos = a > 0
        ax.plot(t[pos], np.log(a[pos]), "o", ms=4, label="data")
        for (lo, hi), ln, k in zip(result.windows, result.lines, result.rate_constants, strict=True):
            tt = np.linspace(lo, hi, 50)
            ax.plot(tt, ln.intercept.value + ln.slope.value * tt, "-", label=f"{lo:g}-{hi:g}: k = {k:.3g}")
        ax.set_ylabel("ln A")
        ax.set_title("log-linear windows", fontsize=10)
    else:
        order = np.argsort(result.x)
        ax.plot(result.x, result.y, "o", ms=4, label="data")
        ax.plot(result.x[order], result.y_fit[order], "-", label=f"{result.model} fit")
        if "t_break" in result.params:
            ax.axvline(result.value("t_break"), color="grey", ls="--", lw=0.8, label="t_break")
        ax.set_ylabel("A")
        ax.set_title(f"{result.model}: R^2 = {result.r2:.4f}", fontsize=10)
    ax.set_xlabel("t")
    ax.legend(frameon=False)
    return fig


def piecewise_figure(x: Any, y: Any, result: Any, *, x_label: str = "x", y_label: str = "y") -> Any:
    """Data with fitted segments (breakpoints dashed) or window lines."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    fig, ax = new_figure()
    ax.plot(x, y, "o", ms=5, label="data")
    if hasattr(result, "predict"):
        xx = np.linspace(x.min(), x.max(), 400)
        ax.plot(xx, result.predict(xx), "-", label="piecewise fit")
        for b in result.breakpoints:
            ax.axvline(b.value, color="grey", ls="--", lw=0.8)
    else:
        for ln in result.lines:
            lo, hi = ln.window
            xx = np.linspace(lo, hi, 50)
            ax.plot(xx, ln.intercept.value + ln.slope.value * xx, "-", label=f"{lo:g}-{hi:g}: slope {ln.slope.value:.3g}")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.legend(frameon=False)
    return fig
