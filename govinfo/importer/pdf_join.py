"""A table broken by a page break, joined again into one.

The second part is the first thing on its page and the first part the last on the page
before, with the same left and right edges (:func:`continues`). Their column lines are
merged; a header the second part repeats is dropped; and a row label the break cut
(``（四）无`` / ``法提供``, or the label printed on the first page only) becomes one cell
spanning its rows on both pages, so that the rows below it stay in its group.
"""

from __future__ import annotations

import re

from .pdf_tables import EDGE, Cell, Table, cluster

_NUMBERING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.、．])"
)


def continues(first: Table, second: Table) -> bool:
    """Whether ``second`` (first thing on its page) carries on ``first`` (last on the page
    before): the same left and right edges."""
    return (
        second.page == first.last_page + 1
        and abs(first.x0 - second.x0) <= EDGE
        and abs(first.x1 - second.x1) <= EDGE
    )


def join(first: Table, second: Table) -> Table:
    """One table from a table and its continuation on the next page."""
    second_rows = _without_repeated_header(first, second)
    xs = cluster(
        [c.x0 for c in first.cells + second_rows] + [c.x1 for c in first.cells + second_rows], EDGE
    )
    offset = first.nrows - min((c.row for c in second_rows), default=0)
    cells = [_regrid(c, xs, 0) for c in first.cells]
    added = [_regrid(c, xs, offset) for c in second_rows]
    cells = _rejoin_labels(cells, added, first.nrows)
    extra = max((c.row + c.rows for c in added), default=first.nrows) - first.nrows
    table = Table(
        first.page, first.top, second.bottom, first.x0, first.x1, first.nrows + max(extra, 0)
    )
    table.cells = sorted(cells, key=lambda c: (c.row, c.col))
    table.last_page = second.last_page
    return table


def _regrid(cell: Cell, xs: list[float], offset: int) -> Cell:
    c0 = min(range(len(xs)), key=lambda i: abs(xs[i] - cell.x0))
    c1 = min(range(len(xs)), key=lambda i: abs(xs[i] - cell.x1))
    return Cell(
        cell.row + offset, c0, cell.rows, max(1, c1 - c0), cell.text, cell.page, cell.x0,
        cell.x1, cell.top,
    )  # fmt: skip


def _without_repeated_header(first: Table, second: Table) -> list[Cell]:
    """``second``'s cells, less its first rows when they repeat ``first``'s first rows."""
    skip = 0
    while skip < min(first.nrows, second.nrows, 4):
        mine, theirs = second.row_text(skip), first.row_text(skip)
        if not mine or mine != theirs or not re.search(r"[^\W\d_]", mine):
            break
        skip += 1
    if skip == 0:
        return list(second.cells)
    # a header cell spanning into the kept rows keeps its place: drop only whole rows
    return [c for c in second.cells if c.row >= skip]


def _rejoin_labels(cells: list[Cell], added: list[Cell], boundary: int) -> list[Cell]:
    """A label cell cut by the page break, joined with its continuation.

    Only a label column is joined: on both sides of the break the first cell to its right
    that holds text is a label too (a sub-row label), and the continuation is empty or text
    that does not start a new item (no ``（五）``, ``1.``, ``一、`` of its own)."""
    last = boundary - 1
    first_added = min((c.row for c in added), default=boundary)
    result = list(cells)
    for b in sorted((c for c in added if c.row == first_added), key=lambda c: c.col):
        a = next(
            (
                c
                for c in result
                if c.row <= last < c.row + c.rows and c.col == b.col and c.cols == b.cols
                and c.page != b.page
            ),
            None,
        )  # fmt: skip
        if a is None or a.numeric or b.numeric or not a.text:
            continue
        if b.text and _NUMBERING.match(b.text):
            continue
        if not (_label_right(result, a, last) and _label_right(added, b, first_added)):
            continue
        a.rows = b.row + b.rows - a.row
        a.text += b.text
        added = [c for c in added if c is not b]
    return result + added


def _label_right(cells: list[Cell], cell: Cell, row: int) -> bool:
    """The first cell right of ``cell`` on ``row`` that holds text is a label (not a number)."""
    right = sorted(
        (c for c in cells if c.row <= row < c.row + c.rows and c.col >= cell.col + cell.cols),
        key=lambda c: c.col,
    )
    for c in right:
        if c.text:
            return not c.numeric
    return False
