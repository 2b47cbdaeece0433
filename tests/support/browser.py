"""A profile page as a person would see it: opened from disk in headless Chromium (Debian's
`chromium` package) with the network cut off (DESIGN.md "Profiles": a profile opens
offline and loads nothing from the network).

`open_offline(html, screenshot)` loads the file, and reports:
- every request other than the file itself or a `data:` URI (each is aborted, and
  Chromium is also pointed at a dead proxy and a resolver that finds nothing, so a
  request that slipped past the route still goes nowhere);
- console messages of type error or warning, and uncaught page errors;
- each chart (`svg[role="img"]`, and any `svg` in a `figure`): its size on the page, its
  `<title>`, how many shapes it draws, and any axis whose tick labels repeat;
- images that did not load;
- the page's visible text and its figures' markup, for the number checks;
and saves a full-page screenshot.

Chromium comes from the system (`apt-get install chromium`, see README): Playwright's
own browser downloads are not reachable from CI. Without it the tests fail, unless
`VRN_ALLOW_NO_BROWSER=1` is set (a developer's machine without the package), when they
skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ALLOW_NO_BROWSER = "VRN_ALLOW_NO_BROWSER"
INSTALL = "apt-get install -y --no-install-recommends chromium poppler-utils"

# Everything Chromium does on its own that could reach a network, switched off; and a dead
# proxy plus a resolver that resolves nothing behind the request route, as a second wall.
OFFLINE_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    "--no-first-run",
    "--no-pings",
    "--metrics-recording-only",
    "--dns-prefetch-disable",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

# Shapes a drawn chart holds (matplotlib's SVG draws with paths; `use` for markers).
_SHAPES = "path, rect, line, polyline, polygon, circle, ellipse, use, text"

_CHARTS_JS = """(shapes) => {
  // Matplotlib's SVG groups each tick as <g id="...xtick_N"> holding its label's <text>;
  // an axis whose labels repeat (0, 0, 1, 1 from rounding) tells a reader nothing.
  const repeatedTicks = (svg) => {
    const found = [];
    for (const axes of svg.querySelectorAll('g[id*="axes_"]')) {
      for (const axis of ['xtick', 'ytick']) {
        const labels = Array.from(axes.querySelectorAll(`g[id*="${axis}_"]`))
          .map(tick => tick.querySelector('text'))
          .filter(text => text && text.textContent.trim())
          .map(text => text.textContent.trim());
        if (new Set(labels).size < labels.length) {
          found.push(`${axis[0]} axis: ${labels.join(', ')}`);
        }
      }
    }
    return found;
  };
  const seen = new Set();
  const charts = [];
  for (const svg of document.querySelectorAll('svg[role="img"], figure svg')) {
    if (seen.has(svg) || (svg.parentElement && svg.parentElement.closest('svg'))) continue;
    seen.add(svg);
    const box = svg.getBoundingClientRect();
    const style = getComputedStyle(svg);
    const title = svg.querySelector(':scope > title');
    charts.push({
      index: charts.length,
      title: title ? title.textContent.trim() : '',
      role: svg.getAttribute('role') || '',
      width: box.width,
      height: box.height,
      visible: style.display !== 'none' && style.visibility !== 'hidden'
               && Number(style.opacity) > 0,
      shapes: svg.querySelectorAll(shapes).length,
      repeated_ticks: repeatedTicks(svg),
    });
  }
  return charts;
}"""

_BROKEN_IMAGES_JS = """() => Array.from(document.images)
  .filter(img => !img.complete || img.naturalWidth === 0)
  .map(img => img.currentSrc || img.getAttribute('src') || '(no src)')"""

# Figures as the page marks them (see tests/support/profile_figures.py): every table
# cell, with the table's `data-source` CSV when it names one, and every element marked
# `data-figure` (the headline tiles' value, change and rate).
_FIGURES_JS = """() => {
  const out = [];
  document.querySelectorAll('table').forEach((table, t) => {
    const source = table.getAttribute('data-source') || '';
    const caption = table.caption ? table.caption.textContent.trim() : '';
    const rows = Array.from(table.querySelectorAll('tr')).filter(tr => !tr.closest('thead'));
    rows.forEach((tr, r) => {
      Array.from(tr.cells).forEach((cell, c) => {
        out.push({where: 'table', table: t, caption, source, row: r, column: c,
                  header: cell.tagName === 'TH',
                  text: cell.innerText.trim()});
      });
    });
  });
  document.querySelectorAll('[data-figure]').forEach((el) => {
    const source = (el.closest('[data-source]') || el).getAttribute('data-source') || '';
    out.push({where: 'figure', table: -1, caption: el.getAttribute('data-figure'), source,
              row: -1, column: -1, header: false, text: el.innerText.trim()});
  });
  return out;
}"""


@dataclass(frozen=True)
class ChartReport:
    index: int
    title: str
    role: str
    width: float
    height: float
    visible: bool
    shapes: int
    repeated_ticks: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        name = f"chart {self.index + 1} ({self.title or 'untitled'})"
        found = []
        if not self.title:
            found.append(f"{name} has no <title> (its accessible name)")
        if self.role != "img":
            found.append(f'{name} is not marked role="img"')
        if not (self.width > 0 and self.height > 0) or not self.visible:
            found.append(f"{name} is not visible on the page "
                         f"({self.width:.0f} x {self.height:.0f} px)")
        if self.shapes == 0:
            found.append(f"{name} draws nothing")
        found += [f"{name} repeats its tick labels ({t})" for t in self.repeated_ticks]
        return found


@dataclass(frozen=True)
class PageFigure:
    """A table cell or marked figure as the page shows it."""

    where: str  # "table" or "figure"
    table: int
    caption: str
    source: str  # the CSV the table says it shows (`data-source`), or ""
    row: int
    column: int
    header: bool
    text: str


@dataclass
class PageReport:
    url: str
    screenshot: Path
    requests: list[str] = field(default_factory=list)  # every request not allowed, aborted
    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    charts: list[ChartReport] = field(default_factory=list)
    figures: list[PageFigure] = field(default_factory=list)
    text: str = ""
    title: str = ""
    lang: str = ""

    def problems(self) -> list[str]:
        """What a person opening the page offline would meet; empty when there is none."""
        found = [f"network request: {r}" for r in self.requests]
        found += [f"console error: {m}" for m in self.console_errors]
        found += [f"page error: {m}" for m in self.page_errors]
        found += [f"image did not load: {s}" for s in self.broken_images]
        for chart in self.charts:
            found += chart.problems()
        return found


def chromium_path() -> str:
    """Debian's chromium, or fail (skip only when `VRN_ALLOW_NO_BROWSER=1`)."""
    path = shutil.which("chromium")
    if path is None:
        _missing(f"chromium is not installed: `{INSTALL}` (README, Tests)")
    return path


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _missing(f"{name} is not installed (poppler-utils): `{INSTALL}` (README, Tests)")
    return path


def _missing(message: str) -> None:
    if os.environ.get(ALLOW_NO_BROWSER) == "1":
        pytest.skip(f"{message}; skipped because {ALLOW_NO_BROWSER}=1")
    pytest.fail(f"{message}; set {ALLOW_NO_BROWSER}=1 to skip locally", pytrace=False)


@contextmanager
def offline_browser() -> Iterator[object]:
    """One headless Chromium for several pages (each page gets its own context)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=list(OFFLINE_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def open_offline(html_path: Path | str, screenshot: Path | str, *, browser: object = None,
                 width: int = 1280, height: int = 900) -> PageReport:
    """Open `html_path` with the network cut off; report what a person would meet."""
    if browser is None:
        with offline_browser() as own:
            return open_offline(html_path, screenshot, browser=own, width=width,
                                height=height)

    html_path, screenshot = Path(html_path).resolve(), Path(screenshot)
    url = html_path.as_uri()
    report = PageReport(url=url, screenshot=screenshot)

    context = browser.new_context(viewport={"width": width, "height": height},
                                  offline=True, service_workers="block",
                                  java_script_enabled=True)

    def allowed(request_url: str) -> bool:
        return request_url.split("#")[0] == url or request_url.startswith("data:")

    def route(route) -> None:
        if allowed(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def seen(request) -> None:
        # Every request the page makes, routed or not (file: siblings, CSS, fonts...).
        if not allowed(request.url) and request.url not in report.requests:
            report.requests.append(request.url)

    def console(message) -> None:
        where = message.location or {}
        at = f" ({where.get('url', '')}:{where.get('lineNumber', '')})" if where else ""
        if message.type == "error":
            report.console_errors.append(message.text + at)
        elif message.type == "warning":
            report.console_warnings.append(message.text + at)

    context.route("**/*", route)
    if hasattr(context, "route_web_socket"):
        context.route_web_socket("**/*", lambda ws: seen(ws))
    context.on("request", seen)
    page = context.new_page()
    page.on("console", console)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_timeout(100)  # late scripts, and their console messages
        report.charts = [ChartReport(**c) for c in page.evaluate(_CHARTS_JS, _SHAPES)]
        report.broken_images = page.evaluate(_BROKEN_IMAGES_JS)
        report.figures = [PageFigure(**f) for f in page.evaluate(_FIGURES_JS)]
        report.text = page.inner_text("body")
        report.title = page.title()
        report.lang = page.evaluate("document.documentElement.lang")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    finally:
        context.close()
    return report
