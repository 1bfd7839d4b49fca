"""Atomic output and JSON-safe conversion.

Every file cationx writes goes through :func:`atomic_write_bytes`: the content is written
to a temporary file in the destination folder and renamed over the target, so a crash or
an error never leaves a half-written file and never destroys an existing one.
:func:`guard_not_input` refuses an output path that names one of the command's inputs.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx.errors import InputError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "guard_not_input",
    "to_jsonable",
    "write_csv",
    "write_json",
]


def guard_not_input(output: str | Path, inputs: Iterable[str | Path]) -> Path:
    """Return ``output`` as a Path, raising :class:`InputError` if it names an input file."""
    out = Path(output)
    for item in inputs:
        src = Path(item)
        same = False
        if out.exists() and src.exists():
            same = os.path.samefile(out, src)
        else:
            same = out.resolve() == src.resolve()
        if same:
            raise InputError(f"refusing to write output over input file {src}")
    return out


def _umask_mode() -> int:
    """File mode an ordinary ``open(..., "w")`` would give (0o666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_with(path: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Let ``writer(tmp_path)`` produce a file (e.g. ``savefig``), then move it into place.

    The temporary file sits in the destination folder (so the rename is atomic), keeps the
    target's suffix (so writers that infer a format from it work), gets the permissions an
    ordinary new file would have, and is removed if anything fails.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"output folder is not a directory: {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    if target.is_dir():
        raise InputError(f"output path is a directory: {target}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=folder)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.chmod(tmp, _umask_mode())  # mkstemp creates 0600; outputs are ordinary files
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder + rename)."""
    return atomic_write_with(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(obj: Any) -> Any:
    """Convert NumPy/pandas/dataclass values to plain JSON types (NaN and inf become None)."""
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        val = float(obj)
        return val if math.isfinite(val) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()] if obj.dtype.kind in "fc" else obj.tolist()
    if isinstance(obj, pd.DataFrame):
        return {str(c): to_jsonable(obj[c].to_numpy()) for c in obj.columns}
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_numpy())
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot convert {type(obj).__name__} to JSON")


def dumps_json(obj: Any) -> str:
    """JSON text of ``obj`` after :func:`to_jsonable` (strict JSON: no NaN)."""
    return json.dumps(to_jsonable(obj), indent=2, allow_nan=False)


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as JSON, atomically."""
    return atomic_write_text(path, dumps_json(obj) + "\n")


def write_csv(path: str | Path, frame: pd.DataFrame, *, index: bool = False) -> Path:
    """Write a DataFrame as CSV, atomically."""
    return atomic_write_text(path, frame.to_csv(index=index))
