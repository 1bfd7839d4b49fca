"""Readers and writers (adapter layer).

- :mod:`cationx.io.spectra`: UV-vis/PL exports (JCAMP-DX, JASCO, Cary, Shimadzu, generic),
  :func:`read_spectra` detects the format.
- :mod:`cationx.io.vamas`, :mod:`cationx.io.scienta`: XPS exports (:func:`read_vamas`,
  :func:`read_scienta`).
- :mod:`cationx.io.tables`: numeric CSV/TXT tables with named columns.
- :mod:`cationx.io.raman`: Raman exports (Renishaw WiRE, Horiba LabSpec, CSV), :func:`~cationx.io.raman.read_raman`.
- :mod:`cationx.io.dsc`: DSC exports (TA, Netzsch, Mettler STARe, CSV), :func:`~cationx.io.dsc.read_dsc`.
- :mod:`cationx.io.write`: atomic file output, JSON-safe conversion, input protection.
"""

from cationx.io.tables import read_table, select_columns
from cationx.io.write import (
    atomic_write_bytes,
    atomic_write_text,
    guard_not_input,
    to_jsonable,
    write_csv,
    write_json,
)

# readers re-exported lazily (PEP 562): `import cationx.io` stays light
_LAZY = {
    "read_spectra": "spectra",
    "detect_format": "spectra",
    "read_raman": "raman",
    "read_dsc": "dsc",
    "read_vamas": "vamas",
    "read_scienta": "scienta",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"cationx.io.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cationx.io' has no attribute {name!r}")


__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "detect_format",
    "guard_not_input",
    "read_dsc",
    "read_raman",
    "read_scienta",
    "read_spectra",
    "read_table",
    "read_vamas",
    "select_columns",
    "to_jsonable",
    "write_csv",
    "write_json",
]
