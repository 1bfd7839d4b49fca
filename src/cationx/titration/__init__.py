"""The titration workflow: description file (TOML) -> spectra -> fractions -> fits -> report.

- :mod:`cationx.titration.description`: the TOML schema, loading and validation.
- :mod:`cationx.titration.analysis`: :func:`analyze_titration`, the whole analysis.
- :mod:`cationx.titration.demo`: synthetic titration files and the bundled demo.

The report (HTML, CSV, PNG) is written by :func:`cationx.report.write_report`.
"""


from cationx._lazy import lazy_exports
from cationx.titration.description import (
    TitrationDescription,
    json_schema,
    load_description,
)

# the analysis pulls pandas, scipy and the spectra stack: exported lazily (PEP 562)
_EXPORTS = {
    "TitrationAnalysis": "analysis",
    "analyze_titration": "analysis",
    "select_series": "analysis",
    "make_demo": "demo",
    "write_titration": "demo",
}


__getattr__, __dir__ = lazy_exports("cationx.titration", _EXPORTS)



__all__ = [
    "TitrationAnalysis",
    "TitrationDescription",
    "analyze_titration",
    "json_schema",
    "load_description",
    "make_demo",
    "select_series",
    "write_titration",
]
