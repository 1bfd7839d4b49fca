"""Result of a replicate band fit: tables (per spectrum, per band), curves, JSON and text report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx.fitting import FitResult
from cationx.raman.despike import DespikeResult

__all__ = ["RamanFit"]


@dataclass(frozen=True, slots=True)
class RamanFit:
    """Result of :func:`fit_replicates` for one sample."""

    sample: str
    labels: tuple[str, ...]
    peaks_cm1: tuple[float, ...]
    shape: str
    share: str
    baseline: str
    window_cm1: tuple[float, float]
    fit: FitResult
    x: tuple[np.ndarray, ...]
    y: tuple[np.ndarray, ...]
    fixed_baseline: tuple[np.ndarray, ...]
    spikes: tuple[DespikeResult | None, ...]
    converged: bool
    warnings: tuple[str, ...]
    strain: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()
    _rows: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ tables
    def peak_table(self) -> pd.DataFrame:
        """One row per spectrum and band: centre, FWHM, height (with standard errors), area."""
        return pd.DataFrame(self._rows)

    def summary_table(self) -> pd.DataFrame:
        """One row per band: replicate mean, SD and SEM of centre and FWHM."""
        t = self.peak_table()
        rows = []
        for j, nominal in enumerate(self.peaks_cm1):
            sub = t[t["peak"] == j]
            n = len(sub)
            row: dict[str, Any] = {"sample": self.sample, "peak": j, "nominal_cm1": nominal, "n_spectra": n}
            for q in ("center_cm1", "fwhm_cm1", "area"):
                vals = sub[q].to_numpy(dtype=float)
                tied = (q == "center_cm1" and self.share == "position") or (q == "fwhm_cm1" and self.share == "width")
                row[f"{q}_mean"] = float(vals.mean())
                if tied or n < 2:
                    row[f"{q}_sd"] = None
                    row[f"{q}_sem"] = None
                else:
                    sd = float(vals.std(ddof=1))
                    row[f"{q}_sd"] = sd
                    row[f"{q}_sem"] = sd / math.sqrt(n)
            if self.share == "position":
                row["center_cm1_fit_se"] = sub["center_se"].iloc[0]
            if self.share == "width":
                row["fwhm_cm1_fit_se"] = sub["fwhm_se"].iloc[0]
            rows.append(row)
        return pd.DataFrame(rows)

    def curves(self) -> pd.DataFrame:
        """Long table: spectrum, Raman shift, intensity (after despiking), fixed baseline, fit, residual."""
        parts = []
        idx = self.fit.dataset_index if self.fit.dataset_index.size else np.zeros(self.fit.x.size, dtype=int)
        for k, lab in enumerate(self.labels):
            sel = idx == k
            parts.append(
                pd.DataFrame(
                    {
                        "spectrum": lab,
                        "raman_shift_cm1": self.x[k],
                        "intensity": self.y[k] + self.fixed_baseline[k],
                        "baseline": self.fixed_baseline[k] + self._linear_part(k),
                        "fit": self.fit.y_fit[sel] + self.fixed_baseline[k],
                        "residual": self.fit.residuals[sel],
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def _linear_part(self, k: int) -> np.ndarray:
        if self.baseline != "linear":
            return np.zeros_like(self.x[k])
        v = self.fit.params
        xm = 0.5 * (self.window_cm1[0] + self.window_cm1[1])
        return v[f"b0_{k}"].value + v[f"b1_{k}"].value * (self.x[k] - xm)

    def to_frame(self) -> pd.DataFrame:
        return self.peak_table()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sample": self.sample,
            "spectra": list(self.labels),
            "peaks_cm1": list(self.peaks_cm1),
            "shape": self.shape,
            "share": self.share,
            "baseline": self.baseline,
            "window_cm1": list(self.window_cm1),
            "converged": self.converged,
            "warnings": list(self.warnings),
            "r2": self.fit.r2,
            "redchi": self.fit.redchi,
            "aic": self.fit.aic,
            "bic": self.fit.bic,
            "ndata": self.fit.ndata,
            "nvarys": self.fit.nvarys,
            "peaks": self.peak_table().to_dict(orient="records"),
            "summary": self.summary_table().to_dict(orient="records"),
            "spikes": [s.to_dict() if s is not None else None for s in self.spikes],
            "strain": self.strain,
            "notes": list(self.notes),
            "params": {k: v.to_dict() for k, v in self.fit.params.items()},
        }

    def report(self) -> str:
        status = "converged" if self.converged else "FAILED / UNRELIABLE (see warnings)"
        lines = [
            f"sample {self.sample!r}: {len(self.labels)} spectra, {self.shape} bands, shared: {self.share}, "
            f"background: {self.baseline}, window {self.window_cm1[0]:g}-{self.window_cm1[1]:g} cm-1",
            f"fit: {status}   R^2 = {self.fit.r2:.5f}   reduced chi^2 = {self.fit.redchi:.4g}",
        ]
        lines.extend(f"  warning: {w}" for w in self.warnings)
        lines.extend(f"  note: {n}" for n in self.notes)
        for k, s in enumerate(self.spikes):
            if s is not None:
                pos = ", ".join(f"{v:.1f}" for v in s.positions_cm1) or "-"
                lines.append(f"  despike {self.labels[k]}: {s.n_removed} point(s) replaced at {pos} cm-1")
        t = self.peak_table()
        cols = ["spectrum", "peak", "center_cm1", "center_se", "fwhm_cm1", "fwhm_se", "height", "area"]
        lines.append(t[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        for _, r in self.summary_table().iterrows():
            sd = "" if r["center_cm1_sd"] is None or pd.isna(r["center_cm1_sd"]) else f" +/- {r['center_cm1_sd']:.3g} (SD, n={r['n_spectra']})"
            se = f" +/- {r['center_cm1_fit_se']:.3g} (fit SE, shared)" if "center_cm1_fit_se" in r and pd.notna(r.get("center_cm1_fit_se")) else ""
            fw = "" if r["fwhm_cm1_sd"] is None or pd.isna(r["fwhm_cm1_sd"]) else f" +/- {r['fwhm_cm1_sd']:.3g} (SD)"
            if "fwhm_cm1_fit_se" in r and pd.notna(r.get("fwhm_cm1_fit_se")):
                fw = f" +/- {r['fwhm_cm1_fit_se']:.3g} (fit SE, shared)"
            lines.append(f"peak {r['peak']} (~{r['nominal_cm1']:g}): centre {r['center_cm1_mean']:.3f}{sd}{se} cm-1; "
                         f"FWHM {r['fwhm_cm1_mean']:.3f}{fw} cm-1")
        if self.strain:
            s = self.strain
            sd = "" if s["linear_strain_sd"] is None else f" +/- {100 * s['linear_strain_sd']:.3g}"
            lines.append(
                f"strain (peak {s['peak']}, reference {s['reference_cm1']:g} cm-1, Grueneisen {s['gruneisen']:g}): "
                f"da/a = {100 * s['linear_strain_mean']:.3g}{sd} % ({s['spread']}; negative = compression), "
                f"volume ratio {s['at_mean']['volume_ratio']:.4f}"
            )
        return "\n".join(lines)
