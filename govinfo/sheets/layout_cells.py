"""Where every official cell sits in the collection workbook: one map, used by the writer
(:mod:`.workbook`), the reader (:mod:`.read`) and the tests that recalculate the workbook.

The three tables are laid out as the official ones (国办公开办函〔2021〕30号): the same
rows, columns, spans and labels, taken from :mod:`govinfo.layout`. A cell of the model,
``(section, row, column)`` as findings name it, has one :class:`Place` here; so has every
field of 基本信息. Moving a table means changing this file alone.

A change of layout is a new template id. The reader still reads the older templates named in
:data:`OLDER_TEMPLATES`, through :func:`basic_places` and :func:`number_places` for that
template: workbooks already handed out to departments come back filled in later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from openpyxl.utils import get_column_letter

from .. import layout as L
from ..model import Cell, all_cells

TEMPLATE = "govinfo-workbook@2"  # what the hidden sheet says (@2: 行政区划代码 under 所在地区)
# Older templates the reader still reads, each with the fields of 基本信息 it lacks: the rows
# below a missing field sit one higher. Any other template is refused.
OLDER_TEMPLATES: dict[str, frozenset[tuple[str, ...]]] = {
    "govinfo-workbook@1": frozenset({("region_code",)}),
}
TEMPLATES = (TEMPLATE, *OLDER_TEMPLATES)

BASIC = "基本信息"
ACTIVE_SHEET = "二 主动公开"
APPS_SHEET = "三 依申请"
REVIEW_SHEET = "四 复议诉讼"
GUIDE_SHEET = "填表说明"
META_SHEET = "govinfo"  # hidden: template id, year, agency_id, previous, schema
TABLE_SHEETS = {
    L.ACTIVE: ACTIVE_SHEET,
    L.APPLICATIONS: APPS_SHEET,
    L.REVIEW_LITIGATION: REVIEW_SHEET,
}


@dataclass(frozen=True)
class Place:
    """A cell of the workbook: its sheet, row and column (1-based)."""

    sheet: str
    row: int
    col: int

    @property
    def ref(self) -> str:
        """``D7``"""
        return f"{get_column_letter(self.col)}{self.row}"

    @property
    def name(self) -> str:
        """``三 依申请!D7``: how messages name the cell, as a spreadsheet shows it."""
        return f"{self.sheet}!{self.ref}"

    @property
    def formula_ref(self) -> str:
        """``'三 依申请'!D7``: the reference a formula on another sheet uses."""
        return f"'{self.sheet}'!{self.ref}"


# --------------------------------------------------------------------------- hidden sheet

META_KEYS = ("template", "year", "agency_id", "previous", "schema")
META = {key: Place(META_SHEET, n, 2) for n, key in enumerate(META_KEYS, start=1)}
DEFINED_NAMES = {"GOVINFO_TEMPLATE": META["template"], "GOVINFO_YEAR": META["year"]}

# --------------------------------------------------------------------------- 基本信息

# (path in the parameter file, kind) where kind is text | code (a GB/T 2260 code, text) |
# locked | choice | date | count | amount | long (narrative). Labels are in .basic.
BASIC_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("agency",), "text"),
    (("agency_id",), "locked"),
    (("year",), "locked"),
    (("region",), "text"),
    (("region_code",), "code"),
    (("kind",), "choice"),
    (("scope",), "choice"),
    (("published",), "date"),
    *(((L.CONTACT, key), "text") for key in L.CONTACT_KEYS),
    *(
        ((L.PROCESSING_FEES_KEY, key), "count" if key == "notices" else "amount")
        for key in L.PROCESSING_FEE_KEYS
    ),
    ((L.NARRATIVE, "overview", "intro"), "long"),
    *(((L.NARRATIVE, "overview", key), "long") for key, _ in L.OVERVIEW_PARTS),
    ((L.NARRATIVE, "problems"), "long"),
    ((L.NARRATIVE, "other"), "long"),
)
_BASIC_START = 3
_GAPS = {
    ("contact", "address"): 1,
    (L.PROCESSING_FEES_KEY, "notices"): 2,
    (L.NARRATIVE, "overview", "intro"): 2,
}  # blank rows + a block heading before these


@cache
def basic_places(template: str = TEMPLATE) -> Mapping[tuple[str, ...], Place]:
    """Where each field of 基本信息 sits in a workbook of ``template`` (this one or one of
    :data:`OLDER_TEMPLATES`); a field the template lacks has no place."""
    absent = OLDER_TEMPLATES.get(template, frozenset())
    places, row = {}, _BASIC_START
    for path, _ in BASIC_FIELDS:
        if path in absent:
            continue
        row += _GAPS.get(path, 0)
        places[path] = Place(BASIC, row, 2)
        row += 1
    return MappingProxyType(places)


BASIC_PLACES = basic_places()
BASIC_KINDS = dict(BASIC_FIELDS)
BASIC_STATUS_ROW = max(p.row for p in BASIC_PLACES.values()) + 2  # the tables' status below

# --------------------------------------------------------------------------- 表二

ACTIVE_TOP = 4  # first caption row
ACTIVE_WIDTH = 4  # 信息内容 + three measure columns


def _active_rows() -> tuple[dict[tuple[str, str | None], Place], list[int], list[int]]:
    """Places of the 10 cells, and the caption and header rows."""
    places: dict[tuple[str, str | None], Place] = {}
    captions, headers = [], []
    row = ACTIVE_TOP
    for group in L.ACTIVE_GROUPS:
        captions.append(row)
        headers.append(row + 1)
        row += 2
        for item in group.items:
            if group.is_single:
                places[(item.key, None)] = Place(ACTIVE_SHEET, row, 2)
            else:
                for col, (measure, _) in enumerate(group.measures, start=2):
                    places[(item.key, measure)] = Place(ACTIVE_SHEET, row, col)
            row += 1
    return places, captions, headers


ACTIVE_PLACES, ACTIVE_CAPTION_ROWS, ACTIVE_HEADER_ROWS = _active_rows()
ACTIVE_CHECK_TOP = max(p.row for p in ACTIVE_PLACES.values()) + 2

# --------------------------------------------------------------------------- 表三

APPS_HEADER_TOP = 4  # three header rows
APPS_FIRST_ROW = APPS_HEADER_TOP + 3
APPS_FIRST_COL = 4  # D: the three label columns come first (the note spans them)
APPS_ROW = {key: APPS_FIRST_ROW + n for n, key in enumerate(L.APPLICATION_ROW_KEYS)}
APPS_COL = {key: APPS_FIRST_COL + n for n, key in enumerate(L.APPLICATION_COLUMN_KEYS)}
APPS_LAST_ROW = max(APPS_ROW.values())
APPS_TOTAL_COL = APPS_COL[L.TOTAL]
APPS_CHECK_COL = APPS_TOTAL_COL + 1  # K: the row check (总计 = 六类之和) beside each row
APPS_CHECK_TOP = APPS_LAST_ROW + 2

# --------------------------------------------------------------------------- 表四

REVIEW_HEADER_TOP = 4
REVIEW_ROW = REVIEW_HEADER_TOP + 3
REVIEW_COL = {
    (group, outcome): 1 + g * len(L.REVIEW_OUTCOME_KEYS) + o
    for g, group in enumerate(L.CASE_GROUP_KEYS)
    for o, outcome in enumerate(L.REVIEW_OUTCOME_KEYS)
}
REVIEW_WIDTH = len(REVIEW_COL)
REVIEW_CHECK_TOP = REVIEW_ROW + 2

# --------------------------------------------------------------------------- every cell

STATUS_ROW = 2  # each table sheet: 填报单位 on the left, the sheet's check status on the right


def place_of(cell: Cell) -> Place:
    """The workbook cell of a model cell ``(section, row, column)``."""
    section, row, column = cell
    if section == L.ACTIVE:
        return ACTIVE_PLACES[(str(row), column)]
    if section == L.APPLICATIONS:
        return Place(APPS_SHEET, APPS_ROW[str(row)], APPS_COL[str(column)])
    if section == L.REVIEW_LITIGATION:
        return Place(REVIEW_SHEET, REVIEW_ROW, REVIEW_COL[(str(row), str(column))])
    if section == L.PROCESSING_FEES_KEY:
        return BASIC_PLACES[(section, str(row))]
    raise KeyError(cell)


NUMBER_PLACES: dict[Cell, Place] = {cell: place_of(cell) for cell in all_cells()}


@cache
def number_places(template: str = TEMPLATE) -> Mapping[Cell, Place]:
    """:data:`NUMBER_PLACES` in a workbook of ``template``: the fees of 基本信息 move with
    its rows; the tables' sheets are the same in every template."""
    basic = basic_places(template)
    return MappingProxyType(
        {
            cell: basic[(cell[0], str(cell[1]))] if place.sheet == BASIC else place
            for cell, place in NUMBER_PLACES.items()
        }
    )


def is_total(cell: Cell) -> bool:
    """Whether the workbook computes this cell (a 总计 column or the （七）总计 row)."""
    section, row, column = cell
    if section == L.APPLICATIONS:
        return column == L.TOTAL or row == L.TOTAL
    return section == L.REVIEW_LITIGATION and column == "total"


def is_decimal(cell: Cell) -> bool:
    """An amount (万元 or 元), not a count."""
    section, row, _ = cell
    return (section == L.ACTIVE and row == L.FEE_KEY) or (
        section == L.PROCESSING_FEES_KEY and row != "notices"
    )


INPUT_CELLS = tuple(cell for cell in NUMBER_PLACES if not is_total(cell))
TOTAL_CELLS = tuple(cell for cell in NUMBER_PLACES if is_total(cell))
