"""`profile.pdf`: the same `Document` as the HTML, with fpdf2.

Byte-stable (same document, same bytes): the DejaVu Sans shipped with matplotlib is
embedded (no system font is looked up), the creation date is fixed, charts are the marks
of `exports.profiles.charts` (the HTML's SVG, element by element), drawn as vector paths
and text (exports.profiles.pdf_charts).
Every page carries text: a running header and the page number, besides its content.
Title, author, subject and language are set in the document's metadata; charts carry
their text alternative.
"""

from __future__ import annotations

import copy
import functools
import io
import types
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import fpdf.output
import matplotlib
from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from exports.profiles.charts import chart_marks
from exports.profiles.document import Chart, Document, Headlines, Paragraph, Table
from exports.profiles.pdf_charts import draw_marks, figure

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu Sans"  # the family the charts' SVG text names: the same faces in the PDF
# Same instant as the workbook's pinned timestamps (vrn.xlsx.FIXED_TIME): a profile's
# bytes depend on its content only, so an unchanged export is recognised as unchanged.
CREATED = datetime(2020, 1, 1, tzinfo=UTC)
BLUE = (18, 67, 109)
GREY = (80, 90, 95)
TILE = (243, 242, 241)


class _ProfilePDF(FPDF):
    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_title = running_title

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}   [c] suppressed; [x] not available",
                  align="C")
        self.set_text_color(0, 0, 0)


FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf",
              "I": "DejaVuSans-Oblique.ttf"}  # italic: a chart's [c] and [x]


@functools.cache
def _parsed_font(style: str) -> TTFFont:
    """One style of the font as fpdf2's `add_font` reads it, once per process."""
    pdf = FPDF()
    pdf.add_font(FONT, style, FONT_DIR / FONT_FILES[style])
    return pdf.fonts[f"{FONT.lower()}{style}"]


def _add_font(pdf: FPDF, style: str) -> None:
    """`pdf.add_font(FONT, style, ...)` without parsing the font file again.

    fpdf2 reads every glyph's width and id (about 6,000 glyphs per style) each time: some
    30 ms per style and document. What it reads depends on the file only and is shared;
    what a document changes is its own: the characters it uses (`subset`), the glyphs it
    missed, and the fontTools font, which fpdf2 cuts down in place to the used glyphs
    when it writes the PDF (a fresh, lazily read one per document, so the tables it cuts
    down are still read once per document, when it writes: about 20 ms of the 85 ms of
    three `add_font` calls is saved). The bytes are those of `add_font` (a test compares
    them).
    """
    parsed = _parsed_font(style)
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(parsed.ttffile, recalcTimestamp=False,
                               fontNumber=parsed.collection_font_number, lazy=True)
    font.cw = copy.copy(parsed.cw)  # a defaultdict: looking up a missing glyph adds it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[parsed.fontkey] = font


# The characters profiles are written in (Latin letters, punctuation, £ € and the signs
# the text and charts use): a document whose glyphs are all among them is embedded from
# a smaller copy of the font (`_cut_font`).
CUT_CHARACTERS = (*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2028),
                  *range(0x2030, 0x203B), 0x20AC, 0x2122, *range(0x2190, 0x2194), 0x2212,
                  0x2248, 0x2260, 0x2264, 0x2265, 0x2713, *range(0x25A0, 0x25D0))


@functools.cache
def _cut_font(style: str) -> tuple[bytes, frozenset[str]]:
    """One style of the font cut down to the glyphs of `CUT_CHARACTERS`, and their names.

    When fpdf2 writes a PDF it cuts each font down to the glyphs the document uses
    (fontTools' subsetter), reading the font's outlines, metrics and names to do so:
    from this copy (about 500 glyphs) that takes some 40% of the time it takes from the
    whole font (about 6,000), per style and document (BENCHMARKS.md). The copy keeps every
    table, name, hint and character mapping of its glyphs (glyph names too, which fpdf2
    asks for by name), in the same order, so what fpdf2 embeds is the same bytes (a
    test compares them); a document using any other glyph is embedded from the whole
    font.
    """
    parsed = _parsed_font(style)
    font = ttLib.TTFont(parsed.ttffile, recalcTimestamp=False,
                        fontNumber=parsed.collection_font_number)
    cmap = font.getBestCmap()
    options = subset.Options(
        glyph_names=True, notdef_glyph=True, notdef_outline=True, recommended_glyphs=True,
        hinting=True, legacy_kern=True, symbol_cmap=True, name_IDs=["*"],
        name_languages=["*"], name_legacy=True, layout_features=["*"],
        drop_tables=["FFTM"],  # FontForge's timestamp: fontTools cannot cut it, fpdf2 drops it
        prune_unicode_ranges=False, prune_codepage_ranges=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=sorted({cmap[c] for c in CUT_CHARACTERS if c in cmap}))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), frozenset(font.getGlyphOrder())


def _embed_cut_fonts(pdf: FPDF) -> tuple[str, ...]:
    """Before fpdf2 writes `pdf`: each of its fonts whose used glyphs are all in the cut
    copy of the font is cut down from that copy (`_CutFont`). The styles so embedded."""
    cut = []
    for style in FONT_FILES:
        font = pdf.fonts[f"{FONT.lower()}{style}"]
        data, glyphs = _cut_font(style)
        if glyphs.issuperset(font.subset.get_all_glyph_names()):
            font.ttfont = _CutFont(style, data)
            cut.append(style)
    return tuple(cut)


@dataclass(frozen=True)
class _Cut:
    """What fontTools' subsetter made of a `_CutFont` for one set of glyphs: the font
    file as `TTFont.save` writes it, and the glyph id of each glyph kept."""

    data: bytes
    ids: dict[str, int]


# (style, glyphs and options asked for) -> the cut made. A profile's glyphs recur across
# quarters and partners (among 72 profiles: 4 sets in the regular face, 25 in bold, 4 in
# italic), so most documents' fonts are cut once per process, not once per document.
_CUTS: dict[tuple[Any, ...], _Cut] = {}
_CUTS_KEPT = 512


class _CutFont(ttLib.TTFont):
    """The cut copy of a style (`_cut_font`), as fpdf2 gets it to cut down to a
    document's glyphs when it writes the PDF. Once cut (`_RememberingSubsetter`), it
    answers fpdf2's two questions of the result, the glyph ids and the file, from the
    cut remembered for those glyphs: the same ids and bytes as the font cut afresh."""

    def __init__(self, style: str, data: bytes) -> None:
        super().__init__(io.BytesIO(data), recalcTimestamp=False, lazy=True)
        self.style = style
        self.cut: _Cut | None = None

    def getGlyphID(self, glyphName: str) -> int:
        if self.cut is None:
            return super().getGlyphID(glyphName)
        return self.cut.ids[glyphName]

    def save(self, file: BinaryIO, reorderTables: bool | None = True) -> None:
        if self.cut is None:
            super().save(file, reorderTables)
        else:
            file.write(self.cut.data)


class _RememberingSubsetter(subset.Subsetter):
    """fontTools' subsetter, as fpdf2 calls it when it writes a PDF (`populate` with the
    document's glyphs, then `subset` on the font), remembering what it made of a
    `_CutFont` for each style, set of glyphs and options (`_CUTS`). Any other font is
    cut as fontTools cuts it."""

    def populate(self, glyphs: Any = (), gids: Any = (), unicodes: Any = (),
                 text: str = "") -> None:
        self._asked = (frozenset(glyphs), frozenset(gids), frozenset(unicodes), text)
        super().populate(glyphs=glyphs, gids=gids, unicodes=unicodes, text=text)

    def subset(self, font: ttLib.TTFont) -> None:
        if not isinstance(font, _CutFont):
            super().subset(font)
            return
        key = (font.style, self._asked, repr(sorted(vars(self.options).items())))
        cut = _CUTS.get(key)
        if cut is None:
            super().subset(font)
            out = io.BytesIO()
            ttLib.TTFont.save(font, out)
            cut = _Cut(out.getvalue(), {name: ttLib.TTFont.getGlyphID(font, name)
                                        for name in self._asked[0]})
            if len(_CUTS) >= _CUTS_KEPT:
                _CUTS.clear()
            _CUTS[key] = cut
        font.cut = cut


# fpdf2 cuts fonts down with `fontTools.subset`, as its `output` module names it: that
# module's name is given fontTools' options and the subsetter above instead.
assert fpdf.output.ftsubset is subset, "fpdf2 no longer cuts fonts as it did"
fpdf.output.ftsubset = types.SimpleNamespace(Options=subset.Options,
                                             Subsetter=_RememberingSubsetter)


# fpdf2's line breaking (`fpdf.line_break`): where a line may break, what a line drops.
_BREAKS = frozenset(" \u200b\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
                    "\u205f\u3000\t")
_NBSP = "\u00a0"
# Texts fpdf2 breaks by other rules (a newline, a form feed, a soft hyphen): left to it.
_ITS_OWN = frozenset("\n\r\x0c\u00ad")
_TOLERANCE = 1e-9  # fpdf.util.FloatTolerance
# A text's lines by (face, size, cell margin, scale, width, text): paragraphs and cells
# recur across tables, quarters and partners.
_LINES: dict[tuple[str, float, float, float, float, str], tuple[str, ...] | None] = {}
_LINES_KEPT = 1 << 16


def _wrapped(pdf: FPDF, text: str, width: float) -> tuple[str, ...] | None:
    """The lines fpdf2's `multi_cell(width, h, text, align="L")` draws `text` on, worked
    out from the font's character widths: the same lines, by the same rule and the same
    arithmetic, without fpdf2 measuring the whole line again for each character it adds
    (about 45% of a profile PDF's time went there).

    fpdf2's rule (`MultiLineBreak.get_line`, word wrap): characters are added while the
    line's width plus the next character's stays within the cell's width less its two
    margins; the one that does not fit ends the line there if it is a space (and is
    dropped), else the line ends at its last space (dropped), else before that character.
    A no-break space is drawn as a space. None when fpdf2 must break the text itself: a
    newline, form feed or soft hyphen in it, text shaping or spacing set, or a character
    wider than the cell."""
    font = pdf.current_font
    if (pdf.text_shaping or pdf.char_spacing or pdf.font_stretching != 100
            or not isinstance(font, TTFFont)):
        return None
    if width == 0:
        width = pdf.w - pdf.r_margin - pdf.x
    key = (font.fontkey, pdf.font_size_pt, pdf.c_margin, pdf.k, width, text)
    if key in _LINES:
        return _LINES[key]
    lines = _break_lines(text, font.cw, pdf.font_size_pt, pdf.k,
                         width - pdf.c_margin - pdf.c_margin)
    if len(_LINES) >= _LINES_KEPT:
        _LINES.clear()
    _LINES[key] = lines
    return lines


def _break_lines(text: str, widths: dict[int, int], size_pt: float, k: float,
                 limit: float) -> tuple[str, ...] | None:
    """`_wrapped`'s lines of `text` (`widths`: the font's advance widths, 1/1000 em)."""
    if _ITS_OWN.intersection(text):
        return None
    lines: list[str] = []
    start, end = 0, len(text)
    while start < end:
        chars: list[str] = []
        units = 0  # the line's width, in the font's units (as fpdf2 adds them up)
        space = None  # the last space met: (characters before it, where it is)
        at = start
        while at < end:
            char = text[at]
            if units * size_pt * 0.001 / k + widths[ord(char)] * size_pt * 0.001 / k \
                    - limit > _TOLERANCE:
                if char in _BREAKS:
                    lines.append("".join(chars))
                    start = at + 1
                elif space is not None:
                    lines.append("".join(chars[:space[0]]))
                    start = space[1] + 1
                elif chars:
                    lines.append("".join(chars))
                    start = at
                else:
                    return None  # fpdf2 cannot draw it either: let it say so
                break
            if char in _BREAKS:
                space = (len(chars), at)
            drawn = " " if char == _NBSP else char
            chars.append(drawn)
            units += widths[ord(drawn)]
            at += 1
        else:
            if units:
                lines.append("".join(chars))
            start = end
    return tuple(lines) or ("",)  # fpdf2 draws an empty text as one empty line


def _text(pdf: FPDF, w: float, h: float, text: str, new_x: XPos = XPos.LMARGIN,
          new_y: YPos = YPos.NEXT) -> None:
    """`pdf.multi_cell(w, h, text, align="L", new_x=new_x, new_y=new_y)`, its lines
    broken by `_wrapped` and each drawn with `cell`, as `multi_cell` draws them (the PDF
    is the same bytes)."""
    if w == 0:
        w = pdf.w - pdf.r_margin - pdf.x
    lines = _wrapped(pdf, text, w)
    if lines is None:
        pdf.multi_cell(w, h, text, align="L", new_x=new_x, new_y=new_y)
        return
    last = len(lines) - 1
    for i, line in enumerate(lines):
        pdf.cell(w, h, line, align="L", new_x=new_x if i == last else XPos.LEFT,
                 new_y=new_y if i == last else YPos.NEXT)


def pdf_bytes(doc: Document) -> bytes:
    pdf = _ProfilePDF(doc.title)
    for style in FONT_FILES:
        _add_font(pdf, style)
    pdf.set_title(doc.title)
    pdf.set_author(doc.author)
    pdf.set_subject(doc.subject)
    pdf.set_keywords(", ".join(doc.keywords))
    pdf.set_creator("vrn-warehouse")
    pdf.set_producer("vrn-warehouse (fpdf2)")
    pdf.set_lang(doc.language)
    pdf.set_creation_date(CREATED)
    pdf.set_display_mode("fullwidth")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()

    pdf.set_font(FONT, "B", 18)
    pdf.set_text_color(*BLUE)
    _text(pdf, 0, 8, doc.title)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font(FONT, "", 11)
    _text(pdf, 0, 5.5, doc.subtitle)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    _text(pdf, 0, 5, f"Published by {doc.author}.")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)

    for section in doc.sections:
        _heading(pdf, section.heading, _lead_height(pdf, section.blocks))
        for block in section.blocks:
            if isinstance(block, Headlines):
                _tiles(pdf, block)
            elif isinstance(block, Paragraph):
                _paragraph(pdf, block.text)
            elif isinstance(block, Chart):
                _chart(pdf, block)
            elif isinstance(block, Table):
                _table(pdf, block)
    _embed_cut_fonts(pdf)
    return bytes(pdf.output())


def _lead_height(pdf: FPDF, blocks: tuple) -> float:
    """The leading paragraphs and the first block after them: kept with the heading."""
    total = 0.0
    for block in blocks:
        total += _height(pdf, block)
        if not isinstance(block, Paragraph):
            break
    return min(total, pdf.eph - 30)


def _height(pdf: FPDF, block: object) -> float:
    """Roughly how tall a block starts: a heading is kept with it."""
    if isinstance(block, Chart):
        w_pt, h_pt, _ = chart_marks(block.spec)
        return pdf.epw * h_pt / w_pt
    if isinstance(block, Headlines):
        return 33.0
    if isinstance(block, Paragraph):
        return 5.0 * (1 + len(block.text) // 95) + 1.5
    return 25.0


def _heading(pdf: FPDF, text: str, keep: float) -> None:
    if pdf.will_page_break(keep + 14):
        pdf.add_page()
    pdf.ln(3)
    pdf.start_section(text, level=0)
    pdf.set_font(FONT, "B", 14)
    pdf.set_text_color(*BLUE)
    _text(pdf, 0, 7, text)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(*BLUE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", 10)
    _text(pdf, 0, 5, text)
    pdf.ln(1.5)


def _tiles(pdf: FPDF, block: Headlines) -> None:
    per_row, gap = 3, 3.0
    width = (pdf.epw - gap * (per_row - 1)) / per_row
    height = 30.0
    for start in range(0, len(block.tiles), per_row):
        if pdf.will_page_break(height + gap):
            pdf.add_page()
        y = pdf.get_y()
        for i, tile in enumerate(block.tiles[start:start + per_row]):
            x = pdf.l_margin + i * (width + gap)
            pdf.set_fill_color(*TILE)
            pdf.rect(x, y, width, height, style="F")
            pdf.set_fill_color(*BLUE)
            pdf.rect(x, y, 1.4, height, style="F")
            pdf.set_xy(x + 3, y + 1.5)
            pdf.set_font(FONT, "B", 8)
            _text(pdf, width - 4, 3.6, tile.label, XPos.LEFT)
            pdf.set_x(x + 3)
            pdf.set_font(FONT, "B", 15)
            pdf.set_text_color(*BLUE)
            pdf.cell(width - 4, 7, tile.value, new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_text_color(*GREY)
            pdf.set_font(FONT, "", 7)
            for line in (tile.period, tile.change, tile.rate):
                pdf.set_x(x + 3)
                _text(pdf, width - 4, 3.2, line, XPos.LEFT)
            pdf.set_text_color(0, 0, 0)
        pdf.set_xy(pdf.l_margin, y + height + gap)
    pdf.ln(1)


def _chart(pdf: FPDF, block: Chart) -> None:
    w_pt, h_pt, marks = chart_marks(block.spec)
    width = pdf.epw
    height = width * h_pt / w_pt
    if pdf.will_page_break(height + 4):
        pdf.add_page()
    # The page's colours after a chart are black, as they were when fpdf2 drew it from
    # its SVG (a tile's or a table's fill does not carry on past it).
    pdf.set_fill_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
    with figure(pdf, block.title, block.alt):
        draw_marks(pdf, marks, FONT, pdf.l_margin, pdf.get_y(), width / w_pt)
    pdf.set_y(pdf.get_y() + height)
    pdf.set_y(pdf.get_y() + 1)
    if block.note:
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*GREY)
        _text(pdf, 0, 4, block.note)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


ROW_HEIGHT = 4.2  # one line of a table's text, mm
HEADING_FILL = (225, 230, 236)
# Every body row is shaded: fpdf2's `table()` filled the rows its zebra mode skipped with
# the page's fill colour, which the renderer set to the zebra's, so the shading was even.
ROW_FILL = (247, 247, 247)


# Whether a text fits on one line of a cell, by (face, size, cell margin, width, text):
# the same labels, headings and figures recur in every table, quarter and partner of a
# run (about three cells in four).
_FITS: dict[tuple[str, float, float, float, str], bool] = {}
_FITS_KEPT = 1 << 16


def _cell_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """A cell's text as the lines it is drawn on: most fit on one, measured; the few
    that do not are broken as fpdf2 breaks them (`_wrapped`).

    The fonts' widths are the same in every document (`_parsed_font`), so whether a text
    fits is measured once per process, and how it breaks too. fpdf2 broke a text that
    does not fit by drawing it in a dry run, which gave the document's font a code for
    each character drawn, in the order drawn, before any cell of the table was drawn; the
    PDF's bytes depend on that order, so the same codes are given here, in the same
    order (a text that fits gets its codes when it is drawn, as before)."""
    if not text:
        return [""]
    key = (pdf.current_font.fontkey, pdf.font_size_pt, pdf.c_margin, width, text)
    fits = _FITS.get(key)
    if fits is None:
        fits = pdf.get_string_width(text) <= width - 2 * pdf.c_margin
        if len(_FITS) >= _FITS_KEPT:
            _FITS.clear()
        _FITS[key] = fits
    if fits:
        return [text]
    lines = _wrapped(pdf, text, width)
    if lines is None:
        return list(pdf.multi_cell(width, ROW_HEIGHT, text, dry_run=True,
                                   output="LINES")) or [""]
    pick = pdf.current_font.subset.pick
    for line in lines:
        for char in line:
            pick(ord(char))
    return list(lines)


def _row_height(lines: list[list[str]]) -> float:
    return ROW_HEIGHT * max(len(cell) for cell in lines)


def _table(pdf: FPDF, block: Table) -> None:
    """A table with its heading row repeated on each page it runs onto, rows shaded,
    horizontal rules between rows; text wraps within its column and is centred
    in its row's height.

    Drawn cell by cell with `cell` (fpdf2's `table()` draws each cell twice with
    `multi_cell`, once to measure it: some 0.8 ms a cell against 0.1 ms, and a profile
    has about 850 cells)."""
    pdf.set_font(FONT, "B", 9)
    if pdf.will_page_break(20):
        pdf.add_page()
    _text(pdf, 0, 5, block.caption)
    n = len(block.header)
    first = min(60.0, max(35.0, pdf.epw * (0.4 if n <= 3 else 0.3)))
    rest = (pdf.epw - first) / max(n - 1, 1)
    widths = (first, *([rest] * (n - 1)))[:n]
    lefts = [pdf.l_margin + sum(widths[:j]) for j in range(n)]
    right = pdf.l_margin + sum(widths)
    aligns = ["R" if block.is_numeric(j) else "L" for j in range(n)]

    def laid_out(cells: tuple[str, ...], style: str) -> list[list[str]]:
        pdf.set_font(FONT, style, 8)
        return [_cell_lines(pdf, str(c), w) for c, w in zip(cells, widths, strict=False)]

    def draw(i: int, lines: list[list[str]], style: str, fill: tuple[int, int, int],
             last: bool) -> None:
        height = _row_height(lines)
        y = pdf.get_y()
        pdf.set_fill_color(*fill)
        pdf.rect(pdf.l_margin, y, right - pdf.l_margin, height, style="F")
        if i > 0:
            pdf.line(pdf.l_margin, y, right, y)
        if not last:
            pdf.line(pdf.l_margin, y + height, right, y + height)
        pdf.set_font(FONT, style, 8)
        for cell, x, w, align in zip(lines, lefts, widths, aligns, strict=False):
            top = y + (height - ROW_HEIGHT * len(cell)) / 2
            for k, line in enumerate(cell):
                if line:
                    pdf.set_xy(x, top + k * ROW_HEIGHT)
                    pdf.cell(w, ROW_HEIGHT, line, align=align)
        pdf.set_xy(pdf.l_margin, y + height)

    heading = laid_out(block.header, "B")
    body = [laid_out(row, "") for row in block.rows]
    if body and pdf.will_page_break(_row_height(heading) + _row_height(body[0])):
        pdf.add_page()  # never a heading row alone at the foot of a page
    draw(0, heading, "B", HEADING_FILL, not body)
    for i, lines in enumerate(body, start=1):
        if pdf.will_page_break(_row_height(lines)):
            pdf.add_page()
            draw(0, heading, "B", HEADING_FILL, False)
        draw(i, lines, "", ROW_FILL, i == len(body))
    pdf.set_fill_color(*ROW_FILL)  # what the page's next fill inherits, as before
    pdf.ln(3)
