"""``import cationx`` and ``import cationx.crystal`` stay light; the lazy exports resolve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cationx

HEAVY = ("scipy", "pandas", "matplotlib", "numba", "dask", "xraydb")


def _loaded_after(statement: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        f"print(json.dumps(sorted(m for m in {list(heavy)!r} if m in sys.modules)))\n"
    )
    src = str(Path(cationx.__file__).resolve().parents[1])  # this checkout, not an installed copy
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    "statement",
    [
        "import cationx",
        "import cationx.crystal",
        # reading a titration description: the model presets and interval methods are looked
        # up only when a value is checked
        "import cationx.titration\nfrom cationx.titration import TitrationDescription",
        # what a Debye pattern needs before it computes: structures, form factors, the engine
        "import cationx.crystal.structure, cationx.crystal.library, cationx.crystal.formfactors, cationx.crystal.debye",
    ],
)
def test_import_stays_light(statement: str) -> None:
    assert _loaded_after(statement) == []


def test_command_line_help_imports_no_numpy() -> None:
    """`cationx --help` (and every sub-command's help) builds the command tree without NumPy."""
    assert _loaded_after("import cationx.cli", (*HEAVY, "numpy")) == []


def test_io_import_is_light() -> None:
    assert _loaded_after("import cationx.io") == []


def test_debye_pattern_computes_without_scipy_or_pandas() -> None:
    """The `xrd debye` path of a small cluster, maxima and JSON included (issue: start-up)."""
    statement = (
        "import numpy as np\n"
        "from cationx.crystal.cluster import structure_debye_pattern\n"
        "from cationx.crystal.library import load_structure\n"
        "from cationx.io.write import dumps_json\n"
        "p = structure_debye_pattern(load_structure('cu2se-4nm'), 3.0, np.arange(20.0, 60.0, 0.05))\n"
        "dumps_json({'maxima': p.maxima(), 'i': p.intensity})"
    )
    assert _loaded_after(statement) == []


def test_crystal_all_resolves() -> None:
    import cationx.crystal as crystal

    assert crystal.__all__ == sorted(crystal._EXPORTS)
    for name in crystal.__all__:
        assert getattr(crystal, name) is not None, name
        assert name in dir(crystal)
    with pytest.raises(AttributeError):
        crystal.no_such_name  # noqa: B018


def test_crystal_flagship_names() -> None:
    import cationx.crystal as crystal
    from cationx.crystal.cluster import structure_debye_pattern
    from cationx.crystal.library import load_structure
    from cationx.crystal.powder import powder_pattern

    assert crystal.load_structure is load_structure
    assert crystal.powder_pattern is powder_pattern
    assert crystal.structure_debye_pattern is structure_debye_pattern
    for name in ("debye_pattern", "identify_phases", "refine_pattern", "index_d_spacings", "list_structures"):
        assert callable(getattr(crystal, name))
