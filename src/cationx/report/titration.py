"""Write a titration analysis as a report folder.

``write_report(analysis, out_dir)`` writes, atomically and never over an input file:

- ``report.html``: one self-contained page (figures inline as base64 PNG, tables inline);
- ``fractions.csv`` (one row per spectrum), ``fits.csv`` (one row per fitted parameter),
  ``sizing.csv``, ``additions.csv``, ``isosbestic.csv``, ``svd.csv``, ``model_curve.csv``
  (the fitted sequential model on a fine grid),
  ``corrected_absorbance.csv`` and (with PL) ``corrected_pl.csv``;
- ``summary.json``;
- ``figures/*.png``: spectra series, corrected spectra, fractions with fits and
  residuals, PL (corrected spectra and defect PL vs dopants), SVD.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cationx.io.write import (
    atomic_write_bytes,
    atomic_write_text,
    dumps_json,
    guard_not_input,
    write_csv,
)

__all__ = ["Report", "write_report"]


@dataclass(frozen=True, slots=True)
class Report:
    """Paths of what was written."""

    out_dir: Path
    html: Path
    files: tuple[Path, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"out_dir": str(self.out_dir), "html": str(self.html), "files": [str(p) for p in self.files]}


def _png(fig: Any) -> bytes:
    from cationx.plot import close

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=100)
    finally:
        close(fig)
    return buf.getvalue()


def _table_html(frame: pd.DataFrame, *, digits: int = 4) -> str:
    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return "–"
        if isinstance(v, float):
            return f"{v:.{digits}g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _matrix_csv(frame: pd.DataFrame) -> str:
    """CSV of an all-float table (spectra matrices), ~20x faster than ``DataFrame.to_csv``;
    values are written with Python's shortest round-trip repr, so nothing is lost."""
    head = ",".join(str(c) for c in frame.columns)
    values = frame.to_numpy(dtype=float)
    body = "\n".join(",".join(map(repr, row)) for row in values.tolist())
    return head + "\n" + body + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:0.82em;margin:0.6em 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f4f4f4}
img{max-width:100%;height:auto}.note{color:#8a4b00}.small{color:#666;font-size:0.85em}
"""


def write_report(analysis: Any, out_dir: str | Path, *, inputs: Iterable[str | Path] = ()) -> Report:
    """Write the report folder (see the module docstring); returns the written paths."""
    from cationx.plot import spectra as figs
    from cationx.plot import use_agg

    use_agg()
    out = Path(out_dir)
    inputs = list(inputs) or list(analysis.description.input_files())
    written: list[Path] = []

    def target(name: str) -> Path:
        return guard_not_input(out / name, inputs)

    tables = {
        "fractions.csv": analysis.table,
        "fits.csv": analysis.fit_table(),
        "sizing.csv": pd.DataFrame([analysis.sizing.to_dict()]),
        "additions.csv": analysis.additions,
        "isosbestic.csv": pd.DataFrame([p.to_dict() for p in analysis.isosbestic], columns=["wavelength_nm", "uncertainty_nm", "absorbance", "n_spectra"]),
        "svd.csv": analysis.svd.to_frame(),
    }
    if analysis.model_curve is not None:
        tables["model_curve.csv"] = analysis.model_curve
    corr = pd.DataFrame(analysis.correction.corrected.T, columns=list(analysis.labels))
    corr.insert(0, "wavelength_nm", analysis.wavelength_nm)
    tables["corrected_absorbance.csv"] = corr
    if analysis.pl is not None:
        plc = pd.DataFrame(analysis.pl.corrected.T, columns=list(analysis.labels))
        plc.insert(0, "wavelength_nm", analysis.pl.wavelength_nm)
        tables["corrected_pl.csv"] = plc
    for name, frame in tables.items():
        if name.startswith("corrected_"):
            written.append(atomic_write_text(target(name), _matrix_csv(frame)))
        else:
            written.append(write_csv(target(name), frame))
    written.append(atomic_write_text(target("summary.json"), dumps_json(analysis.to_dict()) + "\n"))

    figures = {
        "spectra": (figs.series_figure, "Absorbance series"),
        "corrected": (figs.corrected_figure, "Corrected spectra (000 product correction)"),
        "fractions": (figs.fractions_figure, "Fractions, fits and residuals"),
        "svd": (figs.svd_figure, "SVD of the series"),
    }
    if analysis.pl is not None:
        figures["pl"] = (figs.pl_figure, "Defect PL vs model dopant population")
    images: dict[str, str] = {}
    for key, (maker, _) in figures.items():
        data = _png(maker(analysis))
        written.append(atomic_write_bytes(target(f"figures/{key}.png"), data))
        images[key] = base64.b64encode(data).decode("ascii")

    page = _html(analysis, figures, images)
    html_path = atomic_write_text(target("report.html"), page)
    written.append(html_path)
    return Report(out, html_path, tuple(written))


def _seq_html(analysis: Any) -> str:
    """The sequential fit in words: trust, stoichiometry, constants per host cation, populations, mass balance."""
    name = analysis.description.fit.model
    res = analysis.fits.get(name)
    if res is None:
        return ""
    ex = res.extra
    out = []
    if not res.converged:
        out.append(
            "<p class='note'><b>The " + html.escape(name) + " fit is not trustworthy:</b> "
            + html.escape("; ".join(res.warnings)) + "</p>"
        )
    out.append(
        f"<p>{html.escape(name)}: n = {ex['sites']} steps of h = {ex['host_per_site']} host cations "
        f"({ex['host_cations_per_nc']} per NC), {ex['ions_per_host']} Cu+ per host cation; fitted to the "
        f"{html.escape(str(ex['observable']))} fraction"
        + (" and the exciton fraction" if analysis.description.fit.exciton_observable != "none" else "")
        + (f", with the NC concentration as a nuisance factor (prior {100 * ex['nc_conc_rel_sd']:.0f} %)" if "nc_conc_rel_sd" in ex else "")
        + ".</p>"
    )
    rows = []
    for key, c in ex.get("constants", {}).items():
        ci = c.get("log10_per_host_cation_ci")
        rows.append(
            f"<li>{html.escape(key)} = {c['per_step']:.4g} {c['units_per_step']} per step = "
            f"{c['per_host_cation']:.4g} {c['units_per_host_cation']} per host cation"
            + (f" (log10 per host cation {ci[0]:.3f} .. {ci[1]:.3f})" if ci else "")
            + "</li>"
        )
    if rows:
        out.append("<ul>" + "".join(rows) + "</ul>")
    pops = ex.get("populations")
    if pops:
        verdict = "two-state" if pops["two_state"] else "passes through intermediates"
        out.append(
            f"<p>Populations: {verdict} (at most {100 * pops['max_doped_fraction']:.1f} % of NCs partly exchanged, "
            f"near {pops['at_total_ions_per_nc']:.4g} ions per NC).</p>"
        )
    feas = ex.get("feasibility")
    if feas:
        items = feas if isinstance(feas, list) else [feas]
        ok = all(f["feasible"] for f in items)
        out.append(
            "<p>Mass balance: "
            + ("the fractions are consistent with the ions added (fraction &le; T/(m N))." if ok
               else html.escape("; ".join(f["summary"] for f in items if not f["feasible"])))
            + "</p>"
        )
    return "".join(out)


def _html(analysis: Any, figures: dict[str, Any], images: dict[str, str]) -> str:
    from cationx import __version__

    s = analysis.sizing
    t50 = analysis.half_exchange_ions_per_nc
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(analysis.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(analysis.title)}</h1>",
        f"<p class='small'>cationx {__version__}: {len(analysis.labels)} spectra; "
        f"{s.material} NCs, first exciton {s.wavelength_nm:.1f} nm, diameter {s.diameter_nm:.2f} ± "
        f"{s.diameter_uncertainty_nm:.2f} nm (Yu et al. 2003); "
        + (f"half exchange at {t50:.4g} ions per NC ({analysis.description.fit.model} fit)." if t50 else "")
        + "</p>",
    ]
    seq = analysis.fits.get(analysis.description.fit.model)
    if seq is not None and not seq.converged:
        parts.append(
            f"<p class='note'><b>The {html.escape(analysis.description.fit.model)} fit is not trustworthy</b>: "
            "its constants and the half-exchange point above must not be reported (see Fits).</p>"
        )
    if analysis.notes:
        parts.append("<ul>" + "".join(f"<li class='note'>{html.escape(n)}</li>" for n in analysis.notes) + "</ul>")
    for key, (_, caption) in figures.items():
        parts.append(f"<h2>{html.escape(caption)}</h2><img alt='{key}' src='data:image/png;base64,{images[key]}'>")
        if key == "spectra":
            iso = analysis.isosbestic
            parts.append(
                "<p>Isosbestic points: "
                + (", ".join(f"{p.wavelength_nm:.1f} ± {p.uncertainty_nm:.1f} nm" for p in iso) if iso else "none found")
                + f". SVD rank {analysis.svd.rank} (two interconverting species give 2).</p>"
            )
        if key == "pl" and analysis.defect_vs_dopants:
            c = analysis.defect_vs_dopants
            parts.append(
                f"<p>Correlation of the defect PL with the model's dopants per NC: r = {c['correlation']:.3f}; "
                f"PL maximum at {c['pl_peak_ions_per_nc']:.4g}, model dopant maximum at {c['model_peak_ions_per_nc']:.4g} ions per NC.</p>"
            )
    parts.append("<h2>Fits</h2>" + _seq_html(analysis) + _table_html(analysis.fit_table()))
    for name, res in analysis.fits.items():
        for n in res.notes:
            if n in analysis.notes:
                continue
            parts.append(f"<p class='note'>{html.escape(name)}: {html.escape(n)}</p>")
    parts.append("<h2>Sizing and stoichiometry</h2>" + _table_html(pd.DataFrame([s.to_dict()]).drop(columns=["warning"])))
    parts.append("<h2>Additions</h2>" + _table_html(analysis.additions))
    parts.append("<h2>Per spectrum</h2>" + _table_html(analysis.table))
    parts.append("</body></html>")
    return "\n".join(parts)
