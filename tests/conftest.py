"""Shared fixtures: a non-interactive matplotlib backend and the real instrument exports."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
#: real instrument exports kept in the repository (see its PROVENANCE.md)
REAL_DIR = Path(__file__).resolve().parent / "data" / "real"
# fallback for a file not (yet) copied into tests/data/real: shared/data/real beside the
# repository (CI) or one level higher (a git worktree)
SHARED_CANDIDATES = [
    ROOT / ".." / "shared" / "data" / "real",
    ROOT / ".." / ".." / "shared" / "data" / "real",
]


class RealFiles:
    """``real_dir / name``: ``tests/data/real/name``, else ``shared/data/real/name``, else skip."""

    def __init__(self, primary: Path, fallbacks: list[Path]):
        self.path = primary
        self.fallbacks = fallbacks

    def __truediv__(self, name: str) -> Path:
        for d in [self.path, *self.fallbacks]:
            if (d / name).exists():
                return (d / name).resolve()
        pytest.skip(f"real file {name!r} found neither in {self.path} nor in shared/data/real")

    def __fspath__(self) -> str:
        return str(self.path)


@pytest.fixture(scope="session")
def real_dir() -> RealFiles:
    """The real instrument exports in ``tests/data/real`` (see its PROVENANCE.md)."""
    return RealFiles(REAL_DIR, [c for c in SHARED_CANDIDATES if c.is_dir()])
