"""From what was read to a parameter-file mapping, cell by cell, with every gap reported.

Every one of the 200 table cells gets a value or null. A null always comes with a problem
saying where it is and why: not found, ambiguous, a published blank (C07), or a 2019-format
cell with no 2021 counterpart. Problems are :class:`~govinfo.findings.Finding` objects so
that they print, serialise and locate like validation findings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import layout as L
from ..findings import ERROR, WARNING, Finding, Severity
from ..model import UNREAD_MARKER
from .digits import BLANK, Value, _Blank, agree
from .fields import number
from .legacy import OLD_OTHER_KEY, old_active_rows
from .table_text import ReviewResult, RowResult

PUBLISHED_BLANK = "-"  # how an imported published blank is written (its own text is not kept)
CellKey = tuple[str, str, str | None]


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
            }[
                reading.how
                if reading.how in ("none", "too-many", "too-few", "no-split")
                else "too-many"
            ]
            self.add(
                "IMPORT-UNREAD",
                ERROR,
                (section, row, None),
                f"{label}（{where}）：{why[0]}，该行未读取",
                f"{label} ({where}): {why[1]}; row not read",
            )
            return
        values, ambiguous = agree(reading.candidates, n)
        if reading.how == "split":
            self.add(
                "IMPORT-SPLIT",
                WARNING,
                (section, row, None),
                f"{label}（{where}）：连写数字“{seen}”已按勾稽关系拆分",
                f"{label} ({where}): run-together digits {seen} split by the identities",
            )
        if reading.how == "dropped":
            self.add(
                "IMPORT-EXTRA",
                WARNING,
                (section, row, None),
                f"{label}（{where}）：读到 {len(reading.seen)} 个数（{seen}），"
                "多出的数按勾稽关系剔除",
                f"{label} ({where}): {len(reading.seen)} numbers ({seen}); "
                "the extra ones dropped by the identities",
            )
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
                f"{label} ({where}): could be {shown}; written unread",
            )
            return
        if value is None:
            self.add(
                "IMPORT-UNREAD",
                ERROR,
                key,
                f"{label}（{where}）：该格位置不明，未读取",
                f"{label} ({where}): cell position unknown; not read",
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
    for row in L.APPLICATION_ROWS:
        if row.key in by_key:
            c.row(L.APPLICATIONS, row.key, columns, by_key[row.key])
        else:
            c.old(
                (L.APPLICATIONS, row.key, None),
                f"2019 格式表三只有一行“{L.OTHER.label}”，“{row.label}”留空",
                f"the 2019 table 三 has one row {L.OTHER.label}; {row.key} written unread",
            )
    if OLD_OTHER_KEY in by_key:
        seen = " ".join(by_key[OLD_OTHER_KEY].reading.seen) or "—"
        c.old(
            (L.APPLICATIONS, "other_other", None),
            f"2019 格式“{L.OTHER.label}”一行的数字（{seen}）无法分配到 2021 格式的三个子项",
            f"the 2019 single row {L.OTHER.label} ({seen}) has no three 2021 rows to go to",
        )


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
    if not reading.read:
        seen = " ".join(reading.seen) or "—"
        for g in L.CASE_GROUPS:
            c.add(
                "IMPORT-UNREAD",
                ERROR,
                (L.REVIEW_LITIGATION, g.key, None),
                f"{g.full_label}（{where}）：表四读到 {len(reading.seen)} 个数（{seen}），"
                "应为 15 个，未读取",
                f"{g.full_label} ({where}): table 四 has {len(reading.seen)} numbers ({seen}) "
                "for 15 cells; not read",
            )
        return
    if reading.how == "split":
        c.add(
            "IMPORT-SPLIT",
            WARNING,
            (L.REVIEW_LITIGATION, None, None),
            f"表四（{where}）：连写数字已按勾稽关系拆分",
            f"table 四 ({where}): run-together digits split by the identities",
        )
    if result.extra:
        c.add(
            "IMPORT-EXTRA",
            WARNING,
            (L.REVIEW_LITIGATION, None, None),
            f"表四（{where}）：表格网格外多出的数 {' '.join(result.extra)} 未使用",
            f"table 四 ({where}): values outside the header grid ignored: {' '.join(result.extra)}",
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
