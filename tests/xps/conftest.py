"""Helpers for the XPS tests: synthetic spectra and a minimal VAMAS (ISO 14976) writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cationx.xps import peak


def write_vamas(path: Path, x_start: float, x_step: float, y: np.ndarray, *, kinetic: bool = True,
                source_ev: float = 1486.6, work_function: float = 4.5) -> Path:
    """A one-block NORM/REGULAR XPS file in the layout ISO 14976 prescribes."""
    lines = [
        "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4",
        "test institution", "test model", "test operator", "test experiment",
        "1", "synthetic spectrum",
        "NORM", "REGULAR", "1",
        "0", "0", "0", "0", "0",
        "1",
        "block1", "sample1", "2024", "1", "1", "0", "0", "0", "0",
        "1", "block comment",
        "XPS", "Al", f"{source_ev}", "0", "0", "0", "0", "0", "FAT", "20", "1", f"{work_function}", "0",
        "0", "0", "0", "0",
        "Ag", "3d", "-1",
        "kinetic energy" if kinetic else "binding energy", "eV", f"{x_start}", f"{x_step}",
        "1", "counts", "d",
        "pulse counting", "0.1", "1", "0",
        "0", "0", "0",
        "0",
        f"{y.size}", f"{y.min()}", f"{y.max()}",
        *[f"{v}" for v in y],
        "end of experiment",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def ag3d_spectrum(rng_seed: int = 1, noise: float = 4.0):
    """Two Ag 3d doublets at 004's positions (368.9/374.9 and 366.3/372.3 eV) on a Shirley-like step."""
    x = np.arange(360.0, 382.0, 0.1)
    truth = {"msc": (368.9, 900.0, 1.1), "ag2s": (366.3, 600.0, 1.3)}
    y = np.zeros_like(x)
    for center, height, fwhm in truth.values():
        y += peak(x, center, height, fwhm, "gl", 0.3) + peak(x, center + 6.0, height * 2 / 3, fwhm, "gl", 0.3)
    y = 150 + y + 60 * np.cumsum(y) / y.sum()
    y = y + np.random.default_rng(rng_seed).normal(0, noise, x.size)
    return x, y, truth


@pytest.fixture
def ag3d():
    return ag3d_spectrum()


@pytest.fixture
def make_ag3d():
    return ag3d_spectrum


@pytest.fixture
def vamas_writer():
    return write_vamas
