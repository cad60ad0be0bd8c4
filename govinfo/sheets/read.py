"""Reading a filled collection workbook back into a parameter file (``govinfo import x.xlsx``).

The workbook must be one of ours, for the expected year: the hidden sheet ``govinfo`` names
the template (``govinfo!B1``) and the year (``govinfo!B2``); anything else is refused with a
:class:`~govinfo.findings.ParameterError` naming the sheet and cell. Then every cell of the
map in :mod:`.layout_cells` is read (:mod:`.values`) into a mapping with the keys of
model.md, as :mod:`govinfo.importer` writes one, so that the same rules judge it:

* an empty cell is not filled in (``null``: MISSING), never 0; ``/`` is a published blank;
* a number typed as text is read, with a warning naming the cell (SHEET-TEXT-NUMBER): the
  spreadsheet's totals and checks did not count it; text that is no number is ``unread``
  (SHEET-NOT-A-NUMBER, an error);
* a 总计 whose formula was overwritten is read as written (SHEET-FORMULA); a formula typed
  into an input cell gives its calculated value (SHEET-INPUT-FORMULA), or ``unread`` when it
  refers to another file (SHEET-EXTERNAL) or was never calculated;
* a 总计 the spreadsheet last showed differently from the sum of the inputs as read is
  written as the spreadsheet showed it, with an error (SHEET-CACHED): never a silent
  recompute. Its own rule (APP-TOTAL-COL …) then reports the disagreement too;
* a 行政区划代码 that is no GB/T 2260 code is an error naming the cell (REGION-CODE), kept
  as typed (:mod:`.fields`, the text of 基本信息).

A workbook of an older template (:data:`.layout_cells.OLDER_TEMPLATES`) is read with that
template's places: one made before the 行政区划代码 existed gives no ``region_code``.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import layout as L
from ..findings import ERROR, WARNING, Finding, Severity
from ..model import UNREAD_MARKER, Cell, Report
from ..params import dumps_mapping, parse
from ..publish.region import cell_name
from . import formulas as F
from . import layout_cells as C
from .fields import BasicFields
from .unpack import MAX_FILE_BYTES, check_identity, open_workbook, refuse
from .values import Reading, Value, countable, number, shown


@dataclass(frozen=True)
class WorkbookImport:
    """What one workbook yielded: ``mapping`` (a parameter-file mapping, null where not
    filled in, ``unread`` where not readable) and ``findings`` (the workbook's own problems,
    each naming its sheet and cell; the mapping's rules are :attr:`report`'s to find)."""

    mapping: dict[str, Any]
    findings: tuple[Finding, ...]
    source: str | None = None
    template: str = C.TEMPLATE

    @property
    def complete(self) -> bool:
        """Every cell read as a number or a blank (the import's exit code: 0, else 1)."""
        return not any(f.is_error for f in self.findings)

    @property
    def report(self) -> Report:
        return parse(self.mapping, Path(self.source) if self.source else None)

    @property
    def where(self) -> dict[Cell, str]:
        """Where each cell is in the workbook (``sheet 三 依申请 cell D7``), for --explain."""
        places = C.number_places(self.template)
        return {cell: f"sheet {p.sheet} cell {p.ref}" for cell, p in places.items()}

    def text(self, form: str = "yaml") -> str:
        """The parameter file (``yaml`` or ``json``); YAML starts with the findings."""
        if form == "json":
            return dumps_mapping(self.mapping, "json")
        head = [
            f"# Read by `govinfo import` from the collection workbook {self.source or ''} "
            f"({self.template}).".replace("  ", " ")
        ]
        head += [f"# {f.rule} {f.severity}: {f.zh}" for f in self.findings]
        return "\n".join(head) + "\n" + dumps_mapping(self.mapping, "yaml")

    def summary(self) -> str:
        m = self.mapping
        lines = [f"{self.source or '<workbook>'}: {m.get('agency') or '?'} {m.get('year')}"]
        lines += [f"  {f.rule} {f.severity}: {f.zh}" for f in self.findings]
        return "\n".join(lines)


def read_workbook(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    year: int | None = None,
    agency_id: str | None = None,
) -> WorkbookImport:
    """Read a filled workbook (a path, or its bytes with ``name`` for messages). ``year``:
    refuse a workbook made for another year; ``agency_id``: use this id instead of the
    workbook's. Unreadable or foreign workbooks raise ParameterError."""
    if isinstance(source, bytes):
        data = source
    else:
        name = name or str(source)
        try:
            if not stat.S_ISREG(os.stat(source).st_mode):  # a pipe would block, a device not end
                raise refuse(name, "不是普通文件", "not a regular file")
            with open(source, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)  # one byte more says "too large"
        except OSError as exc:
            raise refuse(name, "无法读取文件", f"cannot read: {exc.strerror}") from None
    formulas, values = open_workbook(data, name)
    return _Reader(formulas, values, name).read(year, agency_id)


class _Reader:
    def __init__(self, formulas: Any, values: Any, name: str | None) -> None:
        self.wf, self.wv, self.name = formulas, values, name
        self.findings: list[Finding] = []
        self.cells: dict[Cell, Value] = {}
        self.template = C.TEMPLATE

    # -- helpers

    def raw(self, place: C.Place, *, cached: bool = False) -> Any:
        return (self.wv if cached else self.wf)[place.sheet].cell(place.row, place.col).value

    def formula(self, place: C.Place) -> str | None:
        """The cell's formula (``=…``), None when it holds a value."""
        cell = self.wf[place.sheet].cell(place.row, place.col)
        if cell.data_type != "f":
            return None
        return str(getattr(cell.value, "text", cell.value))  # an ArrayFormula has .text

    def add(self, rule: str, severity: Severity, cell: Cell, zh: str, en: str) -> None:
        self.findings.append(Finding(rule, severity, *cell, zh, en, self.name))

    # -- identity

    # -- numbers

    def read_input(self, cell: Cell, place: C.Place) -> Value:
        formula = self.formula(place)
        if formula is not None:
            return self.typed_formula(cell, place, formula)
        return self.reading(cell, place, number(self.raw(place), decimal=C.is_decimal(cell)))

    def typed_formula(self, cell: Cell, place: C.Place, formula: str) -> Value:
        """A formula where a number was to be typed: its value, if it can be trusted."""
        if re.search(r"\[[^\]]*\]|\.xls|https?:|file:", formula, re.IGNORECASE):
            self.add(
                "SHEET-EXTERNAL",
                ERROR,
                cell,
                f"{place.name}：公式引用了其他文件（{shown(formula)}），无法核实，记为未读出"
                "（unread）：请填写数字",
                f"{place.name}: the formula refers to another file "
                f"({shown(formula)}); written unread: type the number",
            )
            return UNREAD_MARKER
        cached = self.raw(place, cached=True)
        if cached is None:
            self.add(
                "SHEET-INPUT-FORMULA",
                ERROR,
                cell,
                f"{place.name}：填写了公式 {shown(formula)}，但文件中没有它的计算结果，记为未读出"
                "（unread）：请填写数字",
                f"{place.name}: holds the formula {shown(formula)} "
                "with no calculated value; written unread: type the number",
            )
            return UNREAD_MARKER
        reading = number(cached, decimal=C.is_decimal(cell))
        self.add(
            "SHEET-INPUT-FORMULA",
            WARNING,
            cell,
            f"{place.name}：填写了公式 {shown(formula)}，按其计算结果 {shown(cached)} 读取",
            f"{place.name}: holds the formula {shown(formula)}; read its value {shown(cached)}",
        )
        return self.reading(cell, place, Reading(reading.value, reading.problem, str(cached)))

    def reading(self, cell: Cell, place: C.Place, reading: Reading) -> Value:
        where = f"{place.name}（{cell_name(*cell)}）"
        if reading.problem == "TEXT":
            self.add(
                "SHEET-TEXT-NUMBER",
                WARNING,
                cell,
                f"{where}：数字以文本形式填写（“{shown(reading.shown)}”），按 {reading.value} "
                "读取；表格中的总计和校验没有计入这一格，请改为数字",
                f"{place.name}: a number typed as text ({shown(reading.shown)!r}), read as "
                f"{reading.value}; the spreadsheet's totals and checks left it out",
            )
        elif reading.problem == "BAD":
            self.add(
                "SHEET-NOT-A-NUMBER",
                ERROR,
                cell,
                f"{where}：无法读作数字（“{shown(reading.shown)}”），记为未读出（unread）："
                "请填写数字，没有的填 0",
                f"{place.name}: not a number ({shown(reading.shown)!r}); written unread",
            )
        return reading.value

    def read_total(self, cell: Cell, place: C.Place) -> Value:
        raw, formula = self.raw(place), self.formula(place)
        parts = [countable(self.cells[part]) for part in F.parts(cell)]
        summed = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        expected = F.total_formula(cell)
        where = f"{place.name}（{cell_name(*cell)}）"
        if raw is None:
            self.add(
                "SHEET-FORMULA",
                WARNING,
                cell,
                f"{where}：总计的公式被删除，按各项之和读取",
                f"{place.name}: the total's formula was deleted; read as the sum of its parts",
            )
            return summed
        if formula is None:
            self.add(
                "SHEET-FORMULA",
                WARNING,
                cell,
                f"{where}：总计原为公式，已被改写为 {shown(raw)}，按所填读取，请核对",
                f"{place.name}: the total's formula was overwritten with {shown(raw)}; "
                "read as written",
            )
            return self.reading(cell, place, number(raw, decimal=False))
        if _same_formula(formula, expected):
            return self.cached_total(cell, place, summed)
        self.add(
            "SHEET-FORMULA",
            WARNING,
            cell,
            f"{where}：总计的公式被改为 {shown(formula)}，按其计算结果读取，请核对",
            f"{place.name}: the total's formula was changed to {shown(formula)}; read its value",
        )
        return self.typed_formula(cell, place, formula)

    def cached_total(self, cell: Cell, place: C.Place, summed: Any) -> Value:
        """A total whose formula is ours: the value the spreadsheet showed, if any."""
        cached = self.raw(place, cached=True)
        if cached in (None, "") or summed is None:
            return summed  # never calculated (written by a program), or a part is not filled
        shown_value = number(cached, decimal=False).value
        if shown_value != summed:
            self.add(
                "SHEET-CACHED",
                ERROR,
                cell,
                f"{place.name}（{cell_name(*cell)}）：表格显示的总计为 {shown(cached)}，但所填各项"
                f"之和为 {summed}（文件保存时未重新计算，或有以文本填写的数字）：按表格显示的 "
                f"{shown(cached)} 读取，请核对后重新计算并保存",
                f"{place.name}: the spreadsheet shows {shown(cached)}, but the cells read "
                f"add up to {summed}; read as shown",
            )
            return shown_value
        return summed

    # -- the report

    def read(self, year: int | None, agency_id: str | None) -> WorkbookImport:
        found = check_identity(self.wf, self.name, year)
        self.template = str(self.raw(C.META["template"]))  # one of C.TEMPLATES, checked
        numbers = C.number_places(self.template)  # where this template has each cell
        for cell in C.INPUT_CELLS:
            self.cells[cell] = self.read_input(cell, numbers[cell])
        corner = (L.APPLICATIONS, L.TOTAL, L.TOTAL)
        for cell in (*(c for c in C.TOTAL_CELLS if c != corner), corner):
            self.cells[cell] = self.read_total(cell, numbers[cell])
        meta = {key: self.raw(place) for key, place in C.META.items()}
        basic = BasicFields(self.raw, C.basic_places(self.template), self.add).mapping()
        mapping: dict[str, Any] = {
            "schema": meta["schema"] or L.SCHEMA,
            "agency": basic["agency"],
            "agency_id": agency_id or meta["agency_id"] or "",
            **{key: basic[key] for key in ("region", "region_code", "kind", "scope")},
            "year": found,
            **{key: basic[key] for key in ("published", "contact", "narrative")},
            "processing_fees": {
                k: self.cells[(L.PROCESSING_FEES_KEY, k, None)] for k in L.PROCESSING_FEE_KEYS
            },
            "active": self.active(),
            L.APPLICATIONS: {
                "columns": list(L.APPLICATION_COLUMN_KEYS),
                "rows": {
                    r: [self.cells[(L.APPLICATIONS, r, c)] for c in L.APPLICATION_COLUMN_KEYS]
                    for r in L.APPLICATION_ROW_KEYS
                },
            },
            L.REVIEW_LITIGATION: {
                g: [self.cells[(L.REVIEW_LITIGATION, g, o)] for o in L.REVIEW_OUTCOME_KEYS]
                for g in L.CASE_GROUP_KEYS
            },
            "previous": meta["previous"] or None,
        }
        mapping = {k: v for k, v in mapping.items() if v is not None}
        return WorkbookImport(mapping, tuple(self.findings), self.name, self.template)

    def active(self) -> dict[str, Any]:
        active: dict[str, Any] = {}
        for item, measure in L.active_cells():
            value = self.cells[(L.ACTIVE, item, measure)]
            if measure is None:
                active[item] = value
            else:
                active.setdefault(item, {})[measure] = value
        return active


def _same_formula(found: str, expected: str) -> bool:
    """Formulas equal up to spaces, case and ``$`` (as Excel, WPS or LibreOffice save them)."""

    def norm(text: str) -> str:
        return re.sub(r"[\s$]", "", text).upper().removeprefix("=_XLFN.").lstrip("=")

    return norm(found) == norm(expected)
