"""The report's PDF (govinfo.publish.printing): the published page printed by Debian's Chromium.

Read back with pypdf: A4, fonts in the file, the title in the metadata, page numbers, and a
text layer in which every label and number of the three tables is found as written (行政, not
the Kangxi radical ⾏政 Chromium's PDF writer maps Noto CJK's shared glyphs to), in table order.
One printer prints many pages with one browser; a hostile page gets no network.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from govinfo import layout as L
from govinfo.params import load
from govinfo.publish.printing import RADICALS, PdfPrinter, fixed_dates

pytestmark = pytest.mark.browser

PAGES = {
    "2021/zezhou-xzsp.html": ROOT / "parameters/2021/zezhou-xzsp.yaml",
    "2022/shili-zrzyj.html": ROOT / "parameters/2022/shili-zrzyj.yaml",
}


@pytest.fixture(scope="module")
def printer() -> Iterator[PdfPrinter]:
    with PdfPrinter() as shared:
        yield shared


@pytest.fixture(scope="module")
def pdfs(printer: PdfPrinter, rendered_site: Path) -> dict[str, bytes]:
    return {name: printer.pdf((rendered_site / name).read_text("utf-8")) for name in PAGES}


def reader(data: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_order(text: str, items: list[str]) -> int:
    """Find ``items`` one after another in ``text``; the index of the first one not found
    (len(items) when all are). A label is looked for by its first six characters: a label
    wrapped in its cell has the row's numbers between its lines in text order."""
    at = 0
    for i, item in enumerate(items):
        item = item if item.isdigit() else squeezed(item)[:6]
        found = text.find(item, at)
        if found < 0:
            return i
        at = found + len(item)
    return len(items)


def table_sequence(path: Path) -> list[str]:
    """Every label and number of 二、三、四, in the order a reader meets them."""
    report = load(path)
    seq: list[str] = []
    for group in L.ACTIVE_GROUPS:
        for item in group.items:
            seq.append(item.label)
            if group.is_single:
                seq.append(str(report.active.get(item.key)))
            else:
                seq += [str(report.active.get(item.key, key)) for key, _ in group.measures]
    apps = report.applications
    for row in L.APPLICATION_ROWS:
        seq.append(row.label)
        seq += [str(apps.cell(row.key, c.key)) for c in L.APPLICATION_COLUMNS]
    review = report.review_litigation
    seq += [str(review.cell(g.key, o.key)) for g in L.CASE_GROUPS for o in L.REVIEW_OUTCOMES]
    return seq


def test_pdf_is_a4_with_fonts_title_page_numbers(pdfs: dict[str, bytes]) -> None:
    for name, data in pdfs.items():
        pdf = reader(data)
        report = load(PAGES[name])
        assert pdf.metadata.title == report.title
        assert 2 <= len(pdf.pages) <= 12, name
        for number, page in enumerate(pdf.pages, 1):
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == (595, 842)
            assert f"— {number} —" in page.extract_text(), (name, number)
            for ref in page["/Resources"]["/Font"].values():
                font = ref.get_object()
                # Glyphs in the file: Type3 procedures (Chromium writes CFF fonts so) or an
                # embedded font program; never a font the reader's machine must supply.
                if font["/Subtype"] == "/Type3":
                    assert font["/CharProcs"], name
                else:
                    descriptor = (
                        font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                        if font["/Subtype"] == "/Type0"
                        else font["/FontDescriptor"]
                    )
                    assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name


def test_text_layer_has_every_label_and_number_in_table_order(pdfs: dict[str, bytes]) -> None:
    for name, data in pdfs.items():
        text = squeezed("".join(page.extract_text() for page in reader(data).pages))
        assert not [c for c in text if ord(c) in RADICALS], name  # 行政, never ⾏政
        sequence = table_sequence(PAGES[name])
        reached = in_order(text, sequence)
        assert reached == len(sequence), (name, sequence[reached], reached)
        assert load(PAGES[name]).agency in text


def test_one_browser_prints_many_pages_and_the_same_page_gives_the_same_bytes(
    printer: PdfPrinter, pdfs: dict[str, bytes], rendered_site: Path
) -> None:
    again = printer.pdf((rendered_site / "2021/zezhou-xzsp.html").read_text("utf-8"))
    assert again == pdfs["2021/zezhou-xzsp.html"]  # dates fixed: the manifest hashes it
    assert printer.launches == 1


def test_the_tab_kept_between_documents_carries_nothing_of_the_last(
    printer: PdfPrinter, pdfs: dict[str, bytes]
) -> None:
    first = printer.pdf("<html><head><title>甲</title></head><body><p>第一份文件</p></body></html>")
    second = printer.pdf("<html><head><title>乙</title></head><body><p>第二份</p></body></html>")
    text = "".join(page.extract_text() for page in reader(second).pages)
    assert "第二份" in text and "第一份" not in text
    assert reader(second).metadata.title == "乙" and reader(first).metadata.title == "甲"
    assert len(reader(second).pages) == 1


def test_the_pdf_text_is_a_truetype_subset_not_type3_drawings(pdfs: dict[str, bytes]) -> None:
    """The print stylesheet's WenQuanYi Micro Hei: embedded as a Type 0 font (a true text
    layer, half the print time of Noto CJK's Type 3 glyph drawings)."""
    for name, data in pdfs.items():
        fonts = {
            str(font.get_object().get("/BaseFont"))
            for page in reader(data).pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert any(f.endswith("+WenQuanYiMicroHei") for f in fonts), (name, fonts)


def test_a_hostile_page_reaches_no_network_and_still_prints(printer: PdfPrinter) -> None:
    html = (
        "<!DOCTYPE html><html><head><title>x</title>"
        '<link rel="stylesheet" href="http://10.255.255.1/a.css"></head>'
        '<body><img src="http://10.255.255.1/x.png" alt=""><p>正文</p>'
        "<script>fetch('http://10.255.255.1/y')</script></body></html>"
    )
    before = len(printer.refused)
    data = printer.pdf(html)
    refused = printer.refused[before:]
    assert "http://10.255.255.1/a.css" in refused and "http://10.255.255.1/x.png" in refused
    assert "正文" in reader(data).pages[0].extract_text()


def test_dates_are_fixed_in_place() -> None:
    data = b"<< /CreationDate (D:20261202193000+00'00') /ModDate (D:20261202193001+00'00') >>"
    fixed = fixed_dates(data)
    assert len(fixed) == len(data)
    assert b"2026" not in fixed and fixed.count(b"D:19700101000000") == 2
