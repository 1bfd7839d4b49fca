"""Quantities derived from measured element amounts, with propagated uncertainties.

Input: amounts of elements in one sample, in any one consistent molar unit (mol, mol/L of
a digest, at%), each with a standard uncertainty.  Output (:class:`DerivedComposition`):

- mole ratios written as expressions, e.g. ``"Cu/(Cu+Cd)"``, ``"Cu/Se"``, ``"Cu/(Cu+2Cd)"``;
- ``x`` in the product ``I_(m-x) A`` from ``I/A`` (``x`` in Cu(2-x)Se is ``2 - Cu/Se``);
- the exchanged fraction ``f = I / (m H0)``: ``I`` incoming ions, ``H0`` host cations
  originally present, ``m`` incoming ions per host cation released (the charge ratio:
  2 Cu+ or 2 Ag+ per Cd2+).  When ``H0`` is not given it is taken as what remains plus
  what left, ``H0 = H + I/m`` (every incoming ion replaced ``1/m`` host cation that was
  washed away), so ``f = I / (I + m H)``;
- incoming ions per particle with ``N`` host cations per particle (from a diameter via
  :func:`cationx.spectra.sizing.host_cations_per_nc`, or from a cluster formula such as
  Cd34S33 -> 34): ``(I/H) N``, the reading in which the measured host stands for the host
  originally present (what 004 computes as "mol Ag / mol Cd"), and ``f m N``, the reading
  in which it is what remains (``N I / (H + I/m)``);
- a mass-balance check that says plainly when ``f > 1`` or when more incoming ions were
  found than were added.

Uncertainties: first-order (linear) propagation with the ``uncertainties`` package, which
keeps correlations (the same dilution factor in every element of a sample cancels in a
ratio).  Each result carries its standard uncertainty; it is as good as the linear
approximation, i.e. for relative uncertainties well below ~30 %.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cationx._validation import check_positive
from cationx.composition.elements import check_element
from cationx.errors import InputError

__all__ = [
    "DerivedComposition",
    "Particle",
    "Quantity",
    "derive",
    "evaluate_ratio",
    "parse_amount",
    "particle_from_diameter",
    "particle_from_formula",
]

_TERM_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*\*?\s*([A-Z][a-z]?)\s*$")


def _u(value: Any) -> Any:
    """An ``uncertainties`` number from a (value, sd) pair or a ufloat; a plain float when sd = 0."""
    from uncertainties import ufloat
    from uncertainties.core import AffineScalarFunc

    if isinstance(value, AffineScalarFunc):
        return value
    if isinstance(value, tuple | list):
        v, s = value
        s = abs(float(s or 0.0))
        return ufloat(float(v), s) if s > 0 else float(v)
    return float(value)


def _nv(x: Any) -> float:
    from uncertainties import nominal_value

    return float(nominal_value(x))


def _sd(x: Any) -> float:
    from uncertainties import std_dev

    return float(std_dev(x))


@dataclass(frozen=True, slots=True)
class Quantity:
    """One derived number: value, standard uncertainty, unit and how it was obtained."""

    name: str
    value: float
    uncertainty: float
    unit: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "uncertainty": self.uncertainty, "unit": self.unit, "note": self.note}


@dataclass(frozen=True, slots=True)
class Particle:
    """Host cations per particle (NC or cluster) with its uncertainty and source."""

    kind: str  # "nc" or "cluster"
    host_cations: float
    host_cations_uncertainty: float
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "host_cations": self.host_cations,
                "host_cations_uncertainty": self.host_cations_uncertainty, "source": self.source}


def particle_from_formula(formula: str, host: str) -> Particle:
    """Host cations per cluster from its formula (``"Cd34S33"``, host ``"Cd"`` -> 34, exact)."""
    from cationx.massspec.formula import parse_formula

    h = check_element(host, "host")
    comp = parse_formula(formula).composition
    if h not in comp:
        raise InputError(f"formula {formula!r} holds no host element {h!r}")
    return Particle("cluster", float(comp[h]), 0.0, f"formula {formula}: {comp[h]} {h} per cluster")


def particle_from_diameter(material: str, diameter_nm: float, diameter_uncertainty_nm: float = 0.0,
                           *, phase: str = "zincblende") -> Particle:
    """Host cations per NC of a sphere (:func:`cationx.spectra.sizing.host_cations_per_nc`).

    ``sigma_N = 3 N sigma_D / D`` (first order).
    """
    from cationx.spectra.sizing import host_cations_per_nc

    d = check_positive(diameter_nm, "diameter_nm")
    sd = float(diameter_uncertainty_nm)
    if not sd >= 0:
        raise InputError(f"diameter uncertainty must be >= 0, got {diameter_uncertainty_nm!r}")
    n = host_cations_per_nc(material, d, phase=phase)
    return Particle("nc", n, 3 * n * sd / d, f"{material} ({phase}) sphere of {d:g} +/- {sd:g} nm (bulk density)")


def parse_amount(text: str) -> tuple[str, float, float]:
    """Parse ``"Cu=1.23"``, ``"Cu=1.23+-0.05"`` or ``"Cu=1.23±0.05"`` -> (element, value, sd)."""
    if "=" not in text:
        raise InputError(f"amount must look like EL=VALUE or EL=VALUE+-SD, got {text!r}")
    el, val = text.split("=", 1)
    el = check_element(el, "amount")
    parts = re.split(r"\+-|±|\+/-", val)
    try:
        v = float(parts[0])
        s = float(parts[1]) if len(parts) > 1 else 0.0
    except (ValueError, IndexError):
        raise InputError(f"amount {text!r}: value and uncertainty must be numbers") from None
    if len(parts) > 2 or not (math.isfinite(v) and math.isfinite(s)):
        raise InputError(f"amount {text!r} must look like EL=VALUE or EL=VALUE+-SD")
    if v < 0:
        raise InputError(f"amount of {el} must be >= 0, got {v:g}")
    if s < 0:
        raise InputError(f"uncertainty of {el} must be >= 0, got {s:g}")
    return el, v, s


def _parse_side(text: str, expr: str) -> list[tuple[float, str]]:
    t = text.strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    terms = []
    for part in t.split("+"):
        m = _TERM_RE.match(part)
        if not m:
            raise InputError(f"ratio {expr!r}: cannot read term {part.strip()!r} (use e.g. Cu/(Cu+Cd) or Cu/(Cu+2Cd))")
        terms.append((float(m.group(1)) if m.group(1) else 1.0, check_element(m.group(2), f"ratio {expr!r}")))
    return terms


def evaluate_ratio(expr: str, amounts: Mapping[str, Any]) -> Any:
    """Evaluate ``"A/(A+B)"``-style expressions on element amounts (ufloats or floats)."""
    if expr.count("/") != 1:
        raise InputError(f"ratio {expr!r} must have exactly one '/', e.g. Cu/(Cu+Cd)")
    num_t, den_t = expr.split("/")
    num, den = _parse_side(num_t, expr), _parse_side(den_t, expr)
    for _, el in num + den:
        if el not in amounts:
            raise InputError(f"ratio {expr!r} needs {el}, which was not measured (have: {', '.join(amounts)})")
    a = {k: _u(v) for k, v in amounts.items()}
    n = sum(c * a[el] for c, el in num)
    d = sum(c * a[el] for c, el in den)
    if _nv(d) == 0:
        raise InputError(f"ratio {expr!r}: the denominator is zero")
    return n / d


@dataclass(frozen=True, slots=True)
class DerivedComposition:
    """Derived quantities of one sample and the mass-balance verdict."""

    amounts: dict[str, tuple[float, float]]
    quantities: tuple[Quantity, ...]
    checks: tuple[str, ...]
    notes: tuple[str, ...] = ()
    incoming: str | None = None
    host: str | None = None
    anion: str | None = None
    charge_ratio: float | None = None
    particle: Particle | None = None
    method: str = "first-order propagation (uncertainties package, correlations kept)"

    @property
    def balance_ok(self) -> bool:
        return not self.checks

    def get(self, name: str) -> Quantity:
        for q in self.quantities:
            if q.name == name:
                return q
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "amounts": {k: {"value": v, "uncertainty": s} for k, (v, s) in self.amounts.items()},
            "incoming": self.incoming,
            "host": self.host,
            "anion": self.anion,
            "charge_ratio": self.charge_ratio,
            "particle": None if self.particle is None else self.particle.to_dict(),
            "quantities": {q.name: q.to_dict() for q in self.quantities},
            "mass_balance_ok": self.balance_ok,
            "checks": list(self.checks),
            "notes": list(self.notes),
            "method": self.method,
        }

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([q.to_dict() for q in self.quantities], columns=["name", "value", "uncertainty", "unit", "note"])

    def report(self) -> str:
        lines = []
        for q in self.quantities:
            unit = f" {q.unit}" if q.unit else ""
            lines.append(f"{q.name:<34} {q.value:.5g} ± {q.uncertainty:.2g}{unit}" + (f"   ({q.note})" if q.note else ""))
        lines.append("mass balance: " + ("consistent" if self.balance_ok else "VIOLATED"))
        lines.extend(f"  - {c}" for c in self.checks)
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _q(name: str, x: Any, unit: str = "", note: str = "", *, allow_inf: bool = False) -> Quantity:
    v, s = _nv(x), _sd(x)
    if not (math.isfinite(v) or (allow_inf and math.isinf(v))) or not (math.isfinite(s) or math.isnan(s)):
        raise InputError(f"derived value {name} is not finite ({v:g} +/- {s:g}): the amounts are too large or too "
                         "small to combine (give them in a unit near 1, e.g. umol or mg/L)")
    return Quantity(name, v, s, unit, note)


def _sig(excess: Any) -> str:
    s = _sd(excess)
    return f"{_nv(excess) / s:.1f} standard uncertainties" if s > 0 else "no uncertainty given"


def derive(
    amounts: Mapping[str, Any],
    *,
    ratios: Sequence[str] = (),
    incoming: str | None = None,
    host: str | None = None,
    anion: str | None = None,
    charge_ratio: float | None = None,
    host_original: Any = None,
    particle: Particle | None = None,
    added_per_host: Any = None,
    added_per_particle: Any = None,
    below_lod: Sequence[str] = (),
) -> DerivedComposition:
    """Derived quantities and mass-balance checks for one sample (see the module docstring).

    Parameters
    ----------
    amounts
        Element -> amount (float, ``(value, sd)`` or ufloat), all in one molar unit.
    ratios
        Expressions such as ``"Cu/(Cu+Cd)"``.
    incoming, host, anion
        Element symbols (e.g. Cu, Cd, Se).
    charge_ratio
        ``m``: incoming ions per host cation released (2 for Cu+ or Ag+ replacing Cd2+).
        Default: 2 when ``incoming`` is given.
    host_original
        Host cations originally present, in the unit of ``amounts`` (optional).
    particle
        Host cations per particle (NC or cluster), for ions per particle.
    added_per_host, added_per_particle
        Incoming ions added, per host cation originally present (mol/mol; 004's
        "Ag % addition" / 100) or per particle: found must not exceed added.
    below_lod
        Elements measured below their limit of detection: every quantity using them is
        marked as such in the checks.
    """
    if not amounts:
        raise InputError("amounts needs at least one element")
    a = {}
    for el, v in amounts.items():
        check_element(el, "amounts")
        x = _u(v)
        if not math.isfinite(_nv(x)):
            raise InputError(f"amount of {el} must be finite")
        a[el] = x
    quantities: list[Quantity] = []
    checks: list[str] = []
    for expr in ratios:
        quantities.append(_q(expr, evaluate_ratio(expr, a), "mol/mol"))
    for el in (incoming, host, anion):
        if el is not None and check_element(el) not in a:
            raise InputError(f"{el} is named as incoming/host/anion but was not measured (have: {', '.join(a)})")
    m = None
    if incoming is not None:
        m = 2.0 if charge_ratio is None else check_positive(charge_ratio, "charge_ratio")
    elif charge_ratio is not None:
        raise InputError("charge_ratio needs incoming (the element of the incoming ion)")
    notes = []
    for el in below_lod:
        notes.append(f"{el} is below its limit of detection: every quantity using {el} is an upper bound or meaningless")

    if incoming is not None and anion is not None:
        if not _nv(a[anion]) > 0:
            raise InputError(f"{anion} amount must be > 0 to relate {incoming} to it, got {_nv(a[anion]):g}")
        r = a[incoming] / a[anion]
        quantities.append(_q(f"{incoming}/{anion}", r, "mol/mol"))
        # the anion bound to the host (CdSe, CdS: 1:1) is not in the incoming phase
        if host is not None and _nv(a[host]) > 0:
            free = a[anion] - a[host]
            if not _nv(free) > 0:
                checks.append(f"{host} ({_nv(a[host]):.3g}) binds all the {anion} ({_nv(a[anion]):.3g}) at 1:1: "
                              f"no {anion} left for {incoming}({m:g}-x){anion}, x not reported")
                x = None
            else:
                r_phase = a[incoming] / free
                x = m - r_phase
                xnote = (f"x = {m:g} - {incoming}/({anion} - {host}): the {anion} bound to the host at 1:1 "
                         f"({host}{anion}) removed")
                rlabel = f"{incoming}/({anion} - {host})"
                quantities.append(_q(rlabel, r_phase, "mol/mol"))
        else:
            x = m - r
            xnote = f"x = {m:g} - {incoming}/{anion} (all {anion} counted in the {incoming} phase: no host given)"
            r_phase, rlabel = r, f"{incoming}/{anion}"
        if x is not None:
            quantities.append(_q(f"x in {incoming}({m:g}-x){anion}", x, "", xnote))
        if x is not None and _nv(x) < 0:
            checks.append(
                f"{rlabel} = {_nv(r_phase):.3g} exceeds the {m:g}:1 of {incoming}{m:g}{anion} "
                f"(x = {_nv(x):.3g} < 0, by {_sig(-x)}): excess {incoming} not bound in the lattice, or a wrong {anion} value"
            )
    if incoming is not None and host is not None:
        i, h = a[incoming], a[host]
        if _nv(h) <= 0 and host_original is None:
            raise InputError(f"{host} amount must be > 0 to relate {incoming} to it")
        quantities.append(_q(f"{incoming}/{host}", i / h, "mol/mol") if _nv(h) > 0 else
                          Quantity(f"{incoming}/{host}", math.inf, math.nan, "mol/mol"))
        if host_original is not None:
            h0 = _u(host_original)
            if not _nv(h0) > 0:
                raise InputError(f"host_original must be > 0, got {_nv(h0):g}")
            f = i / (m * h0)
            fnote = f"f = {incoming} / ({m:g} x {host} originally present)"
            remaining = h + i / m - h0
            quantities.append(_q(f"{host} balance (remaining + released - original)", remaining, "",
                                 "0 when the measured host and incoming agree with the original host amount"))
        else:
            h0 = h + i / m
            f = i / (m * h0)
            fnote = f"{host} originally present taken as {host} + {incoming}/{m:g} (released host washed away)"
        quantities.append(_q("exchanged_fraction", f, "", fnote))
        if _nv(f) > 1:
            checks.append(
                f"exchanged fraction {_nv(f):.3g} exceeds 1 (by {_sig(f - 1)}): more {incoming} than "
                f"{m:g} per {host} originally present; unbound {incoming} not washed away, a wrong blank, or a wrong {host} amount"
            )
        if added_per_host is not None:
            add = _u(added_per_host)
            found = i / h0
            quantities.append(_q(f"{incoming} found per {host} originally present", found, "mol/mol"))
            quantities.append(_q(f"{incoming} found / added", found / add if _nv(add) > 0 else _u(math.inf), "",
                                 allow_inf=True))
            if _nv(found) > _nv(add):
                checks.append(
                    f"{incoming} found ({_nv(found):.3g} per {host}) exceeds {incoming} added "
                    f"({_nv(add):.3g} per {host}) by {_sig(found - add)}"
                )
            fmax = add / m
            quantities.append(_q("exchanged_fraction_upper_bound", fmax, "", f"f <= added / ({m:g} x host) by mass balance"))
        if particle is not None:
            n = _u((particle.host_cations, particle.host_cations_uncertainty))
            kind = "cluster" if particle.kind == "cluster" else "NC"
            if _nv(h) > 0:
                quantities.append(_q(f"{incoming}_per_{kind}", i / h * n, f"per {kind}",
                                     f"({incoming}/{host}) x {particle.host_cations:g}: measured {host} read as the host originally present "
                                     "(right for dilute doping only)"))
            quantities.append(_q(f"{incoming}_per_{kind}_substitution", f * m * n, f"per {kind}",
                                 f"f x {m:g} x N, f as in exchanged_fraction"))
            quantities.append(_q(f"host_cations_per_{kind}", n, f"per {kind}", particle.source))
            if added_per_particle is not None:
                add = _u(added_per_particle)
                per = i / h0 * n
                if _nv(per) > _nv(add):
                    checks.append(
                        f"{incoming} found per {kind} ({_nv(per):.4g}) exceeds {incoming} added per {kind} "
                        f"({_nv(add):.4g}) by {_sig(per - add)}"
                    )
    elif particle is not None or added_per_host is not None or added_per_particle is not None or host_original is not None:
        raise InputError("per-particle numbers, host_original and added amounts need both incoming and host")

    return DerivedComposition(
        amounts={k: (_nv(v), _sd(v)) for k, v in a.items()},
        quantities=tuple(quantities),
        checks=tuple(checks),
        notes=tuple(notes),
        incoming=incoming,
        host=host,
        anion=anion,
        charge_ratio=m,
        particle=particle,
    )
