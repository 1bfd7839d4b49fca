"""Whole-process start-up of the command line: what a user waits for at the terminal.

Each command runs in a fresh ``python -m cationx`` process (best of 7 wall-clock times, output
discarded); ``python -c pass`` and ``python -c "import numpy"`` in the same loop give the floor
that no cationx change can remove.  Targets: ``cationx size`` < 0.3 s; a 6 nm ``xrd debye``
pattern (which computes in ~10 ms) < 0.6 s.
"""

from __future__ import annotations

import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "python -c 'import numpy' (floor)": [sys.executable, "-c", "import numpy"],
    "cationx --help": [sys.executable, "-m", "cationx", "--help"],
    "cationx size --material CdSe --wavelength-nm 590": [
        sys.executable, "-m", "cationx", "size", "--material", "CdSe", "--wavelength-nm", "590",
    ],
    "cationx xrd debye cu2se-4nm --diameter-nm 6 --json": [
        sys.executable, "-m", "cationx", "xrd", "debye", "cu2se-4nm", "--diameter-nm", "6", "--json",
    ],
}


def best_of(cmd: list[str], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> str:
    import os

    lines = [
        "## Command-line start-up (`python benchmarks/run.py startup`)",
        "",
        f"Whole-process wall time, best of 7, fresh process each; load average {os.getloadavg()[0]:.1f} at the start.",
        "",
        "| command | seconds |",
        "|---|---|",
    ]
    for label, cmd in COMMANDS.items():
        lines.append(f"| {label} | {best_of(cmd):.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
