"""The three official tables as real, editable Word tables (python-docx).

Each table is first laid out on its grid as the official Word template lays it out
(``shared/reference/official-template-2021.docx``: 表二 14 × 4, 表三 28 × 10 with the 3 × 3
勾稽关系 corner, 表四 4 × 15): a list of rows, each a list of :class:`Slot` (text, how many grid
columns it spans, whether it starts or continues a vertical merge). :func:`add_table` then makes
a Word table of that grid and merges the cells with python-docx, which writes ``gridSpan`` and
``vMerge`` exactly as Word does. Labels come from :mod:`govinfo.layout`; numbers as the page
shows them (:func:`govinfo.publish.tables.shown`: a cell not filled in is 未填, never 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import layout as L
from ..model import Report
from .tables import shown

START, CONTINUE = "restart", "continue"


@dataclass(frozen=True)
class Slot:
    text: str = ""
    span: int = 1  # grid columns
    vmerge: str | None = None  # START: the first cell of a vertical merge; CONTINUE: below it
    number: bool = False  # right-aligned
    header: bool = False


def _value(report: Report, section: str, row: str, column: str | None, value: Any) -> Slot:
    return Slot(shown(value, report.marks.get((section, row, column))), number=True)


def active_grid(report: Report) -> list[list[Slot]]:
    """表二: per group a caption row across the four columns, a header row, its items."""
    rows: list[list[Slot]] = []
    for group in L.ACTIVE_GROUPS:
        rows.append([Slot(group.caption, 4, header=True)])
        if group.is_single:
            rows.append(
                [
                    Slot(L.ACTIVE_ITEM_HEADER, header=True),
                    Slot(group.measures[0][1], 3, header=True),
                ]
            )
            for item in group.items:
                value = _value(report, L.ACTIVE, item.key, None, report.active.get(item.key))
                rows.append([Slot(item.label), Slot(value.text, 3, number=True)])
        else:
            head = [Slot(label, header=True) for _, label in group.measures]
            rows.append([Slot(L.ACTIVE_ITEM_HEADER, header=True), *head])
            for item in group.items:
                values = [
                    _value(report, L.ACTIVE, item.key, key, report.active.get(item.key, key))
                    for key, _ in group.measures
                ]
                rows.append([Slot(item.label), *values])
    return rows


def applications_grid(report: Report) -> list[list[Slot]]:
    """表三: the 3 × 3 corner and header over three rows, then the 25 numeric rows."""
    apps = report.applications
    organisations = [Slot(L.COLUMN_BY_KEY[k].label, header=True) for k in L.ORGANISATION_KEYS]
    person, total = L.COLUMN_BY_KEY[L.APPLICANT_KEYS[0]].label, L.COLUMN_BY_KEY[L.TOTAL].label
    rows = [
        [Slot(L.APPLICATION_NOTE, 3, START, header=True), Slot(L.APPLICANT_HEADER, 7, header=True)],
        [
            Slot("", 3, CONTINUE),
            Slot(person, 1, START, header=True),
            Slot(L.ORGANISATION_HEADER, 5, header=True),
            Slot(total, 1, START, header=True),
        ],
        [Slot("", 3, CONTINUE), Slot("", 1, CONTINUE), *organisations, Slot("", 1, CONTINUE)],
    ]
    started: set[str] = set()
    for row in L.APPLICATION_ROWS:
        labels: list[Slot] = []
        for group in row.groups:
            first = group.key not in started
            started.add(group.key)
            labels.append(Slot(group.label if first else "", 1, START if first else CONTINUE))
        labels.append(Slot(row.label, 3 - len(row.groups)))
        values = [
            _value(report, L.APPLICATIONS, row.key, c.key, apps.cell(row.key, c.key))
            for c in L.APPLICATION_COLUMNS
        ]
        rows.append([*labels, *values])
    return rows


def review_grid(report: Report) -> list[list[Slot]]:
    """表四: 行政复议 (5) and 行政诉讼 (10) over their outcomes, one row of numbers."""
    review, litigation = L.CASE_GROUPS[0], L.CASE_GROUPS[1:]
    outcomes = [o.label for o in L.REVIEW_OUTCOMES]
    width = len(outcomes)
    return [
        [
            Slot(L.REVIEW_HEADER, width, header=True),
            Slot(L.LITIGATION_HEADER, width * 2, header=True),
        ],
        [
            *(Slot(label, 1, START, header=True) for label in outcomes),
            *(Slot(g.label, width, header=True) for g in litigation),
        ],
        [
            *(Slot("", 1, CONTINUE) for _ in outcomes),
            *(Slot(label, header=True) for _ in litigation for label in outcomes),
        ],
        [
            _value(
                report,
                L.REVIEW_LITIGATION,
                g.key,
                o.key,
                report.review_litigation.cell(g.key, o.key),
            )
            for g in (review, *litigation)
            for o in L.REVIEW_OUTCOMES
        ],
    ]


def add_table(
    document: Any,
    grid: list[list[Slot]],
    *,
    header_rows: int,
    size: float,
    widths: tuple[float, ...] = (),
) -> Any:
    """A Word table of ``grid``: merged as laid out, all borders, header rows repeated on
    each page, rows never split across pages, numbers right-aligned."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    columns = sum(slot.span for slot in grid[0])
    table = document.add_table(rows=len(grid), cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    placed: list[list[tuple[int, Slot]]] = []
    for r, row in enumerate(grid):
        at, cells = 0, []
        for slot in row:
            cells.append((at, slot))
            at += slot.span
        assert at == columns, (r, at, columns)  # a grid row covers the grid exactly
        placed.append(cells)
    # The grid's cells, taken once: python-docx's table.cell() rebuilds the whole grid on every
    # call (3 s for 表三). A merge keeps the top-left cell, so these stay valid for it.
    from docx.table import _Cell

    at_grid = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for r, cells in enumerate(placed):  # write the text before merging: merge joins paragraphs
        for at, slot in cells:
            if slot.vmerge != CONTINUE:
                _write_cell(
                    at_grid[r][at]._tc, slot, bold=slot.header and r < header_rows, size=size
                )
    if widths:  # millimetres per grid column (Word reads the cells' widths, LibreOffice the grid)
        from docx.shared import Mm

        table.autofit = False
        twips = [str(Mm(mm).twips) for mm in widths]
        for tr in table._tbl.tr_lst:
            for tc, text in zip(tr.tc_lst, twips, strict=True):
                tc.tcPr.find(qn("w:tcW")).set(qn("w:w"), text)
        for col, mm in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            col.w = Mm(mm)
    for r, cells in enumerate(placed):
        for at, slot in cells:
            if slot.span > 1 and slot.vmerge is None:
                at_grid[r][at].merge(at_grid[r][at + slot.span - 1])
    for r, cells in enumerate(placed):  # vertical merges: from each start down its run
        for at, slot in cells:
            if slot.vmerge != START:
                continue
            end = r
            while end + 1 < len(placed) and any(
                a == at and s.vmerge == CONTINUE for a, s in placed[end + 1]
            ):
                end += 1
            at_grid[r][at].merge(at_grid[end][at + slot.span - 1])
    for r, tr in enumerate(table._tbl.tr_lst):
        properties = tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if r < header_rows:
            properties.append(OxmlElement("w:tblHeader"))
        for tc in tr.tc_lst:
            tc.get_or_add_tcPr().append(_centred_vertically(qn))
    return table


def _write_cell(tc: Any, slot: Slot, *, bold: bool, size: float) -> None:
    """The cell's one paragraph: single-spaced, not indented (not the body's fixed 28.95 pt
    and first-line indent), numbers right, headers centred; one run of ``size`` points.

    Written as the XML python-docx's properties write, element by element: its proxies look
    every child up again on each property set, most of the time of a Word document."""
    from docx.oxml.ns import qn
    from lxml.etree import SubElement

    paragraph = tc.find(qn("w:p"))
    properties = SubElement(paragraph, qn("w:pPr"))
    spacing = SubElement(properties, qn("w:spacing"))
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    SubElement(properties, qn("w:ind")).set(qn("w:firstLine"), "0")
    if slot.number or slot.header:
        SubElement(properties, qn("w:jc")).set(qn("w:val"), "right" if slot.number else "center")
    run = SubElement(paragraph, qn("w:r"))
    run_properties = SubElement(run, qn("w:rPr"))
    bold_element = SubElement(run_properties, qn("w:b"))
    if not bold:
        bold_element.set(qn("w:val"), "0")
    SubElement(run_properties, qn("w:sz")).set(qn("w:val"), str(round(size * 2)))
    text = SubElement(run, qn("w:t"))
    text.text = slot.text
    if slot.text != slot.text.strip():
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _centred_vertically(qn: Any) -> Any:
    from docx.oxml import OxmlElement

    element = OxmlElement("w:vAlign")
    element.set(qn("w:val"), "center")
    return element
