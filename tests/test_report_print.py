"""The published page printed on A4 by Chromium and read back with pypdf.

Paper is where a report is often read: no page may end with a table's header (or its
caption) without the rows under it, 表三 (28 rows at 9pt) fits on one page and is printed on
one, every page carries its number in the footer, and the table of contents (links for the
screen) is not printed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from govinfo import layout as L

pytestmark = pytest.mark.browser

PAGES = ("2021/zezhou-xzsp.html", "2022/shili-zrzyj.html")
FOOTER = re.compile(r"— (\d+) —")
NUMBER = re.compile(r"[+\-−]?\d+(\.\d+)?|持平|未填|未读出")


def plain(text: str) -> str:
    """As compared: pypdf gives CJK compatibility forms (⽰ for 示); folded, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def header_texts(html: str) -> list[str]:
    """Per table: its caption and column headers, run together (what a header line holds)."""
    soup = BeautifulSoup(html, "lxml")
    texts = []
    for table in soup.select("table.gi-table"):
        cells = table.select('caption, th[scope="col"], th[scope="colgroup"]')
        texts.append(plain("".join(cell.get_text() for cell in cells)))
    return texts


def is_header_line(line: str, headers: list[str]) -> bool:
    """A line made only of header words of one table (a body row has numbers)."""
    tokens = line.split()
    if not tokens or any(NUMBER.fullmatch(plain(t)) for t in tokens):
        return False
    return any(all(plain(t) in text for t in tokens) for text in headers)


def printed(browser: Any, url: str) -> list[list[str]]:
    """The page printed to A4 (backgrounds on): each PDF page's non-empty text lines."""
    from pypdf import PdfReader

    page = browser.new_page()
    page.goto(url, wait_until="load")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for sheet in reader.pages:
        lines = [
            unicodedata.normalize("NFKC", line).strip()
            for line in sheet.extract_text().splitlines()
        ]
        pages.append([line for line in lines if line])
        # No link annotations point inside the page: the table of contents is not printed.
        for annot in sheet.get("/Annots") or []:
            link = annot.get_object()
            assert "/Dest" not in link and link.get("/A", {}).get("/S") != "/GoTo"
    return pages


def page_of(pages: list[list[str]], start: str, whole: bool = False) -> int:
    """The first page with a line starting with ``start`` (or equal to it, ``whole``)."""
    want = plain(start)
    found = [
        i
        for i, lines in enumerate(pages)
        for line in lines
        if (plain(line) == want if whole else plain(line).startswith(want))
    ]
    assert found, start
    return found[0]


@pytest.mark.parametrize("page_path", PAGES)
def test_printed_page_keeps_tables_whole_and_numbers_its_pages(
    rendered_site: Path, browser: Any, page_path: str
) -> None:
    path = rendered_site / page_path
    pages = printed(browser, path.as_uri())
    headers = header_texts(path.read_text("utf-8"))
    assert len(headers) >= 3

    for number, lines in enumerate(pages, 1):
        footer = [line for line in lines if FOOTER.fullmatch(line)]
        assert footer == [f"— {number} —"], (number, lines[-3:])
        body = [line for line in lines if not FOOTER.fullmatch(line)]
        if body and number < len(pages):  # (a page of charts has no text)
            assert not is_header_line(body[-1], headers), (number, body[-4:])

    rows = L.APPLICATION_ROWS
    first, last = page_of(pages, rows[0].label), page_of(pages, rows[-1].label)
    note = page_of(pages, L.APPLICATION_NOTE[:10])
    assert first == last == note  # 表三, header and 25 rows, on one page
    section = L.SECTION_BY_KEY[L.REVIEW_LITIGATION]
    caption = page_of(pages, section.title, whole=True)  # 表四's caption, with its heading
    assert caption == page_of(pages, section.heading, whole=True)
