"""Shared fixtures: a non-interactive matplotlib backend and the real instrument exports."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
# the repository sits beside shared/ (CI); a git worktree sits one level deeper
REAL_CANDIDATES = [ROOT / ".." / "shared" / "data" / "real", ROOT / ".." / ".." / "shared" / "data" / "real"]


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """``shared/data/real`` beside the repository (see its PROVENANCE.md)."""
    for c in REAL_CANDIDATES:
        if (c / "PROVENANCE.md").exists():
            return c.resolve()
    pytest.skip("real instrument exports not found: expected shared/data/real beside the repository")
