"""The site's own pages in a real browser (issue 15): the public index, the office's internal
page and a region summary, on a phone (390 px) and a desktop (1280 px), and printed to A4.

Headless Debian Chromium through Playwright, on the county batch (``county``): no page scrolls
sideways, wide tables scroll in their own named, focusable box with the names readable,
column headers break only between words (Chromium's own Chinese word segmenter decides what
a word is), the summary's charts are shown no smaller than drawn for a phone, and axe-core
finds nothing. Printed, the PDF read back with pypdf: page numbers in the footer, no page
ending with a heading or a table header, a table that fits on a page on one page, and no
sort arrows in the index.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import County

from govinfo.publish.summary_charts import MIN_POINTS

pytestmark = pytest.mark.browser

PAGES = ("index.html", "internal.html", "summary")
# Every character the sort controls may draw, whatever sort.js and index.css choose.
ARROWS = "↕↑↓⇅⇵▲▼△▽▴▾⬆⬇"
FOOTER = re.compile(r"^— \d+ —$")


def page_path(county: County, name: str) -> Path:
    """``summary``: the newest year's summary (the one with every chart)."""
    if name == "summary":
        return sorted(county.site.glob("*/summary.html"))[-1]
    return county.site / name


# For every column header: where its lines break, and which of those breaks are not between
# two words as Chromium's Chinese segmenter (ICU's dictionary) cuts the header's text.
HEADER_BREAKS = r"""
() => {
  const words = new Intl.Segmenter("zh", {granularity: "word"});
  const cells = document.querySelectorAll(
    "thead th:not(.gi-note), th[scope=col]:not(.gi-note), th[scope=colgroup]");
  return [...cells].map(th => {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    const breaks = [];
    let offset = 0, top = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (!box || box.width === 0) continue;
        if (top !== null && box.top > top + 2) breaks.push(offset + i);
        top = box.top;
      }
      offset += node.length;
    }
    const bounds = new Set([...words.segment(th.textContent)].map(s => s.index));
    return [th.textContent, breaks.filter(b => !bounds.has(b))];
  }).filter(([, bad]) => bad.length);
}
"""

# Every table: is it in a scroll box a keyboard and a screen reader can use, and does that
# box stay inside the viewport?
TABLE_BOXES = r"""
() => [...document.querySelectorAll("table")].map(table => {
  const box = table.closest(".gi-table-wrap");
  if (!box) return [table.className, "no box"];
  const problems = [];
  if (box.getAttribute("role") !== "region") problems.push("role");
  if (box.getAttribute("tabindex") !== "0") problems.push("tabindex");
  if (!(box.getAttribute("aria-label") || "").trim()) problems.push("aria-label");
  if (box.getBoundingClientRect().right > window.innerWidth + 0.5) problems.push("too wide");
  if (box.querySelector(".gi-table-wrap")) problems.push("box in a box");
  return [table.className, problems.join(" ")];
}).filter(([, problem]) => problem)
"""

# Row labels (agency names, 表三's rows) narrower than six characters of their own font.
NARROW_LABELS = r"""
() => [...document.querySelectorAll("tbody th[scope=row]")].filter(th => {
  const size = parseFloat(getComputedStyle(th).fontSize);
  return th.getBoundingClientRect().width < 6 * size && th.textContent.trim().length > 6;
}).map(th => th.textContent.trim())
"""

# Each chart image: CSS px per drawn px (the PNG is drawn at 2×, 100 px an inch).
CHART_SCALES = r"""
() => [...document.querySelectorAll("figure.gi-chart img")].map(
  img => [img.alt.slice(0, 30), img.getBoundingClientRect().width / (img.naturalWidth / 2)])
"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_site_page_on_a_phone_and_a_desktop(
    county: County, browser: Any, name: str, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path(county, name).as_uri(), wait_until="load")

    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    assert page.locator("table").count() > 0
    assert page.evaluate(TABLE_BOXES) == []
    assert page.evaluate(NARROW_LABELS) == []
    assert page.evaluate(HEADER_BREAKS) == []
    if name == "summary":
        scales = page.evaluate(CHART_SCALES)
        assert len(scales) >= 5
        smallest = min(scale for _, scale in scales) * MIN_POINTS * 100 / 72
        assert smallest >= 11, scales  # CSS px of the smallest text in a chart, as shown
        captions = page.locator("figure.gi-unit-chart figcaption").all_inner_texts()
        assert len(captions) == len(scales)

    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"], len(v["nodes"])) for v in violations] == []
    assert errors == []
    page.close()


# --------------------------------------------------------------------------- print


def printed_pages(page: Any) -> list[list[str]]:
    """The page printed to A4 and read back: each page's lines, NFKC (pypdf returns the
    Kangxi radicals some CJK fonts map), blank lines dropped."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = []
    for sheet in reader.pages:
        text = unicodedata.normalize("NFKC", sheet.extract_text())
        pages.append([line.strip() for line in text.splitlines() if line.strip()])
    return pages


# The words of headings, captions and column headers: a line made only of them is a header.
HEADER_TEXTS = r"""
() => [...document.querySelectorAll(
  "h1, h2, h3, h4, caption, thead th, th[scope=col], th[scope=colgroup]")]
  .map(e => e.textContent.normalize("NFKC").replace(/\s+/g, ""))
"""

# Each table: its caption and the cells of its first body row and of its last row, to find
# on one printed page (pypdf may return a row's label apart from its numbers, so each cell
# is looked for on its own).
TABLE_ENDS = r"""
() => [...document.querySelectorAll("table")].map(table => {
  const text = e => e.textContent.normalize("NFKC").replace(/\s+/g, "");
  const first = table.tBodies[0].rows[0], last = table.rows[table.rows.length - 1];
  return [table.caption ? text(table.caption) : "", [...first.cells, ...last.cells].map(text)];
})
"""


# NFKC folds the Kangxi radicals pypdf may return for a CJK glyph, but not the CJK Radicals
# Supplement (部⻔ for 部门): in text read from the PDF, any of those stands for any character.
RADICALS = "[\u2e80-\u2fdf]"


def _from_pdf(text: str) -> re.Pattern[str]:
    return re.compile("".join("." if re.match(RADICALS, c) else re.escape(c) for c in text))


def _in_pdf(text: str, printed: str) -> bool:
    """``text`` (from the page) found in ``printed`` (read back from the PDF)."""
    pattern = "".join(f"(?:{re.escape(c)}|{RADICALS})" for c in text)
    return re.search(pattern, printed) is not None


def is_header_line(line: str, headers: list[str]) -> bool:
    """A printed line made only of (parts of) headings, captions and column headers."""
    tokens = [_from_pdf(token) for token in line.split()]
    return all(any(token.search(header) for header in headers) for token in tokens)


@pytest.mark.parametrize("name", ["index.html", "summary"])
def test_printed_page(county: County, browser: Any, name: str) -> None:
    page = browser.new_page()
    page.goto(page_path(county, name).as_uri(), wait_until="load")
    page.emulate_media(media="print")
    headers = page.evaluate(HEADER_TEXTS)
    ends = page.evaluate(TABLE_ENDS)
    sheets = printed_pages(page)
    page.close()

    assert len(sheets) > 1  # the tests below are about page ends
    for number, lines in enumerate(sheets, 1):
        footers = [line for line in lines if FOOTER.match(line)]
        assert footers == [f"— {number} —"], (number, lines[-3:])  # the page number
        body = [line for line in lines if not FOOTER.match(line)]
        assert not is_header_line(body[-1], headers), (number, body[-3:])
    flat = ["".join(lines).replace(" ", "") for lines in sheets]
    for caption, rows in ends:  # every table of these pages fits on one A4 page: not split
        assert caption
        assert any(all(_in_pdf(t, text) for t in (caption, *rows)) for text in flat), caption
    if name == "index.html":
        printed = "".join(flat)
        assert [ch for ch in ARROWS if ch in printed] == []
        assert "机关" in printed  # the headers print, as their labels


def test_a_long_index_prints_its_column_headers_on_every_page(browser: Any, tmp_path: Path) -> None:
    """Chromium repeats a table's header on each printed page but paints no button in the
    copy: the sort buttons must print as plain labels, or pages 2… have blank headers."""
    from govinfo.publish.site import COLUMNS, write_index

    agencies = [
        {
            "file": f"p/2022/a{i:02d}.yaml",
            "year": 2022,
            "agency_id": f"a{i:02d}",
            "agency": f"示例县第{i}局",
            "region": "示例省示例市示例县",
            "kind": "department",
            "scope": "agency",
            "status": "published",
            "errors": 0,
            "html": f"2022/a{i:02d}.html",
        }
        for i in range(80)
    ]
    write_index(tmp_path, {"agencies": agencies, "summaries": []})
    page = browser.new_page()
    page.goto((tmp_path / "index.html").as_uri(), wait_until="load")
    sheets = printed_pages(page)
    page.close()
    assert len(sheets) >= 3
    header = " ".join(label for label, _ in COLUMNS)
    assert header in sheets[0]  # the table starts on the first page, not pushed to the next
    for lines in sheets[1:]:
        body = [line for line in lines if not FOOTER.match(line)]
        assert body[0] == header, body[:2]
