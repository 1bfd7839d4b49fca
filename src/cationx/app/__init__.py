"""Web explorer for chemists: the toolkit's main work in a browser (Streamlit).

Start it with ``cationx app`` (needs the optional extra: ``pip install "cationx[app]"``).
Pages (each a module with a ``page`` callable; the computations are plain functions that call
the public API, so they are testable without a browser):

- :mod:`cationx.app.cooperative`: cooperative model explorer;
- :mod:`cationx.app.fit`: fit a titration table, or analyse titration spectra (report zip);
- :mod:`cationx.app.powder`: powder pattern (kinematic or Debye), overlay and refine;
- :mod:`cationx.app.massspec`: isotope envelope of a formula; peaks and assignment of a spectrum.

This package imports Streamlit only inside functions, so importing it does not need the extra.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ENTRY_SCRIPT", "PAGES"]

ENTRY_SCRIPT = Path(__file__).with_name("main.py")

# (module, title, url path, icon) in menu order
PAGES = (
    ("cooperative", "Cooperative model explorer", "explorer", ":material/ssid_chart:"),
    ("fit", "Fit my titration", "fit", ":material/query_stats:"),
    ("powder", "Powder pattern", "powder", ":material/grain:"),
    ("massspec", "Mass spectrum", "mass-spectrum", ":material/bar_chart:"),
)
