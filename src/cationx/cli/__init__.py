"""The ``cationx`` command line.

Each sub-command group lives in its own module of this package and is registered here.
Domain code is imported inside command functions so that ``cationx --help`` is fast.
"""

from __future__ import annotations

import typer

from cationx.cli import coop, ensemble, reproduce
from cationx.cli._common import CationxGroup

app = typer.Typer(
    cls=CationxGroup,
    name="cationx",
    help=(
        "Simulate and analyse cation exchange in semiconductor nanocrystals.\n\n"
        "Every command has --help; --json prints machine-readable output on stdout; files are "
        "written only where asked (--out, --plot). Bad input gives one line on stderr and exit code 2."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

app.add_typer(coop.app, name="coop")
app.add_typer(ensemble.app, name="ensemble")
app.command(name="reproduce")(reproduce.reproduce)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the cationx version and exit.", is_eager=True),
) -> None:
    if version:
        from cationx import __version__

        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
