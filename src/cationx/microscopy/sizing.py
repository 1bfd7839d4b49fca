"""Particle sizes over several micrographs: segment each image, pool the diameters, summarise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cationx.errors import InputError
from cationx.microscopy.images import Micrograph
from cationx.microscopy.particles import ParticleSegmentation, segment_particles
from cationx.microscopy.stats import SizeStatistics, size_statistics

__all__ = ["SizeReport", "size_micrographs"]


@dataclass(frozen=True, slots=True)
class SizeReport:
    """Segmentations of several images and the statistics of their pooled diameters."""

    micrographs: tuple[Micrograph, ...]
    segmentations: tuple[ParticleSegmentation, ...]
    statistics: SizeStatistics

    def to_frame(self) -> pd.DataFrame:
        """All particles, with the image they come from (``image``, ``image_index``)."""
        frames = []
        for i, (m, s) in enumerate(zip(self.micrographs, self.segmentations, strict=True)):
            f = s.to_frame()
            f.insert(0, "image", Path(m.path).name if m.path else f"image{i}")
            f.insert(1, "image_index", i)
            frames.append(f)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def warnings(self) -> list[str]:
        out: list[str] = []
        for m, s in zip(self.micrographs, self.segmentations, strict=True):
            name = Path(m.path).name if m.path else "image"
            out += [f"{name}: {w}" for w in (*m.warnings, *s.warnings)]
        out += list(self.statistics.warnings)
        return out

    def to_dict(self) -> dict[str, Any]:
        d = self.statistics.to_dict()
        d.pop("warnings")
        d["images"] = []
        for m, s in zip(self.micrographs, self.segmentations, strict=True):
            row = m.to_dict()
            row.pop("warnings")
            seg = s.to_dict()
            seg.pop("warnings")
            seg.pop("pixel_nm")
            row.update(seg)
            d["images"].append(row)
        d["warnings"] = self.warnings
        return d


def size_micrographs(micrographs: Sequence[Micrograph], *, confidence: float = 0.95, **segment_kwargs: Any) -> SizeReport:
    """Segment every micrograph (see :func:`segment_particles` for the keywords) and summarise
    the pooled equivalent diameters with :func:`size_statistics`."""
    if not micrographs:
        raise InputError("at least one image is needed")
    segs = tuple(segment_particles(m.data, m.pixel_nm, **segment_kwargs) for m in micrographs)
    diam = pd.concat([s.particles["equivalent_diameter_nm"] for s in segs], ignore_index=True).to_numpy()
    stats = size_statistics(diam, confidence=confidence)
    return SizeReport(tuple(micrographs), segs, stats)
