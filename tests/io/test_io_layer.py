"""The reader layer: lazy exports, the format vocabulary, the error style and the old import paths."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cationx.io
from cationx.errors import ParseError


def test_every_export_resolves():
    for name in cationx.io.__all__:
        assert getattr(cationx.io, name) is not None


def test_import_cationx_io_stays_light():
    code = "import sys, cationx.io; print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))"
    src = str(Path(cationx.io.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"


def test_parse_error_style():
    from cationx.io.text import parse_error

    err = parse_error("data/a.csv", 12, "non-numeric value 'x' in column 2")
    assert isinstance(err, ParseError) and err.line == 12
    assert str(err) == "a.csv:12: non-numeric value 'x' in column 2"


def test_formats_vocabulary_is_what_the_readers_accept():
    from cationx.io.formats import SPECTRA_FORMATS
    from cationx.io.spectra import FORMATS

    assert FORMATS == SPECTRA_FORMATS


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("cationx.crystal.readers", "read_pattern", "cationx.io.xrd"),
        ("cationx.crystal.readers", "MeasuredPattern", "cationx.crystal.pattern"),
        ("cationx.xps.io", "read_spectrum", "cationx.io.xps"),
        ("cationx.xps", "read_spectrum", "cationx.io.xps"),
        ("cationx.massspec", "read_spectrum", "cationx.io.massspec"),
        ("cationx.massspec.spectrum", "read_spectrum", "cationx.io.massspec"),
        ("cationx.composition.io", "read_icp", "cationx.io.composition"),
        ("cationx.composition", "read_eds", "cationx.io.composition"),
        ("cationx.microscopy", "read_micrograph", "cationx.io.micrograph"),
        ("cationx.spectra.analysis", "analyze_titration", "cationx.titration.analysis"),
        ("cationx.spectra.forward", "make_demo", "cationx.titration.demo"),
    ],
)
def test_old_paths_are_deprecated_aliases(old, name, new):
    shim_modules = {"cationx.crystal.readers", "cationx.xps.io", "cationx.composition.io", "cationx.spectra.analysis"}
    if old in shim_modules:
        sys.modules.pop(old, None)  # these warn when imported: import afresh
    with pytest.warns(DeprecationWarning):
        obj = getattr(importlib.import_module(old), name)
    assert obj is getattr(importlib.import_module(new), name)
