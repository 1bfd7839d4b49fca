"""Chemical formulas of ions: elements, parentheses, multipliers, named groups, adducts, charge.

Written here rather than taken from molmass or pyteomics because those parsers do not
carry named ligand groups with a charge rule, and report errors without a position.

Grammar (case-sensitive; no spaces)::

    ion      := "[" body "]" [digits] sign       e.g. [Cd34S33(L)+H]+   [M-H]2-
              | body ["^" [digits] sign | sign]  e.g. Cd34S33(L)+  Ag29S13^2+
    body     := molecule (("+" | "-") [digits] molecule)*     adducts: +H  -H  +Na  +2H
    molecule := unit+
    unit     := (Symbol | Group | "(" molecule ")") [digits]

``Symbol`` is an element symbol (capital letter + lower-case letters); ``Group`` a name in
the group registry (``L`` = oleic acid, C18H34O2; add more with :func:`register_group`).
An adduct such as ``+H`` adds atoms and ``-H`` removes them; the charge is stated
separately (``[M+H]+``), and the electron mass enters the m/z through the charge
(:func:`cationx.massspec.envelope.envelope`).  Errors give a 1-based position:
``unknown element 'Xx' at position 4``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cationx.errors import InputError, ParseError
from cationx.massspec.isotopes import is_element

__all__ = [
    "MAX_ATOMS",
    "MAX_COUNT",
    "Formula",
    "GroupDef",
    "groups",
    "parse_formula",
    "register_group",
    "unregister_group",
]

MAX_COUNT = 10_000  # largest multiplier written in a formula
MAX_ATOMS = 200_000  # largest number of atoms after expansion

_NAME_RE = re.compile(r"^[A-Z][a-z]*$")


@dataclass(frozen=True, slots=True)
class GroupDef:
    """A named group: ``name`` stands for ``formula``.  ``acid`` marks a carboxylic acid
    ligand (descriptive).  In the charge-balance rule a group is a neutral molecule; its
    carboxylate is the acid minus one H (the ``-H`` ionisation mode)."""

    name: str
    formula: str
    counts: tuple[tuple[str, int], ...]
    acid: bool = False
    description: str = ""


_GROUPS: dict[str, GroupDef] = {}


def register_group(name: str, formula: str, *, acid: bool = False, description: str = "", overwrite: bool = False) -> GroupDef:
    """Register a named group usable in formulas (``L`` is oleic acid, C18H34O2, by default).

    ``name`` must look like an element symbol (capital + lower-case letters) without being
    one, so that parsing stays unambiguous.  Re-registering needs ``overwrite=True``.
    """
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InputError(f"group name must be a capital letter followed by lower-case letters, got {name!r}")
    if is_element(name):
        raise InputError(f"group name {name!r} is an element symbol")
    if name in _GROUPS and not overwrite:
        raise InputError(f"group {name!r} is already registered (as {_GROUPS[name].formula}); pass overwrite=True")
    parsed = parse_formula(formula)
    if parsed.charge:
        raise InputError(f"group formula must be neutral, got charge {parsed.charge} in {formula!r}")
    g = GroupDef(name, formula, parsed.counts, bool(acid), description)
    _GROUPS[name] = g
    return g


def unregister_group(name: str) -> None:
    """Remove a user group."""
    if name not in _GROUPS:
        raise InputError(f"no group named {name!r}")
    del _GROUPS[name]


def groups() -> dict[str, GroupDef]:
    """A copy of the group registry."""
    return dict(_GROUPS)


def _hill_key(symbol: str, has_carbon: bool) -> tuple[int, str]:
    if has_carbon and symbol == "C":
        return (0, "")
    if has_carbon and symbol == "H":
        return (1, "")
    return (2, symbol)


def _sorted_counts(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    has_c = counts.get("C", 0) > 0
    return tuple(sorted(((s, int(n)) for s, n in counts.items() if n), key=lambda kv: _hill_key(kv[0], has_c)))


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed ion or molecule: element counts (Hill order), charge, and the source text.

    ``counts`` includes adducts; ``ligands`` counts the named groups written in the text
    (used by the charge-balance rule).
    """

    counts: tuple[tuple[str, int], ...]
    charge: int = 0
    text: str = ""
    ligands: tuple[tuple[str, int], ...] = field(default=())

    @property
    def composition(self) -> dict[str, int]:
        """Element symbol -> count."""
        return dict(self.counts)

    @property
    def atoms(self) -> int:
        return sum(n for _, n in self.counts)

    def hill(self) -> str:
        """Hill-order formula text without the charge (C, H first when C is present)."""
        return "".join(s if n == 1 else f"{s}{n}" for s, n in self.counts)

    def ion_label(self) -> str:
        z = self.charge
        if z == 0:
            return self.hill()
        mag = "" if abs(z) == 1 else str(abs(z))
        return f"[{self.hill()}]{mag}{'+' if z > 0 else '-'}"

    def with_charge(self, charge: int) -> Formula:
        """The same atoms with another charge."""
        return Formula(self.counts, int(charge), self.text, self.ligands)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "formula": self.hill(),
            "composition": self.composition,
            "charge": self.charge,
            "ligands": dict(self.ligands),
        }

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], charge: int = 0, *, ligands: Mapping[str, int] | None = None) -> Formula:
        """Build from a mapping (element symbols only; counts >= 0)."""
        for s, n in counts.items():
            if not is_element(s):
                raise InputError(f"unknown element {s!r}")
            if int(n) < 0:
                raise InputError(f"count of {s} must be >= 0, got {n}")
        sc = _sorted_counts(counts)
        lig = tuple(sorted((k, int(v)) for k, v in (ligands or {}).items() if v))
        return cls(sc, int(charge), "".join(s if n == 1 else f"{s}{n}" for s, n in sc), lig)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.ligands: dict[str, int] = {}

    def error(self, msg: str, pos: int | None = None) -> ParseError:
        p = self.i if pos is None else pos
        return ParseError(f"{msg} at position {p + 1} in {self.text!r}", position=p + 1)

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def digits(self) -> int | None:
        start = self.i
        while self.peek().isdigit():
            self.i += 1
        if self.i == start:
            return None
        n = int(self.text[start : self.i])
        if n > MAX_COUNT:
            raise self.error(f"count {n} exceeds the limit {MAX_COUNT}", start)
        return n

    def molecule(self, depth: int, ligand_mult: int) -> dict[str, int]:
        out: dict[str, int] = {}
        start = self.i
        while True:
            c = self.peek()
            if c == "(":
                open_pos = self.i
                self.i += 1
                inner_start = self.i
                # multiplier is known only after the group; parse with mult 1 then scale
                saved = dict(self.ligands)
                inner = self.molecule(depth + 1, 1)
                if self.peek() != ")":
                    raise self.error("unbalanced parenthesis: '(' is not closed", open_pos)
                if self.i == inner_start:
                    raise self.error("empty parentheses", open_pos)
                self.i += 1
                n = self.digits()
                n = 1 if n is None else n
                added = {k: v - saved.get(k, 0) for k, v in self.ligands.items()}
                for k, v in added.items():
                    self.ligands[k] = saved.get(k, 0) + v * n * ligand_mult
                for s, k in inner.items():
                    out[s] = out.get(s, 0) + k * n
            elif c == ")":
                if depth == 0:
                    raise self.error("unbalanced parenthesis: ')' without '('")
                break
            elif c.isupper():
                tok_start = self.i
                self.i += 1
                while self.peek().islower():
                    self.i += 1
                name = self.text[tok_start : self.i]
                n = self.digits()
                n = 1 if n is None else n
                if is_element(name):
                    out[name] = out.get(name, 0) + n
                elif name in _GROUPS:
                    self.ligands[name] = self.ligands.get(name, 0) + n * ligand_mult
                    for s, k in _GROUPS[name].counts:
                        out[s] = out.get(s, 0) + k * n
                else:
                    raise self.error(f"unknown element {name!r}", tok_start)
            elif c == "" or c in "+-]^":
                break
            elif c.isdigit():
                raise self.error("a count must follow an element, group or ')'")
            elif c.islower():
                raise self.error(f"element symbols start with a capital letter, got {c!r}")
            else:
                raise self.error(f"unexpected character {c!r}")
        if self.i == start:
            raise self.error("expected an element, group or '('")
        return out

    def sign_charge(self) -> int:
        """[digits] sign  ->  signed charge."""
        n = self.digits()
        c = self.peek()
        if c not in "+-" or c == "":
            raise self.error("expected '+' or '-' for the charge")
        self.i += 1
        mag = 1 if n is None else n
        if mag == 0:
            raise self.error("charge magnitude must be >= 1", self.i - 1)
        return mag if c == "+" else -mag

    def body(self) -> dict[str, int]:
        counts = self.molecule(0, 1)
        while self.peek() in ("+", "-") and self.peek() != "":
            sign_pos = self.i
            nxt = self.text[self.i + 1 : self.i + 2]
            if nxt == "" or nxt == "]":
                break  # a trailing sign is the charge
            sign = 1 if self.peek() == "+" else -1
            self.i += 1
            mult = self.digits()
            if self.peek() in ("]", "") and mult is not None:
                if sign < 0:
                    raise self.error(f"a count cannot be negative ('-{mult}'); write a charge as [..]{mult}- or ^{mult}-", sign_pos)
                self.i = sign_pos  # "2+" at the end is a charge
                break
            mult = 1 if mult is None else mult
            add = self.molecule(0, sign * mult)  # "-L" removes a ligand as well as its atoms
            for s, k in add.items():
                counts[s] = counts.get(s, 0) + sign * k * mult
                if counts[s] < 0:
                    raise self.error(f"adduct removes more {s} than the formula holds", sign_pos)
        return counts

    def parse(self) -> Formula:
        text = self.text
        if not text:
            raise ParseError("formula is empty", position=1)
        charge = 0
        if self.peek() == "[":
            self.i += 1
            counts = self.body()
            if self.peek() != "]":
                raise self.error("unbalanced bracket: '[' is not closed" if self.peek() == "" else "expected ']'")
            self.i += 1
            if self.peek() != "":
                charge = self.sign_charge()
        else:
            counts = self.body()
            c = self.peek()
            if c == "^":
                self.i += 1
                charge = self.sign_charge()
            elif c in ("+", "-") and c != "":
                charge = self.sign_charge()
            elif c.isdigit():
                charge = self.sign_charge()
            elif c == "]":
                raise self.error("unbalanced bracket: ']' without '['")
        if self.i != len(text):
            raise self.error(f"unexpected character {self.peek()!r}")
        total = sum(counts.values())
        if total > MAX_ATOMS:
            raise ParseError(f"formula {text!r} has {total} atoms, more than the limit {MAX_ATOMS}")
        if total == 0:
            raise ParseError(f"formula {text!r} holds no atoms")
        return Formula(_sorted_counts(counts), charge, text, tuple(sorted((k, v) for k, v in self.ligands.items() if v)))


def parse_formula(text: str | Formula, *, charge: int | None = None) -> Formula:
    """Parse a formula or ion (see the module docstring for the grammar).

    Parameters
    ----------
    text
        E.g. ``"Cd34S33(L)"``, ``"[Cd34S33(L)+H]+"``, ``"Ag2Cd32S33"``, ``"(Ag2S)14"``.
    charge
        Overrides the charge written in ``text`` (``None`` keeps it; 0 by default).

    Raises
    ------
    ParseError
        With the 1-based position of the problem.
    """
    if isinstance(text, Formula):
        f = text
    else:
        if not isinstance(text, str):
            raise InputError(f"formula must be a string, got {type(text).__name__}")
        stripped = text.strip()
        bad = next((i for i, ch in enumerate(stripped) if not ch.isascii()), None)
        if bad is not None:  # superscripts, subscripts and other scripts' digits are not counts
            raise ParseError(
                f"formula must be ASCII (letters, digits, + - ^ ( ) [ ]): {stripped[bad]!r} at position {bad + 1} "
                f"in {stripped!r} (write Cd2S, not Cd\u00b2S)",
                position=bad + 1,
            )
        f = _Parser(stripped).parse()
    if charge is not None:
        if isinstance(charge, bool) or int(charge) != charge:
            raise InputError(f"charge must be an integer, got {charge!r}")
        f = f.with_charge(int(charge))
    return f


register_group("L", "C18H34O2", acid=True, description="oleic acid (Yao et al. 2023: L = oleic acid)")
