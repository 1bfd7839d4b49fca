"""Figures for micrographs: size histogram with the lognormal, segmentation overlay, power
spectrum with the fringe spots and the Fourier-filtered region."""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx.plot import new_figure

__all__ = ["fringe_figure", "overlay_figure", "size_histogram_figure"]


def _display_limits(img: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(img, [0.5, 99.5])
    return (float(lo), float(hi)) if hi > lo else (float(img.min()), float(img.max()) + 1e-12)


def size_histogram_figure(report: Any, *, title: str | None = None) -> Any:
    """Histogram (density) of equivalent diameters, the fitted lognormal pdf and the mean with
    its confidence interval."""
    st = report.statistics
    d = report.to_frame()["equivalent_diameter_nm"].to_numpy() if st.n_particles else np.array([])
    fig, ax = new_figure(figsize=(5.6, 4.0))
    if d.size:
        bins = max(5, min(40, int(np.sqrt(d.size) * 1.5)))
        ax.hist(d, bins=bins, density=True, color="0.75", edgecolor="0.35", label=f"n = {d.size}")
        if st.lognormal is not None:
            x = np.linspace(max(d.min() * 0.6, 1e-6), d.max() * 1.3, 300)
            ln = st.lognormal
            ax.plot(x, ln.pdf(x), color="tab:red", lw=1.5,
                    label=f"lognormal: GM {ln.geometric_mean_nm:.3g} nm, GSD {ln.geometric_sd:.3g} (KS p {ln.ks_pvalue:.2g})")
        if np.isfinite(st.ci_low_nm):
            ax.axvspan(st.ci_low_nm, st.ci_high_nm, color="tab:blue", alpha=0.2,
                       label=f"mean {st.mean_diameter_nm:.3g} nm, {100 * st.confidence:.0f} % CI")
        ax.axvline(st.mean_diameter_nm, color="tab:blue", lw=1)
    else:
        ax.text(0.5, 0.5, "no particles found", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("equivalent diameter (nm)")
    ax.set_ylabel("probability density (1/nm)")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title(title or "particle sizes", fontsize=10)
    return fig


def overlay_figure(micrograph: Any, segmentation: Any, *, title: str | None = None) -> Any:
    """The micrograph in grey with the outlines of the kept particles and their labels."""
    from skimage.segmentation import find_boundaries

    img = micrograph.data
    h, w = img.shape
    scale = 6.4 / max(h, w)
    fig, ax = new_figure(figsize=(max(3.0, w * scale), max(3.0, h * scale)))
    lo, hi = _display_limits(img)
    ax.imshow(img, cmap="gray", vmin=lo, vmax=hi, interpolation="nearest")
    edges = find_boundaries(segmentation.labels, mode="inner")
    rgba = np.zeros((h, w, 4))
    rgba[edges] = (1.0, 0.2, 0.1, 1.0)
    ax.imshow(rgba, interpolation="nearest")
    if segmentation.n_particles <= 300:
        for _, row in segmentation.particles.iterrows():
            ax.text(row["centroid_x_px"], row["centroid_y_px"], str(int(row["label"])), color="cyan",
                    fontsize=5, ha="center", va="center")
    ax.set_axis_off()
    ax.set_title(title or f"{segmentation.n_particles} particles ({segmentation.threshold_method} threshold)", fontsize=9)
    return fig


def fringe_figure(analysis: Any, *, title: str | None = None) -> Any:
    """Region, log power spectrum (spots circled and numbered) and the Fourier-filtered region."""
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.9))
    reg = analysis.region_image
    lo, hi = _display_limits(reg)
    axes[0].imshow(reg, cmap="gray", vmin=lo, vmax=hi)
    axes[0].set_title("region", fontsize=9)
    lp = analysis.log_power
    h, w = lp.shape
    vlo, vhi = np.percentile(lp, [30, 99.95])
    axes[1].imshow(lp, cmap="magma", vmin=vlo, vmax=vhi, extent=(-w // 2 - 0.5, w - w // 2 - 0.5, h - h // 2 - 0.5, -h // 2 - 0.5))
    kmax = 8.0
    for s in analysis.spots:
        kmax = max(kmax, abs(s.kx_bins), abs(s.ky_bins))
        for sign in (1, -1):
            axes[1].add_patch(_circle(sign * s.kx_bins, sign * s.ky_bins, 2.5, "cyan" if s.order == 1 else "lime"))
        axes[1].annotate(f"{s.id}: {s.d_angstrom:.2f} A", (s.kx_bins, s.ky_bins), xytext=(4, 4),
                         textcoords="offset points", color="white", fontsize=7)
    lim = min(1.3 * kmax + 4, max(h, w) / 2)
    axes[1].set_xlim(-lim, lim)
    axes[1].set_ylim(lim, -lim)
    axes[1].set_title("power spectrum (log; cyan: order 1, green: harmonic)", fontsize=8)
    axes[1].set_xlabel("kx (bins)")
    axes[1].set_ylabel("ky (bins)")
    flo, fhi = _display_limits(analysis.filtered)
    axes[2].imshow(analysis.filtered, cmap="gray", vmin=flo, vmax=fhi)
    axes[2].set_title(f"Fourier-filtered (spots {', '.join(map(str, analysis.filtered_spot_ids)) or 'none'})", fontsize=9)
    for ax in (axes[0], axes[2]):
        ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _circle(x: float, y: float, r: float, color: str) -> Any:
    from matplotlib.patches import Circle

    return Circle((x, y), r, fill=False, color=color, lw=0.8)
