"""``govinfo import --explain``: every cell of tables 二, 三 and 四, its value and where it
was read, so that an evaluator can cite the original for each number.

Two forms of the same rows: lines on standard error to read (``表三 一、本年新收政府信息公开
申请数量 · 自然人 = 24  ← line 57, table 2 row 4 col 3``), and a CSV file to filter, sort and
cite (``--explain-csv FILE``: one row per cell of every file written, UTF-8 with a BOM so
that Excel and WPS open it as Chinese). The place comes from the reader: ``ImportResult.where``
for pages and text (:mod:`.origins`), the sheet and cell for a collection workbook. The
rules of the findings on a cell, its row or its table (IMPORT-SPLIT, IMPORT-ORDER,
IMPORT-CONTINUITY …) say how a number was decided when it was not simply printed there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .. import layout as L
from ..publish.region import cell_name
from .assemble import CellKey, expected_cells

COLUMNS = ("file", "agency_id", "year", "table", "cell", "key", "value", "where", "rules")
PLAIN = frozenset({"CELL-BLANK"})  # a published blank: said by the value ``-`` already


@dataclass(frozen=True)
class Row:
    """One cell of one imported file."""

    file: str
    agency_id: str
    year: str
    table: str
    cell: str
    key: str
    value: str
    where: str
    rules: str

    def line(self) -> str:
        where = self.where or "row not found"
        rules = f"  [{self.rules}]" if self.rules else ""
        return f"{self.table} {self.cell} = {self.value}  ← {where}{rules}"


def rows(result: Any) -> Iterator[Row]:
    """The explained cells of one import (an ImportResult or a workbook read back)."""
    mapping = result.mapping
    where = _where(result)
    rules = _rules(getattr(result, "problems", None) or getattr(result, "findings", None) or ())
    file = str(result.source or "")
    for key in expected_cells():
        table, _, cell = cell_name(*key).partition(" ")
        found = sorted(
            rules.get(key, set())
            | rules.get((key[0], key[1], None), set())
            | {r for r in rules.get((key[0], None, None), set()) if _table_wide(r, key)}
        )
        yield Row(
            file,
            str(mapping.get("agency_id") or ""),
            str(mapping.get("year") or ""),
            table,
            cell,
            "/".join(part for part in key if part),
            _text(cell_value(mapping, key)),
            where.get(key, ""),
            " ".join(found),
        )


def lines(results: Iterable[Any]) -> str:
    """The explanation to read: a heading line per file, then one line per cell."""
    out = []
    for result in results:
        m = result.mapping
        out.append(f"{result.source or '<text>'}: {m.get('agency_id')} {m.get('year')}")
        out.extend(f"  {row.line()}" for row in rows(result))
    return "\n".join(out) + "\n"


def csv_bytes(results: Iterable[Any]) -> bytes:
    """The explanation as CSV (header :data:`COLUMNS`), UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in results:
        for row in rows(result):
            writer.writerow([getattr(row, c) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def cell_value(mapping: Mapping[str, Any], key: CellKey) -> Any:
    """A table cell as the parameter mapping holds it (None when it is not there)."""
    section, row, column = key
    try:
        if section == "active":
            item = mapping["active"][row]
            return item if column is None else item[column]
        if section == L.APPLICATIONS:
            index = L.APPLICATION_COLUMN_KEYS.index(str(column))
            return mapping[L.APPLICATIONS]["rows"][row][index]
        return mapping[L.REVIEW_LITIGATION][row][L.REVIEW_OUTCOME_KEYS.index(str(column))]
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _table_wide(rule: str, key: CellKey) -> bool:
    """A finding on a whole table concerns each of its cells (表四 is read as one run),
    but the single （六）其他处理 row of zeros only the three rows it filled."""
    if rule == "IMPORT-OTHER-ROW":
        return key[0] == L.APPLICATIONS and L.OTHER in L.ROW_BY_KEY[str(key[1])].groups
    return key[0] == L.REVIEW_LITIGATION


def _text(value: Any) -> str:
    return "not filled in" if value is None else str(value)


def _where(result: Any) -> Mapping[CellKey, str]:
    where = getattr(result, "where", None)
    return where if isinstance(where, Mapping) else {}


def _rules(findings: Iterable[Any]) -> dict[tuple[str, str | None, str | None], set[str]]:
    out: dict[tuple[str, str | None, str | None], set[str]] = {}
    for f in findings:
        if f.rule not in PLAIN:
            out.setdefault((f.section, f.row, f.column), set()).add(f.rule)
    return out
