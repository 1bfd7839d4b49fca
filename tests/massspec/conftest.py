"""Synthetic spectra shared by the mass-spectrometry tests."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from cationx.massspec import envelope, envelopes
from cationx.massspec.assign import series_weights
from cationx.massspec.envelope import _gaussians
from cationx.massspec.spectrum import Spectrum


def synth(formulas, weights, *, shift=0.0, fwhm=0.5, lo=None, hi=None, step=0.05, noise=0.0, baseline=0.0, rng=0):
    """Profile spectrum of a weighted mixture of ions (max 1000) plus noise and a baseline."""
    envs = envelopes(formulas)
    lo = min(e.mz[0] for e in envs) - 5 if lo is None else lo
    hi = max(e.mz[-1] for e in envs) + 5 if hi is None else hi
    grid = np.arange(lo, hi, step)
    y = sum(w * _gaussians(grid, e.mz + shift, e.abundance, fwhm) for w, e in zip(weights, envs, strict=True))
    y = y / y.max() * 1000.0
    gen = np.random.default_rng(rng)
    y = y + baseline + (gen.normal(0.0, noise, grid.size) if noise else 0.0)
    return Spectrum.from_arrays(grid, y, source="synthetic")


@pytest.fixture
def exchange_spectrum():
    """Ag{x}Cd{34-x}S33(L)+ with x ~ discretised normal, mean 1.3, sd 0.8; calibrated + 0.3 Da."""
    xs = np.arange(12)
    w = series_weights("normal", xs, 1.3, 0.8)
    return synth([f"Ag{x}Cd{34 - x}S33(L)+" for x in xs], w, shift=0.3, noise=3.0, rng=4)


def write_mzml(path, mz, intensity):
    """Minimal mzML 1.1 with one spectrum (64-bit floats, no compression)."""

    def arr(values, accession, name):
        data = base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode()
        return (
            f'<binaryDataArray encodedLength="{len(data)}">'
            '<cvParam cvRef="MS" accession="MS:1000523" name="64-bit float"/>'
            '<cvParam cvRef="MS" accession="MS:1000576" name="no compression"/>'
            f'<cvParam cvRef="MS" accession="{accession}" name="{name}"/>'
            f"<binary>{data}</binary></binaryDataArray>"
        )

    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<mzML xmlns="http://psi.hupo.org/ms/mzml" version="1.1.0">'
        '<cvList count="1"><cv id="MS" fullName="PSI-MS" version="4.1.0" URI="https://psidev.info"/></cvList>'
        '<run id="r1"><spectrumList count="1">'
        f'<spectrum index="0" id="scan=1" defaultArrayLength="{len(mz)}">'
        '<cvParam cvRef="MS" accession="MS:1000511" name="ms level" value="1"/>'
        '<binaryDataArrayList count="2">'
        + arr(mz, "MS:1000514", "m/z array")
        + arr(intensity, "MS:1000515", "intensity array")
        + "</binaryDataArrayList></spectrum></spectrumList></run></mzML>"
    )
    path.write_text(xml)
    return path


__all__ = ["envelope", "synth", "write_mzml"]
