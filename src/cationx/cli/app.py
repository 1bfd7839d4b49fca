"""``cationx app``: the web explorer (Streamlit) on this computer only."""

from __future__ import annotations

import typer

__all__ = ["HOST", "app_cmd", "streamlit_command"]

HOST = "127.0.0.1"  # never listen beyond this computer
EXTRA_HINT = 'the web explorer needs Streamlit: pip install "cationx[app]"'


def streamlit_command(port: int, headless: bool) -> list[str]:
    """The ``streamlit run`` command line of the app (bound to 127.0.0.1, capped uploads)."""
    import sys

    from cationx.app import ENTRY_SCRIPT
    from cationx.app._common import MAX_UPLOAD_MB

    return [
        sys.executable, "-m", "streamlit", "run", str(ENTRY_SCRIPT),
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true" if headless else "false",
        "--server.maxUploadSize", str(MAX_UPLOAD_MB),
        "--server.maxMessageSize", "200",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--server.showEmailPrompt", "false",
        "--browser.serverAddress", HOST,
        "--browser.serverPort", str(port),
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
        "--theme.base", "light",
    ]


def app_cmd(
    port: int = typer.Option(8501, "--port", help="Port on 127.0.0.1 to serve the app on (1024-65535)."),
    headless: bool = typer.Option(False, "--headless", help="Start the server without opening a browser."),
) -> None:
    """Open the web explorer in a browser: cooperative models, titration fits, powder patterns, mass spectra.

    Serves on http://127.0.0.1:PORT only (not reachable from other computers); uploads are
    capped at 20 MB.  Stop it with Ctrl+C.  Needs the optional extra: pip install "cationx[app]".
    """
    import importlib.util
    import os
    import signal
    import subprocess

    from cationx._validation import check_int
    from cationx.errors import InputError

    port = check_int(port, "--port", minimum=1024, maximum=65535)
    if importlib.util.find_spec("streamlit") is None:
        raise InputError(EXTRA_HINT)
    cmd = streamlit_command(port, headless)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    typer.echo(f"cationx explorer on http://{HOST}:{port} (Ctrl+C stops it)", err=True)
    proc = subprocess.Popen(cmd, env=env)

    def _stop_on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl+C does

    try:
        previous = signal.signal(signal.SIGTERM, _stop_on_term)
    except ValueError:  # not the main thread (embedded use): Ctrl+C still works
        previous = None
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if code:
        raise typer.Exit(code=1)
