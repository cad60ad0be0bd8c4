"""Ruled tables of a PDF page rebuilt as grids, with their merged cells.

A table is a connected set of horizontal and vertical rulings. Its column and row lines are
every distinct x of its vertical and y of its horizontal rulings; two neighbouring slots of
that grid belong to one cell when no ruling separates them, which recovers rowspan and
colspan as the document had them. Each character goes to the cell its centre falls in, so
a row's numbers stay in that row whatever order the PDF wrote them in, and a wrapped label
is one cell's text.

A table broken by a page break is joined again by :mod:`.pdf_join`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .pdf_lines import is_number, line_text, lines_of, text_of, words_of
from .pdf_page import Char, Rule

TOL = 2.5  # pt: rulings this close are the same line, and touch
MIN_RULE = 2.0  # pt: shorter strokes are dots, not rulings
LINE = 4.5  # pt: grid lines closer than this are one (a double ruling)
EDGE = 4.0  # pt: a continued table's edges line up within this
MAX_SLOTS = 20_000  # grid slots of one table: a report's largest has about 300

_NUMBER = re.compile(r"[\d\s.,，\-—/／%]+")


@dataclass
class Cell:
    """A cell: grid position and span, its text, and where it was on the page."""

    row: int
    col: int
    rows: int
    cols: int
    text: str
    page: int
    x0: float  # the column lines it spans, from x0 to x1
    x1: float
    top: float = 0.0

    @property
    def numeric(self) -> bool:
        return (
            bool(self.text)
            and bool(_NUMBER.fullmatch(self.text))
            and any(ch.isdigit() for ch in self.text)
        )


@dataclass
class Table:
    """A grid of cells; ``pages`` it spans (more than one when joined over page breaks)."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    nrows: int
    cells: list[Cell] = field(default_factory=list)
    last_page: int = 0

    @property
    def ncols(self) -> int:
        return max((c.col + c.cols for c in self.cells), default=0)

    def row_text(self, row: int) -> str:
        return "|".join(c.text for c in sorted(self.cells, key=lambda c: c.col) if c.row == row)


def find_tables(rules: Sequence[Rule], chars: Sequence[Char], page: int) -> list[Table]:
    """The ruled tables of a page, top to bottom; their characters are taken from ``chars``
    (the caller keeps what :func:`outside` leaves)."""
    hs = _merge([r for r in rules if r.horizontal and r.end - r.start >= MIN_RULE])
    vs = _merge([r for r in rules if not r.horizontal and r.end - r.start >= MIN_RULE])
    tables = []
    for group_h, group_v in _components(hs, vs):
        table = _grid(group_h, group_v, chars, page)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.top)
    return tables


def outside(tables: Iterable[Table], chars: Sequence[Char]) -> list[Char]:
    """The characters in none of ``tables`` (prose, headings, page numbers)."""
    boxes = [(t.x0 - 1, t.top - 1, t.x1 + 1, t.bottom + 1) for t in tables]
    return [
        ch
        for ch in chars
        if not any(x0 <= ch.cx <= x1 and top <= ch.cy <= bottom for x0, top, x1, bottom in boxes)
    ]


def _merge(rules: list[Rule]) -> list[Rule]:
    """Collinear rulings that touch or overlap, as one: rulings within a point of one
    another (a line drawn twice, or as the two edges of a thin rectangle) form a band, and
    the band's segments that overlap or touch are merged."""
    out: list[Rule] = []
    band: list[Rule] = []
    for rule in sorted(rules, key=lambda r: r.at):
        if band and rule.at - band[-1].at > 1.0:
            out.extend(_merged_band(band))
            band = []
        band.append(rule)
    if band:
        out.extend(_merged_band(band))
    return out


def _merged_band(band: list[Rule]) -> list[Rule]:
    at = sum(r.at for r in band) / len(band)
    out: list[Rule] = []
    for r in sorted(band, key=lambda r: r.start):
        if out and r.start <= out[-1].end + TOL:
            last = out[-1]
            out[-1] = Rule(last.horizontal, at, last.start, max(last.end, r.end))
        else:
            out.append(Rule(r.horizontal, at, r.start, r.end))
    return out


def _components(hs: list[Rule], vs: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Rulings that touch one another, in groups: one group per table. The vertical
    rulings are sorted by x, so each horizontal one meets only those within its extent."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(vs)), key=lambda j: vs[j].at)
    xs = [vs[j].at for j in order]
    for i, h in enumerate(hs):
        lo = bisect.bisect_left(xs, h.start - TOL)
        hi = bisect.bisect_right(xs, h.end + TOL)
        for j in order[lo:hi]:
            v = vs[j]
            if v.start - TOL <= h.at <= v.end + TOL:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def cluster(values: Iterable[float], tol: float = TOL) -> list[float]:
    """Sorted values with those within ``tol`` of the previous one taken as one (the mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _near(rules: list[Rule], lines: list[float]) -> list[list[Rule]]:
    """For each grid line, the rulings on it (so that a border check looks at a few)."""
    out: list[list[Rule]] = [[] for _ in lines]
    for r in rules:
        i = bisect.bisect_left(lines, r.at - LINE)
        while i < len(lines) and lines[i] <= r.at + LINE:
            out[i].append(r)
            i += 1
    return out


def _covered(rules: list[Rule], start: float, end: float) -> bool:
    """Whether ``rules`` (those on one grid line) cover most of ``start``..``end``: a
    border is there."""
    span = end - start
    if span <= 0:
        return True
    total = sum(max(0.0, min(r.end, end) - max(r.start, start)) for r in rules)
    return total >= 0.5 * span


def _grid(hs: list[Rule], vs: list[Rule], chars: Sequence[Char], page: int) -> Table | None:
    # a side left open (the bottom row of a table the page break cuts, the right border
    # of its continuation) ends where the rulings across it end
    # (double rulings, a few points apart, are one grid line: no cell is that narrow)
    ys = cluster([r.at for r in hs] + [min(r.start for r in vs), max(r.end for r in vs)], LINE)
    xs = cluster([r.at for r in vs] + [min(r.start for r in hs), max(r.end for r in hs)], LINE)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nrows, ncols = len(ys) - 1, len(xs) - 1
    if nrows * ncols > MAX_SLOTS:
        return None  # a drawing (a chart's grid), not a table of a report
    on_x, on_y = _near(vs, xs), _near(hs, ys)
    parent = list(range(nrows * ncols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nrows):
        for c in range(ncols):
            here = r * ncols + c
            if c + 1 < ncols and not _covered(on_x[c + 1], ys[r], ys[r + 1]):
                parent[find(here)] = find(here + 1)
            if r + 1 < nrows and not _covered(on_y[r + 1], xs[c], xs[c + 1]):
                parent[find(here)] = find(here + ncols)
    slots: dict[int, list[int]] = {}
    for i in range(nrows * ncols):
        slots.setdefault(find(i), []).append(i)
    owner = [0] * (nrows * ncols)
    spans: list[tuple[int, int, int, int]] = []
    for members in slots.values():
        rows = [i // ncols for i in members]
        cols = [i % ncols for i in members]
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        if (r1 - r0 + 1) * (c1 - c0 + 1) == len(members):
            boxes = [(r0, c0, r1 - r0 + 1, c1 - c0 + 1)]
        else:  # not a rectangle (a broken border): each slot on its own
            boxes = [(i // ncols, i % ncols, 1, 1) for i in members]
        for r, c, h, w in boxes:
            for rr in range(r, r + h):
                for cc in range(c, c + w):
                    owner[rr * ncols + cc] = len(spans)
            spans.append((r, c, h, w))
    if ncols == 1 and len(spans) <= nrows:
        return None  # a framed paragraph or a one-column box: prose, not a table
    texts: list[list[Char]] = [[] for _ in spans]
    for ch in chars:
        if not (xs[0] <= ch.cx <= xs[-1] and ys[0] <= ch.cy <= ys[-1]):
            continue
        r = min(max(bisect.bisect_right(ys, ch.cy) - 1, 0), nrows - 1)
        c = min(max(bisect.bisect_right(xs, ch.cx) - 1, 0), ncols - 1)
        texts[owner[r * ncols + c]].append(ch)
    cells = [cell for k, span in enumerate(spans) for cell in _cells(span, texts[k], xs, ys, page)]
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Table(page, ys[0], ys[-1], xs[0], xs[-1], nrows, cells, page)


def _cells(
    span: tuple[int, int, int, int], chars: list[Char], xs: list[float], ys: list[float], page: int
) -> list[Cell]:
    """A merged cell, or its slots one by one when it holds numbers in several of them.

    A ruling the PDF left out (a border segment not drawn, or drawn too short) merges
    slots that are separate cells; two numbers, or a label and a number, in one merged
    cell would be read as one number ("4" over "0" as 40). Its words are then put back in
    the slots they are printed in."""
    r, c, h, w = span
    whole = [Cell(r, c, h, w, text_of(chars), page, xs[c], xs[c + w], ys[r])]
    if (h == 1 and w == 1) or not chars:
        return whole
    words = [word for line in lines_of(chars) for word in words_of(line)]
    places = {
        (_index(ys, sum(ch.cy for ch in word) / len(word)), _index(xs, word[0].cx))
        for word in words
    }
    if len(places) < 2 or not any(is_number(line_text(word)) for word in words):
        return whole
    by_slot: dict[tuple[int, int], list[Char]] = {}
    for word in words:
        row = min(max(_index(ys, sum(ch.cy for ch in word) / len(word)), r), r + h - 1)
        col = min(max(_index(xs, (word[0].x0 + word[-1].x1) / 2), c), c + w - 1)
        by_slot.setdefault((row, col), []).extend(word)
    return [
        Cell(rr, cc, 1, 1, text_of(by_slot.get((rr, cc), [])), page, xs[cc], xs[cc + 1], ys[rr])
        for rr in range(r, r + h)
        for cc in range(c, c + w)
    ]


def _index(lines: list[float], at: float) -> int:
    return min(max(bisect.bisect_right(lines, at) - 1, 0), len(lines) - 2)
