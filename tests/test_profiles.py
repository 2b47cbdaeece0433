"""Locality profiles (DESIGN.md "Profiles"): `profile.html` and `profile.pdf` of a CSP
partner, drawn only from its published (disclosure-controlled) tables.

Most tests render a profile from hand-made published tables (fast, no warehouse); the
last publishes real exports of the small generated drop and reads their manifests.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from exports.profiles import render_profile_files
from exports.profiles.charts import BarChart, HeatMap, LineChart, Series, inline_svg
from exports.profiles.csp import build_csp_profile
from exports.profiles.document import Chart

C, X = "[c]", "[x]"
Q1 = ("2024-25Q1", date(2024, 4, 1), date(2024, 6, 30))
Q2 = ("2024-25Q2", date(2024, 7, 1), date(2024, 9, 30))
R12 = ("12m_to_2024-25Q2", date(2023, 10, 1), date(2024, 9, 30))


def by_period(rows: list[tuple]) -> list[dict]:
    return [{"period": p[0], "period_start": p[1], "period_end": p[2], **r} for p, r in rows]


def published_tables() -> dict[str, pd.DataFrame]:
    """A CSP's tables as disclosure control leaves them: counts or `[c]`/`[x]`."""
    area = []
    for p, n, rate in ((Q1, 151, 3.669), (Q2, 156, 3.791), (R12, 590, 14.337)):
        for level, name in (("district", "Rutland"), ("csp", "Safer Rutland Partnership")):
            area.append((p, {"area_level": level, "area_code": name, "area_name": name,
                             "offences": n, "population": 41151, "rate_per_1000": rate}))
    groups = []
    for p in (Q1, Q2, R12):
        for g, n in (("violence_with_injury", 71), ("homicide", C), ("robbery", 9),
                     ("rape", C), ("all", 156)):
            groups.append((p, {"sv_group": g, "offences": n}))
    months = pd.date_range("2022-10-01", periods=24, freq="MS")
    headlines = []
    for m, n, earlier, change, rate in (
            ("all_serious_violence", 590, 615, -0.0407, 14.337),
            ("knife_enabled_ho", C, C, C, C),
            ("domestic_abuse", 196, 180, 0.0889, 4.763)):
        headlines.append((R12, {"measure": m, "offences": n, "offences_year_earlier": earlier,
                                "change_on_year_earlier": change, "population": 41151,
                                "rate_per_1000": rate}))
    hours = ("0", "6", "12", "18")  # text, as pub_sv_by_weekday_hour holds them
    weekday_hour = [(R12, {"weekday": str(d), "hour": h,
                           "offences": C if (d, h) == (2, "0") else 10 + d + i})
                    for d in range(1, 8) for i, h in enumerate(hours)]
    weekday_hour += [(R12, {"weekday": "unknown", "hour": "unknown", "offences": 7})]
    npa = [(R12, {"npa_name": n, "offences": o, "population": 20000, "rate_per_1000": r})
           for n, o, r in (("Oakham", 300, 15.0), ("Uppingham", C, C), ("Rural", 286, 14.3))]
    people = [(R12, {"role": role, "age_band": band, "sex": sex,
                     "persons": C if (role, band, sex) == ("suspect", "10-17", "F") else 20})
              for role in ("victim", "suspect") for band in ("10-17", "18-24", "25-34")
              for sex in ("F", "M")]
    return {
        "sv_by_area": pd.DataFrame(by_period(area)),
        "sv_by_offence_group": pd.DataFrame(by_period(groups)),
        "sv_by_month": pd.DataFrame({
            "month": [m.date() for m in months], "offences": [40 + i for i in range(24)],
            "knife_or_sharp_object_offences": [C if i % 3 else 5 for i in range(24)],
            "domestic_abuse_offences": [15] * 24, "victim_under_25_offences": [12] * 24}),
        "sv_headlines": pd.DataFrame(by_period(headlines)),
        "sv_by_weekday_hour": pd.DataFrame(by_period(weekday_hour)),
        "sv_by_neighbourhood": pd.DataFrame(by_period(npa)),
        "sv_people_by_age_sex": pd.DataFrame(by_period(people)),
    }


def export_of(partner: str, tables: dict[str, pd.DataFrame]):
    """Just what the profile reads of `exports.publish.Export` and `Built`."""
    export = SimpleNamespace(
        partner=SimpleNamespace(name=partner, owner="Safer Rutland Partnership"),
        fy_quarter="2024-25Q2", reads={t: ("police/crimes",) for t in tables})
    return export, SimpleNamespace(published=tables)


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return render_profile_files(*export_of("csp-rutland", published_tables()))


@pytest.fixture(scope="module")
def page(files) -> str:
    return files["profile.html"].decode("utf-8")


def chart_of(key: str) -> Chart:
    doc = build_csp_profile(*export_of("csp-rutland", published_tables()))
    return next(c for c in doc.charts() if c.spec.key == key)


# ------------------------------------------------------------------------------ files


def test_a_csp_partner_gets_profile_html_and_profile_pdf(files):
    assert set(files) == {"profile.html", "profile.pdf"}
    assert files["profile.pdf"][:5] == b"%PDF-"


def test_partners_other_than_csps_and_opcc_get_no_profile():
    for partner in ("icb", "home_office"):
        assert render_profile_files(*export_of(partner, published_tables())) == {}


def test_the_same_tables_give_the_same_bytes(files):
    again = render_profile_files(*export_of("csp-rutland", published_tables()))
    assert again == files


def test_a_section_whose_table_the_partner_does_not_receive_is_left_out():
    tables = {"sv_by_area": published_tables()["sv_by_area"]}
    doc = build_csp_profile(*export_of("csp-rutland", tables))
    assert [s.heading for s in doc.sections] == ["Headline figures", "About these figures"]


# ------------------------------------------------------------------------------ [c]


def test_the_heat_map_has_a_row_per_weekday_and_hatches_the_suppressed_cell():
    spec = chart_of("weekday-hour").spec
    assert spec.rows[:2] == ("Monday", "Tuesday") and len(spec.rows) == 7
    assert spec.columns == ("00:00", "06:00", "12:00", "18:00")
    assert spec.values[1][0] == C
    assert "Tuesday: 00:00 suppressed" in Chart(spec).alt


def test_a_suppressed_count_is_a_labelled_gap_never_a_bar():
    chart = chart_of("offence-groups")
    svg = inline_svg(chart.spec)
    categories = chart.spec.categories
    drawn = {int(i) for i in re.findall(r'id="offence-groups-bar-0-(\d+)"', svg)}
    for i, (name, value) in enumerate(zip(categories, chart.spec.series[0].values,
                                          strict=True)):
        assert (i in drawn) == (value != C), name
    assert {categories[i] for i in range(len(categories)) if i not in drawn} == {
        "Homicide", "Rape"}
    assert "[c] suppressed" in svg
    assert "Homicide: suppressed" in chart.alt and "Rape: suppressed" in chart.alt


def test_a_suppressed_point_breaks_the_line_and_a_suppressed_cell_is_hatched():
    line = LineChart("l", "Knife offences by month", ("Jan", "Feb", "Mar"),
                     (Series("Knife", (5, C, 7)),), "Offences per month", "Month")
    heat = HeatMap("h", "By day and time", ("Monday", "Tuesday"), ("Day", "Night"),
                   ((3.0, C), (8, 9)), "Day", "Time of day")
    assert "Feb: suppressed" in inline_svg(line) and "Feb: suppressed" in (
        Chart(line).alt)
    assert "Monday: Day 3 , Night suppressed" not in Chart(heat).alt
    assert "Night suppressed" in Chart(heat).alt
    svg = inline_svg(heat)
    assert ">[c]<" in svg or "[c]" in svg


def test_a_suppressed_headline_is_said_never_stated(page):
    text = visible_text(page)
    assert "Knife-enabled offences (Home Office list)" in text
    sentence = next(s for s in re.split(r"(?<=\.)\s", text)
                    if s.startswith("The number of knife-enabled offences (Home Office list)"))
    assert "suppressed" in sentence
    assert not re.search(r"knife-enabled offences \(Home Office list\) in \w+ (rose|fell)",
                         text, re.I)
    assert "Serious violence in Rutland fell by 4% to 590 offences in the 12 months to " \
           "September 2024." in text


def test_suppressed_cells_are_printed_as_c_in_the_tables(page):
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    assert C in cells
    assert not any(re.fullmatch(r"\d+", c) and c in ("1", "2", "3", "4") for c in cells)


# ------------------------------------------------------------------------------ html


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append(dict(attrs).get("id") or "")

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for i in self._open:
            if i:
                self.text[i] = self.text.get(i, "") + data


def visible_text(page: str) -> str:
    body = re.sub(r"<style.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_every_chart_is_an_image_named_by_its_title_and_described_by_its_values(page):
    parsed = _Page()
    parsed.feed(page)
    svgs = [a for t, a in parsed.tags if t == "svg"]
    assert len(svgs) >= 6
    for attrs in svgs:
        assert attrs.get("role") == "img"
        title, desc = (attrs.get("aria-labelledby") or "").split()
        assert parsed.text.get(title, "").strip(), title
        assert parsed.text.get(desc, "").strip(), desc
    ids = [a["id"] for _, a in parsed.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "ids repeat across charts"


def test_the_page_is_self_contained_and_requests_nothing(page):
    assert not re.search(r"https?:", page)
    assert not re.search(r"\bsrc\s*=", page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page))
    # links within the page, and images inlined as data: URIs (the heat map's raster)
    assert all(h.startswith(("#", "data:image/png;base64,"))
               for h in re.findall(r'href="([^"]*)"', page))


def test_the_page_is_marked_up_for_people_and_print(page):
    assert '<html lang="en-GB">' in page
    assert re.search(r"<title>[^<]+</title>", page)
    levels = [int(h) for h in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels))
    assert page.count("<table") == page.count("<caption>")
    assert 'scope="col"' in page and 'scope="row"' in page
    assert "@media print" in page


# ------------------------------------------------------------------------------ pdf


def pdf_page_texts(pdf: Path) -> list[str]:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; fpdf2 cannot read PDFs")
    text = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def test_the_pdf_has_text_on_every_page_and_says_what_is_suppressed(files, tmp_path):
    pdf = tmp_path / "profile.pdf"
    pdf.write_bytes(files["profile.pdf"])
    pages = pdf_page_texts(pdf)
    assert len(pages) > 1
    assert [i + 1 for i, t in enumerate(pages) if not t.strip()] == []
    text = " ".join(" ".join(pages).split())
    assert "fell by 4% to 590 offences" in text
    assert "knife-enabled offences (Home Office list) in Rutland" in text
    assert "suppressed" in text


def test_the_pdf_names_its_title_author_and_language(files):
    data = files["profile.pdf"]
    assert b"/Lang (en-GB)" in data
    assert b"/Title" in data and b"/Author" in data
    assert b"DejaVu" in data  # the embedded font, not a system one


def test_a_chart_with_every_value_suppressed_draws_no_bar():
    spec = BarChart("all-c", "All suppressed", ("A", "B"), (Series("n", (C, X)),),
                    "Offences", "Group")
    svg = inline_svg(spec)
    assert "all-c-bar-" not in svg
    assert "A: suppressed; B: not available" in Chart(spec).alt


# ------------------------------------------------------------------------------ publishing


@pytest.mark.slow
def test_the_manifest_lists_the_profile_of_a_csp_and_none_for_icb_or_the_home_office(
        warehouse, catalog, tmp_path):
    from exports import folder as folders
    from exports.publish import publish_exports

    quarter = "2023-24Q4"
    report = publish_exports(warehouse, tmp_path / "exports", catalog,
                             partners=["csp-rutland", "icb", "home_office"],
                             quarters=[quarter])
    assert {o.outcome for o in report.outcomes} == {"published"}, [
        o.reason for o in report.outcomes]
    for partner in ("csp-rutland", "icb", "home_office"):
        folder = tmp_path / "exports" / quarter / partner
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        listed = {f["name"]: f for f in manifest["files"]}
        has_profile = partner.startswith("csp-")
        for name in ("profile.html", "profile.pdf"):
            assert (name in listed) == has_profile, (partner, name)
            assert (folder / name).exists() == has_profile
            if has_profile:
                assert listed[name]["sha256"] == folders.file_sha256(folder / name)
                assert listed[name]["rows"] is None and listed[name]["reads"] == []


def test_a_grid_of_cells_is_what_one_lookup_per_cell_gives() -> None:
    """`Cells` keys a frame once; each cell is then what `cell(only(...))` gives: the first
    matching row, values compared as text (dates as `astype(str)` writes them), `[x]` for
    a missing row or column."""
    from exports.profiles.common import Cells, cell, only

    frame = pd.DataFrame({
        "period": ["2024-25Q1", "2024-25Q1", "2024-25Q2", "2024-25Q2"],
        "month": pd.to_datetime(["2024-04-01", "2024-04-01", "2024-07-01", "2024-08-01"]),
        "band": [1, 1, "2", None],
        "offences": [3, 99, "[c]", 7],
    })
    grid = Cells(frame, "period", "month", "band")
    asked = [dict(period=p, month=m, band=b)
             for p in ("2024-25Q1", "2024-25Q2", "2025-26Q1")
             for m in ("2024-04-01", "2024-07-01", "2024-08-01")
             for b in (1, "1", "2", None, "None")]
    for where in asked:
        for value in ("offences", "rate"):
            assert grid.get(value, **where) == cell(only(frame, **where), value), where
    assert grid.get("offences", period="2024-25Q1", month="2024-04-01", band=1) == 3
    assert grid.get("offences", period="2024-25Q2", month="2024-08-01", band=None) == 7


def test_the_pdf_is_what_fpdf2s_own_add_font_gives(monkeypatch) -> None:
    """The fonts are parsed once per process (`pdf._add_font`) and, when a document's
    glyphs are all in it, cut down from a smaller copy of the font (`pdf._embed_cut_fonts`);
    nothing a document uses of them (its characters, the font cut down to them) carries
    into the next, and the bytes are those of fpdf2's own `add_font`, cutting the whole
    font down."""
    from dataclasses import replace

    from exports.profiles import pdf

    doc = build_csp_profile(*export_of("csp-rutland", published_tables()))
    other = replace(doc, title="Ŵrëxhåm — Ω ≈ ½ ‰ ✓ € ñ", author="Ærøskøbing ∞ ∑ Ĳ")
    accented = replace(doc, title="Ŵrëxhåm – Ĳsselmonde ‰ ≤ ≥ £ € ½ ✓",
                       author="Ærøskøbing Łódź Šćęń")
    cut: list[tuple[str, ...]] = []
    embed = pdf._embed_cut_fonts
    monkeypatch.setattr(pdf, "_embed_cut_fonts", lambda document: cut.append(embed(document)))
    first = pdf.pdf_bytes(doc)
    between = pdf.pdf_bytes(other)
    again = pdf.pdf_bytes(doc)
    latin = pdf.pdf_bytes(accented)
    # Plain and accented Latin are cut from the copy; Ω (bold title) and ∞ (regular
    # byline) are not in it, so those two styles are cut from the whole font.
    assert cut == [("", "B", "I"), ("I",), ("", "B", "I"), ("", "B", "I")]

    def fpdf2_add_font(document, style: str) -> None:
        document.add_font(pdf.FONT, style, pdf.FONT_DIR / pdf.FONT_FILES[style])

    monkeypatch.setattr(pdf, "_add_font", fpdf2_add_font)
    monkeypatch.setattr(pdf, "_embed_cut_fonts", lambda document: ())
    assert pdf.pdf_bytes(doc) == first == again
    assert pdf.pdf_bytes(other) == between != first
    assert pdf.pdf_bytes(accented) == latin != first


def test_a_font_cut_for_a_set_of_glyphs_is_cut_once_and_given_again_the_same_bytes(
        monkeypatch) -> None:
    """fpdf2 cuts each font down to a document's glyphs when it writes the PDF; the cut
    made of a style's copy for one set of glyphs is remembered (`pdf._CUTS`) and given to
    the next document asking for the same set, not made again. Every PDF is the bytes
    of fontTools cutting afresh, documents with other glyphs included."""
    from dataclasses import replace

    from fontTools import subset

    from exports.profiles import pdf

    doc = build_csp_profile(*export_of("csp-rutland", published_tables()))
    accented = replace(doc, title="Ŵrëxhåm – Ĳsselmonde ‰ ≤ ≥ £ € ½ ✓",
                       author="Ærøskøbing Łódź Šćęń")
    cuts: list[str] = []
    fresh = subset.Subsetter.subset

    def counted(self, font) -> None:
        cuts.append(font.style)
        fresh(self, font)

    monkeypatch.setattr(pdf, "_CUTS", {})
    monkeypatch.setattr(subset.Subsetter, "subset", counted)
    first = pdf.pdf_bytes(doc)
    between = pdf.pdf_bytes(accented)
    again = pdf.pdf_bytes(doc)
    assert cuts == ["", "B", "I", "", "B"]  # the accents: new regular and bold glyphs
    assert len(pdf._CUTS) == 5

    monkeypatch.setattr(pdf._RememberingSubsetter, "subset", fresh)  # always afresh
    assert pdf.pdf_bytes(doc) == first == again
    assert pdf.pdf_bytes(accented) == between != first
