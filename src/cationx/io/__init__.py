"""Readers and writers (adapter layer): every file cationx reads or writes goes through here.

Readers (one text machinery, :mod:`cationx.io.text`: decoding with BOM/encoding fallback,
delimiter and decimal sniffing, numeric blocks, one :class:`~cationx.errors.ParseError` style
``file:line: what is wrong``; format names from :mod:`cationx.io.formats`):

- :mod:`cationx.io.spectra`: UV-vis/PL exports (JCAMP-DX, JASCO, Cary, Shimadzu, generic),
  :func:`read_spectra` detects the format -> :class:`cationx.spectra.SpectrumSet`.
- :mod:`cationx.io.xrd`: powder patterns (.xy, .xye, .dat, .txt, .csv, Rigaku .ras),
  :func:`read_pattern`, :func:`list_scans` -> :class:`cationx.crystal.pattern.MeasuredPattern`.
- :mod:`cationx.io.massspec`: mass spectra (two-column text, mzML, JCAMP-DX),
  :func:`read_mass_spectrum` -> :class:`cationx.massspec.spectrum.Spectrum`.
- :mod:`cationx.io.xps`: XPS regions (VAMAS/PHI, Scienta text, tables), :func:`read_xps`,
  :func:`list_xps_blocks` -> :class:`cationx.xps.spectrum.Spectrum`; the low-level
  :mod:`cationx.io.vamas` (:func:`read_vamas`) and :mod:`cationx.io.scienta` (:func:`read_scienta`).
- :mod:`cationx.io.raman`: Raman exports (Renishaw WiRE, Horiba LabSpec, CSV), :func:`read_raman`.
- :mod:`cationx.io.dsc`: DSC exports (TA, Netzsch, Mettler STARe, CSV), :func:`read_dsc`
  -> :class:`cationx.dsc.data.DscData`.
- :mod:`cationx.io.micrograph`: TEM/SEM images (TIFF, DigitalMicrograph, PNG/JPEG) with their
  pixel size, :func:`read_micrograph` -> :class:`cationx.microscopy.images.Micrograph`.
- :mod:`cationx.io.composition`: ICP-OES and EDS tables, :func:`read_icp`, :func:`read_eds`.
- :mod:`cationx.io.tables`: numeric CSV/TXT tables with named columns (:func:`read_table`).
- :mod:`cationx.io.write`: atomic file output, JSON-safe conversion, input protection.

Every name is exported lazily (PEP 562): ``import cationx.io`` loads no reader, numpy or pandas.
"""

from cationx._lazy import lazy_exports

# name -> (module, attribute)
_LAZY = {
    "read_spectra": ("spectra", "read_spectra"),
    "detect_format": ("spectra", "detect_format"),
    "read_pattern": ("xrd", "read_pattern"),
    "list_scans": ("xrd", "list_scans"),
    "read_mass_spectrum": ("massspec", "read_spectrum"),
    "read_xps": ("xps", "read_spectrum"),
    "list_xps_blocks": ("xps", "list_blocks"),
    "read_raman": ("raman", "read_raman"),
    "read_dsc": ("dsc", "read_dsc"),
    "read_vamas": ("vamas", "read_vamas"),
    "read_scienta": ("scienta", "read_scienta"),
    "read_micrograph": ("micrograph", "read_micrograph"),
    "read_icp": ("composition", "read_icp"),
    "read_eds": ("composition", "read_eds"),
    "read_table": ("tables", "read_table"),
    "select_columns": ("tables", "select_columns"),
    "atomic_write_bytes": ("write", "atomic_write_bytes"),
    "atomic_write_text": ("write", "atomic_write_text"),
    "guard_not_input": ("write", "guard_not_input"),
    "to_jsonable": ("write", "to_jsonable"),
    "write_csv": ("write", "write_csv"),
    "write_json": ("write", "write_json"),
    "FORMATS": ("formats", "FORMATS"),
}


__getattr__, __dir__ = lazy_exports("cationx.io", _LAZY)



__all__ = sorted(_LAZY)
