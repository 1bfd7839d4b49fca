"""The ``cationx`` command line.

Each sub-command group lives in its own module of this package and is registered here.
Domain code is imported inside command functions so that ``cationx --help`` is fast.
"""

from __future__ import annotations

import typer

from cationx.cli import app as app_cli
from cationx.cli import calc as calc_cli
from cationx.cli import composition as composition_cli
from cationx.cli import coop, ensemble, reproduce, spectra, tem, xrd
from cationx.cli import dsc as dsc_cli
from cationx.cli import kinetics as kinetics_cli
from cationx.cli import ms as ms_cli
from cationx.cli import piecewise as piecewise_cli
from cationx.cli import raman as raman_cli
from cationx.cli import xps as xps_cli
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
app.add_typer(kinetics_cli.app, name="kinetics")
app.add_typer(piecewise_cli.app, name="piecewise")
app.add_typer(calc_cli.app, name="calc")
app.add_typer(xps_cli.app, name="xps")
app.add_typer(raman_cli.app, name="raman")
app.add_typer(dsc_cli.app, name="dsc")
app.add_typer(ms_cli.app, name="ms")
app.add_typer(xrd.app, name="xrd")
app.add_typer(ensemble.app, name="ensemble")
app.add_typer(composition_cli.app, name="composition")
app.add_typer(tem.app, name="tem")
app.command(name="reproduce")(reproduce.reproduce)
app.add_typer(spectra.titration_app, name="titration")
app.add_typer(spectra.spectra_app, name="spectra")
app.command(name="demo")(spectra.demo)
app.command(name="size")(spectra.size)
app.command(name="app")(app_cli.app_cmd)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the cationx version and exit.", is_eager=True),
) -> None:
    if version:
        from cationx import __version__

        typer.echo(__version__)
        raise typer.Exit()
    if ctx.invoked_subcommand is None:  # options but no command: show the help, as a bare `cationx` does
        typer.echo(ctx.get_help())
        raise typer.Exit(code=2)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
