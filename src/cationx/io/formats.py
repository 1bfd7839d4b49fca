"""The one vocabulary of file-format names (``format=`` of the readers, ``--format`` of the CLI).

Plain tuples with no imports, so the CLI and the app can build their choices and help from
them without loading a reader.
"""

from __future__ import annotations

__all__ = ["DSC_FORMATS", "FORMATS", "RAMAN_FORMATS", "SPECTRA_FORMATS", "XPS_FORMATS", "XRD_SUFFIXES"]

#: UV-vis / PL spectra (:func:`cationx.io.read_spectra`)
SPECTRA_FORMATS = ("jcamp", "jasco", "cary", "shimadzu", "generic")
#: DSC exports (:func:`cationx.io.read_dsc`)
DSC_FORMATS = ("ta", "netzsch", "mettler", "generic")
#: Raman exports as reported in ``metadata["format"]`` (:func:`cationx.io.read_raman`)
RAMAN_FORMATS = ("renishaw", "renishaw-map", "labspec", "labspec-map", "labspec-series", "generic")
#: XPS files (:func:`cationx.io.read_xps`), recognised from the content
XPS_FORMATS = ("vamas", "scienta", "table")
#: powder-pattern files by suffix (:func:`cationx.io.read_pattern`)
XRD_SUFFIXES = (".xy", ".xye", ".dat", ".txt", ".asc", ".csv", ".ras")

#: every family's names
FORMATS = {
    "spectra": SPECTRA_FORMATS,
    "dsc": DSC_FORMATS,
    "raman": RAMAN_FORMATS,
    "xps": XPS_FORMATS,
    "xrd": XRD_SUFFIXES,
}
