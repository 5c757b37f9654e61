"""Reading documents back in tests: text with its position and font, and a PNG rendering."""

import io
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: its baseline's start (points from the page's bottom left)."""

    text: str
    x: float
    y: float
    font: str
    size: float


def runs(content: bytes, page: int = 0) -> list[Run]:
    found: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        text = unicodedata.normalize("NFC", text).strip()
        if not text:
            return
        # the text matrix in the current transformation: the run's position on the page
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font.get("/BaseFont", "")) if font else ""
        found.append(Run(text, x, y, name, size * (tm[0] or 1)))

    PdfReader(io.BytesIO(content)).pages[page].extract_text(visitor_text=visit)
    return found


def find(content: bytes, text: str, page: int = 0) -> Run:
    """The first run containing ``text``."""
    all_runs = runs(content, page)
    for run in all_runs:
        if text in run.text:
            return run
    raise AssertionError(f"{text!r} not drawn on page {page}: {[r.text for r in all_runs]}")


def render_png(content: bytes, tmp_path: Path, name: str = "page") -> Path:
    """Page 1 at 60 dpi through poppler's pdftoppm: the document really renders."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed; .ci/run installs it")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)],
        check=True,
        timeout=60,
    )
    png = next(tmp_path.glob(f"{name}*.png"))
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_size > 5000  # something was drawn, not a blank page
    return png
