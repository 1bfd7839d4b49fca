"""Atomic output: content, permissions, no partial files, never over an input."""

import os
import stat

import pytest

from cationx.errors import InputError
from cationx.io.write import atomic_write_text, guard_not_input, to_jsonable


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "a.txt", "hello")
    finally:
        os.umask(mask)
    assert path.read_text() == "hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_guard_refuses_input(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("x")
    with pytest.raises(InputError, match="refusing to write output over input"):
        guard_not_input(tmp_path / "." / "in.csv", [src])
    assert guard_not_input(tmp_path / "out.csv", [src]).name == "out.csv"


def test_to_jsonable_maps_nan_to_none():
    import numpy as np

    assert to_jsonable({"a": np.array([1.0, np.nan]), "b": np.float64(np.inf)}) == {"a": [1.0, None], "b": None}
