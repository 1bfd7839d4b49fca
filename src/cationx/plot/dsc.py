"""Figures for DSC runs: heat flow vs temperature per segment, baselines, onsets and peaks."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["dsc_figure"]


def dsc_figure(result: Any, *, title: str | None = None) -> Any:
    """Heat flow (in the run's sign convention) vs temperature; sigmoidal baselines dashed, onsets marked."""
    fig, ax = new_figure(figsize=(6.8, 4.6))
    sign = -1.0 if result.exo_up else 1.0  # back from endo-up to the file's convention
    colors = {"heating": "tab:red", "cooling": "tab:blue", "isothermal": "grey"}
    for sr in result.segments:
        if sr.u.size == 0:
            continue
        c = colors.get(sr.segment.kind, "black")
        ax.plot(sr.temperature_c, sign * sr.signal_endo_up, "-", lw=0.9, color=c,
                label=f"{sr.segment.index}: {sr.segment.kind}")
        for tr in sr.transitions:
            tt = sr.temperature_c[tr.start : tr.stop]
            ax.plot(tt, sign * tr.baseline, "--", lw=0.8, color="black")
            y_on = float(np.interp(tr.onset_u, sr.u, sr.signal_endo_up))
            ax.plot([tr.onset_c], [sign * y_on], "v", color=c, ms=6)
            ax.annotate(f"onset {tr.onset_c:.1f}\npeak {tr.peak_c:.1f} °C", (tr.peak_c, sign * sr.signal_endo_up[tr.peak_index]),
                        fontsize=7, xytext=(5, 5), textcoords="offset points")
    ax.set_xlabel("temperature (°C)")
    ax.set_ylabel(f"heat flow ({result.heat_flow_unit}); {'exo up' if result.exo_up else 'endo up'}")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title(title or "DSC", fontsize=10)
    return fig
