"""Heating, cooling and isothermal segments of a DSC temperature program.

The scan rate ``dT/dt`` is taken from a Savitzky-Golay derivative (linear, over about
``smooth_min`` minutes of data) and classified with hysteresis: a run becomes *heating*
when the rate exceeds ``+min_rate_k_min`` and stays heating until the rate falls below
``+min_rate_k_min / 2`` (likewise for cooling), so noise around a turning point does not
chop a segment into pieces.  Runs shorter than ``min_points`` points, and heating/cooling runs spanning less than
``min_span_k`` inside a run of the opposite kind (recalescence: a supercooled sample that
freezes warms itself for a moment), take the kind of their neighbours when both agree,
else become isothermal.
A segment left isothermal by these rules whose temperature nevertheless moves at
``min_rate_k_min`` or more (a few points at the start of a run, a short ramp) is reported as
``too short`` (neither a scan nor isothermal; no transitions are searched in it).
Each segment's rate is the slope of a straight line through temperature vs time over
its middle 80 % (K/min).  Without a time axis the direction comes from the sign of the
temperature change from point to point and the rate is unknown (None).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.signal import savgol_filter

from cationx._validation import check_int, check_positive

__all__ = ["Segment", "split_segments"]


@dataclass(frozen=True, slots=True)
class Segment:
    """Points ``start:stop`` (file order) of one program segment."""

    index: int
    kind: str  # "heating" | "cooling" | "isothermal" | "too short"
    start: int
    stop: int
    rate_k_min: float | None
    t_start_c: float
    t_end_c: float

    @property
    def n_points(self) -> int:
        return self.stop - self.start

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "start": self.start,
            "stop": self.stop,
            "n_points": self.n_points,
            "rate_k_min": self.rate_k_min,
            "t_start_c": self.t_start_c,
            "t_end_c": self.t_end_c,
        }


def _rates(time_s: np.ndarray | None, temp: np.ndarray, smooth_min: float) -> np.ndarray:
    n = temp.size
    if time_s is None:
        return np.gradient(temp)
    dt = float(np.median(np.diff(time_s))) if n > 1 else 1.0
    dt = dt if dt > 0 else 1.0
    largest_odd = n if n % 2 else n - 1
    win = min(max(5, round(smooth_min * 60.0 / dt) | 1), largest_odd)
    if win < 5:
        return np.gradient(temp, time_s) * 60.0
    d_t = savgol_filter(temp, win, 1, deriv=1)
    d_time = savgol_filter(time_s, win, 1, deriv=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(d_time > 0, d_t / d_time, 0.0)
    return r * 60.0  # K/min


def split_segments(
    time_s: np.ndarray | None,
    temperature_c: np.ndarray,
    *,
    min_rate_k_min: float = 0.2,
    min_points: int = 20,
    smooth_min: float = 0.5,
    min_span_k: float = 2.0,
) -> list[Segment]:
    """Split a run into segments (see the module docstring)."""
    temp = np.asarray(temperature_c, dtype=float)
    t = None if time_s is None else np.asarray(time_s, dtype=float)
    thr = check_positive(min_rate_k_min, "min_rate_k_min")
    mp = check_int(min_points, "min_points", minimum=2)
    check_positive(smooth_min, "smooth_min")
    rate = _rates(t, temp, smooth_min)
    if t is None:
        scale = float(np.median(np.abs(rate))) or 1.0
        thr_on, thr_off = 0.2 * scale, 0.1 * scale
    else:
        thr_on, thr_off = thr, 0.5 * thr
    state = np.empty(temp.size, dtype="<U10")
    cur = "isothermal"
    for i, r in enumerate(rate):
        if cur == "heating" and r < thr_off:
            cur = "isothermal"
        elif cur == "cooling" and r > -thr_off:
            cur = "isothermal"
        if cur == "isothermal":
            if r > thr_on:
                cur = "heating"
            elif r < -thr_on:
                cur = "cooling"
        state[i] = cur
    # runs, short ones absorbed
    change = np.flatnonzero(state[1:] != state[:-1]) + 1
    bounds = np.concatenate([[0], change, [temp.size]])
    runs = [[state[a], int(a), int(b)] for a, b in itertools.pairwise(bounds)]
    # short runs (noise at a turning point; recalescence when a supercooled sample freezes and
    # its temperature rises for a moment) take the kind of their neighbours when both agree
    dur = (lambda a, b: (t[b - 1] - t[a]) / 60.0) if t is not None else (lambda a, b: 0.0)

    def short(r: list[Any]) -> bool:
        kind, a, b = r
        if b - a < mp:
            return True
        if abs(temp[b - 1] - temp[a]) >= min_span_k:
            return False
        return kind != "isothermal" or dur(a, b) < 1.0

    def merge(rs: list[list[Any]]) -> list[list[Any]]:
        out: list[list[Any]] = []
        for r in rs:
            if out and out[-1][0] == r[0]:
                out[-1][2] = r[2]
            else:
                out.append(list(r))
        return out

    merged = merge(runs)
    for _ in range(len(merged) + 1):
        changed = False
        for i in range(1, len(merged) - 1):
            r, prev, nxt = merged[i], merged[i - 1], merged[i + 1]
            if r[0] != prev[0] and prev[0] == nxt[0] and short(r):
                r[0] = prev[0]
                changed = True
        merged = merge(merged)
        for r in merged:
            if r[0] != "isothermal" and r[2] - r[1] < mp:
                r[0] = "isothermal"
                changed = True
        merged = merge(merged)
        if not changed:
            break
    out = []
    for k, (kind, a, b) in enumerate(merged):
        rate_k_min = None
        if t is not None and b - a >= 3:
            m = max(1, int(0.1 * (b - a)))
            sel = slice(a + m, b - m) if b - a - 2 * m >= 3 else slice(a, b)
            tt = t[sel] / 60.0
            if np.ptp(tt) > 0:
                rate_k_min = float(np.polyfit(tt, temp[sel], 1)[0])
        if kind == "isothermal" and rate_k_min is not None and abs(rate_k_min) >= thr:
            kind = "too short"  # the temperature moves, but over too few points/kelvin to call it a scan
        out.append(Segment(k, str(kind), a, b, rate_k_min, float(temp[a]), float(temp[b - 1])))
    return out
