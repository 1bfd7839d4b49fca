from typer.testing import CliRunner

from cationx.cli import app


def test_cli_help_lists_groups():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "coop" in result.output and "reproduce" in result.output
