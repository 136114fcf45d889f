"""PNG images of report charts, rendered by kaleido in the system's Chromium.

Nothing is ever downloaded: the browser is the one given, else ``BROWSER_PATH``, else a
Chromium or Chrome on the ``PATH`` (Debian's ``chromium`` package installs ``/usr/bin/chromium``).
Starting the browser costs about a second, so ``figure_pngs`` renders many figures in one
browser session; ``figure_png`` is the one-figure convenience.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from threading import Thread

import plotly.graph_objects as go

from crm_core.report.model import ExportError
from crm_core.text_safety import safe_figure

BROWSER_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
"""Executables looked for on the PATH when no browser is named."""

NO_BROWSER = (
    "PNG export needs Chromium: install the Debian package chromium (apt-get install chromium) "
    "or set BROWSER_PATH to a Chromium or Chrome executable"
)


def browser_path(path: str | Path | None = None) -> Path:
    """Return the browser executable to render with.

    Raises
    ------
    ExportError
        No browser at the given path, at ``BROWSER_PATH``, nor on the PATH.
    """
    candidate = path or os.environ.get("BROWSER_PATH") or next(filter(None, map(shutil.which, BROWSER_NAMES)), None)
    if not candidate:
        raise ExportError(f"{NO_BROWSER}.")
    candidate = Path(candidate)
    if not candidate.is_file() or not os.access(candidate, os.X_OK):
        raise ExportError(f"{NO_BROWSER} (no executable browser at {candidate}).")
    return candidate


async def _render(figures: Sequence[go.Figure], options: dict, browser: Path) -> list[bytes]:
    import kaleido  # imported here: starting the app never needs it

    # mathjax=False: kaleido would otherwise fetch MathJax from a CDN, and there is no network.
    async with kaleido.Kaleido(path=str(browser), mathjax=False) as renderer:
        # A copy of each figure with its data-borne texts plain (plotly draws <a>, <span style> as markup).
        return [bytes(await renderer.calc_fig(safe_figure(go.Figure(f)), opts=options)) for f in figures]


def figure_pngs(
    figures: Sequence[go.Figure],
    width: int = 1200,
    height: int = 700,
    scale: float = 2,
    browser: str | Path | None = None,
) -> list[bytes]:
    """Return PNG images of several figures, rendered in one browser session.

    Parameters
    ----------
    figures : sequence of plotly.graph_objects.Figure
    width, height : int
        Size in CSS pixels.
    scale : float
        Pixel density (2 gives a 2400 × 1400 image by default).
    browser : str or Path, optional
        Chromium/Chrome executable; by default ``BROWSER_PATH`` or one on the PATH.

    Raises
    ------
    ExportError
        No browser, or the browser failed to render.
    """
    path = browser_path(browser)
    if not figures:
        return []
    options = {"format": "png", "width": int(width), "height": int(height), "scale": float(scale)}
    outcome: list = []

    def run() -> None:  # own thread and event loop: callers (Streamlit, Jupyter) may already run one
        try:
            outcome.append(asyncio.run(_render(list(figures), options, path)))
        except BaseException as error:  # reported below as an ExportError
            outcome.append(error)

    thread = Thread(target=run, name="report-png")
    thread.start()
    thread.join()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise ExportError(f"PNG export failed in {path}: {type(result).__name__}: {result}") from None
    return result


def figure_png(
    figure: go.Figure, width: int = 1200, height: int = 700, scale: float = 2, browser: str | Path | None = None
) -> bytes:
    """Return one figure as PNG bytes (see ``figure_pngs``; render many at once when you can).

    Raises
    ------
    ExportError
        "PNG export needs Chromium: install the Debian package chromium …" when no browser is found.
    """
    return figure_pngs([figure], width, height, scale, browser)[0]
