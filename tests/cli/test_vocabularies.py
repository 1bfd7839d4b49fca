"""CLI help texts name exactly the choices the implementation accepts.

The CLI keeps its startup free of NumPy, so an option's help cannot import the domain module
that owns its vocabulary; the commands validate with that vocabulary (imported when they run),
and this test keeps the help texts in step with it.
"""

from __future__ import annotations

import re

import pytest
import typer.main

from cationx.cli import app
from cationx.crystal.cluster import SHAPES as CLUSTER_SHAPES
from cationx.crystal.debye import METHODS as DEBYE_METHODS
from cationx.crystal.powder import PROFILES
from cationx.fitting import CI_METHODS
from cationx.kinetics.fits import KINETIC_MODELS
from cationx.massspec.assign import DISTRIBUTIONS
from cationx.raman.fit import BASELINES, SHAPES, SHARE
from cationx.xps.backgrounds import BACKGROUNDS

CASES = [
    (("xrd", "simulate"), "--profile", PROFILES),
    (("xrd", "debye"), "--method", DEBYE_METHODS),
    (("xrd", "debye"), "--shape", CLUSTER_SHAPES),
    (("xrd", "build"), "--shape", CLUSTER_SHAPES),
    (("xps", "fit"), "--background", BACKGROUNDS),
    (("xps", "fit"), "--fallback", tuple(b for b in BACKGROUNDS if b != "shirley")),
    (("xps", "fit"), "--ci", CI_METHODS),
    (("raman", "fit"), "--shape", SHAPES),
    (("raman", "fit"), "--share", SHARE),
    (("raman", "fit"), "--baseline", BASELINES),
    (("ms", "series"), "--distribution", DISTRIBUTIONS),
    (("ms", "series"), "--ci", CI_METHODS),
    (("kinetics", "fit"), "--model", KINETIC_MODELS),
    (("kinetics", "fit"), "--ci", CI_METHODS),
    (("piecewise", "fit"), "--ci", CI_METHODS),
]


def _help(path: tuple[str, ...], opt: str) -> str:
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    (param,) = [p for p in cmd.params if opt in p.opts]
    return param.help or ""


@pytest.mark.parametrize(("path", "opt", "vocab"), CASES, ids=[f"{' '.join(c[0])} {c[1]}" for c in CASES])
def test_help_lists_the_vocabulary(path, opt, vocab):
    text = _help(path, opt)
    # the choices are the words joined by " | " (each may carry a parenthesised note)
    listed = text.count(" | ") + 1
    assert listed == len(vocab), text
    for word in vocab:
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (word, text)


def test_app_fit_intervals_are_fitting_methods():
    from cationx.app.fit import CI_CHOICES

    assert set(CI_CHOICES) <= set(CI_METHODS)
