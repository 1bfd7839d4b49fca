"""The fit contract of cationx.fitting: one keyword tail, one result shape, reproducible bootstrap."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

from cationx.errors import InputError
from cationx.fitting import FIT_TAIL, FitResult, check_fit_options
from cationx.kinetics import (
    fit_biexponential,
    fit_first_order,
    fit_line,
    fit_piecewise,
    fit_two_stage,
)

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "cationx"


def _trace(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 50.0, n)
    noise = np.random.default_rng(1).normal(0.0, 0.01, n)
    return t, 0.1 + 0.9 * np.exp(-0.1 * t) + noise


def _kinked(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(0.0, 10.0, n)
    y = np.where(x < 5, 1.0 + 2.0 * x, 11.0 + 0.5 * (x - 5)) + np.random.default_rng(2).normal(0, 0.1, n)
    return x, y


FITS = {
    "first_order": lambda tail: fit_first_order(*_trace(), **tail),
    "two_stage": lambda tail: fit_two_stage(*_trace(), **tail),
    "biexponential": lambda tail: fit_biexponential(*_trace(), **tail),
    "piecewise": lambda tail: fit_piecewise(*_kinked(), 1, **tail),
    "line": lambda tail: fit_line(*_kinked(), **tail),
}


def _fit_result(res: object) -> FitResult:
    return res if isinstance(res, FitResult) else res.fit  # type: ignore[attr-defined]


def _intervals(res: object) -> list[tuple[float | None, float | None]]:
    fit = _fit_result(res)
    return [(p.ci_low, p.ci_high) for p in fit.params.values() if p.vary and not p.expr]


def test_tail_names():
    assert FIT_TAIL == ("sigma", "ci", "ci_level", "n_boot", "rng")


@pytest.mark.parametrize("name", sorted(FITS))
def test_same_tail_same_shape_reproducible_bootstrap(name):
    fit = FITS[name]
    tail = {"sigma": None, "ci": "bootstrap", "ci_level": 0.9, "n_boot": 20}
    a = fit({**tail, "rng": 7})
    fr = _fit_result(a)
    assert isinstance(fr, FitResult)
    assert fr.ci_level == 0.9
    assert isinstance(fr.converged, bool)
    assert isinstance(fr.warnings, tuple)
    assert isinstance(a.to_dict(), dict)
    b = fit({**tail, "rng": 7})
    c = fit({**tail, "rng": 8})
    assert _intervals(a) == _intervals(b)
    assert _intervals(a) != _intervals(c)


@pytest.mark.parametrize("name", sorted(FITS))
@pytest.mark.parametrize(
    ("bad", "arg"),
    [({"ci_level": 1.5}, "ci_level"), ({"n_boot": 3}, "n_boot"), ({"sigma": [1.0, 2.0]}, "sigma"),
     ({"sigma": -np.ones(40)}, "sigma"), ({"rng": "seven"}, "rng")],
)
def test_bad_tail_names_the_argument(name, bad, arg):
    with pytest.raises(InputError, match=arg):
        FITS[name](bad)


def test_check_fit_options():
    opts = check_fit_options(sigma=[1.0, 2.0], n=2, ci="bootstrap", ci_level=0.9, n_boot=50, rng=3)
    assert opts.sigma.tolist() == [1.0, 2.0]
    assert opts.generator().random() == np.random.default_rng(3).random()
    with pytest.raises(InputError, match="ci"):
        check_fit_options(ci="wald")


def test_only_fitting_imports_lmfit():
    pattern = re.compile(r"^\s*(import lmfit|from lmfit\b)", re.M)
    offenders = [
        str(p.relative_to(SRC.parent))
        for p in SRC.rglob("*.py")
        if p.name != "fitting.py" or p.parent != SRC
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# ---------------------------------------------------------------- one result shape
def _windows_fit():
    from cationx.kinetics.piecewise import fit_windows

    return fit_windows(*_kinked(), [(0.0, 4.9), (5.1, 10.0)])


def _log_linear():
    from cationx.kinetics.fits import fit_log_linear_windows

    return fit_log_linear_windows(*_trace(), [(0.0, 20.0), (20.0, 50.0)])


def _envelope():
    from cationx.massspec.assign import fit_envelope

    from .massspec.conftest import synth

    return fit_envelope(synth(["Ag2Cd32S33(L)+"], [1.0], shift=0.42, fwhm=0.6, noise=2.0, rng=1), "Ag2Cd32S33(L)+")


def _series():
    from cationx.massspec.assign import fit_series, series_weights

    from .massspec.conftest import synth

    xs = np.arange(8)
    sp = synth([f"Ag{x}Cd{34 - x}S33(L)+" for x in xs], series_weights("normal", xs, 1.3, 0.8), shift=0.3,
               noise=3.0, rng=4)
    return fit_series(sp, "Ag{x}Cd{34-x}S33(L)", x_values=range(8), shift_da=0.3, ci="stderr")


SHAPED = {
    "first_order": lambda: fit_first_order(*_trace()),
    "piecewise": lambda: fit_piecewise(*_kinked(), 1),
    "line": lambda: fit_line(*_kinked()),
    "windows": _windows_fit,
    "log_linear_windows": _log_linear,
    "envelope": _envelope,
    "series": _series,
}


@pytest.mark.parametrize("name", sorted(SHAPED))
def test_every_result_carries_the_verdict(name):
    """Every fit result answers `converged` and `warnings` and puts both in its JSON."""
    res = SHAPED[name]()
    assert isinstance(res.converged, bool)
    assert isinstance(res.warnings, tuple) and all(isinstance(w, str) for w in res.warnings)
    assert res.converged == (not res.warnings) or not res.converged
    d = res.to_dict()
    assert d["converged"] is res.converged
    assert d["warnings"] == list(res.warnings)
    assert res.converged, res.warnings  # clean synthetic data: a trustworthy fit


def test_exact_two_point_line_is_not_a_trusted_fit():
    res = fit_line([0.0, 1.0], [1.0, 3.0])
    assert res.slope.value == pytest.approx(2.0)
    assert not res.converged
    assert "no uncertainty" in res.warnings[0]
    assert res.to_dict()["converged"] is False
