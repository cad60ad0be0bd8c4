"""The editor's fields: one key per input, its Chinese name, its place in the file, its text.

Every input of the widget editor is addressed by a cell key ``(section, row, column)`` in the
same vocabulary as :class:`~govinfo.findings.Finding`, so a finding leads straight to the
inputs it concerns and an input straight to its place in the parameter file
(:func:`cell_path`). This module is pure (no widgets): names, paths, how a number field
shows a value of the file and reads what was typed, and the derived totals. The state of an
edit session is :mod:`govinfo.editor.state`; the widgets live in :mod:`govinfo.editor.grid`
and :mod:`govinfo.editor`.

Numbers are typed as text and read here (:func:`read_typed`), never by a widget that
would change them: ``1.5`` in a count stays ``1.5`` (rule NOT-INTEGER), ``-1`` stays −1
(NEGATIVE), ``/`` or ``-`` is a published blank kept as written (CELL-BLANK), an empty field
is not filled in (MISSING), and text that is no number at all is kept on screen and
refused by Save (:class:`Unreadable`, rule NOT-A-NUMBER).

Totals are computed, not typed: the 总计 column of 表三 and 表四 and the （七）总计 row of 表三
follow the cells that feed them (:func:`derived_totals`); a total whose parts are not all
filled in with whole numbers is itself not filled in, never a partial sum.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import layout as L
from ..findings import ERROR, Finding
from ..model import UNREAD_MARKER
from ..params import BLANK_MARKS, MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS
from ..params.roundtrip import KeyPath, is_absent, value_at
from ..params.write import FIELD_LABELS
from ..rules import cells_of

CellKey = tuple[str, str | None, str | None]

APPS, ACTIVE, REVIEW, FEES, NARRATIVE, CONTACT = (
    L.APPLICATIONS,
    L.ACTIVE,
    L.REVIEW_LITIGATION,
    L.PROCESSING_FEES_KEY,
    L.NARRATIVE,
    L.CONTACT,
)

# 基本信息: top-level keys of the parameter file with the editor's label for each (the
# same labels a new file carries as comments).
BASIC_FIELDS: tuple[tuple[str, str], ...] = tuple(FIELD_LABELS.items())
BASIC_LABELS = dict(BASIC_FIELDS)
INTRO_LABEL = "导语（小标题前的文字）"
FEES_SWITCH_LABEL = "报告信息处理费"
PLACEHOLDERS = {"missing": "未填", "unread": "未读出"}
NOT_A_NUMBER = "NOT-A-NUMBER"  # the editor's own rule: typed text that no file can hold


def table_keys() -> Iterator[CellKey]:
    """Every numeric cell of 二, 三 and 四, in the official order."""
    for item, measure in L.active_cells():
        yield (ACTIVE, item, measure)
    for row in L.APPLICATION_ROW_KEYS:
        for column in L.APPLICATION_COLUMN_KEYS:
            yield (APPS, row, column)
    for group in L.CASE_GROUP_KEYS:
        for outcome in L.REVIEW_OUTCOME_KEYS:
            yield (REVIEW, group, outcome)


def is_computed(key: CellKey) -> bool:
    """True for the read-only totals (总计 column of 三 and 四, （七）总计 row of 三)."""
    section, row, column = key
    if section == APPS:
        return row == L.TOTAL or column == L.TOTAL
    return section == REVIEW and column == "total"


def is_decimal(key: CellKey) -> bool:
    """Amounts (万元, 元) are decimals; every other number is a count."""
    section, row, _ = key
    return (section == ACTIVE and row == L.FEE_KEY) or (
        section == FEES and row in ("notice_amount_yuan", "collected_yuan")
    )


def is_number(key: CellKey) -> bool:
    """Fields typed as numbers: the table cells, the 信息处理费 figures and the year."""
    section, row, _ = key
    return (
        section in (ACTIVE, APPS, REVIEW)
        or (section == FEES and row is not None)
        or (section == "year")
    )


# --------------------------------------------------------------------------- names


def row_name(row: str) -> str:
    """A row of 表三 named by its group and own label, e.g. ``（三）不予公开1.属于国家秘密``."""
    spec = L.ROW_BY_KEY[row]
    inner = spec.groups[1:]  # 三、本年度办理结果 is implied by the numbering of its rows
    return "".join((*(g.label for g in inner), spec.label))


def cell_label(section: str, row: str | None = None, column: str | None = None) -> str:
    """The Chinese name of a field or cell.

    For example ``三 一、本年新收政府信息公开申请数量 · 自然人``, or ``三 自然人列`` for a
    finding about a whole column.
    """
    if section in BASIC_LABELS:
        return BASIC_LABELS[section]
    if section == CONTACT:
        return "联系方式" + (f" · {dict(L.CONTACT_FIELDS)[row]}" if row else "")
    if section == NARRATIVE:
        if row == "overview":
            parts = dict(L.OVERVIEW_PARTS)
            part = INTRO_LABEL if column == "intro" else parts.get(column or "", "")
            return " ".join(p for p in (L.SECTION_BY_KEY["overview"].heading, part) if p)
        if row in ("problems", "other"):
            return L.SECTION_BY_KEY[row].heading
        return "正文"
    if section == FEES:
        return dict(L.PROCESSING_FEES).get(row or "", "信息处理费")
    numeral = L.SECTION_BY_KEY[section].numeral if section in L.SECTION_BY_KEY else ""
    names: list[str] = []
    if section == ACTIVE and row:
        names.append(L.active_label(row, column))
    elif section == APPS:
        if row:
            names.append(row_name(row))
        if column:
            names.append(L.COLUMN_BY_KEY[column].label + ("" if row else "列"))
    elif section == REVIEW:
        if row:
            names.append(L.CASE_GROUP_BY_KEY[row].full_label)
        if column:
            names.append(L.REVIEW_OUTCOME_BY_KEY[column].label)
    return " ".join((numeral, " · ".join(names))).strip() or section


def css_class(key: CellKey) -> str:
    """The stable CSS class of an input, e.g. ``gi-cell-applications-new-natural_person``."""
    return "gi-cell-" + "-".join(part for part in key if part)


# --------------------------------------------------------------------------- the file


def cell_path(key: CellKey) -> KeyPath:
    """Where a field lives in the parameter file, e.g. ``applications.rows.new[0]``."""
    section, row, column = key
    if section == ACTIVE:
        return (ACTIVE, row or "") if column is None else (ACTIVE, row or "", column)
    if section == APPS:
        return (APPS, "rows", row or "", L.APPLICATION_COLUMN_KEYS.index(column or ""))
    if section == REVIEW:
        return (REVIEW, row or "", L.REVIEW_OUTCOME_KEYS.index(column or ""))
    if section == NARRATIVE:
        return (
            (NARRATIVE, "overview", column or "") if row == "overview" else (NARRATIVE, row or "")
        )
    if section in (FEES, CONTACT):
        return (section,) if row is None else (section, row)
    return (section,)


def number_text(value: Any) -> str:
    """How a number field shows a value of the file: as written, and empty when the cell
    is not filled in (left out, ``null``) or could not be read by an import."""
    if value is None or is_absent(value) or value == UNREAD_MARKER:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def cell_state(value: Any) -> str | None:
    """``missing`` / ``unread`` / ``blank`` for a file value holding no number, else None."""
    if value is None or is_absent(value):
        return "missing"
    if isinstance(value, str) and value.strip() == UNREAD_MARKER:
        return "unread"
    if isinstance(value, str) and value.strip() in BLANK_MARKS:
        return "blank"
    return None


@dataclass(frozen=True)
class Unreadable:
    """Text typed into a number field that no parameter file can hold as a number: kept on
    screen and in the findings (rule NOT-A-NUMBER); Save refuses until it is corrected."""

    text: str
    reason: str = "不是数字"

    def finding(self, key: CellKey) -> Finding:
        return Finding(
            NOT_A_NUMBER,
            ERROR,
            *key,
            f"“{self.text}”{self.reason}（改正后才能保存）",
            f"{self.text!r} is not a number that can be saved",
        )


_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_THOUSANDS = re.compile(r"[-+]?[1-9][0-9]{0,2}(,[0-9]{3})+")
_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]*|[-+]?\.[0-9]+")
_LEADING_ZEROS = re.compile(r"[-+]?0[0-9]+")
_AMOUNT_WITH_UNIT = re.compile(r"[\d.,]+\s*万?元")


def read_typed(key: CellKey, text: str) -> Any:
    """What typed text writes to the file: an int or Decimal as typed, None (not filled in)
    for an empty field, the blank mark itself for a published blank, the text itself for a
    number the rules flag as written (leading zeros, an amount with its unit), or
    :class:`Unreadable`."""
    stripped = text.strip()
    if not stripped:
        return None
    if stripped in BLANK_MARKS or stripped == UNREAD_MARKER:
        return stripped
    clean = unicodedata.normalize("NFKC", stripped).replace(" ", "")
    if _LEADING_ZEROS.fullmatch(clean):
        return clean  # NUMBER-FORMAT, as the file would say
    if _THOUSANDS.fullmatch(clean):
        clean = clean.replace(",", "")
    if _INT.fullmatch(clean):
        if len(clean.lstrip("+-")) > MAX_INTEGER_DIGITS:
            return Unreadable(text, f"超过 {MAX_INTEGER_DIGITS} 位")
        return int(clean)
    if _DECIMAL.fullmatch(clean):
        whole, _, fraction = clean.lstrip("+-").partition(".")
        if len(whole) > MAX_INTEGER_DIGITS or len(fraction) > MAX_DECIMAL_PLACES:
            return Unreadable(text, "位数过多")
        return Decimal(clean)
    if is_decimal(key) and _AMOUNT_WITH_UNIT.fullmatch(stripped):
        return stripped  # FEE-UNIT, as the file would say
    return Unreadable(text)


# --------------------------------------------------------------------------- totals


def countable(value: Any) -> int | None:
    """A cell as a count for a total: whole numbers as they are, published blanks as 0;
    None when not filled in, unread, fractional or not a number (no total can be made)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if cell_state(value) == "blank":
        return 0
    return None


def _sum(data: Mapping[str, Any], keys: Iterable[CellKey], holes: frozenset[CellKey]) -> int | None:
    total = 0
    for key in keys:
        value = None if key in holes else countable(value_at(data, cell_path(key)))
        if value is None:
            return None
        total += value
    return total


def derived_totals(
    data: Mapping[str, Any], keys: Iterable[CellKey], holes: frozenset[CellKey] = frozenset()
) -> dict[CellKey, Any]:
    """The totals that the cells ``keys`` feed, computed from the file's values ``data``;
    None (not filled in) where a part is not a whole number or is one of ``holes`` (typed
    text that is no number)."""
    parts6 = [c for c in L.APPLICATION_COLUMN_KEYS if c != L.TOTAL]
    values: dict[CellKey, Any] = {}
    grand = False
    for section, row, column in keys:
        if section == REVIEW and row and column != "total":
            outcomes = [o for o in L.REVIEW_OUTCOME_KEYS if o != "total"]
            values[(REVIEW, row, "total")] = _sum(data, [(REVIEW, row, o) for o in outcomes], holes)
        if section != APPS or not row or not column or is_computed((section, row, column)):
            continue
        values[(APPS, row, L.TOTAL)] = _sum(data, [(APPS, row, c) for c in parts6], holes)
        if row in L.OUTCOME_KEYS:
            outcome_cells = [(APPS, r, column) for r in L.OUTCOME_KEYS]
            values[(APPS, L.TOTAL, column)] = _sum(data, outcome_cells, holes)
            grand = True
    if grand:  # the grand total: the six totals of the （七）总计 row
        sums = [_sum(data, [(APPS, r, c) for r in L.OUTCOME_KEYS], holes) for c in parts6]
        values[(APPS, L.TOTAL, L.TOTAL)] = (
            None if any(s is None for s in sums) else sum(s for s in sums if s is not None)
        )
    return values


def feeding_cells() -> list[CellKey]:
    """Every typed cell of 三 and 四 (what 重算总计 recomputes the totals from)."""
    return [k for k in table_keys() if k[0] in (APPS, REVIEW) and not is_computed(k)]


# --------------------------------------------------------------------------- findings


def concerns(finding: Finding, key: CellKey) -> bool:
    """Does ``finding`` concern the field ``key``? A None row or column means all of them."""
    section, row, column = key
    for f_section, f_row, f_column in cells_of(finding):
        if f_section != section:
            continue
        if (f_row is None or f_row == row) and (f_column is None or f_column == column):
            return True
    return False


def flags(findings: Iterable[Finding], keys: Iterable[CellKey]) -> dict[CellKey, list[Finding]]:
    """The findings of each field that has any, for highlighting."""
    findings = list(findings)
    marked: dict[CellKey, list[Finding]] = {}
    for key in keys:
        found = [f for f in findings if concerns(f, key)]
        if found:
            marked[key] = found
    return marked
