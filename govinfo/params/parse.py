"""Parameter files, second step: a raw mapping into a :class:`~govinfo.model.Report`.

Parsing never stops at the first problem. What can still be represented becomes a
:class:`~govinfo.findings.Finding` (unknown key, wrong row length, negative or non-integer
count, blank cell …) so that ``govinfo validate`` lists everything at once; only input that
leaves nothing to check (a string where a number belongs, a missing file) raises
:class:`~govinfo.findings.ParameterError`, which names the file and the field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import divisions
from .. import layout as L
from ..files import RESERVED_NAMES, WINDOWS_RESERVED, is_safe_id
from ..findings import ERROR, WARNING, Finding, ParameterError, Severity
from ..model import (
    MISSING,
    UNREAD,
    UNREAD_MARKER,
    ActiveDisclosure,
    Applications,
    Cell,
    CellMark,
    Contact,
    Narrative,
    Number,
    Overview,
    ProcessingFees,
    Report,
    ReviewLitigation,
    frozen_mapping,
)
from .read import (
    BLANK_MARKS,
    FEE_LIMIT_10K_YUAN,
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
    ODD_LITERAL,
    OddNumber,
    read_mapping,
)

# --------------------------------------------------------------------------- parsing


class _Parser:
    """Turns one raw mapping into a Report, collecting findings along the way."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self.marks: dict[Cell, CellMark] = {}  # cells holding no number: missing, blank, unread
        self.short_rows: set[tuple[str, str]] = set()  # rows with a ROW-LENGTH finding

    # -- helpers

    def fail(self, field: str, message: str) -> ParameterError:
        return ParameterError(self.file, field, message)

    def add(
        self,
        rule: str,
        severity: Severity,
        where: tuple[str, str | None, str | None],
        zh: str,
        en: str,
    ) -> None:
        section, row, column = where
        self.findings.append(Finding(rule, severity, section, row, column, zh, en, self.file))

    def mapping(self, value: Any, field: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(field, f"应为键值映射 / expected a mapping, got {_kind(value)}")
        return value

    def known_keys(
        self, data: Mapping[str, Any], allowed: tuple[str, ...], section: str, field: str
    ) -> None:
        for key in data:
            if key in allowed:
                continue
            name = str(key)
            if section == L.APPLICATIONS and re.search(r"subtotal|小计", name):
                self.add(
                    "EXTRA-SUBTOTAL",
                    WARNING,
                    (section, name, None),
                    f"表三不设小计行：{name}",
                    f"table 三 has no subtotal rows: {name}",
                )
                continue
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint_zh = f"，是否应为 {close[0]}？" if close else ""
            hint_en = f"; did you mean {close[0]!r}?" if close else ""
            self.add(
                "UNKNOWN-KEY",
                ERROR,
                (section, name if field != section else None, None),
                f"未知字段 {field}.{name}{hint_zh}",
                f"unknown key {field}.{name}{hint_en}",
            )

    def number(
        self, value: Any, where: tuple[str, str | None, str | None], field: str, *, integer: bool
    ) -> Number:
        """A cell value. A cell holding no number becomes 0 with a mark in ``self.marks``:
        ``null`` is missing, a published blank (C07) is kept as written with a CELL-BLANK
        warning, ``unread`` is unread; the MISSING / UNREAD findings are made per row by
        :meth:`gaps`. Negatives and fractions are findings."""
        if isinstance(value, OddNumber) or (
            isinstance(value, str) and ODD_LITERAL.fullmatch(value.strip())
        ):
            self.marks[where] = CellMark("invalid", str(value))
            self.add(
                "NUMBER-FORMAT",
                ERROR,
                where,
                f"{field} 应写成普通十进制数，不能有前导零、冒号、0b/0o/0x 前缀或下划线："
                f"{value}（YAML 1.1 会把它读成别的数或文本）",
                f"{field} must be a plain decimal number (no leading zeros, colons, 0b/0o/0x "
                f"or underscores): {value} (YAML 1.1 reads it as another number or as text)",
            )
            return 0
        if isinstance(value, str):
            text = value.strip()
            if text == UNREAD_MARKER:
                self.marks[where] = UNREAD
                return 0
            if text in BLANK_MARKS:
                self.marks[where] = CellMark("blank", str(value))
                self.add(
                    "CELL-BLANK",
                    WARNING,
                    where,
                    "单元格为空（或为“/”“—”），按 0 计",
                    "blank cell (or '/' '—'), counted as 0",
                )
                return 0
            if not integer and re.fullmatch(r"[\d.,]+\s*万?元", text):
                unit = "万元" if where[1] == L.FEE_KEY else "元"
                self.add(
                    "FEE-UNIT",
                    ERROR,
                    where,
                    f"金额应以{unit}填写且不带单位：{text}",
                    f"amount must be a bare number in {unit}, no unit text: {text}",
                )
                return Decimal(re.sub(r"[^\d.]", "", text) or "0")
            raise self.fail(field, f"应为数字 / expected a number, got {value!r}")
        if value is None:
            self.marks[where] = MISSING
            return 0
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.fail(field, f"应为数字 / expected a number, got {_kind(value)}")
        number = Decimal(str(value)) if isinstance(value, float) else value
        if isinstance(number, Decimal) and not number.is_finite():
            raise self.fail(field, f"应为有限数字 / expected a finite number, got {value}")
        if not _in_range(number):
            raise self.fail(
                field,
                f"数字超出范围 / number out of range: {_short(number)} (at most "
                f"{MAX_INTEGER_DIGITS} digits before and {MAX_DECIMAL_PLACES} after the point)",
            )
        if number < 0:
            self.add(
                "NEGATIVE",
                ERROR,
                where,
                f"数值不能为负：{value}",
                f"value must not be negative: {value}",
            )
        if integer and isinstance(number, Decimal):
            if number != number.to_integral_value():
                self.add(
                    "NOT-INTEGER",
                    ERROR,
                    where,
                    f"件数应为整数：{value}",
                    f"count must be a whole number: {value}",
                )
            return int(number)
        return number

    def text(self, value: Any, field: str) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
            return str(value)
        raise self.fail(field, f"应为文本 / expected text, got {_kind(value)}")

    def row(
        self, value: Any, size: int, where: tuple[str, str | None, str | None], field: str
    ) -> list[int]:
        """A row of ``size`` counts with the total last; the total is derived if left out
        (missing when one of its parts is). A row left out is missing, cell by cell."""
        section, key = where[0], str(where[1])
        columns = L.APPLICATION_COLUMN_KEYS if size == 7 else L.REVIEW_OUTCOME_KEYS
        if value is None:
            self.marks.update({(section, key, column): MISSING for column in columns})
            return [0] * size
        if not isinstance(value, list):
            raise self.fail(
                field, f"应为 {size} 个数字的列表 / expected a list, got {_kind(value)}"
            )
        if len(value) not in (size, size - 1):
            self.add(
                "ROW-LENGTH",
                ERROR,
                where,
                f"应有 {size} 个数（或不含总计的 {size - 1} 个），实有 {len(value)} 个",
                f"expected {size} numbers (or {size - 1} without the total), got {len(value)}",
            )
            self.short_rows.add((section, key))
        numbers = [
            int(self.number(v, (section, key, columns[i]), f"{field}[{i}]", integer=True))
            for i, v in enumerate(value[:size])
        ]
        if len(numbers) < size:  # the total left out (or a short row): not given, not zero
            for column in columns[len(numbers) : size - 1]:
                self.marks[(section, key, column)] = MISSING
            numbers += [0] * (size - 1 - len(numbers))
            numbers.append(self.derived(numbers, [(section, key, c) for c in columns[:-1]]))
        return numbers

    def state(self, cell: Cell) -> str | None:
        mark = self.marks.get(cell)
        return mark.state if mark else None

    def filled(self, cell: Cell) -> bool:
        return self.state(cell) in (None, "blank")

    def derived(
        self, values: list[int], parts: list[Cell], target: tuple[str, str] | None = None
    ) -> int:
        """A derived total: the sum of its parts, or missing (0 with a mark) when one of the
        parts is missing or unread: a sum with a hole in it is not a total. ``target`` is
        (row, column) of the total, by default the 总计 column of the parts' row."""
        section, row, _ = parts[0]
        row, column = target or (str(row), "total")
        if all(self.filled(part) for part in parts):
            self.marks.pop((section, row, column), None)
            return sum(values)
        self.marks[(section, row, column)] = MISSING
        return 0

    def gaps(self, section: str, cells: Mapping[str, tuple[str | None, ...]]) -> None:
        """One MISSING and one UNREAD finding per row naming its missing / unread cells, or
        a single one for the section when every cell of it is (never one line per cell).

        A total left empty because one of its parts is (a row's 总计, a column of （七）总计)
        is not named again: filling in the part is what is needed, and a total written back
        as ``null`` after its part was found missing must not add a finding of its own."""
        for state in ("missing", "unread"):
            rows = {
                row: tuple(c for c in columns if self.state((section, row, c)) == state)
                for row, columns in cells.items()
                if (section, row) not in self.short_rows
            }
            rows = {row: columns for row, columns in rows.items() if columns}
            if sum(map(len, rows.values())) == sum(map(len, cells.values())):
                self.add_gap(state, (section, None, None), *_gap_text(section, None, (), state))
                continue
            for row, columns in rows.items():
                named = tuple(c for c in columns if not self.follows_a_hole(section, row, c))
                if not named:
                    continue
                shown = () if columns == cells[row] else named
                self.add_gap(state, (section, row, None), *_gap_text(section, row, shown, state))

    def follows_a_hole(self, section: str, row: str, column: str | None) -> bool:
        """Whether a total cell adds up a part that is missing or unread."""
        parts: list[Cell] = []
        if column == "total" and section in (L.APPLICATIONS, L.REVIEW_LITIGATION):
            keys = L.APPLICANT_KEYS if section == L.APPLICATIONS else L.REVIEW_PARTS
            parts += [(section, row, key) for key in keys]
        if section == L.APPLICATIONS and row == L.TOTAL:
            parts += [(section, key, column) for key in L.OUTCOME_KEYS]
        return not all(self.filled(part) for part in parts)

    def add_gap(self, state: str, where: tuple[str, str | None, None], zh: str, en: str) -> None:
        self.add("MISSING" if state == "missing" else "UNREAD", ERROR, where, zh, en)

    # -- sections

    def report(self, data: Mapping[str, Any]) -> Report:
        self.known_keys(data, L.TOP_LEVEL_KEYS, "report", "report")
        schema = self.text(data.get("schema"), "schema")
        if not schema:
            self.add(
                "SCHEMA",
                WARNING,
                ("schema", None, None),
                f"缺少 schema，按 {L.SCHEMA} 读取",
                f"no schema given; read as {L.SCHEMA}",
            )
        elif schema != L.SCHEMA:
            self.add(
                "SCHEMA",
                ERROR,
                ("schema", None, None),
                f"不支持的 schema：{schema}（应为 {L.SCHEMA}）",
                f"unsupported schema {schema!r} (expected {L.SCHEMA!r})",
            )
        return Report(
            agency=self.required_text(data, "agency"),
            agency_id=self.agency_id(data.get("agency_id")),
            year=self.year(data.get("year")),
            region=self.text(data.get("region"), "region"),
            region_code=self.region_code(data.get("region_code")),
            kind=self.choice(data.get("kind"), "kind", tuple(L.KINDS)),
            scope=self.choice(data.get("scope"), "scope", tuple(L.SCOPES)),
            published=self.date(data.get("published")),
            contact=self.contact(data.get("contact")),
            narrative=self.narrative(self.mapping(data.get("narrative"), "narrative")),
            processing_fees=self.processing_fees(data.get("processing_fees")),
            active=self.active(self.mapping(data.get("active"), "active")),
            applications=self.applications(self.mapping(data.get(L.APPLICATIONS), L.APPLICATIONS)),
            review_litigation=self.review(
                self.mapping(data.get(L.REVIEW_LITIGATION), L.REVIEW_LITIGATION)
            ),
            previous_path=self.text(data.get("previous"), "previous") or None,
            schema=schema or L.SCHEMA,
            marks=frozen_mapping(self.marks),
        )

    def contact(self, value: Any) -> Contact | None:
        """The optional contact details; every value is text (a postcode keeps its zeros)."""
        if value is None:
            return None
        data = self.mapping(value, "contact")
        self.known_keys(data, L.CONTACT_KEYS, "contact", "contact")
        values = {key: self.text(data.get(key), f"contact.{key}") for key in L.CONTACT_KEYS}
        return Contact(**values)

    def region_code(self, value: Any) -> str:
        """The optional GB/T 2260 code (``320813``; YAML may read it as a number). A code that
        is not one is a REGION-CODE error naming the value, and the report counts nowhere."""
        if value is None or value == "":
            return ""
        text = str(value).strip() if not isinstance(value, bool) else repr(value)
        why = divisions.problem(text)
        if why is None:
            return text
        zh, en = why.split(" / ", 1)
        self.add(
            "REGION-CODE",
            ERROR,
            ("region_code", None, None),
            f"region_code {text!r} 不是行政区划代码（GB/T 2260，如 {divisions.EXAMPLE}）：{zh}",
            f"region_code {text!r} is not a division code (GB/T 2260, e.g. "
            f"{divisions.EXAMPLE}): {en}",
        )
        return ""

    def required_text(self, data: Mapping[str, Any], key: str) -> str:
        value = self.text(data.get(key), key).strip()
        if not value:
            self.add("REQUIRED", ERROR, (key, None, None), f"缺少 {key}", f"{key} is required")
        return value

    def agency_id(self, value: Any) -> str:
        text = self.text(value, "agency_id")
        if text in WINDOWS_RESERVED:
            self.add(
                "AGENCY-ID",
                ERROR,
                ("agency_id", None, None),
                f"agency_id {text!r} 是 Windows 保留的设备名，不能用作文件名",
                f"agency_id {text!r} is a device name Windows reserves: it cannot name a file",
            )
        elif text in RESERVED_NAMES:
            self.add(
                "AGENCY-ID",
                ERROR,
                ("agency_id", None, None),
                f"agency_id {text!r} 是网站自用的文件名（{'、'.join(sorted(RESERVED_NAMES))}），"
                "不能用作机关代码",
                f"agency_id {text!r} is reserved for the site's own pages "
                f"({', '.join(sorted(RESERVED_NAMES))})",
            )
        elif not is_safe_id(text):
            self.add(
                "AGENCY-ID",
                ERROR,
                ("agency_id", None, None),
                f"agency_id {text!r} 只能由小写字母、数字和连字符组成，且以字母或数字开头",
                f"agency_id {text!r} must match [a-z0-9][a-z0-9-]* (at most 80 characters)",
            )
        return text

    def year(self, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 2000 <= value <= 2100:
            return value
        self.add(
            "YEAR",
            ERROR,
            ("year", None, None),
            f"报告年度应为 2000–2100 之间的整数：{value!r}",
            f"year must be a whole number between 2000 and 2100: {value!r}",
        )
        return 0

    def choice(self, value: Any, key: str, allowed: tuple[str, ...]) -> str:
        if value is None:
            return allowed[0]
        if value in allowed:
            return str(value)
        self.add(
            "CHOICE",
            ERROR,
            (key, None, None),
            f"{key} 应为 {' / '.join(allowed)} 之一：{value!r}",
            f"{key} must be one of {', '.join(allowed)}: {value!r}",
        )
        return allowed[0]

    def date(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):  # a YAML timestamp with a time of day
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.add(
                "DATE",
                ERROR,
                ("published", None, None),
                f"发布日期应为 YYYY-MM-DD：{value!r}",
                f"published must be a date YYYY-MM-DD: {value!r}",
            )
            return None

    def narrative(self, data: Mapping[str, Any]) -> Narrative:
        self.known_keys(data, L.NARRATIVE_KEYS, "narrative", "narrative")
        raw = data.get("overview")
        if isinstance(raw, str) or raw is None:  # a single text: all of 一 as its intro
            overview = Overview(intro=self.text(raw, "narrative.overview"))
        else:
            parts = self.mapping(raw, "narrative.overview")
            self.known_keys(parts, L.OVERVIEW_KEYS, "narrative", "narrative.overview")
            overview = Overview(
                **{k: self.text(parts.get(k), f"narrative.overview.{k}") for k in L.OVERVIEW_KEYS}
            )
        return Narrative(
            overview=overview,
            problems=self.text(data.get("problems"), "narrative.problems"),
            other=self.text(data.get("other"), "narrative.other"),
        )

    def processing_fees(self, value: Any) -> ProcessingFees | None:
        if value is None:
            return None
        data = self.mapping(value, "processing_fees")
        self.known_keys(data, L.PROCESSING_FEE_KEYS, "processing_fees", "processing_fees")

        def get(key: str, integer: bool) -> Number:
            where = ("processing_fees", key, None)
            return self.number(data.get(key), where, f"processing_fees.{key}", integer=integer)

        fees = ProcessingFees(
            notices=int(get("notices", True)),
            notice_amount_yuan=Decimal(get("notice_amount_yuan", False)),
            collected_yuan=Decimal(get("collected_yuan", False)),
        )
        self.gaps("processing_fees", {key: (None,) for key in L.PROCESSING_FEE_KEYS})
        return fees

    def active(self, data: Mapping[str, Any]) -> ActiveDisclosure:
        items = L.ACTIVE_DOC_ITEMS + L.ACTIVE_SINGLE_ITEMS
        self.known_keys(data, items, "active", "active")
        measures = tuple(key for key, _ in L.ACTIVE_MEASURES)
        cells: dict[tuple[str, str | None], Number] = {}
        for item, measure in L.active_cells():
            field = f"active.{item}" + (f".{measure}" if measure else "")
            if measure is None:
                value = data.get(item)
                fee = item == L.FEE_KEY
                number = self.number(value, ("active", item, None), field, integer=not fee)
                cells[(item, None)] = Decimal(number) if fee else number
                continue
            group = self.mapping(data.get(item), f"active.{item}")
            if measure == measures[0]:
                self.known_keys(group, measures, "active", f"active.{item}")
            where = ("active", item, measure)
            cells[(item, measure)] = self.number(group.get(measure), where, field, integer=True)
        self.gaps(
            "active",
            {item: measures if item in L.ACTIVE_DOC_ITEMS else (None,) for item in items},
        )
        fees = cells[(L.FEE_KEY, None)]
        if fees > FEE_LIMIT_10K_YUAN:
            self.add(
                "FEE-UNIT",
                ERROR,
                ("active", L.FEE_KEY, None),
                f"{L.active_label(L.FEE_KEY)} {fees:f} 万元 超过 1 万亿元，单位可能误用“元”",
                f"fees of {fees:f} (10k yuan) exceed 1 trillion yuan: probably given in yuan",
            )
        return ActiveDisclosure(frozen_mapping(cells))

    def applications(self, data: Mapping[str, Any]) -> Applications:
        self.known_keys(data, ("columns", "rows"), L.APPLICATIONS, L.APPLICATIONS)
        columns = data.get("columns")
        canonical = list(L.APPLICATION_COLUMN_KEYS)
        if columns is not None and (
            not isinstance(columns, list) or columns not in (canonical, canonical[:-1])
        ):
            self.add(
                "COLUMNS",
                ERROR,
                (L.APPLICATIONS, None, None),
                f"列顺序应为 {canonical}",
                f"columns must be {canonical} in this order, got {columns}",
            )
        raw_rows = self.mapping(data.get("rows"), "applications.rows")
        self.known_keys(raw_rows, L.APPLICATION_ROW_KEYS, L.APPLICATIONS, "applications.rows")
        rows = {
            key: self.row(
                raw_rows.get(key), 7, (L.APPLICATIONS, key, None), f"applications.rows.{key}"
            )
            for key in L.APPLICATION_ROW_KEYS
        }
        derived = raw_rows.get(L.TOTAL) is None
        if derived:  # the （七）总计 row left out: derive it, column by column
            rows[L.TOTAL] = [
                self.derived(
                    [rows[k][i] for k in L.OUTCOME_KEYS],
                    [(L.APPLICATIONS, k, column) for k in L.OUTCOME_KEYS],
                    (L.TOTAL, column),
                )
                for i, column in enumerate(L.APPLICATION_COLUMN_KEYS)
            ]
        columns = L.APPLICATION_COLUMN_KEYS
        keys = [key for key in L.APPLICATION_ROW_KEYS if not (derived and key == L.TOTAL)]
        self.gaps(L.APPLICATIONS, dict.fromkeys(keys, columns))
        return Applications(frozen_mapping({key: tuple(values) for key, values in rows.items()}))

    def review(self, data: Mapping[str, Any]) -> ReviewLitigation:
        self.known_keys(data, L.CASE_GROUP_KEYS, L.REVIEW_LITIGATION, L.REVIEW_LITIGATION)
        groups = {
            key: tuple(
                self.row(
                    data.get(key), 5, (L.REVIEW_LITIGATION, key, None), f"review_litigation.{key}"
                )
            )
            for key in L.CASE_GROUP_KEYS
        }
        self.gaps(L.REVIEW_LITIGATION, dict.fromkeys(L.CASE_GROUP_KEYS, L.REVIEW_OUTCOME_KEYS))
        return ReviewLitigation(frozen_mapping(groups))


def _gap_text(
    section: str, row: str | None, columns: tuple[str | None, ...], state: str
) -> tuple[str, str]:
    """(zh, en) of a MISSING or UNREAD finding: the section, else its row and, when only
    some of the row's cells are meant, those cells, with the official Chinese labels."""
    if section == "processing_fees":
        block, row_label = "信息处理费", dict(L.PROCESSING_FEES).get(row or "", "")
    else:
        block = L.SECTION_BY_KEY[section].heading
        row_label = _row_label(section, row) if row else ""
    names = "、".join(_column_label(section, c) for c in columns if c)
    if state == "missing":
        what_zh, what_en = "未填写（无则填 0）", "not filled in (0 where none)"
    else:
        what_zh, what_en = "导入时未能读出，请对照原文填写", "could not be read on import"
    if row is None:
        whole = "is not filled in (0 where none)" if state == "missing" else "could not be read"
        return f"{block}：整部分{what_zh}", f"{section}: the whole section {whole}"
    place_en = f"{section} {row}" + (f" ({', '.join(str(c) for c in columns)})" if names else "")
    place_zh = f"{block}：{row_label}" + (f" 的 {names}" if names else "")
    return f"{place_zh} {what_zh}", f"{place_en}: {what_en}"


def _row_label(section: str, row: str) -> str:
    if section == "active":
        return L.active_label(row)
    if section == L.APPLICATIONS:
        spec = L.ROW_BY_KEY[row]
        return "".join(group.label for group in spec.groups[1:]) + spec.label
    return L.CASE_GROUP_BY_KEY[row].full_label


def _column_label(section: str, column: str) -> str:
    if section == "active":
        return dict(L.ACTIVE_MEASURES)[column]
    if section == L.APPLICATIONS:
        return L.COLUMN_BY_KEY[column].label
    return L.REVIEW_OUTCOME_BY_KEY[column].label


def _in_range(number: int | Decimal) -> bool:
    if isinstance(number, int):
        return abs(number) < 10**MAX_INTEGER_DIGITS
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or not -MAX_DECIMAL_PLACES <= exponent <= MAX_INTEGER_DIGITS:
        return False
    return number.is_zero() or number.adjusted() < MAX_INTEGER_DIGITS


def _short(number: int | Decimal) -> str:
    """A number for a message, cut short: it may have thousands of digits."""
    try:
        text = str(number)
    except ValueError:  # an int beyond Python's 4300-digit conversion limit
        return "a number with more than 4300 digits"
    return text if len(text) <= 40 else f"{text[:12]}…({len(text)} characters)"


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def parse(data: Mapping[str, Any], source: Path | None = None) -> Report:
    """Build a Report from a raw mapping (a parsed file, or papermill's parameters)."""
    parser = _Parser(str(source) if source else None)
    report = parser.report(data)
    return report.replace(source=source, load_findings=tuple(parser.findings))


def load(path: str | Path, *, follow_previous: bool = True) -> Report:
    """Read a parameter file, and last year's report when ``previous`` names one.

    ``previous`` is resolved relative to the file. A missing or self-referencing previous
    file is a finding (rule PREVIOUS), not a crash: this year's report can still be checked.
    """
    path = Path(path)
    report = parse(read_mapping(path), source=path)
    if follow_previous and report.previous_path:
        report = attach_previous(report)
    return report


def attach_previous(report: Report) -> Report:
    base = report.source.parent if report.source else Path.cwd()
    target = (base / str(report.previous_path)).resolve()
    problem: tuple[str, str] | None = None
    previous = None
    if report.source and target == report.source.resolve():
        problem = ("previous 指向本文件自身", "previous points to this same file")
    else:
        try:
            previous = load(target, follow_previous=False)
        except ParameterError as exc:
            problem = (f"无法读取上年报告：{exc.message}", f"cannot read last year's report: {exc}")
    if problem:
        finding = Finding(
            "PREVIOUS", ERROR, "previous", None, None, *problem, str(report.source or "")
        )
        return report.replace(load_findings=(*report.load_findings, finding))
    return report.replace(previous=previous)
