"""One DSC run analysed: segments, transitions per segment, enthalpies, heating/cooling hysteresis.

Units and conventions
- Temperatures in °C (files in K are converted on reading).
- Sign: the output states which way is exothermic (``sign_convention``).  ``exo_up=None``
  takes the file's own statement (TA ``Exotherm Up/Down``) and otherwise assumes exo up;
  the source of the choice is reported.
- Enthalpy is the integral of (heat flow - baseline) over TIME, signed so that an
  endotherm is positive: mW x s = mJ, divided by the mass in mg gives J/g; a signal in
  mW/mg or W/g integrates to J/g directly; W gives J.  Without a time column the integral
  runs over temperature (unit x K) unless a scan rate is given, which converts it to time.
- Hysteresis: each heating segment is paired with the next cooling segment (else the
  previous one); the largest transition of each gives
  ``onset(heating) - onset(cooling)`` and ``peak(heating) - peak(cooling)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_int, check_matching_lengths, check_positive
from cationx.constants import ZERO_CELSIUS_K
from cationx.dsc.segments import Segment, split_segments
from cationx.dsc.transition import Transition, find_transitions
from cationx.errors import InputError

__all__ = ["DscAnalysis", "SegmentResult", "analyze_dsc"]

_MAX_SIGNAL = 1e100  # |heat flow| above this overflows the integrals and is no measurement


@dataclass(frozen=True, slots=True)
class SegmentResult:
    segment: Segment
    transitions: tuple[Transition, ...]
    enthalpies: tuple[float, ...]
    u: np.ndarray
    temperature_c: np.ndarray
    signal_endo_up: np.ndarray
    searched: bool = False  # a heating/cooling segment long enough (>= 30 points) to search for peaks


@dataclass(frozen=True, slots=True)
class DscAnalysis:
    """Result of :func:`analyze_dsc`."""

    segments: tuple[SegmentResult, ...]
    enthalpy_unit: str
    heat_flow_unit: str
    exo_up: bool
    sign_source: str
    mass_mg: float | None
    temperature_range_c: tuple[float, float] | None
    hysteresis: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = ()
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def unsound(self) -> list[str]:
        """Why the analysis cannot support its result ("no transition found" included): empty when sound."""
        if any(sr.searched for sr in self.segments):
            return []
        kinds = ", ".join(f"{sr.segment.kind} ({sr.segment.n_points} points)" for sr in self.segments)
        return [f"no heating or cooling segment with at least 30 points to search for transitions (segments: {kinds}): "
                "'no transition found' says nothing about the sample; check the temperature/time columns and units"]

    @property
    def sign_convention(self) -> str:
        way = "exo up (exothermic heat flow plotted positive)" if self.exo_up else "endo up (exothermic heat flow plotted negative)"
        return f"{way}; source: {self.sign_source}"

    def transition_table(self) -> pd.DataFrame:
        rows = []
        for sr in self.segments:
            for k, (tr, dh) in enumerate(zip(sr.transitions, sr.enthalpies, strict=True)):
                rows.append(
                    {
                        "segment": sr.segment.index,
                        "direction": sr.segment.kind,
                        "rate_k_min": sr.segment.rate_k_min,
                        "peak": k,
                        "kind": tr.kind,
                        "onset_c": tr.onset_c,
                        "onset_sd_k": tr.onset_sd,
                        "peak_c": tr.peak_c,
                        "peak_sd_k": tr.peak_sd,
                        "endset_c": tr.endset_c,
                        "endset_sd_k": tr.endset_sd,
                        "enthalpy": dh,
                        "enthalpy_sd": None if tr.area_sd is None else abs(tr.area_sd * dh / tr.area) if tr.area else None,
                        "enthalpy_unit": self.enthalpy_unit,
                        "peak_height": tr.peak_height,
                        "baseline_step": tr.step,
                    }
                )
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        return self.transition_table()

    def curves(self) -> pd.DataFrame:
        """Per point: segment, time/abscissa, temperature, heat flow (endo up), baseline (NaN off-peak)."""
        parts = []
        for sr in self.segments:
            base = np.full(sr.u.size, np.nan)
            for tr in sr.transitions:
                base[tr.start : tr.stop] = tr.baseline
            parts.append(pd.DataFrame({"segment": sr.segment.index, "direction": sr.segment.kind, "u": sr.u,
                                       "temperature_c": sr.temperature_c, "heat_flow_endo_up": sr.signal_endo_up,
                                       "baseline_endo_up": base}))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sign_convention": self.sign_convention,
            "exo_up": self.exo_up,
            "heat_flow_unit": self.heat_flow_unit,
            "enthalpy_unit": self.enthalpy_unit,
            "enthalpy_sign": "positive = endothermic (heat absorbed by the sample)",
            "mass_mg": self.mass_mg,
            "temperature_range_c": list(self.temperature_range_c) if self.temperature_range_c else None,
            "baseline": "tangential area-proportional (sigmoidal) baseline between lines fitted before and after each peak",
            "onset": "ISO 11357-1 extrapolated onset: baseline under the peak (sigmoidal) x tangent at the leading-edge inflection",
            "uncertainty": "standard uncertainties (*_sd) from the signal noise by noise-injection bootstrap (50 replicates, "
                           "seeded); mass, calibration and baseline-model choice not included",
            "segments": [sr.segment.to_dict() for sr in self.segments],
            "transitions": self.transition_table().to_dict(orient="records"),
            "hysteresis": list(self.hysteresis),
            "notes": list(self.notes),
            "sound": not self.unsound,
            "reasons": self.unsound,
        }

    def report(self) -> str:
        lines = [f"NOT SOUND (exit code 3): {r}" for r in self.unsound]
        lines += [f"sign convention: {self.sign_convention}",
                 f"enthalpy: {self.enthalpy_unit} (positive = endothermic); baseline: sigmoidal (tangential area-proportional); "
                 "onset/endset: ISO 11357-1 tangent construction"]
        for sr in self.segments:
            s = sr.segment
            rate = "rate n/a" if s.rate_k_min is None else f"{s.rate_k_min:+.3g} K/min"
            lines.append(f"segment {s.index}: {s.kind:<10} {s.t_start_c:8.2f} -> {s.t_end_c:8.2f} °C  {rate}  "
                         f"({len(sr.transitions)} transition(s))")
        t = self.transition_table()
        if len(t):
            def pm(v: float, sd: float | None, fmt: str) -> str:
                return f"{v:{fmt}}" + ("" if sd is None or pd.isna(sd) else f" ± {sd:.2g}")

            shown = pd.DataFrame({
                "segment": t["segment"], "direction": t["direction"], "kind": t["kind"],
                "onset_c": [pm(v, sd, ".2f") for v, sd in zip(t["onset_c"], t["onset_sd_k"], strict=True)],
                "peak_c": [pm(v, sd, ".2f") for v, sd in zip(t["peak_c"], t["peak_sd_k"], strict=True)],
                "endset_c": [pm(v, sd, ".2f") for v, sd in zip(t["endset_c"], t["endset_sd_k"], strict=True)],
                "enthalpy": [pm(v, sd, ".4g") for v, sd in zip(t["enthalpy"], t["enthalpy_sd"], strict=True)],
            })
            lines.append(shown.to_string(index=False))
            lines.append("± = standard uncertainty from the signal noise (noise-injection bootstrap; mass, calibration "
                         "and baseline choice not included)")
        else:
            lines.append("no transition found")
        for h in self.hysteresis:
            lines.append(f"hysteresis (segments {h['heating_segment']}/{h['cooling_segment']}): onset "
                         f"{h['onset_heating_c']:.2f} / {h['onset_cooling_c']:.2f} °C (difference {h['onset_difference_k']:.2f} K); "
                         f"peak {h['peak_heating_c']:.2f} / {h['peak_cooling_c']:.2f} °C (difference {h['peak_difference_k']:.2f} K)")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _enthalpy_unit(hf_unit: str, has_time: bool, mass: float | None) -> tuple[str, float]:
    """Unit of the integral and the factor applied to (signal x u)."""
    if not has_time:
        return f"{hf_unit}*K", 1.0
    if hf_unit == "mW":
        return ("J/g", 1.0 / mass) if mass else ("mJ", 1.0)
    if hf_unit == "W":
        return ("J/g", 1000.0 / mass) if mass else ("J", 1.0)
    if hf_unit in ("mW/mg", "W/g"):
        return "J/g", 1.0
    return f"{hf_unit}*s", 1.0


def analyze_dsc(
    temperature_c: Any,
    heat_flow: Any,
    *,
    time_s: Any | None = None,
    heat_flow_unit: str = "mW",
    mass_mg: float | None = None,
    exo_up: bool | None = None,
    exo_up_in_file: bool | None = None,
    temperature_range_c: tuple[float, float] | None = None,
    rate_k_min: float | None = None,
    max_peaks: int = 3,
    min_rate_k_min: float = 0.2,
    source: str = "",
    notes: Sequence[str] = (),
    n_bootstrap: int = 50,
    rng: int | np.random.Generator | None = 0,
) -> DscAnalysis:
    """Segments, transitions and enthalpies of one run (see the module docstring).

    Parameters
    ----------
    temperature_c, heat_flow, time_s
        The run in file order (time in s; optional).
    heat_flow_unit
        ``mW``, ``W``, ``mW/mg``, ``W/g``, ``uV`` or ``a.u.``.
    mass_mg
        Sample mass (> 0) for J/g from a signal in mW or W.
    exo_up, exo_up_in_file
        Sign convention chosen by the user / stated in the file (user wins).
    temperature_range_c
        Analyse only points within ``(lo, hi)`` °C.
    rate_k_min
        Scan rate for a file without a time column (converts the temperature integral to time).
    n_bootstrap, rng
        Noise-injection replicates per transition for the standard uncertainties of onset, peak,
        endset and enthalpy (0 = none), and their seed (default 0: reproducible numbers).
    """
    seed = rng  # the name rng is used below for the temperature range
    temp = as_1d_array(temperature_c, "temperature_c", min_length=10)
    hf = as_1d_array(heat_flow, "heat_flow", min_length=10)
    check_matching_lengths([temp, hf], ["temperature_c", "heat_flow"])
    t = None
    if time_s is not None:
        t = as_1d_array(time_s, "time_s", min_length=10)
        check_matching_lengths([temp, t], ["temperature_c", "time_s"])
        if np.any(np.diff(t) < 0):
            raise InputError("time_s must not decrease")
        if np.ptp(t) <= 0:
            raise InputError("time_s must span a positive interval")
    if np.ptp(temp) <= 0:
        raise InputError("temperature_c is constant: no heating or cooling to analyse")
    if temp.min() < -ZERO_CELSIUS_K:
        i = int(np.argmin(temp))
        raise InputError(f"temperature_c must be >= {-ZERO_CELSIUS_K} °C (absolute zero); point {i + 1} is {temp[i]:g} °C "
                         "(a file in K read as °C, or the wrong column?)")
    big = float(np.max(np.abs(hf)))
    if big > _MAX_SIGNAL:
        raise InputError(f"heat_flow values up to {big:.3g} exceed {_MAX_SIGNAL:g} in magnitude: not a heat flow "
                         "(wrong column or corrupt file); rescale the data")
    check_int(max_peaks, "max_peaks (--max-peaks)", minimum=1)
    mass = None if mass_mg is None else check_positive(mass_mg, "mass_mg")
    all_notes = list(notes)
    if rate_k_min is not None:
        r = check_positive(abs(rate_k_min), "rate_k_min")
        if t is None:
            # time from the temperature travelled at the given rate
            t = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(temp)))]) / r * 60.0
            all_notes.append(f"no time column: time reconstructed from the temperature at {r:g} K/min")
    if exo_up is not None:
        exo, src = exo_up, "option"
    elif exo_up_in_file is not None:
        exo, src = exo_up_in_file, "file header"
    else:
        exo, src = True, "default (the file does not say; pass --endo-up if the instrument plots endotherms up)"
    e = -hf if exo else hf.copy()
    unit, factor = _enthalpy_unit(heat_flow_unit, t is not None, mass)
    if heat_flow_unit in ("mW/mg", "W/g") and mass is not None:
        all_notes.append(f"heat flow is already per mass ({heat_flow_unit}); mass_mg not used")
    if heat_flow_unit in ("mW", "W") and mass is None and t is not None:
        all_notes.append("no sample mass: enthalpy in " + unit + " (give --mass-mg for J/g)")
    if t is None:
        all_notes.append(f"no time column and no rate: areas integrated over temperature, in {unit}")
    rng = None
    if temperature_range_c is not None:
        rng = (float(temperature_range_c[0]), float(temperature_range_c[1]))
        if not rng[0] < rng[1]:
            raise InputError(f"temperature range must have lo < hi, got {rng[0]:g}:{rng[1]:g}")
        if rng[1] < temp.min() or rng[0] > temp.max():
            raise InputError(f"temperature range {rng[0]:g}:{rng[1]:g} °C lies outside the data "
                             f"({temp.min():.4g}-{temp.max():.4g} °C)")
    _check_program(temp)
    nb = check_int(n_bootstrap, "n_bootstrap", minimum=0)
    gen = np.random.default_rng(seed)
    segs = split_segments(t, temp, min_rate_k_min=min_rate_k_min)
    results = []
    for s in segs:
        sl = slice(s.start, s.stop)
        ts, es = temp[sl], e[sl]
        if t is not None:
            u = t[sl]
        else:
            u = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(ts)))])
        if rng is not None:
            keep = (ts >= rng[0]) & (ts <= rng[1])
            idx = np.flatnonzero(keep)
            if idx.size:
                sub = slice(int(idx[0]), int(idx[-1]) + 1)
                u, ts, es = u[sub], ts[sub], es[sub]
            else:
                u, ts, es = u[:0], ts[:0], es[:0]
        trs: list[Transition] = []
        searched = s.kind in ("heating", "cooling") and u.size >= 30 and bool(np.ptp(u) > 0)
        if searched:
            trs = find_transitions(u, ts, es, max_peaks=max_peaks, trim_frac=0.0 if rng else 0.05, n_bootstrap=nb,
                                   rng=gen)
        results.append(SegmentResult(s, tuple(trs), tuple(tr.area * factor for tr in trs), u, ts, es, searched))
    hyst = _hysteresis(results)
    return DscAnalysis(tuple(results), unit, heat_flow_unit, exo, src, mass, rng, tuple(hyst), tuple(all_notes), source)


def _check_program(temp: np.ndarray) -> None:
    """Reject a temperature column that is not a smooth program (scrambled rows, wrong column)."""
    from scipy.signal import savgol_filter

    win = min(11, temp.size if temp.size % 2 else temp.size - 1)
    if win < 5:
        return
    scatter = float(np.median(np.abs(temp - savgol_filter(temp, win, 2))))
    span = float(np.ptp(temp))
    if scatter > 0.02 * span:
        raise InputError(
            f"the temperature does not follow a heating/cooling program (point-to-point scatter "
            f"{scatter:.3g} K over a span of {span:.3g} K): rows out of order or the wrong column?"
        )


def _hyp(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else float(np.hypot(a, b))


def _main(sr: SegmentResult) -> Transition | None:
    if not sr.transitions:
        return None
    return max(sr.transitions, key=lambda tr: abs(tr.area))


def _hysteresis(results: Sequence[SegmentResult]) -> list[dict[str, Any]]:
    heat = [r for r in results if r.segment.kind == "heating" and r.transitions]
    cool = [r for r in results if r.segment.kind == "cooling" and r.transitions]
    out = []
    used: set[int] = set()
    for h in heat:
        later = [c for c in cool if c.segment.index > h.segment.index and c.segment.index not in used]
        earlier = [c for c in cool if c.segment.index < h.segment.index and c.segment.index not in used]
        c = later[0] if later else (earlier[-1] if earlier else None)
        if c is None:
            continue
        used.add(c.segment.index)
        th, tc = _main(h), _main(c)
        assert th is not None and tc is not None
        out.append(
            {
                "heating_segment": h.segment.index,
                "cooling_segment": c.segment.index,
                "onset_heating_c": th.onset_c,
                "onset_cooling_c": tc.onset_c,
                "onset_difference_k": th.onset_c - tc.onset_c,
                "onset_difference_sd_k": _hyp(th.onset_sd, tc.onset_sd),
                "peak_heating_c": th.peak_c,
                "peak_cooling_c": tc.peak_c,
                "peak_difference_k": th.peak_c - tc.peak_c,
                "peak_difference_sd_k": _hyp(th.peak_sd, tc.peak_sd),
            }
        )
    return out
