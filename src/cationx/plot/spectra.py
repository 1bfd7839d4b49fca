"""Figures for titration spectra: series, corrected spectra, fractions with fits, PL, inspection."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import _pyplot
from cationx.spectra.axes import HC_EV_NM

__all__ = [
    "corrected_figure",
    "fractions_figure",
    "inspect_figure",
    "pl_figure",
    "series_figure",
    "svd_figure",
]


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (6.4, 4.4), **kwargs: Any) -> tuple[Any, Any]:
    """Figure with fixed margins: constrained layout costs ~0.3 s per figure, too much for a
    report of many spectra (the benchmark budget is 5 s for analysis + report)."""
    fig, ax = _pyplot().subplots(nrows, ncols, figsize=figsize, **kwargs)
    fig.subplots_adjust(left=0.12, right=0.88, bottom=0.12, top=0.92, wspace=0.3, hspace=0.08)
    return fig, ax


def _lines(ax: Any, x: np.ndarray, rows: np.ndarray) -> None:
    """All rows as one LineCollection, coloured in titration order (fast for 50+ spectra)."""
    from matplotlib.collections import LineCollection

    # a 6-inch axis cannot show more than ~1000 points per line: draw every k-th point
    # (the extremes of each line are kept for the axis limits below)
    step = max(1, x.size // 1000)
    segs = [np.column_stack([x[::step], r[::step]]) for r in rows]
    ax.add_collection(LineCollection(segs, colors=_colors(len(rows)), linewidths=1))
    if len(rows) > 1:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import ListedColormap, Normalize

        key = ScalarMappable(norm=Normalize(0, len(rows) - 1), cmap=ListedColormap(_colors(len(rows))))
        from matplotlib.ticker import MaxNLocator

        bar = ax.figure.colorbar(key, ax=ax, pad=0.02, fraction=0.05, label="spectrum (0 = before any addition)")
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    ax.set_xlim(float(np.min(x)), float(np.max(x)))
    lo, hi = float(np.nanmin(rows)), float(np.nanmax(rows))
    pad = 0.04 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + pad)


def _colors(n: int) -> Any:
    import matplotlib

    return matplotlib.colormaps["viridis"](np.linspace(0, 0.95, max(n, 1)))


def _shade_saturated(ax: Any, w: np.ndarray, valid: np.ndarray) -> None:
    bad = ~valid.all(axis=0) if valid.ndim == 2 else ~valid
    idx = np.flatnonzero(bad)
    if idx.size:
        for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
            ax.axvspan(w[run[0]], w[run[-1]], color="0.85", zorder=0, label="saturated (excluded)")


def series_figure(analysis: Any) -> Any:
    """Absorbance series (after dilution/baseline), isosbestic points and saturated ranges."""
    fig, ax = new_figure()
    w, y = analysis.wavelength_nm, analysis.absorbance
    _lines(ax, w, y)
    for p in analysis.isosbestic:
        ax.errorbar([p.wavelength_nm], [p.absorbance], xerr=[p.uncertainty_nm], fmt="o", mfc="none", color="tab:red", ms=7)
    if analysis.isosbestic:
        # one list in a corner: labels beside neighbouring points overprint each other and the lines
        listing = "\n".join(f"{p.wavelength_nm:.1f} ± {p.uncertainty_nm:.1f} nm" for p in analysis.isosbestic)
        ax.text(0.98, 0.97, "isosbestic points\n" + listing, transform=ax.transAxes, ha="right", va="top", fontsize=8, color="tab:red")
    _shade_saturated(ax, w, analysis.valid)
    ref_nm = analysis.correction.reference_nm
    ax.axvline(ref_nm, color="0.5", ls=":", lw=1)
    ax.text(ref_nm, 0.97, f"{HC_EV_NM / ref_nm:.2f} eV reference ", transform=ax.get_xaxis_transform(), fontsize=7, color="0.4", rotation=90, va="top", ha="right")
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("absorbance")
    ax.set_title(f"{analysis.title}: {len(y)} spectra (isosbestic points in red)", fontsize=10)
    return fig


def corrected_figure(analysis: Any) -> Any:
    """Spectra after the product correction at the reference energy (000)."""
    fig, ax = new_figure()
    corr = analysis.correction
    _lines(ax, corr.wavelength_nm, corr.corrected)
    ax.axvline(float(np.mean(corr.exciton_nm)), color="0.4", ls="--", lw=1)
    ax.axvline(corr.reference_nm, color="0.5", ls=":", lw=1)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("corrected absorbance")
    ax.set_title(f"product spectrum removed at {corr.reference_nm:.1f} nm ({HC_EV_NM / corr.reference_nm:.2f} eV)", fontsize=10)
    return fig


def fractions_figure(analysis: Any) -> Any:
    """Fractions vs ions per NC with the fitted curves, and residuals."""
    fig, (ax, axr) = new_figure(2, 1, figsize=(6.4, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    t = analysis.table
    x = t["ions_per_nc"].to_numpy()
    fit_desc = analysis.description.fit
    exc_label = {"host": "pristine NCs", "unexchanged": "unexchanged NCs"}.get(fit_desc.exciton_observable, "unexchanged")
    prod_label = "product material" if fit_desc.observable == "product" else "exchanged NCs"
    ax.plot(x, t["fraction_unexchanged"], "s", color="black", ms=4, label=f"exciton ({exc_label})")
    ax.plot(x, t["fraction_exchanged"], "o", color="tab:blue", ms=4, label=f"1.82 eV ({prod_label})")
    styles = {"hill_total": ("tab:orange", "--")}
    dense = analysis.model_curve
    prod_col = "product_fraction" if fit_desc.observable == "product" else "fraction_exchanged"
    exc_col = {"host": "fraction_host", "unexchanged": "fraction_unexchanged"}.get(fit_desc.exciton_observable, "fraction_unexchanged")
    if dense is not None and "feasibility_bound" in dense:
        ax.fill_between(dense["total_ions_per_nc"], dense["feasibility_bound"], 1.05, color="0.85", lw=0,
                        label="beyond mass balance (> T/(m N))")
    xs = np.linspace(0.0, 1.02 * float(x.max()), 300)
    for name, res in analysis.fits.items():
        if name == "hill_free":
            continue
        color, ls = styles.get(name, ("0.3", "-"))
        label = f"{name} (R² = {res.r2:.3f})"
        if name == "hill_total":
            from cationx.cooperative.fits import hill

            ax.plot(xs, hill(xs, res.value("n_hill"), res.value("k_half")), color=color, ls=ls, lw=1.2, label=label)
        elif dense is not None:
            ax.plot(dense["total_ions_per_nc"], dense[prod_col], color="tab:blue", ls=ls, lw=1.2, label=label)
            if fit_desc.exciton_observable != "none":
                ax.plot(dense["total_ions_per_nc"], dense[exc_col], color="black", lw=1, alpha=0.6)
            color = "tab:blue"
        axr.plot(res.x, res.residuals, "o", color=color, ms=3)
    if dense is not None and fit_desc.exciton_observable == "none":
        ax.plot(dense["total_ions_per_nc"], dense["fraction_unexchanged"], color="black", lw=1, alpha=0.6)
    if "defect_pl" in t and np.ptp(t["defect_pl"]) > 0:
        ax2 = ax.twinx()
        ax2.plot(x, t["defect_pl"], "^", color="tab:red", ms=4, label="defect PL")
        if dense is not None and analysis.defect_vs_dopants:
            scale = analysis.defect_vs_dopants["scale_pl_per_dopant"]
            ax2.plot(dense["total_ions_per_nc"], scale * dense["dopants_per_nc"], color="tab:red", lw=1, label="model dopants (scaled)")
        ax2.set_ylabel("integrated defect PL", color="tab:red")
    axr.axhline(0, color="0.5", lw=0.8)
    ax.set_ylabel("fraction of NCs")
    ax.set_ylim(-0.05, 1.1)
    ax.legend(fontsize=8, frameon=False, loc="center left")
    axr.set_xlabel("total ions added per NC")
    axr.set_ylabel("residual")
    return fig


def pl_figure(analysis: Any) -> Any:
    """Host-corrected PL spectra (left) and defect PL vs the model dopant population (right)."""
    fig, (ax, ax2) = new_figure(1, 2, figsize=(10, 4.2))
    pl = analysis.pl
    _lines(ax, pl.wavelength_nm, pl.corrected)
    ax.axvspan(*pl.band_nm, color="tab:red", alpha=0.06, label="integrated band")
    # scale to the integrated band: outside it, the host subtraction scaled at the reference
    # (000 assumes host PL only there) can dwarf the defect bands that are integrated
    band = (pl.wavelength_nm >= pl.band_nm[0]) & (pl.wavelength_nm <= pl.band_nm[1])
    inside = pl.corrected[:, band]
    if inside.size and np.all(np.isfinite(inside)):
        lo, hi = min(float(inside.min()), 0.0), max(float(inside.max()), 0.0)
        pad = 0.08 * (hi - lo) if hi > lo else 1.0
        ax.set_ylim(lo - pad, hi + pad)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("corrected PL")
    ax.set_title(f"host PL removed at {pl.reference_nm:g} nm", fontsize=10)
    t = analysis.table
    ax2.plot(t["ions_per_nc"], t["defect_pl"], "^", color="tab:red", label="defect PL (integrated)")
    dense = analysis.model_curve
    if dense is not None and analysis.defect_vs_dopants:
        scale = analysis.defect_vs_dopants["scale_pl_per_dopant"]
        ax2.plot(dense["total_ions_per_nc"], scale * dense["dopants_per_nc"], color="0.2", label="model dopants per NC (scaled)")
    ax2.set_xlabel("total ions added per NC")
    ax2.set_ylabel("integrated defect PL")
    ax2.legend(fontsize=8, frameon=False)
    return fig


def svd_figure(analysis: Any) -> Any:
    """Singular values of the series and the noise threshold."""
    fig, ax = new_figure(figsize=(5.0, 3.6))
    s = analysis.svd.singular_values
    k = np.arange(1, s.size + 1)
    ax.semilogy(k, s, "o-", ms=4)
    ax.axhline(analysis.svd.threshold, color="tab:red", ls="--", lw=1, label="noise threshold")
    ax.set_xlabel("component")
    ax.set_ylabel("singular value")
    ax.set_title(f"SVD rank {analysis.svd.rank}", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return fig


def inspect_figure(spectra: Any, rows: list[dict[str, Any]]) -> Any:
    """Every spectrum of a file with its exciton marked and saturated ranges shaded."""
    fig, ax = new_figure()
    for s, row, c in zip(spectra, rows, _colors(len(rows)), strict=True):
        ax.plot(s.x, s.y, color=c, lw=1, label=s.label if len(rows) <= 8 else None)
        if row.get("exciton_nm") is not None:
            ax.plot([row["exciton_nm"]], [row["exciton_height"]], "v" if row["exciton_kind"] == "peak" else "D", color="tab:red", ms=5)
        for lo, hi in row.get("saturated_ranges_nm", []):
            ax.axvspan(lo, hi, color="0.85", zorder=0)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("signal")
    if len(rows) <= 8:
        ax.legend(fontsize=8, frameon=False)
    return fig
