"""What every workbook govinfo writes shares: text that can never become a formula, and
the same bytes for the same content.

**Text.** A value from a parameter file (an agency named ``=HYPERLINK(…)``, a cell written
``-1``) is stored as a string cell with Excel's quote prefix, the state a cell typed as
``'=…`` is in: no spreadsheet evaluates it, not even after someone edits the cell. XML
cannot hold most C0 control characters; :func:`put_text` refuses them (the collection
workbook must give back what it was given) or, for the county's export, writes them as
``\\x1b`` escapes.

**Bytes.** openpyxl stamps the time of saving into ``docProps/core.xml`` and every zip
entry; :func:`stable_bytes` writes the package again with fixed times, so that the same
report always gives the same file (a batch can hash it, a test can compare it).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..terminal import escape

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries' date (the zip format starts in 1980)
FIXED_STAMP = "2000-01-01T00:00:00Z"
EXCEL_CELL_LIMIT = 32767  # characters a cell holds; longer text is cut by Excel


class UnsafeText(ValueError):
    """Text a spreadsheet cannot hold as it is: ``str()`` English, ``zh`` Chinese."""

    def __init__(self, field: str, en: str, zh: str) -> None:
        super().__init__(f"{field}: {en}")
        self.field = field
        self.zh = f"{field}：{zh}"


def checked_text(text: str, field: str) -> str:
    """``text`` unchanged, or :class:`UnsafeText` when a cell cannot hold it exactly."""
    bad = ILLEGAL_CHARACTERS_RE.search(text)
    if bad:
        char = escape(bad.group())
        raise UnsafeText(
            field,
            f"holds the control character {char}, which a spreadsheet cannot store: remove it",
            f"含有控制字符 {char}，表格无法保存：请删除",
        )
    if len(text) > EXCEL_CELL_LIMIT:
        raise UnsafeText(
            field,
            f"is {len(text)} characters long; a spreadsheet cell holds {EXCEL_CELL_LIMIT}",
            f"长 {len(text)} 字，超过表格单元格的上限 {EXCEL_CELL_LIMIT} 字",
        )
    return text


def escaped_text(text: str) -> str:
    """``text`` with characters XML cannot hold written as escapes, cut to a cell's size."""
    text = ILLEGAL_CHARACTERS_RE.sub(lambda m: escape(m.group()), text)
    return text if len(text) <= EXCEL_CELL_LIMIT else text[: EXCEL_CELL_LIMIT - 1] + "…"


def put_text(cell: Any, text: str) -> None:
    """Store ``text`` as a string cell that no spreadsheet takes for a formula."""
    cell.value = text
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@") or text[:1].isspace():
        cell.quotePrefix = True


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def stable_bytes(data: bytes) -> bytes:
    """The xlsx package ``data`` with fixed times, entry by entry in the same order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _STAMP.sub(rb"\g<1>" + FIXED_STAMP.encode() + rb"\g<2>", payload)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, payload)
    return out.getvalue()


def workbook_bytes(workbook: Any) -> bytes:
    """An openpyxl workbook saved to stable bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_bytes(buffer.getvalue())
