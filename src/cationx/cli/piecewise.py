"""``cationx piecewise``: piecewise-linear fits with fitted breakpoints or chosen windows."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import FIT_MAX_ROWS, check_input_rows, emit_json, output_path, save_figure

app = typer.Typer(
    help="Piecewise-linear fits: slopes and breakpoints with intervals (e.g. Ag incorporation vs addition).",
    no_args_is_help=True,
)


@app.command("fit")
def fit_cmd(
    data: Path = typer.Argument(..., help="CSV/TXT table with a header row."),
    breakpoints: int | None = typer.Option(None, "--breakpoints", help="Number K of fitted breakpoints (continuous curve; needs >= 2K+3 points)."),
    windows: str | None = typer.Option(None, "--windows", help="Instead of fitted breakpoints: one line per window LO:HI,LO:HI (ends included)."),
    x_col: str = typer.Option("x", "--x-col", help="Column of x. With the defaults, a file of exactly two columns without 'x'/'y' is read as x, y (with a warning)."),
    y_col: str = typer.Option("y", "--y-col", help="Column of y."),
    sigma_col: str | None = typer.Option(None, "--sigma-col", help="Column of per-point standard deviations (fitted breakpoints only)."),
    ci: str = typer.Option("profile", "--ci", help="Interval method for fitted breakpoints: profile | bootstrap | stderr | none."),
    ci_level: float = typer.Option(0.95, "--ci-level", help="Confidence level of the intervals."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed for bootstrap intervals."),
    json_out: bool = typer.Option(False, "--json", help="Print slopes and breakpoints {value, stderr, ci_low, ci_high} as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write the parameter table (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Fit slopes and breakpoints; give --breakpoints K or --windows (one of them)."""
    from cationx.errors import InputError
    from cationx.io import read_table, select_columns
    from cationx.io.write import write_csv
    from cationx.kinetics import fit_piecewise, fit_windows, parse_windows

    if (breakpoints is None) == (windows is None):
        raise InputError("give exactly one of --breakpoints K or --windows LO:HI,LO:HI")
    out_p = output_path(out, [data])
    plot_p = output_path(plot, [data])
    check_input_rows(data, "piecewise fit", limit=FIT_MAX_ROWS)
    frame = read_table(data)
    cols = [x_col, y_col] + ([sigma_col] if sigma_col else [])
    # with the default names, a two-column file without 'x'/'y' is read in column order (warned)
    arrays = select_columns(frame, cols, source=data.name, fallback=(x_col, y_col) == ("x", "y") and not sigma_col)
    x, y = arrays[0], arrays[1]
    if windows is not None:
        if sigma_col:
            raise InputError("--sigma-col applies only with --breakpoints")
        result = fit_windows(x, y, parse_windows(windows), ci_level=ci_level)
    else:
        result = fit_piecewise(x, y, breakpoints, sigma=arrays[2] if sigma_col else None, ci=ci, ci_level=ci_level, rng=seed)
    if out_p:
        write_csv(out_p, result.to_frame().reset_index())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.kinetics import piecewise_figure

        use_agg()
        save_figure(piecewise_figure(x, y, result, x_label=x_col, y_label=y_col), plot_p)
    if json_out:
        emit_json(result.to_dict())
        return
    d = result.to_dict()

    def fmt(p: dict) -> str:
        ci_txt = f" [{p['ci_low']:.4g}, {p['ci_high']:.4g}]" if p["ci_low"] is not None and p["ci_high"] is not None else ""
        se = f" +/- {p['stderr']:.3g}" if p["stderr"] is not None else ""
        return f"{p['value']:.4g}{se}{ci_txt}"

    for j, s in enumerate(d["slopes"], start=1):
        typer.echo(f"slope_{j} = {fmt(s)}")
    for j, b in enumerate(d["breakpoints"], start=1):
        typer.echo(f"breakpoint_{j} = {fmt(b)}")
    if "r2" in d:
        typer.echo(f"R^2 = {d['r2']:.5f}   AIC = {d['aic']:.2f}   BIC = {d['bic']:.2f}")
    for w in d.get("windows", []):
        r2 = "n/a" if w["r2"] is None else f"{w['r2']:.4f}"
        typer.echo(f"window {w['window'][0]:g}:{w['window'][1]:g}  n = {w['n_points']}  R^2 = {r2}")
    for n in d["notes"]:
        typer.echo(f"note: {n}")
