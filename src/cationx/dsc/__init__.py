"""DSC: heating/cooling segments, transition peaks with a sigmoidal (tangential
area-proportional) baseline, ISO 11357-1 extrapolated onset, peak and endset temperatures,
enthalpies integrated over time, heating/cooling hysteresis.  Reading:
:func:`cationx.io.dsc.read_dsc`.  See docs/dsc.md.
"""

from cationx.dsc.analysis import DscAnalysis, SegmentResult, analyze_dsc
from cationx.dsc.segments import Segment, split_segments
from cationx.dsc.transition import Transition, find_transitions, sigmoidal_baseline

__all__ = [
    "DscAnalysis",
    "Segment",
    "SegmentResult",
    "Transition",
    "analyze_dsc",
    "find_transitions",
    "sigmoidal_baseline",
    "split_segments",
]
