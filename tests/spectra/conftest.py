"""Fixtures: the real instrument exports in ``shared/data/real`` beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the repository sits beside shared/ (CI); a git worktree sits one level deeper
CANDIDATES = [ROOT / ".." / "shared" / "data" / "real", ROOT / ".." / ".." / "shared" / "data" / "real"]


@pytest.fixture(scope="session")
def real_dir() -> Path:
    for c in CANDIDATES:
        if (c / "PROVENANCE.md").exists():
            return c.resolve()
    pytest.skip("real instrument exports not found: expected shared/data/real beside the repository")
