"""``cationx kinetics``: fit kinetic traces A(t) and test whether a breakpoint is supported."""

from __future__ import annotations

from pathlib import Path

import typer

from cationx.cli._common import (
    FIT_MAX_ROWS,
    check_input_rows,
    emit_json,
    exit_if_untrustworthy,
    output_path,
    save_figure,
)

app = typer.Typer(
    help="Kinetics of A(t): first-order, two-stage (fitted breakpoint), bi-exponential, log-linear windows.",
    no_args_is_help=True,
)

MODEL_HELP = "first-order | two-stage | biexponential | log-linear-windows (the paper's ln A lines; needs --windows)"


def _read_trace(data: Path, t_col: str, a_col: str, sigma_col: str | None):
    from cationx.io import read_table, select_columns

    check_input_rows(data, "kinetics", limit=FIT_MAX_ROWS)
    frame = read_table(data)
    cols = [t_col, a_col] + ([sigma_col] if sigma_col else [])
    # with the default names, a two-column file without 't'/'a' is read in column order (warned)
    fallback = (t_col, a_col) == ("t", "a") and not sigma_col
    arrays = select_columns(frame, cols, source=data.name, fallback=fallback)
    return arrays[0], arrays[1], (arrays[2] if sigma_col else None)


@app.command("fit")
def fit_cmd(
    data: Path = typer.Argument(..., help="CSV/TXT table (time and signal columns; header row, or two unnamed columns)."),
    model: str = typer.Option("first-order", "--model", help=MODEL_HELP),
    windows: str | None = typer.Option(None, "--windows", help="log-linear-windows only: LO:HI,LO:HI in units of t, e.g. 0:20,20:100 (ends included)."),
    t_col: str = typer.Option("t", "--t-col", help="Column of times (k comes out in the inverse unit). With the defaults, a file of exactly two columns without 't'/'a' is read as time, signal (with a warning)."),
    a_col: str = typer.Option("a", "--a-col", help="Column of the signal (e.g. absorbance)."),
    sigma_col: str | None = typer.Option(None, "--sigma-col", help="Column of per-point standard deviations (weights)."),
    a_inf: float | None = typer.Option(None, "--a-inf", help="Fix the end value A_inf (default: fitted)."),
    ci: str = typer.Option("profile", "--ci", help="Interval method: profile | bootstrap | stderr | none."),
    ci_level: float = typer.Option(0.95, "--ci-level", help="Confidence level of the intervals."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed for bootstrap intervals."),
    json_out: bool = typer.Option(False, "--json", help="Print params {name: {value, stderr, ci_low, ci_high}}, r2, aic, bic as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write data, fit and residuals (CSV)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
) -> None:
    """Fit one kinetic model; report values, standard errors, intervals, R^2, AIC/BIC."""
    from cationx._validation import check_choice
    from cationx.io.write import write_csv
    from cationx.kinetics import KINETIC_MODELS, LogLinearFit, fit_kinetics, parse_windows

    check_choice(model, "--model", KINETIC_MODELS)
    wins = parse_windows(windows) if windows is not None else None
    out_p = output_path(out, [data])
    plot_p = output_path(plot, [data])
    t, a, sigma = _read_trace(data, t_col, a_col, sigma_col)
    if model == "log-linear-windows":
        if sigma_col or a_inf is not None:
            from cationx.errors import InputError

            raise InputError("--sigma-col and --a-inf do not apply to log-linear-windows")
        result = fit_kinetics(t, a, model, windows=wins, ci_level=ci_level)
    else:
        result = fit_kinetics(t, a, model, windows=wins, a_inf=a_inf, sigma=sigma, ci=ci, ci_level=ci_level, rng=seed)
    if out_p:
        write_csv(out_p, result.to_frame().reset_index() if isinstance(result, LogLinearFit) else result.curve_frame())
    if plot_p:
        from cationx.plot import use_agg
        from cationx.plot.kinetics import kinetics_figure

        use_agg()
        save_figure(kinetics_figure(t, a, result), plot_p)
    if json_out:
        emit_json(result.to_dict() if isinstance(result, LogLinearFit) else result.to_dict(arrays=False))
    else:
        typer.echo(result.report())
    exit_if_untrustworthy(result)


@app.command("compare")
def compare_cmd(
    data: Path = typer.Argument(..., help="CSV/TXT table (time and signal columns; header row, or two unnamed columns)."),
    t_col: str = typer.Option("t", "--t-col", help="Column of times (see kinetics fit --help for two-column files)."),
    a_col: str = typer.Option("a", "--a-col", help="Column of the signal."),
    sigma_col: str | None = typer.Option(None, "--sigma-col", help="Column of per-point standard deviations."),
    a_inf: float | None = typer.Option(None, "--a-inf", help="Fix the end value A_inf (default: fitted)."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level of the F-test."),
    json_out: bool = typer.Option(False, "--json", help="Print the fits, F-tests and the verdict as JSON."),
) -> None:
    """First order vs two stage vs bi-exponential: AIC, BIC, F-test; is a breakpoint supported?"""
    from cationx.kinetics import compare_models

    t, a, sigma = _read_trace(data, t_col, a_col, sigma_col)
    cmp = compare_models(t, a, a_inf=a_inf, sigma=sigma, alpha=alpha)
    if json_out:
        emit_json(cmp.to_dict())
    else:
        typer.echo(cmp.to_frame().to_string(float_format=lambda v: f"{v:.5g}"))
        for name, ft in cmp.f_tests.items():
            typer.echo(f"F-test first-order vs {name}: F = {ft.f_statistic:.4g} ({ft.df_num}, {ft.df_den}), p = {ft.p_value:.3g}")
        typer.echo(cmp.verdict)
