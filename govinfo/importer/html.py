"""HTML pages to text: site chrome dropped, tables laid out as tab-separated grids.

Portal pages wrap the report in navigation, breadcrumbs, sidebars and footers; those are
dropped. Tables become one line per row with cells separated by tabs, expanding rowspan
and colspan into empty placeholder cells the way scrapers do, so that the same reading
serves HTML and scraped text. A cell's text is joined without separators (Word-pasted
cells split a number or a label across several tags); an empty data cell becomes the
published-blank mark, because in HTML an empty ``<td>`` is unambiguous.
"""

from __future__ import annotations

import re

from .normalise import BLANK_MARK

_DROP_TAGS = (
    "head", "script", "style", "noscript", "template", "nav", "iframe", "form", "select",
    "button", "svg", "aside", "footer", "object", "embed", "canvas", "map",
)  # fmt: skip
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|footer|sidebar|side|share|toolbar|"
    r"topbar|banner|copyright|related|links?)(?:$|[\s_-])",
    re.I,
)
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "figure", "figcaption",
    "caption", "center", "address", "hr", "body", "html",
}  # fmt: skip
_NUMERIC = re.compile(r"[\d\s.,，\-—/／]+")


def html_to_text(markup: str) -> tuple[str, str | None]:
    """(text, page title) of an HTML page."""
    import lxml.html

    doc = lxml.html.document_fromstring(markup)
    title_el = doc.find(".//title")
    title = (title_el.text_content() or "").strip() if title_el is not None else None
    for el in list(doc.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.getparent() is not None:
                el.drop_tree()
            continue
        if el.getparent() is not None and _is_chrome(el):
            el.drop_tree()
    for h1 in doc.iter("h1"):
        if "年度报告" in h1.text_content():
            title = h1.text_content().strip()
            break
    chunks: list[str] = []
    _walk(doc, chunks)
    text = "".join(chunks)
    text = re.sub(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n[\s]*", "\n\n", text)
    return text.strip() + "\n", title


def _is_chrome(el: object) -> bool:
    """Site furniture: navigation, sidebars, footers, scripts (never the report itself)."""
    if el.tag in _DROP_TAGS:  # type: ignore[attr-defined]
        return True
    marks = f"{el.get('class', '')} {el.get('id', '')}"  # type: ignore[attr-defined]
    navigation = el.get("role") == "navigation" or _CHROME.search(marks)  # type: ignore[attr-defined]
    return bool(navigation) and not _holds_report(el)


def _holds_report(el: object) -> bool:
    """Never drop a container that holds the report itself (a heading or a table of it)."""
    text = el.text_content()  # type: ignore[attr-defined]
    return "总体情况" in text or el.find(".//table") is not None  # type: ignore[attr-defined]


def _inline(text: str | None) -> str:
    return re.sub(r"\s+", " ", text) if text else ""


def _walk(el: object, out: list[str]) -> None:
    tag = el.tag  # type: ignore[attr-defined]
    if tag == "table" and not el.xpath(".//td//table|.//th//table"):  # type: ignore[attr-defined]
        out.append("\n\n" + _table(el) + "\n\n")
        out.append(_inline(el.tail))  # type: ignore[attr-defined]
        return
    if tag in ("table", "tr", "td", "th", "tbody", "thead"):  # a layout table: its cells
        out.append("\n\n")  # are blocks of the page, not data
        for child in el:  # type: ignore[attr-defined]
            _walk(child, out)
        out.append("\n\n" + _inline(el.tail))  # type: ignore[attr-defined]
        return
    if tag == "br":
        out.append("\n" + _inline(el.tail))  # type: ignore[attr-defined]
        return
    block = tag in _BLOCK
    if block:
        out.append("\n\n")
    out.append(_inline(el.text))  # type: ignore[attr-defined]
    for child in el:  # type: ignore[attr-defined]
        _walk(child, out)
    if block:
        out.append("\n\n")
    out.append(_inline(el.tail))  # type: ignore[attr-defined]


def _cell_text(cell: object) -> str:
    text = re.sub(r"\s+", " ", cell.text_content()).strip()  # type: ignore[attr-defined]
    if text and _NUMERIC.fullmatch(text) and re.search(r"\d", text):
        text = re.sub(r"\s+", "", text)  # a number split across tags or lines
    return text


def _rows(table: object) -> list[object]:
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")  # type: ignore[attr-defined]


def _table(table: object) -> str:
    """The table as tab-separated lines; spanned positions are empty placeholder cells."""
    grid: dict[tuple[int, int], str] = {}
    widths: list[int] = []
    for r, row in enumerate(_rows(table)):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]  # type: ignore[attr-defined]
        numeric_row = any(c.tag == "td" and _NUMERIC.fullmatch(_cell_text(c) or "x") for c in cells)
        col = 0
        for cell in cells:
            while (r, col) in grid:
                col += 1
            text = _cell_text(cell)
            if not text and cell.tag == "td" and numeric_row:
                text = BLANK_MARK
            rowspan, colspan = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, col + dc)] = text if (dr, dc) == (0, 0) else ""
            col += colspan
        widths.append(col)
    lines = []
    for r in range(len(widths)):
        width = max([c + 1 for (rr, c) in grid if rr == r], default=0)
        lines.append("\t".join(grid.get((r, c), "") for c in range(width)))
    return "\n".join(lines)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1
