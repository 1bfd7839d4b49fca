"""The [fit] table of a titration description: ions per host cation and its older name."""

from __future__ import annotations

import shutil
from importlib import resources

import pytest

from cationx.errors import InputError
from cationx.titration.description import Fit, load_description


def test_ions_per_host_default_and_older_name():
    assert Fit().ions_per_host == 2
    assert Fit(ions_per_site=3).ions_per_host == 3  # older name, one host cation per step
    assert Fit(ions_per_host=1, host_per_site=30).ions_per_host == 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"ions_per_site": 2, "host_per_site": 30}, "ambiguous when host_per_site > 1"),
        ({"ions_per_site": 2, "ions_per_host": 2}, "not also its older name"),
    ],
)
def test_older_name_refused_where_it_is_ambiguous(kw, message):
    with pytest.raises(ValueError, match=message):
        Fit(**kw)


def _demo_copy(tmp_path):
    src = resources.files("cationx") / "data" / "demo"
    for item in src.iterdir():
        if item.is_file():
            shutil.copyfile(str(item), tmp_path / item.name)
    return tmp_path / "demo.toml"


def test_a_description_with_the_older_name_reads_and_a_coarse_one_is_refused(tmp_path):
    toml = _demo_copy(tmp_path)
    text = toml.read_text(encoding="utf-8")
    assert "ions_per_host = 2" in text
    toml.write_text(text.replace("ions_per_host = 2", "ions_per_site = 2"), encoding="utf-8")
    assert load_description(toml).fit.ions_per_host == 2
    toml.write_text(text.replace("ions_per_host = 2", "ions_per_site = 2\nhost_per_site = 3").replace(
        "host_per_site = 1\n", ""), encoding="utf-8")
    with pytest.raises(InputError, match="ions_per_site is ambiguous"):
        load_description(toml)
