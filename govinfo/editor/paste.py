"""Pasting 表三 from Excel or WPS: tab-separated rows of numbers, with or without labels.

Spreadsheets copy a selection as tab-separated lines (cells holding a line break are quoted,
which :mod:`csv` understands). A paste is either one row of 6 numbers (the six applicant
columns) or 7 (with 总计), or a block of such rows. When a line carries the official row
label in front of its numbers (a copy that included the label columns), the row is found by
its label; a line without a label goes to the row after the previous one, starting at the
row chosen in the editor. Header lines (labels only, no numbers) are skipped.

A paste is all or nothing: every value is read first, and if any cannot be read nothing is
applied and each problem names the pasted line, the row, the column and the text. Totals
are computed in the editor, so a pasted 总计 (and the （七）总计 row) is compared with the
computed one and any difference reported as a note, never applied.

Blank cells are never zeros: a published blank (``-``, ``/``, ``—`` …) is kept as written,
as ``govinfo import`` keeps it (rule CELL-BLANK), and an empty cell is not filled in (rule
MISSING). Each is named in the paste's notes (:func:`paste_notes`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import layout as L
from ..params import BLANK_MARKS
from .fields import APPS, CellKey, countable, row_name

Cell = int | str | None  # a count, a published blank as written, or None: not filled in

_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
_NUMBERING = re.compile(r"^(\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\d+[.、])")
_NOTE = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True)
class PastedRow:
    """One pasted line read into a row of 表三: six applicant values and the given total
    (None when the line had six values)."""

    line: int
    row: str
    values: tuple[Cell, ...]
    total: Cell = None
    has_total: bool = False


@dataclass(frozen=True)
class PasteResult:
    """What a paste would change; ``errors`` non-empty means nothing may be applied."""

    rows: tuple[PastedRow, ...] = ()
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _normalise(label: str) -> str:
    """A label reduced to its words: no numbering, spaces, quotes or trailing note.

    NFKC first, so full-width and ASCII punctuation (（三） and (三), “” and "") compare equal.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", label)).translate(_QUOTES)
    text = _NUMBERING.sub("", text)
    return _NOTE.sub("", text) or text


_BY_LABEL = {_normalise(row.label): row.key for row in L.APPLICATION_ROWS}


def match_row(label: str) -> str | None:
    """The row key of an official row label as pasted (numbering and quotes may differ)."""
    wanted = _normalise(label)
    if not wanted:
        return None
    if wanted in _BY_LABEL:
        return _BY_LABEL[wanted]
    close = [key for text, key in _BY_LABEL.items() if text.startswith(wanted)]
    return close[0] if len(close) == 1 else None


def _cells(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), delimiter="\t")
    return [[cell.strip() for cell in line] for line in reader]


def _split(cells: list[str]) -> tuple[list[str], list[str]]:
    """(label cells, value cells): labels run up to the last cell with Chinese text."""
    last = max((i for i, cell in enumerate(cells) if _CJK.search(cell)), default=-1)
    values = cells[last + 1 :]
    while values and values[-1] == "":  # trailing empty cells of a wider selection
        values.pop()
    while len(values) > 7 and values[0] == "":  # a label merged across the label columns
        values.pop(0)
    return cells[: last + 1], values


def _number(text: str) -> tuple[Cell, str]:
    """A count, a published blank (kept as written), None for an empty cell; or the reason
    it is none of these (second item)."""
    if not text:
        return None, ""
    if text in BLANK_MARKS:
        return text, ""
    clean = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if re.fullmatch(r"\d+", clean):
        return int(clean), ""
    if re.fullmatch(r"-\d+", clean):
        return None, "不能为负数"
    if re.fullmatch(r"\d+\.\d*", clean):
        return (int(float(clean)), "") if float(clean).is_integer() else (None, "不是整数")
    return None, "不是数字"


def read_paste(text: str, start_row: str = "new") -> PasteResult:
    """Read pasted text into rows of 表三, starting at ``start_row`` for unlabelled lines."""
    rows: list[PastedRow] = []
    errors: list[str] = []
    notes: list[str] = []
    keys = L.APPLICATION_ROW_KEYS
    position = keys.index(start_row)
    columns = L.APPLICATION_COLUMNS
    for number, cells in enumerate(_cells(text), start=1):
        if not any(cells):
            continue
        labels, values = _split(cells)
        if not values:
            continue  # a header line: labels only
        label = next((cell for cell in reversed(labels) if cell), "")
        if label:
            row = match_row(label)
            if row is None:
                errors.append(f"粘贴内容第 {number} 行：无法识别行标题“{label}”")
                continue
            position = keys.index(row)
        elif position >= len(keys):
            errors.append(f"粘贴内容第 {number} 行：已超过表三最后一行（{row_name(keys[-1])}）")
            continue
        row = keys[position]
        position += 1
        if len(values) not in (6, 7):
            errors.append(
                f"粘贴内容第 {number} 行（{row_name(row)}）：有 {len(values)} 个数值，应为 6 个"
                "（不含总计）或 7 个"
            )
            continue
        read: list[Cell] = []
        for column, cell in zip(columns, values, strict=False):
            value, problem = _number(cell)
            if problem:
                errors.append(
                    f"粘贴内容第 {number} 行（{row_name(row)}）{column.label}列：“{cell}”{problem}"
                )
            else:
                read.append(value)
        if len(read) != len(values):
            continue
        total = read[6] if len(read) == 7 else None
        rows.append(PastedRow(number, row, tuple(read[:6]), total, len(read) == 7))
    for pasted in rows:
        parts = [countable(v) for v in pasted.values]
        given = countable(pasted.total)
        if given is None or any(p is None for p in parts):
            continue
        computed = sum(p for p in parts if p is not None)
        if given != computed:
            notes.append(
                f"粘贴内容第 {pasted.line} 行（{row_name(pasted.row)}）：粘贴的总计 {given} "
                f"与六列之和 {computed} 不符，总计按六列之和计算"
            )
    if not rows and not errors:
        errors.append("没有读到数字：请粘贴以制表符分隔的一行或多行（6 或 7 个数）")
    return PasteResult(tuple(rows), tuple(errors), tuple(notes))


def paste_notes(result: PasteResult, value_of: Callable[[CellKey], Any]) -> list[str]:
    """What a paste applied that is not a plain count, and how a pasted （七）总计 compares
    with the computed one (``value_of`` gives a cell's value after the paste)."""
    notes: list[str] = []
    for pasted in result.rows:
        place = f"粘贴内容第 {pasted.line} 行（{row_name(pasted.row)}）"
        for column, value in zip(L.APPLICATION_COLUMNS, pasted.values, strict=False):
            if pasted.row == L.TOTAL:
                computed = value_of((APPS, L.TOTAL, column.key))
                if countable(value) is not None and countable(computed) != countable(value):
                    shown = "未填" if countable(computed) is None else computed
                    notes.append(f"{place}{column.label}列：粘贴 {value}，按各项计算为 {shown}")
            elif value is None:
                notes.append(f"{place}{column.label}列为空：记为未填写，请补填")
            elif isinstance(value, str):
                notes.append(f"{place}{column.label}列“{value}”：按公布的空白保留（按 0 计）")
    return notes
