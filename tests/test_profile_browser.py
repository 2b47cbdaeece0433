"""Profiles checked as a person would see them (DESIGN.md "Profiles"): `profile.html`
opened from disk in headless Chromium with the network cut off — no console error, no
request, every chart drawn, a screenshot saved — and `profile.pdf` rendered to images
with text on every page; every figure the page prints is in the partner's CSVs, and a
`[c]` in the CSVs is said, not printed as a number.

The checkers are first tested on hand-written pages (`tests/support/profiles/`): a good
one passes, a bad one and the good one with one fault added fail on that fault. Then
the real profiles of a published export of the small generated drop go through them.

Chromium and poppler-utils are Debian packages (README, Tests). Without them these tests
fail; `VRN_ALLOW_NO_BROWSER=1` makes them skip instead, on a machine without them.
Set `VRN_SCREENSHOTS=DIR` to keep the screenshots and PDF pages for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.browser import offline_browser, open_offline
from support.pdf_pages import pages_without_text, pdf_pages
from support.profile_figures import (
    printed_numbers,
    read_csvs,
    says_suppressed,
    suppressed_cells_shown_as_numbers,
    suppressed_tables,
    unmatched_figures,
)

FIXTURES = Path(__file__).parent / "support" / "profiles"
GOOD = FIXTURES / "good" / "profile.html"
BAD = FIXTURES / "bad_profile.html"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

QUARTER = "2023-24Q4"
CSP = "csp-rutland"
T0 = datetime(2024, 7, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def browser():
    with offline_browser() as chromium:
        yield chromium


def keep(path: Path, name: str) -> None:
    """Copy a screenshot or page image to `VRN_SCREENSHOTS` for people to look at."""
    target = os.environ.get("VRN_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)


def with_fault(tmp_path: Path, fault: str, where: str = "</main>") -> Path:
    """The good page with `fault` added, beside copies of its CSVs."""
    folder = tmp_path / "page"
    shutil.copytree(GOOD.parent, folder)
    page = folder / "profile.html"
    page.write_text(GOOD.read_text(encoding="utf-8").replace(where, fault + where, 1),
                    encoding="utf-8")
    return page


# --- the checkers, on hand-written pages -------------------------------------------------

def test_a_self_contained_page_passes_every_check(browser, tmp_path):
    report = open_offline(GOOD, tmp_path / "good.png", browser=browser)

    assert report.problems() == []
    assert report.console_warnings == []
    assert [c.title for c in report.charts] == [
        "Serious violence offences by quarter",
        "Knife-enabled and domestic abuse related offences"]
    assert all(c.width > 100 and c.height > 30 for c in report.charts)
    assert report.lang == "en-GB"
    assert report.screenshot.read_bytes()[:8] == PNG_MAGIC
    csvs = read_csvs(GOOD.parent)
    assert unmatched_figures(report.figures, csvs) == []
    assert suppressed_cells_shown_as_numbers(report.figures, csvs) == []
    assert suppressed_tables(csvs) == ["sv_knife_and_domestic_abuse.csv"]
    assert says_suppressed(report.text)


def test_a_page_that_is_not_self_contained_fails_on_each_of_its_problems(browser, tmp_path):
    report = open_offline(BAD, tmp_path / "bad.png", browser=browser)

    assert "https://example.org/x.png" in report.requests
    assert "https://fonts.example.org/css?family=Fancy" in report.requests
    assert "https://api.example.org/figures.json" in report.requests
    assert any(r.endswith("/missing-sibling.png") for r in report.requests)
    assert any("chart data failed to load" in m for m in report.console_errors)
    assert any("undefinedFunctionCall" in m for m in report.page_errors)
    assert len(report.broken_images) == 2
    problems = "\n".join(report.problems())
    assert "chart 1 (untitled) has no <title>" in problems
    assert "chart 2 (Hidden chart) is not visible" in problems
    assert "chart 3 (Empty chart) draws nothing" in problems
    assert report.screenshot.exists()  # a failing page is still photographed


FAULTS = {
    "an image from the web": ('<img src="https://example.org/x.png" alt="">',
                              "network request: https://example.org/x.png"),
    "a stylesheet importing a web font": (
        "<style>@import url('https://fonts.example.org/a.css');</style>",
        "network request: https://fonts.example.org/a.css"),
    "a font from the web": (
        "<style>@font-face { font-family: F; src: url('https://example.org/f.woff2'); }"
        " h1 { font-family: F; }</style>", "network request: https://example.org/f.woff2"),
    "a script fetching data": (
        "<script>fetch('https://example.org/d.json').catch(() => {})</script>",
        "network request: https://example.org/d.json"),
    "a file beside the page": ('<img src="chart.png" alt="">', "network request: file://"),
    "a console error": ("<script>console.error('no data')</script>", "console error: no data"),
    "an uncaught error": ("<script>throw new Error('boom')</script>", "page error: "),
    "a chart without a title": (
        '<figure><svg viewBox="0 0 9 9" role="img"><rect width="9" height="9"/></svg></figure>',
        "has no <title>"),
    "a chart not marked as an image": (
        '<figure><svg viewBox="0 0 9 9"><title>T</title><rect width="9" height="9"/></svg>'
        "</figure>", 'is not marked role="img"'),
    "a chart of no size": (
        '<svg role="img" style="width:0;height:0"><title>T</title><rect width="9" height="9"/>'
        "</svg>", "is not visible on the page"),
    "a hidden chart": (
        '<svg role="img" viewBox="0 0 9 9" style="display:none"><title>T</title>'
        '<rect width="9" height="9"/></svg>', "is not visible on the page"),
    "an empty chart": ('<svg role="img" viewBox="0 0 9 9"><title>T</title></svg>',
                       "draws nothing"),
    "an axis whose labels repeat": (
        '<svg role="img" viewBox="0 0 90 90"><title>T</title><g id="c-axes_1">'
        '<g id="c-ytick_1"><text>0</text></g><g id="c-ytick_2"><text>0</text></g>'
        '<g id="c-ytick_3"><text>1</text></g><rect width="9" height="9"/></g></svg>',
        "repeats its tick labels (y axis: 0, 0, 1)"),
    "an image that does not load": ('<img src="data:image/png;base64,AAAA" alt="">',
                                    "image did not load: data:image/png"),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_the_browser_check_fails_on(fault, browser, tmp_path):
    snippet, expected = FAULTS[fault]
    report = open_offline(with_fault(tmp_path, snippet), tmp_path / "page.png", browser=browser)
    assert any(expected in p for p in report.problems()), report.problems()


def test_a_figure_the_csvs_do_not_hold_is_reported(browser, tmp_path):
    page = with_fault(tmp_path, "", where="")
    page.write_text(page.read_text(encoding="utf-8").replace(
        '<td class="num">320</td>', '<td class="num">321</td>').replace(
        '"value">1,234<', '"value">1,243<'), encoding="utf-8")
    report = open_offline(page, tmp_path / "page.png", browser=browser)

    unmatched = [str(u) for u in unmatched_figures(report.figures, read_csvs(page.parent))]
    assert len(unmatched) == 2, unmatched
    assert "'321' in table Offences by quarter, 2023-24 row 2 column 2" in unmatched[0]
    assert "'1,243' in figure value" in unmatched[1]


def test_a_number_in_a_sentence_the_csvs_do_not_hold_is_reported(browser, tmp_path):
    """Running text is checked as tables are: a share worked out from two published
    counts ("33% of all") is in no CSV."""
    page = with_fault(tmp_path, '<p data-figure="sentence" data-source="sv_by_month.csv">'
                      "In the 12 months to March 2024, 320 offences were recorded (33% of "
                      "all serious violence); the busiest hour was 15:00 to 15:59.</p>")
    report = open_offline(page, tmp_path / "page.png", browser=browser)

    unmatched = [str(u) for u in unmatched_figures(report.figures, read_csvs(page.parent))]
    assert unmatched == [
        "'33%' in figure sentence 'In the 12 months to March 2024, 320 offences were "
        "recorded (33% of all serious violence); the busiest hour was 15:00 to 15:59.' is "
        "in no cell of sv_by_month.csv"], unmatched


def test_a_suppressed_row_printed_as_a_number_is_reported(browser, tmp_path):
    page = with_fault(tmp_path, "", where="")
    page.write_text(page.read_text(encoding="utf-8").replace(
        '<td class="num">[c]</td>', '<td class="num">3</td>'), encoding="utf-8")
    report = open_offline(page, tmp_path / "page.png", browser=browser)

    found = suppressed_cells_shown_as_numbers(report.figures, read_csvs(page.parent))
    assert found == ["sv_knife_and_domestic_abuse.csv row 'Knife-enabled' is [c] in the CSV "
                     "but the page prints ['3']"]


def test_numbers_are_read_as_printed_and_words_with_digits_are_not_figures():
    said = "up 56 (4.8%) on the year before; 12.34 per 1,000 residents, 12 months to March 2024"
    assert [(str(n.value), n.decimals, n.percent) for n in printed_numbers(said)] == [
        ("56", 0, False), ("4.8", 1, True), ("12.34", 2, False)]
    assert [n.text for n in printed_numbers("1,234 offences in 2023-24 Q4, −12 on 2022")] == [
        "1,234", "−12"]
    assert printed_numbers("[c] suppressed, [x] not available") == []


def test_a_pdf_page_without_text_is_reported(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Serious violence: 1,234 offences")
    pdf.add_page()  # blank
    pdf.add_page()
    pdf.cell(text="Page three")
    pdf.output(str(tmp_path / "p.pdf"))

    pages = pdf_pages(tmp_path / "p.pdf", tmp_path / "pages")
    assert [p.number for p in pages] == [1, 2, 3]
    assert all(p.png.read_bytes()[:8] == PNG_MAGIC for p in pages)
    assert "1,234 offences" in pages[0].text
    assert pages_without_text(pages) == [2]


# --- the real profiles of a published export ---------------------------------------------

@pytest.fixture(scope="module")
def exports(published_base, catalog, tmp_path_factory) -> Path:
    """A CSP's and the OPCC's exports of the small drop's last quarter, published as a
    run publishes them (profiles included once `exports/profiles/` renders them)."""
    from support.published import gates_of, published_copy

    from exports.publish import publish_exports

    warehouse = published_copy(published_base, tmp_path_factory.mktemp("profile_warehouse"))
    root = tmp_path_factory.mktemp("profile_exports")
    report = publish_exports(warehouse, root, catalog, gates=gates_of(warehouse),
                             partners=[CSP, "opcc"], quarters=[QUARTER], now=T0)
    assert {o.outcome for o in report.outcomes} == {"published"}, [
        o.reason for o in report.blocked]
    return root / QUARTER


def profile_folder(exports: Path, partner: str) -> Path:
    """The partner's published folder; skipped while `exports/profiles/` does not render
    this partner's profile yet (opcc's waits for `exports.profiles.sna`)."""
    folder = exports / partner
    if not (folder / "profile.html").exists():
        try:
            from exports.profiles.profile import gets_profile
        except ImportError:
            pytest.skip("exports/profiles/ does not render profiles yet")
        if not gets_profile(partner):
            pytest.skip(f"{partner} gets no profile yet (exports.profiles.profile)")
        pytest.fail(f"{partner}'s export has no profile.html: {sorted(os.listdir(folder))}")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("partner", [CSP, "opcc"])
def test_the_profile_opens_offline_with_every_chart_drawn(partner, exports, browser, tmp_path):
    folder = profile_folder(exports, partner)
    report = open_offline(folder / "profile.html", tmp_path / f"{partner}.png", browser=browser)
    keep(report.screenshot, f"{partner}-{QUARTER}-profile.png")

    assert report.problems() == []
    assert report.console_warnings == []
    assert report.charts, "the profile draws no chart"
    assert report.lang == "en-GB"
    assert report.title.strip()
    assert report.screenshot.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.slow
@pytest.mark.parametrize("partner", [CSP, "opcc"])
def test_every_figure_the_profile_prints_is_in_the_partners_csvs(
        partner, exports, browser, tmp_path):
    folder = profile_folder(exports, partner)
    report = open_offline(folder / "profile.html", tmp_path / "page.png", browser=browser)
    csvs = read_csvs(folder)
    figures = [f for f in report.figures if not f.header or f.column > 0]

    assert figures, "the page marks no figure (table cells or data-figure elements)"
    assert [str(u) for u in unmatched_figures(figures, csvs)] == []
    assert suppressed_cells_shown_as_numbers(figures, csvs) == []
    if suppressed_tables(csvs):
        assert says_suppressed(report.text), (
            f"{suppressed_tables(csvs)} hold [c] but the page never says so")


@pytest.mark.slow
@pytest.mark.parametrize("partner", [CSP, "opcc"])
def test_the_profile_pdf_has_text_on_every_page(partner, exports, tmp_path):
    folder = profile_folder(exports, partner)
    pages = pdf_pages(folder / "profile.pdf", tmp_path / "pages")
    for page in pages:
        keep(page.png, f"{partner}-{QUARTER}-profile-page-{page.number}.png")

    assert pages, "profile.pdf has no page"
    assert all(p.png.stat().st_size > 0 for p in pages)
    assert pages_without_text(pages) == []

