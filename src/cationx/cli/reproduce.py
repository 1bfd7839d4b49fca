"""``cationx reproduce``: regenerate a seed paper's computable figures and numbers."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import emit_json


def reproduce(
    paper: str = typer.Argument(..., help="Paper to reproduce (white2013, ...) or 'all'; 'list' shows them."),
    out: Path = typer.Option(Path("results"), "--out", help="Output folder (created if needed); each paper writes into OUT/<paper>/, alone or with 'all'."),
    json_out: bool = typer.Option(False, "--json", help="Print what was written and the computed numbers as JSON."),
) -> None:
    """Regenerate a paper's figures (PNG), tables (CSV) and a Markdown summary into --out/<paper>/."""
    from cationx.plot import use_agg
    from cationx.reproduce import available, run

    if paper == "list":
        for name, mod in available().items():
            typer.echo(f"{name:12s} {mod.TITLE}")
        return
    from cationx.io.write import output_folder

    if paper != "all" and paper not in available():
        run(paper, out)  # raises the unknown-paper error before any folder is made
    use_agg()
    with output_folder(out):  # replaces only files cationx wrote there (manifest .cationx-files)
        results = run(paper, out)
    if json_out:
        emit_json([r.to_dict() for r in results] if paper == "all" else results[0].to_dict())
        return
    for r in results:
        typer.echo(f"{r.paper}: wrote {len(r.files)} files to {r.out_dir}")
        summary = r.out_dir / "SUMMARY.md"
        if summary.exists():
            typer.echo(f"  summary: {summary}")
