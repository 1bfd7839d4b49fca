"""Numbers copied from xraydb into ``cationx/data/xray_table.json`` so that common cases skip its import.

The file is written by ``tools/make_xray_table.py`` (its header says what it holds) and checked
against the installed xraydb to 1e-12 by ``tests/crystal/test_xray_table.py``.  Each function
returns ``None`` where the file has no answer; the caller then asks xraydb itself.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return json.loads(resources.files("cationx").joinpath("data", "xray_table.json").read_text())


def atomic_number(sym: str) -> int | None:
    entry = table()["elements"].get(sym)
    return None if entry is None else int(entry["z"])


def wk_coefficients(sym: str) -> tuple[float, list[float], list[float]] | None:
    entry = table()["elements"].get(sym)
    if entry is None or "wk" not in entry:
        return None
    offset, scale, expo = entry["wk"]
    return float(offset), scale, expo


def anomalous(sym: str, energy_ev: float) -> tuple[float, float] | None:
    row = table()["anomalous"].get(repr(float(energy_ev)))
    if row is None or sym not in row:
        return None
    fp, fpp = row[sym]
    return float(fp), float(fpp)
