"""Matplotlib figures (adapter layer; matplotlib is imported lazily, with the Agg backend).

Each domain's figures live in a module of this package (``cationx.plot.cooperative``, ...)
and return a :class:`matplotlib.figure.Figure`; saving is the caller's business.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["check_figure_path", "close", "new_figure", "save_figure", "use_agg"]


def use_agg() -> None:
    """Select the non-interactive Agg backend (the CLI does this; notebooks keep theirs)."""
    import matplotlib

    matplotlib.use("Agg")


def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    return plt


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (6.4, 4.4), **kwargs: Any) -> tuple[Any, Any]:
    """``plt.subplots`` with cationx defaults (constrained layout)."""
    plt = _pyplot()
    return plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)


def close(fig: Any) -> None:
    """Close a figure (frees memory in long sessions)."""
    _pyplot().close(fig)


def check_figure_path(path: str | Path) -> str:
    """The format of a figure path (from its suffix, PNG by default); refuse one matplotlib cannot write."""
    from matplotlib.backend_bases import FigureCanvasBase

    target = Path(path)
    fmt = target.suffix.lstrip(".").lower() or "png"
    supported = sorted(FigureCanvasBase.get_supported_filetypes())
    if fmt not in supported:
        from cationx.errors import InputError

        raise InputError(f"cannot write a figure as .{fmt} ({target}); supported extensions: {', '.join(supported)}")
    return fmt


def save_figure(fig: Any, path: str | Path, *, dpi: int = 150) -> Path:
    """Save ``fig`` atomically (format from the suffix, PNG by default) and close it."""
    from cationx.io.write import atomic_write_with

    target = Path(path)
    try:
        fmt = check_figure_path(target)
    except Exception:
        close(fig)
        raise
    try:
        return atomic_write_with(target, lambda tmp: fig.savefig(tmp, dpi=dpi, format=fmt))
    finally:
        close(fig)
