"""The DSC data model: :class:`DscData`, one run in file order (time, temperature, heat flow).

Files are read by :func:`cationx.io.dsc.read_dsc` (``cationx.io.read_dsc``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DscData"]


@dataclass(frozen=True, slots=True)
class DscData:
    """One DSC run in file order: time (s, or None), temperature (°C) and heat flow."""

    temperature_c: np.ndarray
    heat_flow: np.ndarray
    heat_flow_unit: str
    time_s: np.ndarray | None = None
    mass_mg: float | None = None
    exo_up: bool | None = None
    format: str = "generic"
    source: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        d = {"temperature_c": self.temperature_c, f"heat_flow_{_unit_key(self.heat_flow_unit)}": self.heat_flow}
        if self.time_s is not None:
            d = {"time_s": self.time_s, **d}
        return pd.DataFrame(d)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "n_points": int(self.temperature_c.size),
            "heat_flow_unit": self.heat_flow_unit,
            "has_time": self.time_s is not None,
            "mass_mg": self.mass_mg,
            "exo_up_in_file": self.exo_up,
            "metadata": dict(self.metadata),
            "notes": list(self.notes),
        }


def _unit_key(unit: str) -> str:
    return unit.replace("/", "_per_").replace("µ", "u")
