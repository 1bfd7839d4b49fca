"""Readers and writers (adapter layer).

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

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "guard_not_input",
    "read_table",
    "select_columns",
    "to_jsonable",
    "write_csv",
    "write_json",
]
