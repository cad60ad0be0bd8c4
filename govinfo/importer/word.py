"""A Word (DOCX) report rebuilt as an HTML page, so that it reads through the same table
reading as portal pages (:func:`govinfo.importer.import_text`).

The document body is walked in order (python-docx opens the package; its XML is read
directly): paragraphs become ``<p>``, tables ``<table>`` with the merges Word records as
``gridSpan`` (colspan) and ``vMerge`` (rowspan), and ``gridBefore`` as an empty leading
cell. A table nested in a cell stays nested (the outer one is then a layout table, whose
cells are blocks of the page). Text in text boxes (``w:txbxContent``, in a drawing or a VML
shape) follows the paragraph that anchors it; of ``mc:AlternateContent`` only the first
choice is read, since the fallback repeats it. Deleted text, field codes and hidden text are
not text of the report. Word's automatic numbering (一、 （一） 1.) is written out
(:mod:`.word_numbering`): headings numbered that way are found. Each table cell carries
``data-gi-where="t2 r5 c3"`` (table, row and grid column, 0-based but for the table's
number) for provenance.

Word 97-2003 ``.doc`` and WPS ``.wps`` files are refused before they reach this module
(:mod:`.formats`), with the LibreOffice command that converts them.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .word_numbering import Numbering

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MAX_XML_BYTES = 64_000_000  # document.xml unpacked: far above any report
MAX_UNPACKED_BYTES = 400_000_000  # the whole package unpacked (python-docx loads every part)
_NUMBER = re.compile(r"[\d\s.,，\-—/／%]+")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")

Element = Any  # an lxml element (python-docx's oxml classes)


class WordError(ValueError):
    """A DOCX that cannot be opened: the message says why."""


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class _Cell:
    row: int
    col: int
    cols: int
    text: str
    inner: str  # nested tables' HTML
    rows: int = 1
    merged: bool = False  # a vMerge continuation (folded into the cell above)


@dataclass
class _State:
    numbering: Numbering | None = None
    tables: int = 0
    parts: list[str] = field(default_factory=list)
    title_done: bool = False
    paragraphs: int = 0


def docx_to_html(data: bytes) -> str:
    """The document in the DOCX ``data`` as an HTML page; :class:`WordError` when it cannot
    be opened."""
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            total = sum(member.file_size for member in archive.infolist())
            if info.file_size > MAX_XML_BYTES or total > MAX_UNPACKED_BYTES:
                raise WordError(
                    f"文件解压后过大 / the DOCX unpacks to {total} bytes, its text to "
                    f"{info.file_size} (limits {MAX_UNPACKED_BYTES} and {MAX_XML_BYTES})"
                )
        document = docx.Document(io.BytesIO(data))
    except WordError:
        raise
    except Exception:  # a damaged package: zipfile, lxml and python-docx errors
        raise WordError(
            "无法打开 Word 文档 / cannot open the DOCX: damaged, or not a Word document"
        ) from None
    state = _State(Numbering(document))
    _blocks(document.element.body, state)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        + "\n".join(state.parts)
        + "\n</body></html>\n"
    )


def _children(el: Element) -> Iterator[Element]:
    """Block-level children, looking through content controls, custom XML and the first
    choice of alternate content."""
    for child in el:
        tag = child.tag
        if tag in (w("sdt"),):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _children(content)
        elif tag in (w("customXml"), w("smartTag")):
            yield from _children(child)
        elif tag == f"{{{MC}}}AlternateContent":
            choice = child.find(f"{{{MC}}}Choice")
            if choice is not None:
                yield from _children(choice)
        else:
            yield child


def _blocks(el: Element, state: _State) -> None:
    for child in _children(el):
        if child.tag == w("p"):
            _paragraph(child, state)
        elif child.tag == w("tbl"):
            state.parts.append(_table(child, state))


def _paragraph(p: Element, state: _State) -> None:
    text, boxes = _text(p, state)
    text = text.strip()
    if text:
        state.paragraphs += 1
        tag = "p"
        if not state.title_done and "年度报告" in text and state.paragraphs <= 5:
            tag, state.title_done = "h1", True
        lines = "<br>".join(html.escape(line) for line in text.split("\n"))
        state.parts.append(f"<{tag}>{lines}</{tag}>")
    for box in boxes:  # text boxes anchored here: their paragraphs and tables
        _blocks(box, state)


def _text(p: Element, state: _State) -> tuple[str, list[Element]]:
    """A paragraph's text, after the number Word draws before it, and the text boxes it
    anchors."""
    out: list[str] = [state.numbering.label(p)] if state.numbering else []
    boxes: list[Element] = []
    _collect(p, out, boxes)
    return "".join(out), boxes


_SKIP = {w("del"), w("instrText"), w("delText"), w("fldData"), w("rPr"), w("pPr")}


def _collect(el: Element, out: list[str], boxes: list[Element]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == w("txbxContent"):
            boxes.append(child)
            continue
        if tag == f"{{{MC}}}AlternateContent":
            choice = child.find(f"{{{MC}}}Choice")
            if choice is not None:
                _collect(choice, out, boxes)
            continue
        if tag == w("r") and _hidden(child):
            continue
        if tag == w("t"):
            out.append(child.text or "")
        elif tag == w("tab"):
            out.append("\t")
        elif tag in (w("br"), w("cr")):
            out.append("\n")
        elif tag == w("noBreakHyphen"):
            out.append("-")
        else:
            _collect(child, out, boxes)


def _hidden(run: Element) -> bool:
    props = run.find(w("rPr"))
    if props is None:
        return False
    vanish = props.find(w("vanish"))
    return vanish is not None and vanish.get(w("val"), "true") not in ("0", "false", "off")


def _cell_content(tc: Element, state: _State) -> tuple[str, str]:
    """A cell's text (its paragraphs joined, as one label wrapped over lines) and the HTML
    of tables nested in it."""
    texts: list[str] = []
    inner: list[str] = []
    for child in _children(tc):
        if child.tag == w("p"):
            text, boxes = _text(child, state)
            texts.append(re.sub(r"\s+", " ", text).strip())
            for box in boxes:
                sub = _State(state.numbering, state.tables)
                _blocks(box, sub)
                inner.extend(sub.parts)
                state.tables = sub.tables
        elif child.tag == w("tbl"):
            inner.append(_table(child, state))
    joined = ""
    for part in texts:
        if not part:
            continue
        cjk = _CJK.search(joined[-1:]) or _CJK.search(part[:1])
        joined += part if not joined or cjk else " " + part
    return joined, "".join(inner)


def _int(el: Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(w("val"), default)))
    except ValueError:
        return default


def _table(tbl: Element, state: _State) -> str:
    state.tables += 1
    number = state.tables
    cells: list[_Cell] = []
    open_at: dict[int, _Cell] = {}  # grid column -> the cell a vMerge continues
    rows = [tr for tr in _children(tbl) if tr.tag == w("tr")]
    for r, tr in enumerate(rows):
        props = tr.find(w("trPr"))
        col = _int(props.find(w("gridBefore")) if props is not None else None, 0)
        if col:
            cells.append(_Cell(r, 0, col, "", ""))
        for tc in (c for c in _children(tr) if c.tag == w("tc")):
            tcpr = tc.find(w("tcPr"))
            span = max(1, _int(tcpr.find(w("gridSpan")) if tcpr is not None else None, 1))
            vmerge = tcpr.find(w("vMerge")) if tcpr is not None else None
            text, inner = _cell_content(tc, state)
            above = open_at.get(col)
            if vmerge is not None and vmerge.get(w("val"), "continue") != "restart" and above:
                above.rows = r - above.row + 1
                above.text += text
                above.inner += inner
            else:
                cell = _Cell(r, col, span, text, inner)
                cells.append(cell)
                for c in range(col, col + span):
                    open_at[c] = cell
            col += span
    return _table_html(cells, len(rows), number)


def _numeric(text: str) -> bool:
    return bool(text) and bool(_NUMBER.fullmatch(text)) and any(ch.isdigit() for ch in text)


def _table_html(cells: list[_Cell], nrows: int, number: int) -> str:
    """An empty cell left of the table's first column of numbers is a gap in the label area
    (``<th>``), not a published blank (an empty ``<td>``)."""
    values = min((c.col for c in cells if _numeric(c.text)), default=1 << 30)
    rows: list[list[str]] = [[] for _ in range(nrows)]
    for c in cells:
        span = (f' rowspan="{c.rows}"' if c.rows > 1 else "") + (
            f' colspan="{c.cols}"' if c.cols > 1 else ""
        )
        empty = not c.text and not c.inner
        tag = "th" if empty and c.col + c.cols <= values else "td"
        where = f' data-gi-where="t{number} r{c.row} c{c.col}"'
        rows[c.row].append(f"<{tag}{span}{where}>{html.escape(c.text)}{c.inner}</{tag}>")
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table data-gi-table="{number}">\n{body}\n</table>'
