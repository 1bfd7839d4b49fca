"""Run every benchmark script in this folder (or those named) and print their reports.

Usage::

    python benchmarks/run.py              # all bench_*.py
    python benchmarks/run.py cooperative  # bench_cooperative.py only

Each ``bench_<name>.py`` defines ``main() -> str`` that runs its measurements (the peer
program in the same process where there is one) and returns a Markdown section; the
sections are printed and, with ``--write``, stored in ``benchmarks/.out/<name>.md`` to be
copied into ``RESULTS.md`` by hand after review.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    import os

    import numpy
    import scipy

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{time.strftime('%Y-%m-%d')}, {platform.system()} {platform.machine()}, {cpu}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, NumPy {numpy.__version__}, "
        f"SciPy {scipy.__version__}"
    )


def main(argv: list[str]) -> int:
    write = "--write" in argv
    names = [a for a in argv if not a.startswith("--")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
        if not scripts:
            print(f"error: no benchmark named {', '.join(names)}", file=sys.stderr)
            return 2
    print(f"Machine: {machine()}\n")
    for script in scripts:
        spec = importlib.util.spec_from_file_location(script.stem, script)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        section = mod.main()
        print(section)
        if write:
            out = HERE / ".out"
            out.mkdir(exist_ok=True)
            (out / f"{script.stem.removeprefix('bench_')}.md").write_text(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
