"""Atomic output and JSON-safe conversion.

Every file cationx writes goes through :func:`atomic_write_bytes`: the content is written
to a temporary file in the destination folder and renamed over the target, so a crash, an
error or Ctrl-C never leaves a half-written file (nor the temporary one) and never destroys
an existing one.  :func:`guard_not_input` refuses an output path that names one of the
command's inputs.

Output folders (``--out DIR`` of commands that write several files) follow one rule,
enforced by :func:`output_folder`: cationx replaces only files it wrote there itself.  Each
such folder holds a manifest, ``.cationx-files``, listing the files cationx wrote into it; a
file of the same name that is not in the manifest (a user's own file) is never replaced:
the command stops with an error naming it.  Rerunning a command into its own folder
updates its files.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cationx.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "guard_not_input",
    "output_folder",
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
    for managed in _FOLDERS.get():
        managed.claim(target)
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=folder)
        os.close(fd)
        writer(Path(tmp))
        os.chmod(tmp, _umask_mode())  # mkstemp creates 0600; outputs are ordinary files
        os.replace(tmp, target)
    except BaseException:  # includes KeyboardInterrupt: no temporary file is left behind
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


MANIFEST = ".cationx-files"


class _Folder:
    """An output folder under the rule of the module docstring."""

    def __init__(self, path: Path):
        self.path = path
        self.root = path.resolve()
        manifest = path / MANIFEST
        self.owned: set[str] = set()
        if manifest.is_file():
            self.owned = {line.strip() for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()}
        self.written: set[str] = set()

    def claim(self, target: Path) -> None:
        try:
            rel = target.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return  # not inside this folder
        if rel == MANIFEST:
            return
        if target.exists() and rel not in self.owned and rel not in self.written:
            raise InputError(
                f"{target} exists and was not written by cationx into {self.path}: refusing to replace it "
                "(move it away or choose another --out folder)"
            )
        self.written.add(rel)

    def save(self) -> None:
        names = sorted(self.owned | self.written)
        if names:
            data = ("\n".join(names) + "\n").encode("utf-8")
            target = self.path / MANIFEST
            fd, tmp = tempfile.mkstemp(prefix=f"{MANIFEST}.", dir=self.path)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.chmod(tmp, _umask_mode())
                os.replace(tmp, target)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise


_FOLDERS: contextvars.ContextVar[tuple[_Folder, ...]] = contextvars.ContextVar("cationx_output_folders", default=())


@contextlib.contextmanager
def output_folder(path: str | Path) -> Iterator[Path]:
    """Create ``path`` if needed and, inside the block, let writes replace only cationx's own files.

    Every :func:`atomic_write_with` into the folder (or below it) is checked against the
    folder's manifest; the manifest is updated when the block ends, also after an error, with
    the files that were written.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out must be a folder, and {folder} is a file")
    folder.mkdir(parents=True, exist_ok=True)
    managed = _Folder(folder)
    token = _FOLDERS.set((*_FOLDERS.get(), managed))
    try:
        yield folder
    finally:
        _FOLDERS.reset(token)
        managed.save()


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
    pandas = sys.modules.get("pandas")  # no DataFrame can exist before pandas is imported
    if pandas is not None and isinstance(obj, pandas.DataFrame):
        return {str(c): to_jsonable(obj[c].to_numpy()) for c in obj.columns}
    if pandas is not None and isinstance(obj, pandas.Series):
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
