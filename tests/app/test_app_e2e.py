"""End to end: ``cationx app --headless`` in a subprocess, driven by Playwright in headless Chromium.

Uses the system's Chromium (Debian package ``chromium``), never a browser downloaded by
Playwright; skips with the reason when Playwright, Chromium or Streamlit is missing.  One
screenshot per page goes to ``$CATIONX_APP_SCREENSHOTS`` (if set) or the test's tmp folder.
The server is stopped in ``finally`` and every wait is bounded (the whole test < 60 s).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import cationx
from cationx.app import PAGES

pytestmark = pytest.mark.slow

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
BUDGET_S = 55.0
# what shows that a page has finished its first run: (CSS selector, how many at least)
READY = {
    "explorer": ("[data-testid='stVegaLiteChart']", 3),
    "fit": ("[data-testid='stFileUploaderDropzoneInput']", 2),
    "powder": ("[data-testid='stVegaLiteChart']", 1),
    "mass-spectrum": ("[data-testid='stVegaLiteChart']", 1),
}


def _chromium() -> str | None:
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(port: int, deadline: float, proc: subprocess.Popen) -> None:
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"cationx app exited with code {proc.returncode}: {out[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail("the app server did not answer /_stcore/health in time")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to ``cationx app`` (it stops its Streamlit child); SIGKILL to the group if stuck."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything of the session left behind
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(timeout=5)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
            return True
    except OSError:
        return False


def test_every_page_renders_in_chromium(tmp_path: Path) -> None:
    if importlib.util.find_spec("streamlit") is None:
        pytest.skip('streamlit is not installed (pip install "cationx[app]")')
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install playwright); the browser test needs it")
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no system Chromium (apt-get install -y chromium); the browser test needs it")
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("CATIONX_APP_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    table = tmp_path / "titration.csv"
    x = np.linspace(0.0, 60.0, 25)
    y = x**6 / (30.0**6 + x**6) + np.random.default_rng(0).normal(0.0, 0.01, x.size)
    table.write_text("ions_per_nc,fraction\n" + "\n".join(f"{a:.6g},{b:.6g}" for a, b in zip(x, y, strict=True)) + "\n")

    start = time.monotonic()
    deadline = start + BUDGET_S
    port = _free_port()
    src = str(Path(cationx.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cationx", "app", "--headless", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_healthy(port, min(deadline, time.monotonic() + 30), proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1800})
                page.set_default_timeout(15_000)
                for k, (_module, title, url, _icon) in enumerate(PAGES):
                    # the first page is the default one, served at the root
                    page.goto(f"http://127.0.0.1:{port}/{'' if k == 0 else url}")
                    page.get_by_role("heading", name=title).first.wait_for()
                    selector, count = READY[url]
                    page.wait_for_function(
                        f"() => document.querySelectorAll({selector!r}).length >= {count}", timeout=20_000
                    )
                    if url == "fit":
                        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(table))
                        page.get_by_role("button", name="Fit").click()
                        page.get_by_text("Fit converged").first.wait_for()
                        page.locator("[data-testid='stImage'] img").first.wait_for()
                    _settle(page, deadline)
                    assert "Page not found" not in page.inner_text("body"), f"page {url} not found"
                    text = page.inner_text("body")
                    assert "Something went wrong" not in text, f"page {url}: {text[:500]}"
                    assert page.locator("[data-testid='stException']").count() == 0, f"page {url} shows a traceback"
                    page.screenshot(path=str(shots / f"{url}.png"))
            finally:
                browser.close()
    finally:
        # SIGTERM to cationx app alone must also stop the server it started
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        stopped_cleanly = proc.poll() is not None and not _answers(port)
        _stop(proc)
    assert stopped_cleanly, "the Streamlit server outlived cationx app after SIGTERM"
    assert sorted(p.name for p in shots.glob("*.png")) == sorted(f"{url}.png" for _, _, url, _ in PAGES)
    assert time.monotonic() - start < 60.0


def _settle(page, deadline: float) -> None:
    """Wait until the script run ends (no 'running' widget), images loaded and charts drawn."""
    while time.monotonic() < deadline:
        if page.locator("[data-testid='stStatusWidget']").count() == 0:
            break
        time.sleep(0.2)
    remaining = max(1_000, int(1000 * (deadline - time.monotonic())))
    page.wait_for_function(
        "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
        " && Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart]'))"
        ".every(c => c.querySelector('canvas, svg.marks'))",
        timeout=min(remaining, 15_000),
    )
    page.wait_for_timeout(500)
