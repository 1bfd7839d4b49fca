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
    "FIT_MAX_ROWS",
    "MAX_INPUT_ROWS",
    "CationxGroup",
    "check_input_rows",
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
    """Top-level group: turns expected errors into one line and exit code 2.

    Click's own usage errors (unknown option, missing argument, a value click rejects) are
    printed the same way: one line ``error: ... (see 'cationx CMD --help')``, exit code 2,
    instead of click's usage block.
    """

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        import sys

        try:  # typer >= 0.20 vendors click as typer._click; older typer uses click itself
            from typer._click import exceptions as click_exc
        except ImportError:  # pragma: no cover
            from click import exceptions as click_exc

        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_exc.NoArgsIsHelpError as exc:
            exc.show()  # a bare group prints its help, as before
            sys.exit(exc.exit_code)
        except click_exc.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx is not None else "cationx"
            typer.echo(f"error: {_one_line(Exception(exc.format_message()))} (see '{path} --help')", err=True)
            sys.exit(2)
        except click_exc.ClickException as exc:
            typer.echo(f"error: {_one_line(Exception(exc.format_message()))}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("interrupted", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        previous = warnings.showwarning
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except CationxError as exc:
            _fail(_one_line(exc))
        except KeyboardInterrupt:  # Ctrl-C: one line, the shell's exit code for SIGINT, no traceback
            typer.echo("interrupted", err=True)
            raise typer.Exit(code=130) from None
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


UNTRUSTWORTHY_EXIT = 3


def exit_if_untrustworthy(result: Any) -> None:
    """Exit code 3 after the output of a fit that was computed but is not trustworthy.

    The project-wide rule: 0 for a trustworthy result (or an honest finding such as "no
    candidate fits"), 2 for bad input, 3 for a fit whose ``converged`` is False (R^2 < 0, a
    parameter at a bound, an undetermined parameter, lack of fit, ...); its reasons go to
    stderr as ``warning:`` lines after the output was printed and written.
    """
    if getattr(result, "converged", True):
        return
    for w in getattr(result, "warnings", ()) or ():
        typer.echo(f"warning: {_one_line(Warning(str(w)))}", err=True)
    raise typer.Exit(code=UNTRUSTWORTHY_EXIT)


def _fail(message: str) -> None:
    """One line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


#: Largest number of data rows a command that fits or filters a whole file accepts.  Above it
#: the command refuses at once (before reading) instead of running for minutes; the message
#: names the limit so the user can bin or crop the data.  Commands may pass a smaller limit.
MAX_INPUT_ROWS = 500_000
#: Smaller limit of the least-squares commands with profile intervals (kinetics, piecewise, xps):
#: their traces rarely exceed a few thousand points, and 1e5 points fit in a few seconds.
FIT_MAX_ROWS = 100_000


def _count_lines(path: Path, stop: int) -> int:
    """Number of lines of a text file, counting no further than ``stop``."""
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
            if n > stop:
                break
    return n


def check_input_rows(path: Path | None, command: str, limit: int | None = None, n_rows: int | None = None) -> None:
    """Refuse an input with more than ``limit`` data rows (default :data:`MAX_INPUT_ROWS`).

    With ``n_rows`` the count is given (after reading, e.g. for mzML); otherwise the lines of
    a text file are counted before it is parsed (a header or comment line or two is allowed for).
    """
    cap = MAX_INPUT_ROWS if limit is None else limit
    if n_rows is None:
        if path is None or not Path(path).is_file() or Path(path).suffix.lower() in {".mzml", ".xml", ".gz", ".zip"}:
            return
        n_rows = _count_lines(Path(path), cap + 64) - 64
    if n_rows > cap:
        where = f"{path}: " if path is not None else ""
        raise InputError(
            f"{where}more than {cap} data rows; {command} is limited to {cap} points so that it finishes "
            "in seconds: bin or crop the data first (e.g. average every k rows)"
        )


def emit_json(obj: Any) -> None:
    """Print ``obj`` as one strict-JSON document on stdout."""
    from cationx.io.write import dumps_json

    typer.echo(dumps_json(obj))


def output_path(path: Path | None, inputs: Iterable[str | Path] = ()) -> Path | None:
    """Check an output path (never an input file, never one another output option names).

    None passes through.  Every output a command checks here is remembered for the rest of
    the invocation, so two options naming one file (``--out a.csv --profile a.csv``) are
    refused instead of one file silently replacing the other.
    """
    if path is None:
        return None
    from cationx.io.write import guard_not_input

    out = guard_not_input(path, inputs)
    _claim_output(out)
    return out


def _current_context() -> Any:
    try:  # typer >= 0.20 vendors click as typer._click
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover
        from click import get_current_context
    return get_current_context(silent=True)


def _option_naming(ctx: Any, path: Path, taken: Iterable[str]) -> str:
    """The option (e.g. ``--plot``) whose value is ``path`` and is not in ``taken``, for messages."""
    used = set(taken)
    for param in getattr(ctx.command, "params", []):
        value = ctx.params.get(param.name)
        name = max(param.opts, key=len) if param.opts else param.name
        if isinstance(value, str | Path) and Path(value) == path and name not in used:
            return name
    return "another output option"


def _claim_output(path: Path) -> None:
    ctx = _current_context()
    if ctx is None:
        return
    claimed: dict[Path, str] = ctx.find_root().meta.setdefault("cationx.outputs", {})
    key = path.expanduser().resolve()
    option = _option_naming(ctx, path, claimed.values())
    if key in claimed:
        raise InputError(f"{claimed[key]} and {option} name the same file {path}: give each output its own path")
    claimed[key] = option
    if option == "--plot":  # refuse an unwritable figure format before any work is done
        from cationx.plot import check_figure_path

        check_figure_path(path)


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

