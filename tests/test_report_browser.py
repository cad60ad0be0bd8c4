"""The published page in a real browser: headless Chromium (Debian) driven by Playwright.

One scenario per page and width (a 390 px phone, a 1280 px screen), opened from disk as a
reader would: nothing but the file itself is requested, no console error, the six sections
and three tables visible, every chart loaded; the page never scrolls sideways (a wide table
scrolls in its own box, its row labels kept in view and readable); a column header breaks
only between words; chart text is at least 11 CSS px as shown; axe-core finds no violation.
Print is tested in test_report_print.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_charts import page_figures

from govinfo import layout as L
from govinfo.params import load

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "2021/zezhou-xzsp.html": ROOT / "parameters/2021/zezhou-xzsp.yaml",
    "2022/shili-zrzyj.html": ROOT / "parameters/2022/shili-zrzyj.yaml",
}

# The lines an element's text is laid out in, read from each character's box.
LINES_JS = """el => {
  const lines = [];
  let top = null;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let k = 0; k < node.length; k++) {
      const range = document.createRange();
      range.setStart(node, k);
      range.setEnd(node, k + 1);
      const box = range.getClientRects()[0];
      if (!box) continue;
      if (top === null || box.top > top + box.height / 2) { lines.push(""); top = box.top; }
      lines[lines.length - 1] += node.data[k];
    }
  }
  return lines;
}"""

HEADERS = (
    ":is(.gi-t2, .gi-t3, .gi-t4, .gi-trends) "
    ':is(th[scope="col"], th[scope="colgroup"]):not(.gi-note)'
)


def breaks_between_words(cell: dict[str, Any]) -> bool:
    """Every line of a header ends where a word does (at a ``<wbr>``) or before "（"."""
    pieces = cell["html"].split("<wbr>")
    allowed = {sum(len(p) for p in pieces[:i]) for i in range(len(pieces) + 1)}
    allowed |= {i for i, ch in enumerate(cell["text"]) if ch == "（"}
    ends = [sum(len(line) for line in cell["lines"][: i + 1]) for i in range(len(cell["lines"]))]
    return all(end in allowed for end in ends)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", list(PAGES))
def test_report_page_in_chromium(
    rendered_site: Path,
    browser: Any,
    monkeypatch: pytest.MonkeyPatch,
    page_path: str,
    width: int,
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from matplotlib.text import Text

    figures = page_figures(load(PAGES[page_path]), monkeypatch)
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = (rendered_site / page_path).as_uri()
    page.goto(url, wait_until="load")

    assert requests == [url]  # nothing but the file itself
    for section in L.SECTIONS:
        assert page.get_by_role("heading", name=section.heading, exact=True).is_visible()
    for table in ("gi-t2", "gi-t3", "gi-t4"):
        assert page.locator(f"table.{table}").is_visible()
    assert page.locator('td[data-row="new"][data-col="total"]').inner_text() != ""

    # No sideways scroll of the page: a wide table scrolls in its own box.
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    boxes = page.locator(".gi-table-wrap").evaluate_all(
        "els => els.map(e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right])"
    )
    assert all(right <= width for *_, right in boxes)

    # Column headers break between words only; 表三's row labels keep five or more
    # characters a line (not 属/于国/家秘/密).
    headers = page.locator(HEADERS).evaluate_all(
        f"els => els.map(e => ({{text: e.textContent, html: e.innerHTML, lines: ({LINES_JS})(e)}}))"
    )
    assert len(headers) > 30
    broken = [h["lines"] for h in headers if not breaks_between_words(h)]
    assert broken == []
    labels = page.locator('.gi-t3 th[scope="row"]').evaluate_all(f"els => els.map({LINES_JS})")
    assert len(labels) == 25
    cramped = [lines for lines in labels if any(len(line) < 5 for line in lines[:-1])]
    assert cramped == []

    if width == 390:
        # 表三 scrolls in its box and its row labels stay in view at the far right.
        wrap = page.locator(".gi-table-wrap:has(> .gi-t3)")
        assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
        wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        inside = wrap.evaluate(
            """e => {
              const box = e.getBoundingClientRect();
              const label = e.querySelector('tr[data-row="granted"] th[scope="row"]');
              const total = e.querySelector('td[data-row="granted"][data-col="total"]');
              const l = label.getBoundingClientRect(), t = total.getBoundingClientRect();
              return [l.left >= box.left - 1, t.right <= box.right + 1, l.right <= t.left];
            }"""
        )
        assert inside == [True, True, True]

    # Charts: every one loaded, and its smallest text at least 11 CSS px as shown.
    images = page.locator("figure.gi-chart img")
    assert images.count() == len(figures)
    for image, fig in zip(images.all(), figures, strict=True):
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        shown = image.evaluate("img => img.getBoundingClientRect().width")
        texts = fig.findobj(Text)
        smallest = min(t.get_fontsize() for t in texts if t.get_visible() and t.get_text())
        assert smallest * 100 / 72 * shown / (fig.get_figwidth() * 100) >= 11

    results = Axe().run(page)
    assert [(v["id"], v["impact"]) for v in results.response["violations"]] == []
    assert problems == []
    page.close()
