"""A PDF report rebuilt as an HTML page, so that PDF reads through the same table reading
as portal pages (:func:`govinfo.importer.import_text`).

Per page, ruled tables become grids (:mod:`.pdf_tables`) and the remaining characters
visual lines; lines become paragraphs again (a line that fills the measure and a next one
that is not indented are one paragraph, across a page break too), page numbers are dropped,
and a table continued on the next page is joined. Every table cell carries where it was
printed, ``data-gi-where="p4 r3 c2"`` (page, then row and column in the rebuilt table,
0-based), for provenance; :attr:`PdfLayout.cells` lists the same.

A table printed without rulings (a browser printing a borderless page) is read from its
lines: a line with a wide gap (columns) stays a line of its own, never run into a
paragraph, and the text reading finds its labels and numbers as in scraped text.

Refused with :class:`PdfError` (one line): a scan (pages that are images, no text layer), a
text layer that cannot be decoded, and a file holding several reports (it names the pages
where each starts, to split it: the tables of one report would be read into another's).
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from .pdf_join import continues, join
from .pdf_lines import is_tabular, line_size, line_text, lines_of
from .pdf_page import Page, PdfError, read_pages
from .pdf_tables import Table, find_tables, outside

__all__ = ["PdfError", "PdfLayout", "pdf_to_html"]

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－·]*\s*\d{1,3}\s*[-—–－·]*|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_OVERVIEW = re.compile(r"^\s*一\s*[、.．]\s*总\s*体\s*情\s*况")
_TITLE = re.compile(r"政府信息公开.{0,6}年度报告")
_CONTINUED = re.compile(r"^\s*[（(]?\s*续\s*(?:上\s*)?表\s*[)）]?\s*\S{0,16}$")
TITLE = 1.25  # a line this much larger than the body text is a title
SCANNED = 50  # characters a page of images may have and still be a scan (a stamp, a number)


@dataclass
class Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    tabular: bool = False


@dataclass
class PdfLayout:
    """The rebuilt page and what it was built from."""

    html: str
    pages: int
    tables: list[Table] = field(default_factory=list)
    scanned: list[int] = field(default_factory=list)  # pages of images without text

    @property
    def note(self) -> str:
        """One line for the import summary: pages and tables, which were joined, and pages
        that are images only (tables pasted as pictures cannot be read)."""
        joined = [t for t in self.tables if t.last_page != t.page]
        across = ", ".join(f"p.{t.page}-{t.last_page}" for t in joined)
        images = ", ".join(f"p.{p}" for p in self.scanned)
        return (
            f"pdf: {self.pages} page(s), {len(self.tables)} table(s)"
            + (f", joined over page breaks: {across}" if joined else "")
            + (f"; images without text (not read): {images}" if images else "")
        )

    @property
    def cells(self) -> list[tuple[int, int, int, str]]:
        """(page, row, column, text) of every table cell, in table order."""
        return [(c.page, c.row, c.col, c.text) for t in self.tables for c in t.cells]


def pdf_to_html(data: bytes) -> PdfLayout:
    """The report in the PDF ``data`` as an HTML page; :class:`PdfError` when it cannot be
    read (damaged, encrypted, a scan, several reports)."""
    pages = read_pages(data)
    _check_text_layer(pages)
    blocks: list[Line | Table] = []
    for page in pages:
        blocks.extend(_page_blocks(page))
    blocks = _without_furniture(blocks, pages)
    _check_single_report(blocks)
    blocks = _join_tables(blocks)
    tables = [b for b in blocks if isinstance(b, Table)]
    scanned = [p.number for p in pages if p.images and _letters(p) < SCANNED]
    return PdfLayout(_html(blocks), len(pages), tables, scanned)


def _letters(page: Page) -> int:
    return sum(1 for ch in page.chars if not ch.text.isspace())


def _check_text_layer(pages: list[Page]) -> None:
    """A scan (most pages images, hardly any text: a page number, a portal's stamp) or a
    text layer that cannot be decoded is refused; a page or two of images is noted."""
    chars = sum(_letters(p) for p in pages)
    unmapped = sum(p.unmapped for p in pages)
    imaged = sum(1 for p in pages if p.images)
    scan = chars < SCANNED * len(pages) and 2 * imaged >= len(pages)
    if chars and unmapped <= chars and not scan:
        return
    if unmapped > chars:
        raise PdfError(
            "PDF 的文字层无法解码（字体缺少 Unicode 映射）/ the PDF's text layer cannot be "
            "decoded (its fonts map no Unicode): import a Word or HTML version, or OCR it"
        )
    if any(p.images for p in pages):
        raise PdfError(
            "扫描件：PDF 只有页面图像，没有文字层 / a scanned PDF (page images, no text "
            "layer): OCR it first (e.g. ocrmypdf -l chi_sim) or import a text version"
        )
    raise PdfError("PDF 中没有文字 / the PDF holds no text")


def _page_blocks(page: Page) -> list[Line | Table]:
    tables = find_tables(page.rules, page.chars, page.number)
    rest = outside(tables, page.chars)
    lines = [
        Line(
            line_text(chars), page.number, chars[0].x0, max(c.x1 for c in chars),
            min(c.top for c in chars), max(c.bottom for c in chars), line_size(chars),
            is_tabular(chars),
        )
        for chars in lines_of(rest)
    ]  # fmt: skip
    lines = [ln for ln in lines if ln.text]
    blocks: list[Line | Table] = [*lines, *tables]
    blocks.sort(key=lambda b: b.top)
    return blocks


def _without_furniture(blocks: list[Line | Table], pages: list[Page]) -> list[Line | Table]:
    """Without page numbers and running heads or feet: lines in the top or bottom margin
    that are a page number, or whose text is in the margin of several pages. (A table
    continued on the next page is then the next block after its first part.)"""
    heights = {p.number: p.height for p in pages}
    margins = [
        b
        for b in blocks
        if isinstance(b, Line)
        and (b.top > 0.88 * heights[b.page] or b.bottom < 0.1 * heights[b.page])
    ]
    seen = Counter(re.sub(r"\d+", "#", b.text) for b in margins)
    repeated = {t for t, n in seen.items() if n >= max(2, len(pages) // 2)}
    furniture = {
        id(b)
        for b in margins
        if _PAGE_NUMBER.fullmatch(b.text) or re.sub(r"\d+", "#", b.text) in repeated
    }
    return [b for b in blocks if id(b) not in furniture]


def _check_single_report(blocks: list[Line | Table]) -> None:
    starts = sorted({b.page for b in blocks if isinstance(b, Line) and _OVERVIEW.match(b.text)})
    body = statistics.median([b.size for b in blocks if isinstance(b, Line)] or [10.0])
    titles = sorted(
        {
            b.page
            for b in blocks
            if isinstance(b, Line) and b.size > TITLE * body and _TITLE.search(b.text)
        }
    )
    found = max((starts, titles), key=len)
    if len(found) >= 2:
        where = ", ".join(f"p.{p}" for p in found)
        raise PdfError(
            f"PDF 中有 {len(found)} 份年度报告（起于 {where}），请拆分后逐份导入 / the PDF "
            f"holds {len(found)} reports (starting {where}): split it and import each, "
            f"e.g. qpdf --empty --pages FILE.pdf 1-{found[1] - 1} -- first.pdf"
        )


def _join_tables(blocks: list[Line | Table]) -> list[Line | Table]:
    """Tables continued on the next page joined; a "续表" line between the parts (a
    continued table's caption) is dropped."""
    out: list[Line | Table] = []
    for block in blocks:
        if (
            isinstance(block, Line)
            and _CONTINUED.match(block.text)
            and out
            and isinstance(out[-1], Table)
        ):
            continue
        prev = out[-1] if out else None
        if isinstance(block, Table) and isinstance(prev, Table) and continues(prev, block):
            out[-1] = join(prev, block)
        else:
            out.append(block)
    return out


def _html(blocks: list[Line | Table]) -> str:
    lines = [b for b in blocks if isinstance(b, Line) and not b.tabular]
    body = statistics.median([ln.size for ln in lines] or [10.0])
    left = _mode([round(ln.x0) for ln in lines if abs(ln.size - body) < 0.2 * body])
    right = _high([ln.x1 for ln in lines if abs(ln.size - body) < 0.2 * body])
    parts: list[str] = []
    paragraph: list[Line] = []

    def flush() -> None:
        if paragraph:
            text = "".join(_joined(paragraph))
            big = paragraph[0].size > TITLE * body and paragraph[0].page == 1
            tag = "h1" if big and "报告" in text and "<h1" not in "".join(parts) else "p"
            where = f' data-gi-where="p{paragraph[0].page}"'
            parts.append(f"<{tag}{where}>{html.escape(text)}</{tag}>")
            paragraph.clear()

    for block in blocks:
        if isinstance(block, Table):
            flush()
            parts.append(_table_html(block))
            continue
        if block.tabular:
            flush()
            parts.append(f'<p data-gi-where="p{block.page}">{html.escape(block.text)}</p>')
            continue
        if paragraph and not _carries_on(paragraph[-1], block, left, right, body):
            flush()
        paragraph.append(block)
    flush()
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def _mode(values: list[int]) -> float:
    return float(statistics.mode(values)) if values else 0.0


def _high(values: list[float]) -> float:
    """The right edge of the measure: what most full lines reach."""
    if not values:
        return 0.0
    values = sorted(values)
    return values[int(0.9 * (len(values) - 1))]


def _carries_on(prev: Line, line: Line, left: float, right: float, body: float) -> bool:
    """Whether ``line`` continues the paragraph ``prev`` ends.

    Title lines (larger than the body text) run on while they follow closely; a body line
    runs on when ``prev`` fills the measure, ``line`` is not indented and the gap is a
    line's. Body lines' heights vary with their fonts (a bold lead-in), so only title size
    against body size is told apart."""
    big_prev, big_line = prev.size > TITLE * body, line.size > TITLE * body
    if big_prev or big_line:
        return (
            big_prev
            and big_line
            and line.page == prev.page
            and line.top - prev.bottom < 0.8 * prev.size
        )
    if prev.x1 < right - 1.5 * body or line.x0 > left + 0.8 * body:
        return False
    return not (line.page == prev.page and line.top - prev.bottom > 1.2 * body)


def _joined(lines: list[Line]) -> list[str]:
    out: list[str] = []
    for ln in lines:
        if out and out[-1][-1:].isascii() and out[-1][-1:].isalnum() and ln.text[:1].isascii():
            out.append(" ")
        out.append(ln.text)
    return out


def _table_html(table: Table) -> str:
    """The table as HTML. An empty cell left of the table's first column of numbers is a
    gap in the label area (``<th>``), not a published blank (an empty ``<td>``)."""
    pages = f"{table.page}" if table.last_page == table.page else f"{table.page}-{table.last_page}"
    values = min((c.col for c in table.cells if c.numeric), default=table.ncols)
    rows: list[list[str]] = [[] for _ in range(table.nrows)]
    for c in table.cells:
        rowspan = f' rowspan="{c.rows}"' if c.rows > 1 else ""
        span = rowspan + (f' colspan="{c.cols}"' if c.cols > 1 else "")
        tag = "th" if not c.text and c.col + c.cols <= values else "td"
        where = f"p{c.page} r{c.row} c{c.col}"
        rows[c.row].append(f'<{tag}{span} data-gi-where="{where}">{html.escape(c.text)}</{tag}>')
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table data-gi-pages="{pages}">\n{body}\n</table>'
