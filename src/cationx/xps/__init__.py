"""XPS: backgrounds (Shirley, linear, Tougaard), line shapes (GL product/sum, Voigt),
spin-orbit doublets with fixed splitting and area ratio, multi-component fits, the
modified Auger parameter of copper.  Files are read by :mod:`cationx.io.xps`
(``read_spectrum`` here is a deprecated alias).  See docs/xps.md.
"""

from cationx._lazy import moved_names
from cationx.xps.auger import (
    CU_REFERENCES,
    AugerAssignment,
    assign_copper_state,
    modified_auger_parameter,
)
from cationx.xps.backgrounds import (
    BACKGROUNDS,
    background,
    linear_background,
    shirley_background,
    tougaard_background,
)
from cationx.xps.components import (
    AREA_RATIOS,
    CORE_LEVELS,
    Component,
    make_component,
    parse_components,
)
from cationx.xps.fit import XpsFit, fit_spectrum
from cationx.xps.lineshapes import SHAPES, peak, unit_area
from cationx.xps.spectrum import Spectrum

# names moved to the io layer, kept as deprecated aliases
__getattr__ = moved_names("cationx.xps", {"read_spectrum": "cationx.io.xps"})


__all__ = [
    "AREA_RATIOS",
    "BACKGROUNDS",
    "CORE_LEVELS",
    "CU_REFERENCES",
    "SHAPES",
    "AugerAssignment",
    "Component",
    "Spectrum",
    "XpsFit",
    "assign_copper_state",
    "background",
    "fit_spectrum",
    "linear_background",
    "make_component",
    "modified_auger_parameter",
    "parse_components",
    "peak",
    "read_spectrum",
    "shirley_background",
    "tougaard_background",
    "unit_area",
]
