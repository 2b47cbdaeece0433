"""A PDF as a person would see it, page by page, with poppler-utils (Debian's
`poppler-utils`, see README): each page rendered to a PNG (`pdftoppm -r 50 -png`) and its
text extracted (`pdftotext -layout`). A page without text is a blank page, or one whose
words are pictures a reader cannot search, copy or have read aloud.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from support.browser import require_tool


@dataclass(frozen=True)
class PdfPage:
    number: int  # from 1
    png: Path
    text: str


def pdf_pages(pdf: Path | str, out_dir: Path | str, *, resolution: int = 50) -> list[PdfPage]:
    """Render every page of `pdf` to `out_dir/page-<n>.png` and read its text."""
    pdf, out_dir = Path(pdf), Path(out_dir)
    pdftoppm, pdftotext = require_tool("pdftoppm"), require_tool("pdftotext")
    out_dir.mkdir(parents=True, exist_ok=True)
    _run([pdftoppm, "-r", str(resolution), "-png", str(pdf), str(out_dir / "page")])
    # pdftoppm pads the page number to the width of the last one (page-01.png ...).
    pngs = sorted(out_dir.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    text = _run([pdftotext, "-layout", "-enc", "UTF-8", str(pdf), "-"])
    # One form feed ends each page.
    texts = text.split("\f")
    if texts and texts[-1].strip() == "":
        texts = texts[:-1]
    if len(texts) != len(pngs):
        raise AssertionError(f"{pdf.name}: pdftoppm rendered {len(pngs)} pages, "
                             f"pdftotext read {len(texts)}")
    return [PdfPage(i + 1, png, t) for i, (png, t) in enumerate(zip(pngs, texts, strict=True))]


def pages_without_text(pages: list[PdfPage]) -> list[int]:
    return [p.number for p in pages if not p.text.strip()]


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{Path(command[0]).name} failed ({done.returncode}): "
                             f"{done.stderr.strip()}")
    return done.stdout
