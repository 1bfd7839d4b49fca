"""Shared pieces of the web pages: limits, error display, uploads as bytes, log sliders.

Nothing here computes science: the pages call the public API of the domain packages and
show what it returns.  Every page is wrapped by :func:`guarded`, so a
:class:`~cationx.errors.CationxError` becomes one ``st.error`` line with its message, and
any other exception a short generic message (the traceback goes to the server log only).
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cationx.errors import CationxError, InputError

__all__ = [
    "MAX_DEBYE_SITES",
    "MAX_POINTS",
    "MAX_SITES",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "caught_warnings",
    "check_upload",
    "figure",
    "guarded",
    "json_safe",
    "log_slider",
    "one_line",
    "safe_name",
    "show_warnings",
    "upload_bytes",
    "uploads_in_folder",
]

log = logging.getLogger("cationx.app")

MAX_UPLOAD_MB = 20  # also passed to Streamlit as server.maxUploadSize
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_SITES = 5000  # exchange steps n of the explorer (one solve stays well under a second)
MAX_POINTS = 2000  # titration points / profile points shown
# positions in one Debye cluster (sphere volume / cell volume x atoms per cell, times the size
# nodes of a distribution): a monoclinic Ag2S cluster of 14,000 positions takes ~5 s on one core
MAX_DEBYE_SITES = 10_000


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (as the CLI prints it after ``error:``)."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def guarded(render: Callable[[], None]) -> Callable[[], None]:
    """Wrap a page: expected errors as one ``st.error`` line, anything else as a short message."""

    def page() -> None:
        import streamlit as st

        try:
            render()
        except CationxError as exc:
            st.error(f"error: {one_line(exc)}")
        except Exception as exc:  # a bug: never show the traceback to the user
            # Streamlit's own control-flow exceptions (rerun, stop, page switch) must pass
            if type(exc).__module__.startswith("streamlit"):
                raise
            log.exception("unexpected error on page %s", getattr(render, "__module__", "?"))
            st.error(
                "Something went wrong while computing this page (the details are in the server "
                "log). Change the inputs and try again; if it persists, report it with the inputs."
            )

    page.__name__ = getattr(render, "__name__", "page")
    page.__doc__ = render.__doc__
    return page


def check_upload(name: str, data: bytes) -> bytes:
    """Refuse an upload over :data:`MAX_UPLOAD_MB` (the server refuses bigger ones too)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"{name}: {len(data) / 1e6:.1f} MB is over the {MAX_UPLOAD_MB} MB upload limit")
    if not data:
        raise InputError(f"{name} is empty")
    return data


_SAFE = re.compile(r"[^A-Za-z0-9._+-]")


def safe_name(name: str) -> str:
    """A file name without folders or odd characters (uploads name files in a private folder)."""
    base = Path(str(name).replace("\\", "/")).name
    base = _SAFE.sub("_", base).lstrip(".")
    if not base:
        raise InputError(f"upload name {name!r} is not a usable file name")
    return base[:120]


@contextlib.contextmanager
def uploads_in_folder(files: Mapping[str, bytes]) -> Iterator[dict[str, Path]]:
    """Write uploaded ``{name: bytes}`` into a private temporary folder; yields ``{name: path}``.

    The readers of cationx take paths (they sniff formats by suffix and content); the folder
    and its files are removed when the block ends.
    """
    with tempfile.TemporaryDirectory(prefix="cationx-app-") as tmp:
        paths: dict[str, Path] = {}
        for name, data in files.items():
            check_upload(name, data)
            p = Path(tmp) / safe_name(name)
            p.write_bytes(data)
            paths[name] = p
        yield paths


@contextlib.contextmanager
def caught_warnings() -> Iterator[list[str]]:
    """Collect the toolkit's warnings as one-line strings (shown with ``st.warning``)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out: list[str] = []
        yield out
    seen: set[str] = set()
    for w in rec:
        text = one_line(Warning(str(w.message)))
        if text not in seen:
            seen.add(text)
            out.append(text)


def log_slider(label: str, *, key: str, lo: float, hi: float, default: float, help: str | None = None) -> float:
    """A slider over log10 of a positive constant; returns the constant (10 ** value)."""
    import streamlit as st

    exponent = st.slider(label, min_value=float(lo), max_value=float(hi), value=float(default), step=0.01, key=key, help=help, format="%.2f")
    return float(10.0 ** exponent)


def show_warnings(messages: list[str]) -> None:
    import streamlit as st

    for m in messages:
        st.warning(f"warning: {m}")


def figure(fig: Any) -> None:
    """Show a matplotlib figure and close it (long sessions would otherwise keep them all)."""
    import streamlit as st

    from cationx.plot import close

    st.pyplot(fig, clear_figure=False)
    close(fig)


def upload_bytes(uploaded: Any) -> tuple[str, bytes] | None:
    """``(name, bytes)`` of a Streamlit ``UploadedFile`` (None when nothing was uploaded)."""
    if uploaded is None:
        return None
    return uploaded.name, check_upload(uploaded.name, uploaded.getvalue())


def json_safe(obj: Any) -> Any:
    """A JSON-safe copy (arrays to lists, NaN to None) for ``st.json`` and downloads."""
    import json

    from cationx.io.write import dumps_json

    return json.loads(dumps_json(obj))

