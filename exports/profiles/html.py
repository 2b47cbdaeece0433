"""`profile.html`: one self-contained page — CSS inline, charts inline as SVG, no
script, nothing fetched — from a `Document`, through the jinja2 template beside this
module (templates/profile.html.j2)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from exports.profiles.charts import inline_svg
from exports.profiles.document import Chart, Document, Headlines, Paragraph, Table

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        ["html", "j2"]), undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)


@dataclass(frozen=True)
class _View:
    """A block as the template reads it (`kind` says which)."""

    kind: str
    fields: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None


def _view(block: Any) -> _View:
    if isinstance(block, Headlines):
        return _View("headlines", {"tiles": block.tiles})
    if isinstance(block, Paragraph):
        return _View("paragraph", {"text": block.text, "figures": block.figures,
                                   "source": block.source})
    if isinstance(block, Chart):
        # inline_svg escapes the title and description; the rest is matplotlib's own markup
        return _View("chart", {"svg": Markup(inline_svg(block.spec)), "note": block.note})
    if isinstance(block, Table):
        return _View("table", {"caption": block.caption, "header": block.header,
                               "source": block.source,
                               "rows": block.rows,
                               "numeric": [block.is_numeric(i) for i in range(len(block.header))]})
    raise TypeError(f"a profile cannot hold a {type(block).__name__}")


def html_bytes(doc: Document) -> bytes:
    sections = [{"heading": s.heading, "key": s.key or f"section-{i}",
                 "blocks": [_view(b) for b in s.blocks]} for i, s in enumerate(doc.sections, 1)]
    page = _environment().get_template("profile.html.j2").render(
        doc={"title": doc.title, "subtitle": doc.subtitle, "author": doc.author,
             "language": doc.language, "subject": doc.subject, "sections": sections})
    return page.encode("utf-8")
