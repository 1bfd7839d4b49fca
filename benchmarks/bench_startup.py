"""Whole-process start-up of the command line: what a user waits for at the terminal.

Each command runs in a fresh ``python`` process (wall clock, output discarded, this checkout's
``src`` first on ``PYTHONPATH``); the table gives the median and the minimum of ``REPEAT`` runs,
taken in rotation so that a burst of load on the shared machine hits every row alike.  The
"floor" rows import only what a command cannot do without (Python, NumPy, Typer, and for the
Debye pattern gemmi for the structure's symmetry); no change inside cationx can go below them.
The pattern path imports no SciPy: small FFT-shell grids use ``numpy.fft``
(``cationx.crystal.debye.fftlib``), the maxima come from ``cationx._peaks`` and the overfill
check of small cells compares all pairs; the SciPy row shows what it would cost.  Targets: ``cationx size``
< 0.3 s; a 6 nm ``xrd debye`` pattern (which computes in ~10 ms) < 0.6 s.

Import costs per module: ``python -X importtime -m cationx xrd debye cu2se-4nm --diameter-nm 6``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPEAT = 9
SRC = str(Path(__file__).resolve().parents[1] / "src")
PY = sys.executable
CLI = [PY, "-m", "cationx"]

COMMANDS = {
    "python -c pass (floor)": [PY, "-c", "pass"],
    "python -c 'import numpy' (floor)": [PY, "-c", "import numpy"],
    "python -c 'import numpy, typer' (floor of every command)": [PY, "-c", "import numpy, typer"],
    "floor of xrd debye: numpy, typer, gemmi": [PY, "-c", "import numpy, typer, gemmi"],
    "the same with scipy.fft, scipy.spatial, scipy.signal (not imported since)": [
        PY, "-c", "import numpy, typer, gemmi, scipy.fft, scipy.spatial, scipy.signal",
    ],
    "python -c 'import scipy.signal' alone": [PY, "-c", "import scipy.signal"],
    "python -c 'import cationx'": [PY, "-c", "import cationx"],
    "python -c 'import cationx.crystal'": [PY, "-c", "import cationx.crystal"],
    "cationx --help": [*CLI, "--help"],
    "cationx size --material CdSe --wavelength-nm 590": [*CLI, "size", "--material", "CdSe", "--wavelength-nm", "590"],
    "cationx xrd debye cu2se-4nm --diameter-nm 6 --json": [*CLI, "xrd", "debye", "cu2se-4nm", "--diameter-nm", "6", "--json"],
}


def measure(repeat: int = REPEAT) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(repeat):
        for label, cmd in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
            times[label].append(time.perf_counter() - t0)
    return times


def compute_only() -> float:
    """In-process time of the 6 nm Debye pattern itself (structure loaded, imports done)."""
    import numpy as np

    sys.path.insert(0, SRC)
    from cationx.crystal.cluster import structure_debye_pattern
    from cationx.crystal.library import load_structure

    st = load_structure("cu2se-4nm")
    tt = np.arange(10.0, 90.0 + 0.01, 0.02)
    structure_debye_pattern(st, 6.0, tt)  # warm caches (grid plan, form factors)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        structure_debye_pattern(st, 6.0, tt).maxima()
        best = min(best, time.perf_counter() - t0)
    return best


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{p} {version(p)}" for p in ("numpy", "scipy", "typer", "click", "pydantic", "gemmi"))


def main() -> str:
    load0 = os.getloadavg()
    times = measure()
    load1 = os.getloadavg()
    lines = [
        "## Command-line start-up (`python benchmarks/run.py startup`)",
        "",
        f"Whole-process wall time of {REPEAT} fresh processes per row (rotating), {time.strftime('%Y-%m-%d %H:%M %Z')}; "
        f"load average (1/5/15 min) {load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f} at the start, "
        f"{load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f} at the end. {versions()}.",
        "",
        "| command | median (s) | min (s) |",
        "|---|---|---|",
    ]
    for label, ts in times.items():
        lines.append(f"| {label} | {statistics.median(ts):.3f} | {min(ts):.3f} |")
    lines += ["", f"The 6 nm Debye pattern itself, in process after its imports: {compute_only() * 1e3:.1f} ms (best of 5)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
