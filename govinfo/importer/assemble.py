"""From what was read to a parameter-file mapping, cell by cell, with every gap reported.

Every one of the 200 table cells gets a value or null. A null always comes with a problem
saying where it is and why: not found, ambiguous, a published blank (C07), or a 2019-format
cell with no 2021 counterpart. Problems are :class:`~govinfo.findings.Finding` objects so
that they print, serialise and locate like validation findings.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .. import layout as L
from ..findings import ERROR, WARNING, Finding, Severity
from ..model import UNREAD_MARKER
from .digits import BLANK, Candidate, Value, _Blank, agree
from .fields import number
from .legacy import OLD_OTHER_KEY, old_active_rows
from .origins import Origin, align
from .review_text import ReviewResult
from .table_text import RowResult

PUBLISHED_BLANK = "-"  # how an imported published blank is written (its own text is not kept)
CellKey = tuple[str, str, str | None]
RowKey = tuple[str, str]  # (section, row)
# A row left ambiguous: the readings the text and its own report's arithmetic allow, and
# where it was (第 N 行), kept so that a neighbouring year can choose (:mod:`.years`).
Pending = tuple[tuple[Candidate, ...], str]


def expected_cells() -> list[CellKey]:
    """The 200 cells of tables 二, 三 and 四 in the official order."""
    cells: list[CellKey] = [("active", item, measure) for item, measure in L.active_cells()]
    cells += [
        (L.APPLICATIONS, r.key, c.key) for r in L.APPLICATION_ROWS for c in L.APPLICATION_COLUMNS
    ]
    cells += [(L.REVIEW_LITIGATION, g.key, o.key) for g in L.CASE_GROUPS for o in L.REVIEW_OUTCOMES]
    return cells


def cell_label(cell: CellKey) -> str:
    section, row, column = cell
    if section == "active":
        return L.active_label(row, column)
    if section == L.APPLICATIONS:
        label = L.ROW_BY_KEY[row].short
        return f"{label}·{L.COLUMN_BY_KEY[column].label}" if column else label
    group = L.CASE_GROUP_BY_KEY[row].full_label
    if column is None:
        return group
    return f"{group}·{L.REVIEW_OUTCOME_BY_KEY[column].label}"


def row_label(section: str, row: str) -> str:
    if section == "active":
        return L.active_label(row)
    if section == L.APPLICATIONS:
        return L.ROW_BY_KEY[row].label
    return L.CASE_GROUP_BY_KEY[row].full_label


class Collector:
    """Cell values and problems, filled table by table."""

    def __init__(self) -> None:
        self.cells: dict[CellKey, Value] = dict.fromkeys(expected_cells())
        self.problems: list[Finding] = []
        self.readings: dict[RowKey, Pending] = {}
        self.at: dict[CellKey, Origin] = {}  # where each cell was read (--explain: .origins)

    def add(
        self,
        rule: str,
        severity: Severity,
        where: tuple[str, str | None, str | None],
        zh: str,
        en: str,
    ) -> None:
        self.problems.append(Finding(rule, severity, *where, zh, en))

    def row(self, section: str, row: str, columns: list[str | None], result: RowResult) -> None:
        """Record one row's reading: values the readings agree on, problems for the rest."""
        n = len(columns)
        reading = result.reading
        label = row_label(section, row)
        seen = " ".join(reading.seen) or "—"
        if not result.found:
            self.add(
                "IMPORT-UNREAD",
                ERROR,
                (section, row, None),
                f"未找到行“{label}”，该行 {n} 格未读取",
                f"row not found: {label} ({n} cells not read)",
            )
            return
        where = f"第 {result.line} 行" if result.line else ""
        places = align(result.fields, reading.candidates, n, dropped=reading.how == "dropped")
        for i, column in enumerate(columns):
            self.at[(section, row, column)] = (places[i], result.line)
        if not reading.read:
            why = {
                "none": ("标签后未读到数字", "no numbers after the label"),
                "too-many": (
                    f"读到 {len(reading.seen)} 个数（{seen}），应为 {n} 个，无法确定取舍",
                    f"{len(reading.seen)} numbers ({seen}) for {n} cells; cannot tell which",
                ),
                "too-few": (
                    f"只读到 {len(reading.seen)} 个数（{seen}），应为 {n} 个",
                    f"only {len(reading.seen)} numbers ({seen}) for {n} cells",
                ),
                "no-split": (
                    f"连写数字“{seen}”无法拆分为 {n} 个符合勾稽关系的数",
                    f"run-together digits {seen} split into no {n} numbers that add up",
                ),
                "detached": (
                    f"标签后无数字，其后的 {len(reading.seen)} 个数（{_short(reading.seen)}）"
                    "行数或勾稽关系与这些行不符，未按顺序分配",
                    f"label without numbers; the {len(reading.seen)} numbers after it "
                    f"({_short(reading.seen)}) do not fit these rows by count or arithmetic, "
                    "so they were not assigned by order",
                ),
            }[
                reading.how
                if reading.how in ("none", "too-many", "too-few", "no-split", "detached")
                else "too-many"
            ]
            self.add(
                "IMPORT-UNREAD",
                ERROR,
                (section, row, None),
                f"{label}（{where}）：{why[0]}，该行未读取",
                f"{label} ({where_en(where)}): {why[1]}; row not read",
            )
            return
        values, ambiguous = agree(reading.candidates, n)
        if reading.how == "split":
            self.add(
                "IMPORT-SPLIT",
                WARNING,
                (section, row, None),
                f"{label}（{where}）：连写数字“{seen}”已按勾稽关系拆分",
                f"{label} ({where_en(where)}): run-together digits {seen} split by the identities",
            )
        if reading.how == "ordered":
            self.add(
                "IMPORT-ORDER",
                WARNING,
                (section, row, None),
                f"{label}（{where}）：数字不在标签之后（标签与数字分离，或数字在标签之前），"
                f"按官方行序取 {seen}：个数与勾稽关系均相符",
                f"{label} ({where_en(where)}): numbers not after the label (detached from it, "
                f"or before it); {seen} taken in the official row order, the count and the "
                "sums fit",
            )
        if reading.how == "dropped":
            self.add(
                "IMPORT-EXTRA",
                WARNING,
                (section, row, None),
                f"{label}（{where}）：读到 {len(reading.seen)} 个数（{seen}），"
                "多出的数按勾稽关系剔除",
                f"{label} ({where_en(where)}): {len(reading.seen)} numbers ({seen}); "
                "the extra ones dropped by the identities",
            )
        if any(ambiguous):
            self.readings[(section, row)] = (reading.candidates, where)
        for i, column in enumerate(columns):
            self.cell((section, row, column), values[i], ambiguous[i], reading.candidates, i, where)

    def cell(
        self, key: CellKey, value: Value, ambiguous: bool, candidates: Any, i: int, where: str
    ) -> None:
        label = cell_label(key)
        if ambiguous:
            options = sorted({str(c[i]) for c in candidates})
            shown = "、".join(options[:6]) + ("…" if len(options) > 6 else "")
            self.add(
                "IMPORT-AMBIGUOUS",
                ERROR,
                key,
                f"{label}（{where}）：可读作 {shown}，无法确定",
                f"{label} ({where_en(where)}): could be {shown}; written unread",
            )
            return
        if value is None:
            self.add(
                "IMPORT-UNREAD",
                ERROR,
                key,
                f"{label}（{where}）：该格位置不明，未读取",
                f"{label} ({where_en(where)}): cell position unknown; not read",
            )
            return
        if value is BLANK:
            self.add(
                "CELL-BLANK",
                WARNING,
                key,
                f"{label}：单元格为空（或为“/”“—”），按空白导入",
                f"{label}: published blank ('-', '/', '—' or empty); imported as '-'",
            )
            self.cells[key] = BLANK
            return
        if isinstance(value, str) and key != ("active", L.FEE_KEY, None):
            self.add(
                "IMPORT-UNIT",
                WARNING,
                key,
                f"{label}：数字带单位“{value}”，已去掉单位",
                f"{label}: unit text in {value!r} removed",
            )
            value = number("".join(ch for ch in value if ch.isdigit() or ch == "."))
        self.cells[key] = value

    def old(self, key: CellKey | tuple[str, str, None], why_zh: str, why_en: str) -> None:
        self.add("OLD-FORMAT", WARNING, key, why_zh, why_en)


def where_en(where: str) -> str:
    """``第 57 行`` as the English messages say it: ``line 57``."""
    return re.sub(r"第 (\d+) 行", r"line \1", where)


def _short(seen: tuple[str, ...], most: int = 14) -> str:
    return " ".join(seen[:most]) + (" …" if len(seen) > most else "")


def collect_active(c: Collector, results: list[RowResult], old: bool) -> None:
    if not old:
        for group in L.ACTIVE_GROUPS:
            columns = [m or None for m, _ in group.measures]
            for entry in group.items:
                result = next(r for r in results if r.spec.key == entry.key)
                c.row("active", entry.key, columns, result)
        return
    mapped: set[str] = set()
    for result, old_row in zip(results, old_active_rows(), strict=True):
        if not old_row.maps:
            continue
        values, ambiguous = agree(result.reading.candidates, old_row.cells)
        for index, item in old_row.maps.items():
            mapped.add(item)
            if not result.found or not result.reading.read:
                c.add(
                    "IMPORT-UNREAD",
                    ERROR,
                    ("active", item, None),
                    f"2019 格式表二“{old_row.label}”未读取",
                    f"2019-format table 二 row {old_row.label} not read",
                )
                continue
            places = align(result.fields, result.reading.candidates, old_row.cells)
            c.at[("active", item, None)] = (places[index], result.line)
            c.cell(
                ("active", item, None),
                values[index],
                ambiguous[index],
                result.reading.candidates,
                index,
                f"第 {result.line} 行",
            )
    for item, measure in L.active_cells():
        if item not in mapped:
            c.old(
                ("active", item, measure),
                f"2019 格式表二无“{L.active_label(item, measure)}”，留空",
                f"the 2019 table 二 has no {item}/{measure or ''}; written unread",
            )


def collect_applications(c: Collector, results: list[RowResult]) -> None:
    columns: list[str | None] = list(L.APPLICATION_COLUMN_KEYS)
    by_key = {r.spec.key: r for r in results}
    single = by_key.get(OLD_OTHER_KEY)
    zeros = single is not None and _all_zero(single, len(columns))
    for row in L.APPLICATION_ROWS:
        if row.key in by_key:
            c.row(L.APPLICATIONS, row.key, columns, by_key[row.key])
        elif zeros:
            for column in columns:
                c.cells[(L.APPLICATIONS, row.key, column)] = 0
                c.at[(L.APPLICATIONS, row.key, column)] = (None, single.line if single else 0)
        else:
            c.old(
                (L.APPLICATIONS, row.key, None),
                f"表三“{L.OTHER.label}”只印一行（2019 年格式），“{row.label}”留空",
                f"table 三 prints {L.OTHER.label} as one row (the 2019 format); "
                f"{row.key} written unread",
            )
    if single is None:
        return
    seen = " ".join(single.reading.seen) or "—"
    if zeros:
        c.add(
            "IMPORT-OTHER-ROW",
            WARNING,
            (L.APPLICATIONS, None, None),
            f"“{L.OTHER.label}”只印一行，全为 0（{seen}）：其三个子项是非负件数、和为 0，已各填 0",
            f"{L.OTHER.label} printed as one row of zeros ({seen}): its three sub-rows are "
            "non-negative counts adding up to 0, so each is written 0",
        )
        return
    c.old(
        (L.APPLICATIONS, "other_other", None),
        f"“{L.OTHER.label}”只印一行，其数字（{seen}）无法分配到三个子项，三行未读取",
        f"{L.OTHER.label} printed as one row ({seen}): its numbers cannot be split among "
        "the three sub-rows, which are written unread",
    )


def _all_zero(result: RowResult, n: int) -> bool:
    """The single （六） row read, every cell the number 0 (a blank or unread cell is not)."""
    if not result.found or not result.reading.read:
        return False
    values, ambiguous = agree(result.reading.candidates, n)
    return not any(ambiguous) and all(type(v) is int and v == 0 for v in values)


def collect_review(c: Collector, result: ReviewResult) -> None:
    columns = list(L.REVIEW_OUTCOME_KEYS)
    n = len(columns)
    if not result.found:
        for g in L.CASE_GROUPS:
            c.add(
                "IMPORT-UNREAD",
                ERROR,
                (L.REVIEW_LITIGATION, g.key, None),
                f"未找到表四“{g.full_label}”",
                f"table 四 not found: {g.full_label}",
            )
        return
    where = f"第 {result.line} 行"
    reading = result.reading
    values, ambiguous = agree(reading.candidates, n * len(L.CASE_GROUPS))
    if result.grid:
        places = [f.pos if f is not None else None for f in result.fields]
    else:
        places = align(
            [f for f in result.fields if f is not None], reading.candidates, n * len(L.CASE_GROUPS)
        )
    for gi, g in enumerate(L.CASE_GROUPS):
        for oi, o in enumerate(columns):
            c.at[(L.REVIEW_LITIGATION, g.key, o)] = (places[gi * n + oi], result.line)
    if not reading.read:
        seen = " ".join(reading.seen) or "—"
        for g in L.CASE_GROUPS:
            if reading.how == "scattered":
                zh = (
                    f"{g.full_label}（{where}）：表四的数（{seen}）散在表头文字之间，"
                    "按文本顺序不符合勾稽关系，表格中的顺序无法确定，未读取"
                )
                en = (
                    f"{g.full_label} ({where_en(where)}): table 四's numbers ({seen}) are "
                    "strewn among the header labels and do not add up in text order; their "
                    "order in the table is unknown, not read"
                )
            else:
                zh = (
                    f"{g.full_label}（{where}）：表四读到 {len(reading.seen)} 个数（{seen}），"
                    "应为 15 个，未读取"
                )
                en = (
                    f"{g.full_label} ({where_en(where)}): table 四 has {len(reading.seen)} numbers "
                    f"({seen}) for 15 cells; not read"
                )
            c.add("IMPORT-UNREAD", ERROR, (L.REVIEW_LITIGATION, g.key, None), zh, en)
        return
    if reading.how == "split":
        c.add(
            "IMPORT-SPLIT",
            WARNING,
            (L.REVIEW_LITIGATION, None, None),
            f"表四（{where}）：连写数字已按勾稽关系拆分",
            f"table 四 ({where_en(where)}): run-together digits split by the identities",
        )
    if result.extra:
        c.add(
            "IMPORT-EXTRA",
            WARNING,
            (L.REVIEW_LITIGATION, None, None),
            f"表四（{where}）：表格网格外多出的数 {' '.join(result.extra)} 未使用",
            f"table 四 ({where_en(where)}): values outside the header grid ignored: "
            + " ".join(result.extra),
        )
    for gi, g in enumerate(L.CASE_GROUPS):
        for oi, o in enumerate(columns):
            i = gi * n + oi
            c.cell(
                (L.REVIEW_LITIGATION, g.key, o),
                values[i],
                ambiguous[i],
                reading.candidates,
                i,
                where,
            )


def mapping_value(value: Value) -> int | Decimal | str:
    """A cell as the parameter file writes it: a cell not read is ``unread`` (rule UNREAD, an
    error until someone fills it in), a published blank ``-`` (CELL-BLANK): never ``null``,
    which means "not filled in", and never 0."""
    if value is None:
        return UNREAD_MARKER
    if isinstance(value, _Blank):  # (BLANK, the only one)
        return PUBLISHED_BLANK
    return value
