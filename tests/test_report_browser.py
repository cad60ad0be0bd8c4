"""The published page in a real browser: headless Chromium (Debian) driven by Playwright.

One scenario per page, opened from disk as a reader would: nothing but the file itself is
requested, no console error, the six sections and three tables visible, every chart
loaded, axe-core finds no serious or critical violation, and print layout (A4) works.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govinfo import layout as L

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("page_path", "charts"),
    [("2021/zezhou-xzsp.html", 1), ("2022/shili-zrzyj.html", 6)],
)
def test_report_page_in_chromium(
    rendered_site: Path, browser: object, page_path: str, charts: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()  # type: ignore[attr-defined]
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
    images = page.locator("img")
    assert images.count() == charts
    for i in range(charts):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.locator('td[data-row="new"][data-col="total"]').inner_text() != ""

    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []

    page.emulate_media(media="print")
    display = page.locator("table.gi-t3 thead").evaluate("e => getComputedStyle(e).display")
    assert display == "table-header-group"  # headers repeat on every printed page
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert problems == []
    page.close()
