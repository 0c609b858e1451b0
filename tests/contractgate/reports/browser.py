"""Headless Chromium for the HTML report tests: the rendered DOM and a screenshot of a page.

Chromium is a system package (Debian's `chromium`), not a Python one; `scripts/test` installs it when it is
missing. Without it these tests fail and say how to get it: a report nobody has seen rendered is not
checked, and a silent skip would hide that.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def chromium() -> str:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "headless Chromium is required to check index.html but none of "
        f"{', '.join(CANDIDATES)} is on PATH: install it with `apt-get install -y chromium` "
        "(Debian; scripts/test, the README's test command, does this when it is missing)",
        pytrace=False,
    )


def _run(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"chromium exited {done.returncode}: {done.stderr[-2000:]}"
    return done


def rendered_dom(page: Path, profile: Path, *, fragment: str = "") -> str:
    """The DOM after the page loaded and its script ran, serialised.

    (`--dump-dom` itself needs JavaScript, so a page without script is checked by removing its script.)
    """
    dom = _run(page.resolve().as_uri() + fragment, profile, "--dump-dom").stdout
    assert "<html" in dom, "chromium printed no DOM"
    return dom


def screenshot(
    page: Path, png: Path, profile: Path, *, width: int = 1280, height: int = 2000
) -> tuple[int, int]:
    """Write a PNG of the page; returns its (width, height) read from the PNG header."""
    _run(page.resolve().as_uri(), profile, f"--screenshot={png}", f"--window-size={width},{height}")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    size: tuple[int, int] = struct.unpack(">II", header[16:24])
    return size
