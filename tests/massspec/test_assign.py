"""Envelope fits and exchange-series fits: simulate, then fit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cationx.errors import InputError, InterpretationWarning, ParseError
from cationx.massspec.assign import expand_family, fit_envelope, fit_series, series_weights

from .conftest import synth


def test_envelope_fit_recovers_shift_and_width():
    sp = synth(["Ag2Cd32S33(L)+"], [1.0], shift=0.42, fwhm=0.6, noise=2.0, rng=1)
    fit = fit_envelope(sp, "Ag2Cd32S33(L)+")
    assert fit.shift_da == pytest.approx(0.42, abs=0.02)
    assert fit.fwhm_da == pytest.approx(0.6, abs=0.02)
    assert fit.score > 0.99
    assert fit.observed_most_abundant_mz == pytest.approx(5154.05 + 0.42, abs=0.03)
    # a wrong formula (one Ag fewer) scores worse
    wrong = fit_envelope(sp, "AgCd33S33(L)+", max_shift_da=1.0)
    assert wrong.score < fit.score - 0.01
    assert wrong.fit.chisqr > 10 * fit.fit.chisqr


def test_expand_family():
    members = expand_family("Ag{x}Cd{34-x}S33(L)")
    assert len(members) == 35
    assert members[2][1].composition["Ag"] == 2 and members[2][1].composition["Cd"] == 32
    assert [m[0] for m in expand_family("Ag{2*x}S{x}", [13, 14])] == [13, 14]
    # the shorthand of the paper and the issue
    short = expand_family("AgxCd34-xS33(L)")
    assert [m[1].composition for m in short] == [m[1].composition for m in members]
    with pytest.raises(ParseError, match="only x, integers"):
        expand_family("Ag{y}S")
    with pytest.raises(ParseError, match="must contain a count in x"):
        expand_family("AgS")
    with pytest.raises(InputError, match="negative count"):
        expand_family("Ag{x}Cd{2-x}", [3])


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("Ag{9**9**9}S", "powers"),
        ("Ag{x0}S", "unexpected '0'"),
        ("Ag{__import__('os')}S", "unexpected '_'"),
        ("Ag{(x}S", "missing"),
        ("Ag{}S", "empty count"),
        ("Ag{99999999}S", "limit of 1000000"),
        ("Ag{x*1000*1000*1000}S", "limit of 1000000"),
        ("Ag{x" + "+1" * 40 + "}S", "longer than"),
    ],
)
def test_expand_family_refuses_anything_but_small_arithmetic(template, why):
    # the counts are read by a small parser, never by eval: no power, name, call or huge value
    with pytest.raises(ParseError, match=why):
        expand_family(template, [2])


def test_expand_family_arithmetic():
    (member,) = expand_family("Ag{-(-x)+2*(x-1)}Cd{ 3 * x }S", [4])
    assert member[1].composition["Ag"] == 10 and member[1].composition["Cd"] == 12


def test_series_weights_mean_is_exact():
    xs = np.arange(12)
    for mean, sd in [(1.3, 0.8), (0.2, 1.5), (6.0, 2.0)]:
        w = series_weights("normal", xs, mean, sd)
        assert w.sum() == pytest.approx(1.0)
        assert np.dot(w, xs) == pytest.approx(mean, abs=1e-9)
    # binomial: the parameter is n p of the full distribution (exact over all members)
    wb = series_weights("binomial", np.arange(35), 2.0, n_sites=34)
    assert np.dot(wb, np.arange(35)) == pytest.approx(2.0, abs=1e-9)


def test_series_fit_recovers_mean_ag_count(exchange_spectrum):
    """Known distribution (mean 1.3, sd 0.8), calibrated spectrum: mean back within 0.05."""
    res = fit_series(exchange_spectrum, "Ag{x}Cd{34-x}S33(L)", x_values=range(12), shift_da=0.3)
    assert res.mean == pytest.approx(1.3, abs=0.05)
    assert res.mean_ci[0] < 1.3 < res.mean_ci[1] or abs(res.mean - 1.3) < 0.01
    assert res.spread == pytest.approx(0.8, abs=0.1)
    assert res.score > 0.999


def test_series_fit_free_shift_warns_about_the_trade_off(exchange_spectrum):
    """With a free shift, solutions 1 Da apart fit nearly equally: they must be reported."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_series(exchange_spectrum, "Ag{x}Cd{34-x}S33(L)", x_values=range(12), ci="stderr")
    candidates = [(res.mean, res.shift_da)] + [(a["mean"], a["shift_da"]) for a in res.alternatives]
    assert any(abs(m - 1.3) < 0.05 and abs(s - 0.3) < 0.05 for m, s in candidates)
    if res.alternatives:
        assert any(issubclass(w.category, InterpretationWarning) for w in caught)


def test_series_binomial_recovers_binomial():
    xs = np.arange(10)
    w = series_weights("binomial", xs, 2.5, n_sites=34)
    sp = synth([f"Ag{x}Cd{34 - x}S33(L)+" for x in xs], w, noise=2.0, rng=3)
    res = fit_series(sp, "Ag{x}Cd{34-x}S33(L)", x_values=range(10), distribution="binomial", n_sites=34, shift_da=0.0, ci="stderr")
    assert res.mean == pytest.approx(2.5, abs=0.05)
