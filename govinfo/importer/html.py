"""HTML pages to text: site chrome dropped, tables laid out as tab-separated grids.

Portal pages wrap the report in navigation, breadcrumbs, sidebars and footers; those are
dropped. Tables become one line per row with cells separated by tabs, expanding rowspan
and colspan into empty placeholder cells the way scrapers do, so that the same reading
serves HTML and scraped text. A cell's text is joined without separators (Word-pasted
cells split a number or a label across several tags); an empty data cell becomes the
published-blank mark, because in HTML an empty ``<td>`` is unambiguous.

Laying out a table costs one step per grid position, spans included, so a crafted page
(thousands of ``<td rowspan=100 colspan=100>``) could ask for gigabytes. Every table is
therefore held to caps far above any real report (the official tables have about 30 rows
and 10 columns) and a page past them is refused with :class:`TableTooLarge`, before the
work is done: reading stays linear in the size of the page.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from .normalise import BLANK_MARK

# An lxml.html element: lxml ships no types (and lxml-stubs is not installed).
Element = Any

MAX_TABLE_ROWS = 5_000  # rows of one table
MAX_TABLE_COLUMNS = 1_000  # columns of one table (HTML's own limit on colspan)
MAX_SPAN = 1_000  # rowspan or colspan of one cell
MAX_TABLE_CELLS = 100_000  # grid positions of one table, spanned placeholders included
MAX_PAGE_CELLS = 500_000  # grid positions of all the tables of a page

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
# Blank lines squeezed to one paragraph break. The look-behind lets a match start only where
# a run of blanks starts: without it every position inside a long run of spaces would scan
# to its end again (quadratic in the run).
_BLANK_LINES = re.compile(r"(?<![ \t\r\f\v])[ \t\r\f\v]*\n[ \t\r\f\v]*\n\s*")


class TableTooLarge(ValueError):
    """A table beyond the caps: refused rather than laid out (the message says which cap)."""


@dataclass
class _Budget:
    """What the page's tables have used so far, so that many tables cannot add up either."""

    tables: int = 0
    cells: int = 0

    def spend(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_PAGE_CELLS:
            raise TableTooLarge(
                f"the page's {self.tables} tables lay out more than {MAX_PAGE_CELLS} cells "
                f"(limit {MAX_PAGE_CELLS})"
            )


@dataclass(frozen=True)
class CellPlace:
    """A grid position of a laid-out table, for ``govinfo import --explain``: the page's
    data table, row and column (1-based; spans counted, layout tables not), the source line
    of its ``<td>``, and its ``data-gi-where`` when the reader that built the page (from a
    PDF or a Word file) recorded where the cell was there."""

    table: int
    row: int
    column: int
    line: int | None
    where: str | None = None


@dataclass(frozen=True)
class LinePlace:
    """Where one line of the laid-out text came from: a table row (``cells`` by its
    tab-separated fields, the first ``shift`` of them cut by the blank-line squeeze) or a
    text line (``line``: the source line of the element it begins in, and its
    ``data-gi-where`` if it has one)."""

    line: int | None
    cells: tuple[CellPlace, ...] = ()
    shift: int = 0
    where: str | None = None


# what _walk notes while laying out: (chunk, offset in it, source line or a table's rows)
Mark = tuple[int, int, "tuple[int | None, str | None] | list[_Row]"]
_Row = tuple[int, int, tuple[CellPlace, ...]]  # (content offset in the table text, tabs, cells)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """(text, page title) of an HTML page; :class:`TableTooLarge` past the caps."""
    text, title, _ = html_layout(markup)
    return text, title


def html_layout(markup: str) -> tuple[str, str | None, dict[int, LinePlace]]:
    """(text, page title, what each line of the text came from) of an HTML page."""
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
    marks: list[Mark] = []
    _walk(doc, chunks, _Budget(), marks)
    raw = "".join(chunks)
    text = _BLANK_LINES.sub("\n\n", raw)
    return text.strip() + "\n", title, _line_places(chunks, marks, raw, text)


def _line_places(
    chunks: list[str], marks: list[Mark], raw: str, squeezed: str
) -> dict[int, LinePlace]:
    """Each mark's line in the final text: positions are followed through the blank-line
    squeeze (its matches, in order) and the strip, never guessed from the text."""
    starts: list[int] = []
    ends: list[int] = []
    removed: list[int] = []
    total = 0
    for m in _BLANK_LINES.finditer(raw):
        total += m.end() - m.start() - 2
        starts.append(m.start())
        ends.append(m.end())
        removed.append(total)
    lead = len(squeezed) - len(squeezed.lstrip())
    newlines = [m.start() for m in re.finditer("\n", squeezed)]

    def where(p: int) -> tuple[int, int] | None:  # (line, squeezed position) of raw position p
        i = bisect.bisect_right(starts, p) - 1
        if i >= 0 and p < ends[i]:
            return None
        q = p - (removed[i] if i >= 0 else 0)
        line = bisect.bisect_left(newlines, q) + 1
        return line - (bisect.bisect_left(newlines, lead) if lead else 0), q

    offsets = [0]
    for piece in chunks:
        offsets.append(offsets[-1] + len(piece))
    places: dict[int, LinePlace] = {}
    for index, offset, info in marks:
        base = offsets[index] + offset  # (a text mark's offset is 0)
        if isinstance(info, list):
            for content, tabs, cells in info:
                at = where(base + content)
                if at is not None:
                    number, q = at
                    start = squeezed.rfind("\n", 0, q) + 1
                    shift = tabs - squeezed.count("\t", start, q)
                    places[number] = LinePlace(cells[0].line if cells else None, cells, shift)
            continue
        text = chunks[index]
        stripped = len(text) - len(text.lstrip())
        at = where(base + stripped) if stripped < len(text) else None
        if at is not None and at[0] not in places:
            places[at[0]] = LinePlace(info[0], where=info[1])
    return places


def _is_chrome(el: Element) -> bool:
    """Site furniture: navigation, sidebars, footers, scripts (never the report itself)."""
    if el.tag in _DROP_TAGS:
        return True
    marks = f"{el.get('class', '')} {el.get('id', '')}"
    navigation = el.get("role") == "navigation" or _CHROME.search(marks)
    return bool(navigation) and not _holds_report(el)


def _holds_report(el: Element) -> bool:
    """Never drop a container that holds the report itself (a heading or a table of it)."""
    text = el.text_content()
    return "总体情况" in text or el.find(".//table") is not None


def _inline(text: str | None) -> str:
    return re.sub(r"\s+", " ", text) if text else ""


def _walk(el: Element, out: list[str], budget: _Budget, marks: list[Mark]) -> None:
    tag = el.tag
    line = (el.sourceline, el.get("data-gi-where"))
    tail = (el.sourceline, None)  # text after the element: near its start, not inside it
    if tag == "table" and not _holds_table(el):
        budget.tables += 1
        rows: list[_Row] = []
        marks.append((len(out), 2, rows))
        out.append("\n\n" + _table(el, budget, rows) + "\n\n")
        marks.append((len(out), 0, tail))
        out.append(_inline(el.tail))
        return
    if tag in ("table", "tr", "td", "th", "tbody", "thead"):  # a layout table: its cells
        out.append("\n\n")  # are blocks of the page, not data
        for child in el:
            _walk(child, out, budget, marks)
        out.append("\n\n")
        marks.append((len(out), 0, tail))
        out.append(_inline(el.tail))
        return
    if tag == "br":
        marks.append((len(out), 0, line))
        out.append("\n" + _inline(el.tail))
        return
    block = tag in _BLOCK
    if block:
        out.append("\n\n")
    marks.append((len(out), 0, line))
    out.append(_inline(el.text))
    for child in el:
        _walk(child, out, budget, marks)
    if block:
        out.append("\n\n")
    marks.append((len(out), 0, tail))
    out.append(_inline(el.tail))


def _cell_text(cell: Element) -> str:
    text = re.sub(r"\s+", " ", cell.text_content()).strip()
    if text and _NUMERIC.fullmatch(text) and re.search(r"\d", text):
        text = re.sub(r"\s+", "", text)  # a number split across tags or lines
    return text


def _holds_table(table: Element) -> bool:
    """A table in one of its cells: a layout table, not data.

    Walked in Python, stopping at the first such table: libxml2 sorts the results of an
    XPath query by document order in quadratic time on wide trees (tens of seconds for a
    row of 80,000 cells each holding a table)."""
    for inner in table.iterdescendants("table"):
        for up in inner.iterancestors():
            if up is table:
                break
            if up.tag in ("td", "th"):
                return True
    return False


def _rows(table: Element) -> list[Element]:
    """The table's own rows in order (``tr`` in it or in its thead, tbody and tfoot)."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child if row.tag == "tr")
    return rows


def _table(table: Element, budget: _Budget, places: list[_Row] | None = None) -> str:
    """The table as tab-separated lines; spanned positions are empty placeholder cells.

    Work and memory are bounded by the caps: each grid position is counted before it is
    filled, a rowspan past the last row is cut there (as browsers do), and the width of
    every output line is counted before the line is built. ``places`` receives each row's
    cells (:class:`CellPlace`; a spanned position names the cell spanning it).
    """
    number = budget.tables
    rows = _rows(table)
    if len(rows) > MAX_TABLE_ROWS:
        raise TableTooLarge(f"table {number} has {len(rows)} rows (limit {MAX_TABLE_ROWS})")
    grid: list[dict[int, str]] = [{} for _ in rows]
    owners: list[dict[int, CellPlace]] = [{} for _ in rows]
    used = 0
    for r, row in enumerate(rows):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        numeric_row = any(c.tag == "td" and _NUMERIC.fullmatch(_cell_text(c) or "x") for c in cells)
        col = 0
        line = grid[r]
        for cell in cells:
            while col in line:  # each step passes a position already counted
                col += 1
            text = _cell_text(cell)
            if not text and cell.tag == "td" and numeric_row:
                text = BLANK_MARK
            rowspan = _span(cell.get("rowspan"), "rowspan", number, r)
            colspan = _span(cell.get("colspan"), "colspan", number, r)
            rowspan = min(rowspan, len(rows) - r)
            if col + colspan > MAX_TABLE_COLUMNS:
                raise TableTooLarge(
                    f"table {number} row {r + 1} reaches column {col + colspan} "
                    f"(limit {MAX_TABLE_COLUMNS} columns)"
                )
            used += rowspan * colspan
            _check_cells(number, r, used)
            owner = CellPlace(number, r + 1, col + 1, cell.sourceline, cell.get("data-gi-where"))
            for dr in range(rowspan):
                target = grid[r + dr]
                for dc in range(colspan):
                    target[col + dc] = text if (dr, dc) == (0, 0) else ""
                    owners[r + dr][col + dc] = owner
            col += colspan
    widths = [max(line, default=-1) + 1 for line in grid]
    _check_cells(number, len(rows) - 1, sum(widths))
    budget.spend(max(used, sum(widths)))
    laid = [
        "\t".join(line.get(c, "") for c in range(width))
        for line, width in zip(grid, widths, strict=True)
    ]
    if places is not None:
        at = 0
        for r, (row_text, width, owned) in enumerate(zip(laid, widths, owners, strict=True)):
            content = len(row_text) - len(row_text.lstrip())
            if content < len(row_text):
                empty = CellPlace(number, r + 1, 0, None)
                row_cells = tuple(owned.get(c) or empty for c in range(width))
                places.append((at + content, row_text.count("\t", 0, content), row_cells))
            at += len(row_text) + 1
    return "\n".join(laid)


def _check_cells(number: int, row: int, cells: int) -> None:
    if cells > MAX_TABLE_CELLS:
        raise TableTooLarge(
            f"table {number} lays out more than {MAX_TABLE_CELLS} cells by row {row + 1}, "
            f"spans included (limit {MAX_TABLE_CELLS})"
        )


def _span(value: str | None, attribute: str, table: int, row: int) -> int:
    """A rowspan or colspan: 1 when missing or not a number, refused past :data:`MAX_SPAN`."""
    try:
        span = max(1, int(value or 1))
    except ValueError:
        return 1
    if span > MAX_SPAN:
        raise TableTooLarge(f"table {table} row {row + 1}: {attribute}={span} (limit {MAX_SPAN})")
    return span
