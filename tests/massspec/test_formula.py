"""Formula parser: elements, parentheses, groups, adducts, charge; positioned errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.errors import InputError, ParseError
from cationx.massspec import groups, parse_formula, register_group, unregister_group


def test_seed_formula_with_ligand_group():
    # Yao et al. 2023: L = oleic acid, C18H34O2
    f = parse_formula("Cd34S33(L)")
    assert f.composition == {"C": 18, "H": 34, "Cd": 34, "O": 2, "S": 33}
    assert f.ligands == (("L", 1),)
    assert f.charge == 0
    assert f.hill() == "C18H34Cd34O2S33"


def test_parentheses_and_multipliers():
    assert parse_formula("(Ag2S)14").composition == {"Ag": 28, "S": 14}
    assert parse_formula("Cd2((SCH3)2)3").composition == {"Cd": 2, "S": 6, "C": 6, "H": 18}
    assert parse_formula("Cd34S33(L)2").ligands == (("L", 2),)
    assert parse_formula("[Cd34S33(L)2-L]+").ligands == (("L", 1),)
    assert parse_formula("((L)2)3").ligands == (("L", 6),)
    assert parse_formula("Ag0Cd34S33").composition == {"Cd": 34, "S": 33}


@pytest.mark.parametrize(
    ("text", "composition", "charge"),
    [
        ("[Cd34S33(L)+H]+", {"C": 18, "H": 35, "Cd": 34, "O": 2, "S": 33}, 1),
        ("[Cd34S33(L)-H]-", {"C": 18, "H": 33, "Cd": 34, "O": 2, "S": 33}, -1),
        ("[Ag2Cd32S33+Na]+", {"Ag": 2, "Cd": 32, "S": 33, "Na": 1}, 1),
        ("Ag29S13+", {"Ag": 29, "S": 13}, 1),
        ("Ag29S13^2+", {"Ag": 29, "S": 13}, 2),
        ("[Ag29S13]2-", {"Ag": 29, "S": 13}, -2),
        ("Cd34S33(L)+H+", {"C": 18, "H": 35, "Cd": 34, "O": 2, "S": 33}, 1),
        ("[M+2H]2+".replace("M", "C2H6"), {"C": 2, "H": 8}, 2),
    ],
)
def test_adducts_and_charges(text, composition, charge):
    f = parse_formula(text)
    assert f.composition == composition
    assert f.charge == charge


def test_charge_override():
    assert parse_formula("Ag29S13+", charge=2).charge == 2


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("CdSXx", "unknown element 'Xx'", 4),
        ("Cd(S", "unbalanced parenthesis", 3),
        ("CdS)", "unbalanced parenthesis", 4),
        ("[CdS+H", "unbalanced bracket", 7),
        ("Cd99999999S", "exceeds the limit", 3),
        ("Cd3$", "unexpected character '$'", 4),
        ("3Cd", "a count must follow", 1),
        ("Cd()", "expected an element", 4),
        ("[CdS-H]+", "removes more H", 5),
        ("Cd-3", "a count cannot be negative", 3),
        ("cd3", "start with a capital letter", 1),
    ],
)
def test_positioned_errors(text, message, position):
    with pytest.raises(ParseError) as info:
        parse_formula(text)
    assert message in str(info.value)
    assert info.value.position == position
    assert f"at position {position}" in str(info.value)


def test_empty_and_absurd():
    with pytest.raises(ParseError, match="empty"):
        parse_formula("")
    with pytest.raises(ParseError, match="more than the limit"):
        parse_formula("(C10000)30")
    with pytest.raises(InputError, match="charge must be an integer"):
        parse_formula("CdS", charge=1.5)


def test_group_registry():
    assert groups()["L"].formula == "C18H34O2"
    assert groups()["L"].acid
    register_group("Tol", "C7H8")
    try:
        assert parse_formula("Ag2(Tol)3").composition == {"Ag": 2, "C": 21, "H": 24}
        with pytest.raises(InputError, match="already registered"):
            register_group("Tol", "C7H7")
    finally:
        unregister_group("Tol")
    with pytest.raises(InputError, match="is an element symbol"):
        register_group("Cd", "C2")
    with pytest.raises(InputError, match="capital letter"):
        register_group("oa", "C2")
    with pytest.raises(ParseError, match="unknown element 'Tol'"):
        parse_formula("Tol")


symbols = st.sampled_from(["Cd", "S", "Ag", "Cu", "Se", "C", "H", "O", "Na"])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(symbols, st.integers(1, 60), min_size=1, max_size=6), st.integers(-3, 3))
def test_roundtrip_hill_text(counts, z):
    f = parse_formula("".join(f"{s}{n}" for s, n in counts.items()), charge=z)
    assert f.composition == counts
    g = parse_formula(f.ion_label())
    assert g.composition == counts
    assert g.charge == z


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="CdSAgLHNaXx()[]+-^0123456789 {}e", max_size=20))
def test_parser_fails_only_with_input_errors(text):
    """Arbitrary text either parses or raises InputError (ParseError) with a message."""
    try:
        f = parse_formula(text)
    except InputError as exc:
        assert str(exc)
        if isinstance(exc, ParseError) and exc.position is not None:
            assert 1 <= exc.position <= max(1, len(text.strip()) + 1)
    else:
        assert f.atoms > 0


@pytest.mark.parametrize("text", ["Cd\u00b2S", "Cd\u2082S", "Cd\u0663S", "Cd\uff12S"])
def test_non_ascii_digits_are_refused_with_position(text):
    # superscript, subscript, Arabic-Indic and full-width digits: int() would read some of them
    with pytest.raises(ParseError, match="must be ASCII") as info:
        parse_formula(text)
    assert info.value.position == 3
