"""The workbook's formulas: the 总计 cells, and the 校验 cells that show each 勾稽关系 of
:mod:`govinfo.rules` in the spreadsheet itself, so a department sees its mistakes before it
sends the file.

Every formula follows the library's reading of a cell: an empty cell is not filled in (a
total over it stays empty, a check over it says 未填完 and is skipped, as the rules skip an
identity with a hole in it); a published blank such as ``/`` counts as 0 (``SUM`` ignores
text). Emptiness is tested with ``COUNTA`` and ``cell=""``, never ``COUNTBLANK``, which
LibreOffice 7.4 miscounts over cells that were never written.

A check cell reads ``通过``, ``未填完``, or ``不平衡：差N`` (an error of the rules),
``不一致：差N`` (CONTINUITY) or ``请核对：差N`` (a warning), N being the left side minus the
right side of the identity written beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .. import layout as L
from ..model import Cell, Report
from . import layout_cells as C

APPS, REVIEW = L.APPLICATIONS, L.REVIEW_LITIGATION
PASS, UNFILLED = "通过", "未填完"
FAIL, DIFFERENT, REVIEW_ME = "不平衡", "不一致", "请核对"


def _ref(section: str, row: str, column: str | None) -> str:
    return C.NUMBER_PLACES[(section, row, column)].ref


def _span(section: str, rows: Sequence[str], columns: Sequence[str | None]) -> str:
    """``D9:D29``: the rectangle from the first (row, column) to the last."""
    return f"{_ref(section, rows[0], columns[0])}:{_ref(section, rows[-1], columns[-1])}"


def parts(cell: Cell) -> tuple[Cell, ...]:
    """The cells a total adds up, as its formula does."""
    section, row, column = cell
    if section == REVIEW:
        return tuple((REVIEW, row, o) for o in L.REVIEW_PARTS)
    if row == L.TOTAL and column != L.TOTAL:
        return tuple((APPS, key, column) for key in L.OUTCOME_KEYS)
    return tuple((APPS, row, c) for c in L.APPLICANT_KEYS)


def total_formula(cell: Cell) -> str:
    """The formula of a 总计 cell: the sum of its parts, empty while one is not filled in."""
    section, row, column = cell
    if section == APPS and row == L.TOTAL and column == L.TOTAL:
        # The corner: every outcome cell must be filled; it adds the （七）总计 row.
        inputs = _span(APPS, L.OUTCOME_KEYS, L.APPLICANT_KEYS)
        count = len(L.OUTCOME_KEYS) * len(L.APPLICANT_KEYS)
        return f'=IF(COUNTA({inputs})<{count},"",SUM({_span(APPS, [L.TOTAL], L.APPLICANT_KEYS)}))'
    cells = parts(cell)
    first, last = C.NUMBER_PLACES[cells[0]].ref, C.NUMBER_PLACES[cells[-1]].ref
    return f'=IF(COUNTA({first}:{last})<{len(cells)},"",SUM({first}:{last}))'


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    """One 校验 cell: where it is, the rule and model place it stands for (as the library's
    finding names it), its label and its formula."""

    place: C.Place
    rule: str
    where: Cell
    formula: str


def _formula(holes: Iterable[str], lhs: str, rhs: str, fail: str = FAIL) -> str:
    return (
        f'=IF(OR({",".join(holes)}),"{UNFILLED}",'
        f'IF({lhs}={rhs},"{PASS}","{fail}：差"&({lhs}-{rhs})))'
    )


def _empty(ref: str) -> str:
    return f'{ref}=""' if ":" not in ref else f'SUMPRODUCT(--({ref}=""))>0'


# Rows of the 校验 area under 表三 (first row: its heading).
BALANCE_ROW = C.APPS_CHECK_TOP + 1
TOTAL_ROW_ROW = C.APPS_CHECK_TOP + 2
CONTINUITY_ROW = C.APPS_CHECK_TOP + 3


def application_checks(previous: Report | None) -> list[Check]:
    """APP-BALANCE and APP-TOTAL-ROW per column (under the table), APP-TOTAL-COL per row
    (beside it), CONTINUITY per column when last year's report is known."""
    checks: list[Check] = []
    ledger = ("new", "carried_over", L.TOTAL, "carried_forward")
    for column in L.APPLICATION_COLUMN_KEYS:
        col = C.APPS_COL[column]
        new, carried, total, forward = (_ref(APPS, row, column) for row in ledger)
        formula = _formula(
            [_empty(r) for r in (new, carried, total, forward)],
            f"SUM({new}:{carried})",
            f"SUM({total}:{forward})",
        )
        place = C.Place(C.APPS_SHEET, BALANCE_ROW, col)
        checks.append(Check(place, "APP-BALANCE", (APPS, None, column), formula))
        outcomes = _span(APPS, L.OUTCOME_KEYS, [column])
        formula = _formula([_empty(outcomes), _empty(total)], f"SUM({total})", f"SUM({outcomes})")
        place = C.Place(C.APPS_SHEET, TOTAL_ROW_ROW, col)
        checks.append(Check(place, "APP-TOTAL-ROW", (APPS, L.TOTAL, column), formula))
        if previous is not None and previous.is_filled(APPS, "carried_forward", column):
            before = previous.applications.cell("carried_forward", column)
            formula = _formula([_empty(carried)], f"SUM({carried})", str(before), DIFFERENT)
            place = C.Place(C.APPS_SHEET, CONTINUITY_ROW, col)
            checks.append(Check(place, "CONTINUITY", (APPS, "carried_over", column), formula))
    for row in L.APPLICATION_ROW_KEYS:
        whole = _span(APPS, [row], L.APPLICATION_COLUMN_KEYS)
        total = _ref(APPS, row, L.TOTAL)
        applicants = _span(APPS, [row], L.APPLICANT_KEYS)
        formula = _formula([_empty(whole)], f"SUM({total})", f"SUM({applicants})")
        place = C.Place(C.APPS_SHEET, C.APPS_ROW[row], C.APPS_CHECK_COL)
        checks.append(Check(place, "APP-TOTAL-COL", (APPS, row, L.TOTAL), formula))
    return checks


def review_checks() -> list[Check]:
    """REVIEW-TOTAL per group, under the group's five columns."""
    checks = []
    for group in L.CASE_GROUP_KEYS:
        whole = _span(REVIEW, [group], L.REVIEW_OUTCOME_KEYS)
        total, outcomes = _ref(REVIEW, group, "total"), _span(REVIEW, [group], L.REVIEW_PARTS)
        formula = _formula([_empty(whole)], f"SUM({total})", f"SUM({outcomes})")
        place = C.Place(C.REVIEW_SHEET, C.REVIEW_CHECK_TOP + 1, C.REVIEW_COL[(group, "maintained")])
        checks.append(Check(place, "REVIEW-TOTAL", (REVIEW, group, "total"), formula))
    return checks


def active_checks(previous: Report | None) -> list[Check]:
    """ACTIVE-CONTINUITY (a warning) per document item, when last year's report is known."""
    checks: list[Check] = []
    if previous is None:
        return checks
    for n, item in enumerate(L.ACTIVE_DOC_ITEMS):
        if not previous.is_filled(L.ACTIVE, item, "in_force"):
            continue
        before = previous.active.get(item, "in_force")
        issued, repealed, in_force = (
            _ref(L.ACTIVE, item, m) for m in ("issued", "repealed", "in_force")
        )
        formula = _formula(
            [_empty(r) for r in (issued, repealed, in_force)],
            f"SUM({in_force})",
            f"({before}+SUM({issued})-SUM({repealed}))",
            REVIEW_ME,
        )
        place = C.Place(C.ACTIVE_SHEET, C.ACTIVE_CHECK_TOP + 1 + n, 2)
        checks.append(Check(place, "ACTIVE-CONTINUITY", (L.ACTIVE, item, "in_force"), formula))
    return checks


def all_checks(previous: Report | None) -> list[Check]:
    return [*active_checks(previous), *application_checks(previous), *review_checks()]


# --------------------------------------------------------------------------- counters


def blocks(places: Iterable[C.Place]) -> list[tuple[str, int]]:
    """Cells of one sheet as rectangles (``D7:I29``, size): rows with the same run of
    columns are merged into one, so that a count over them stays a short formula."""
    rows: dict[int, list[int]] = {}
    for place in places:
        rows.setdefault(place.row, []).append(place.col)
    runs: list[tuple[int, int, int]] = []  # (row, first col, last col), contiguous
    for row in sorted(rows):
        cols = sorted(rows[row])
        start = prev = cols[0]
        for col in [*cols[1:], None]:
            if col is not None and col == prev + 1:
                prev = col
                continue
            runs.append((row, start, prev))
            if col is not None:
                start = prev = col
    blocks: list[list[int]] = []  # [first row, last row, first col, last col]
    for row, first, last in runs:
        top = blocks[-1] if blocks else None
        if top and top[1] == row - 1 and (top[2], top[3]) == (first, last):
            top[1] = row
        else:
            blocks.append([row, row, first, last])
    out = []
    for r0, r1, c0, c1 in blocks:
        a, b = f"{get_column_letter(c0)}{r0}", f"{get_column_letter(c1)}{r1}"
        out.append((a if a == b else f"{a}:{b}", (r1 - r0 + 1) * (c1 - c0 + 1)))
    return out


def unfilled_formula(cells: Iterable[Cell]) -> str:
    """How many input cells are still empty."""
    places = (C.NUMBER_PLACES[cell] for cell in cells)
    return "=" + "+".join(f"({size}-COUNTA({ref}))" for ref, size in blocks(places))


def failing_formula(checks: Sequence[Check]) -> str:
    """How many check cells report an error (不平衡 or 不一致; warnings are not counted)."""
    refs = [ref for ref, _ in blocks(check.place for check in checks)]
    terms = [f'SUMPRODUCT(--(LEFT({r},3)="{word}"))' for r in refs for word in (FAIL, DIFFERENT)]
    return "=" + "+".join(terms) if terms else "=0"
