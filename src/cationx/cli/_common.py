"""Shared pieces of the command-line interface: error handling, JSON output, file output.

Conventions every command follows:

- Domain code is imported inside the command function, so ``cationx --help`` stays fast.
- ``--json`` prints one JSON object on stdout (stable keys) and nothing else on stdout.
- Files are written only where asked (``--out``, ``--plot``), atomically, never over an input.
- A :class:`~cationx.errors.CationxError` (or an ``OSError`` such as a permission problem)
  becomes one line ``error: ...`` on stderr and exit code 2; warnings become one line each
  ``warning: ...`` on stderr.  A traceback means a bug in cationx.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from cationx.errors import CationxError, InputError
from cationx.plot import save_figure

__all__ = [
    "CationxGroup",
    "emit_json",
    "output_path",
    "parse_range",
    "save_figure",
]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def _show_warning(message: Any, category: Any, filename: Any, lineno: Any, file: Any = None, line: Any = None) -> None:
    typer.echo(f"warning: {_one_line(Warning(str(message)))}", err=True)


class CationxGroup(TyperGroup):
    """Top-level group: turns expected errors into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        previous = warnings.showwarning
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except CationxError as exc:
            _fail(_one_line(exc))
        except BrokenPipeError:
            # the reader of stdout went away (e.g. `| head`): stop quietly, as cat does
            import os
            import sys

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(code=0) from None
        except OSError as exc:
            name = getattr(exc, "filename", None)
            reason = exc.strerror or _one_line(exc)
            _fail(f"{reason}: {name}" if name else reason)
        finally:
            warnings.showwarning = previous


def _fail(message: str) -> None:
    """One line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as one strict-JSON document on stdout."""
    from cationx.io.write import dumps_json

    typer.echo(dumps_json(obj))


def output_path(path: Path | None, inputs: Iterable[str | Path] = ()) -> Path | None:
    """Check an output path (never an input file); None passes through."""
    if path is None:
        return None
    from cationx.io.write import guard_not_input

    return guard_not_input(path, inputs)


def parse_range(text: str, name: str) -> tuple[float, float]:
    """Parse ``"A:B"`` or ``"A,B"`` into two floats with A < B."""
    parts = text.replace(",", ":").split(":")
    if len(parts) != 2:
        raise InputError(f"{name} must look like A:B, got {text!r}")
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"{name} must be two numbers A:B, got {text!r}") from None
    if not lo < hi:
        raise InputError(f"{name} must have A < B, got {text!r}")
    return lo, hi

