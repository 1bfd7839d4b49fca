"""Numbers printed in a paper, recomputed from the paper's own inputs, with a verdict.

A reproduction lists :class:`PaperNumber` rows; :func:`numbers_frame` and
:func:`numbers_markdown` put them into its CSV and SUMMARY.md, :func:`numbers_dict` into
its JSON.  ``printed_interval`` is the interval the printed value stands for (its
rounding: "6.7" is [6.65, 6.75)); the verdict compares the recomputed value with it:

- ``agrees``: the recomputed value rounds to the printed one (inside the interval, or within
  the stated uncertainty of it);
- ``agrees within the rounding of the paper's inputs``: the value computed from the printed
  inputs does not, but some values of the inputs that print as they are printed do
  (``computed_interval``: the range of the result over the inputs' rounding intervals, see
  :func:`rounding_range`); e.g. 2a/sqrt(3) = 6.755 for a = 5.85, but a in [5.845, 5.855)
  gives 6.749-6.761, which reaches the printed 6.7's [6.65, 6.75);
- ``paper wrong``: no rounding of the printed inputs gives the printed result (the note says
  what the paper's inputs give);
- ``not printed``: the paper gives no value; the number is derived here (the note says why
  it is worth having);
- ``not checkable``: the paper's value rests on data it does not print (the note says what
  the printed data give).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["PaperNumber", "numbers_dict", "numbers_frame", "numbers_markdown", "rounding_interval", "rounding_range"]

WITHIN_INPUT_ROUNDING = "agrees within the rounding of the paper's inputs"


def rounding_interval(printed: float, decimals: int) -> tuple[float, float]:
    """Interval of values that print as ``printed`` with ``decimals`` decimals."""
    half = 0.5 * 10.0 ** (-decimals)
    return printed - half, printed + half


def rounding_range(fn: Callable[..., float], *intervals: tuple[float, float]) -> tuple[float, float]:
    """Smallest and largest ``fn(*inputs)`` with every input anywhere in its interval.

    Evaluated at the corners of the box of intervals, which is exact for functions monotonic
    in each input (sums, differences, products and ratios of positive numbers, sqrt...).
    """
    vals = [float(fn(*corner)) for corner in itertools.product(*intervals)]
    return min(vals), max(vals)


@dataclass(frozen=True, slots=True)
class PaperNumber:
    """One recomputed number: what the paper prints, what its inputs give, and where it is."""

    key: str
    quantity: str
    printed: float | None
    computed: float
    unit: str
    source: str
    printed_interval: tuple[float, float] | None = None
    uncertainty: float | None = None
    note: str = ""
    checkable: bool = True
    computed_interval: tuple[float, float] | None = None

    @property
    def verdict(self) -> str:
        if not self.checkable:
            return "not checkable"
        if self.printed is None:
            return "not printed"
        lo, hi = self.printed_interval or (self.printed, self.printed)
        u = self.uncertainty or 0.0
        if lo - u <= self.computed <= hi + u:
            return "agrees"
        if self.computed_interval is not None:
            clo, chi = self.computed_interval
            if clo <= hi + u and chi >= lo - u:
                return WITHIN_INPUT_ROUNDING
        return "paper wrong"

    def to_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "printed": self.printed,
            "printed_interval": None if self.printed_interval is None else list(self.printed_interval),
            "computed": self.computed,
            "computed_interval": None if self.computed_interval is None else list(self.computed_interval),
            "uncertainty": self.uncertainty,
            "unit": self.unit,
            "verdict": self.verdict,
            "source": self.source,
            "note": self.note,
        }


def numbers_dict(rows: Sequence[PaperNumber]) -> dict[str, dict[str, Any]]:
    return {r.key: r.to_dict() for r in rows}


def numbers_frame(rows: Sequence[PaperNumber]) -> pd.DataFrame:
    return pd.DataFrame([{"key": r.key, **r.to_dict()} for r in rows])


def _fmt(v: float | None, digits: int = 5) -> str:
    if v is None:
        return "-"
    return f"{v:.{digits}g}"


def numbers_markdown(rows: Sequence[PaperNumber], title: str = "Numbers recomputed from the paper's own values") -> list[str]:
    out = [f"## {title}", "", "| quantity | paper | recomputed | verdict | source | note |", "|---|---|---|---|---|---|"]
    for r in rows:
        comp = _fmt(r.computed) + (f" ± {_fmt(r.uncertainty, 2)}" if r.uncertainty else "")
        if r.computed_interval is not None:
            comp += f" ({_fmt(r.computed_interval[0])}-{_fmt(r.computed_interval[1])} by input rounding)"
        verdict = f"**{r.verdict}**" if r.verdict == "paper wrong" else r.verdict
        out.append(f"| {r.quantity} | {_fmt(r.printed)} {r.unit if r.printed is not None else ''} | {comp} {r.unit} | "
                   f"{verdict} | {r.source} | {r.note} |")
    return out
