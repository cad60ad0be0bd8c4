"""Where each imported cell was read: the field of the text, then the place in the file.

An evaluator who cites an imported number needs the place it was printed (``govinfo import
--explain``). The readers decide a row's values (:mod:`.digits`, :mod:`.order`,
:mod:`.review_text`) without carrying positions along, so this module recovers them after
the fact: :func:`align` matches each reading of a row against the fields of its text (a
field may give one cell, or several when a digit run was split), and a cell is placed only
when every reading and every way of matching agree on its field. Otherwise only the row is
known (its label's line), and :class:`Locator` says so with ``(row)``.

:class:`Locator` turns a text position into words: ``line 57`` for text and Markdown, and
for an HTML page the page's own source line with the data table, row and column of the
cell (:class:`~.html.LinePlace`), or the ``data-gi-where`` a reader that built the page
recorded for the cell (a PDF page, a Word table).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping, Sequence

from .digits import BLANK, Candidate, Value
from .fields import Field, number
from .html import CellPlace, LinePlace
from .normalise import Source

MAX_READINGS = 64  # readings aligned one by one; more leave the cells that differ unplaced
LONG_LINE = 200  # past this many characters a line is named with the character too
_RUN = re.compile(r"\d+")
Origin = tuple[int | None, int]  # (text position of the value, line of the row's label)


def align(
    fields: Sequence[Field], candidates: Sequence[Candidate], n: int, *, dropped: bool = False
) -> list[int | None]:
    """For each of the ``n`` cells, the text position of the field its value came from, or
    None when the readings or the ways of matching them to the fields disagree.

    A value field is passed over only after the row's last cell (text that followed it),
    or anywhere when the reader ``dropped`` values (a page number inside the row); an empty
    cell between separators may always be passed over."""
    units = [f for f in fields if f.kind != "gap"]
    if not candidates or not units:
        return [None] * n
    if len([u for u in units if u.is_value]) == 1 and len(units) == 1:
        only = units[0].pos  # one field (a whole row run together): every cell is in it
        return [only if any(c[i] is not None for c in candidates) else None for i in range(n)]
    seen: list[set[int]] = [set() for _ in range(n)]
    for cand in candidates[:MAX_READINGS]:
        places = _places(tuple(units), cand, dropped)
        if places is None:
            return [None] * n
        for i, at in enumerate(places):
            seen[i] |= at
    if len(candidates) > MAX_READINGS:
        return [None] * n
    return [next(iter(s)) if len(s) == 1 else None for s in seen]


def _places(units: tuple[Field, ...], cand: Candidate, dropped: bool) -> list[set[int]] | None:
    """Every field each cell of one reading may have come from (None: no match at all).

    States are (field, digits of it used, cell); a state is kept when the end (every cell
    matched, every field used or passed over) can be reached from it."""
    n = len(cand)

    @functools.cache
    def ends(u: int, off: int, c: int) -> bool:
        return any(ends(*nxt) for nxt, _ in _steps(units, cand, dropped, u, off, c)) or (
            u == len(units) and c == n
        )

    if not ends(0, 0, 0):
        return None
    found: list[set[int]] = [set() for _ in range(n)]
    todo, done = [(0, 0, 0)], set()
    while todo:
        state = todo.pop()
        if state in done:
            continue
        done.add(state)
        for nxt, cell in _steps(units, cand, dropped, *state):
            if ends(*nxt):
                if cell is not None:
                    found[cell].add(units[state[0]].pos)
                todo.append(nxt)
    return found


def _steps(
    units: tuple[Field, ...], cand: Candidate, dropped: bool, u: int, off: int, c: int
) -> list[tuple[tuple[int, int, int], int | None]]:
    """The moves from one state: (next state, cell matched to field ``u`` or None)."""
    out: list[tuple[tuple[int, int, int], int | None]] = []
    n = len(cand)
    if c < n and cand[c] is None:  # a cell left unread by the reading: no field
        out.append(((u, off, c + 1), None))
    if u == len(units):
        return out
    unit = units[u]
    if off == 0 and (unit.kind == "empty" or c == n or dropped):
        out.append(((u + 1, 0, c), None))  # passed over
    if c == n or cand[c] is None:
        return out
    value = cand[c]
    if off == 0 and _same(unit, value):
        out.append(((u + 1, 0, c + 1), c))
    if unit.splittable and type(value) is int:
        piece = str(value)
        end = off + len(piece)
        if unit.text.startswith(piece, off) and (off > 0 or end < len(unit.text)):
            out.append((((u + 1, 0, c + 1) if end == len(unit.text) else (u, end, c + 1)), c))
    return out


def _same(unit: Field, value: Value) -> bool:
    if unit.kind in ("blank", "empty"):
        return value is BLANK
    if unit.kind != "num" or value is BLANK:
        return False
    return bool(number(unit.text) == value)


class Locator:
    """Text positions of one document in words (see the module doc)."""

    def __init__(self, src: Source, places: Mapping[int, LinePlace] | None = None) -> None:
        self.src = src
        self.places = dict(places or {})
        self._lines = sorted(self.places)
        # a page rebuilt from a PDF or Word file: its own line numbers mean nothing to a reader
        self.rebuilt = any(c.where for p in self.places.values() for c in p.cells)

    def describe(self, origin: Origin, value: Value = None) -> str:
        """``line 57``; ``line 57, table 2 row 4 col 3`` in a page; ``(in 640020470)`` when
        the value is part of a digit run that was split; ``(row)`` when only the row is
        known; empty when nothing is (the row was not found)."""
        pos, line = origin
        if pos is None:
            return self._describe(None, line) + (" (row)" if line > 0 else "")
        run = _RUN.match(self.src.folded, pos)
        inside = type(value) is int and run is not None and run.group() != str(value)
        return self._describe(pos, line) + (f" (in {run.group()})" if inside and run else "")

    def _describe(self, pos: int | None, line: int) -> str:
        if pos is not None:
            line = self.src.line_of(pos)
        if line <= 0:
            return ""
        if not self.places:
            if pos is None:
                return f"line {line}"
            start = self.src.text.rfind("\n", 0, pos) + 1
            end = self.src.text.find("\n", pos)
            long = (end if end >= 0 else len(self.src.text)) - start > LONG_LINE
            return f"line {line}" + (f" char {pos - start + 1}" if long else "")
        place = self._place(line)
        if place is None:
            return f"line {line} of the page as laid out"
        if not place.cells:
            if place.where:
                return expand(place.where)
            if self.rebuilt:
                return f"text outside the tables (line {place.line} of the rebuilt page)"
            return f"line {place.line}"
        if pos is not None:
            column = self.src.column_of(pos) + place.shift
            if 0 <= column < len(place.cells):
                return _cell(place.cells[column])
        own = max(place.cells, key=lambda c: c.row)  # a cell of this row, not spanning into it
        return _cell(own, row_only=True)  # the row is known, not the cell

    def _place(self, line: int) -> LinePlace | None:
        """The line's own place, else the nearest text line before it (a line that a tail
        text or a ``<pre>`` block began)."""
        if line in self.places:
            return self.places[line]
        i = bisect.bisect_right(self._lines, line) - 1
        for j in range(i, max(i - 50, -1), -1):
            place = self.places[self._lines[j]]
            if not place.cells:
                return place
        return None


def _cell(cell: CellPlace, row_only: bool = False) -> str:
    if cell.where:
        text = expand(cell.where, cell.table)
        return text.rpartition(" col ")[0] if row_only and " col " in text else text
    text = f"line {cell.line}, table {cell.table} row {cell.row}"
    return text if row_only else f"{text} col {cell.column}"


_WORDS = {"p": "page", "t": "table", "l": "line", "r": "row", "c": "col"}
_TOKEN = re.compile(r"([ptlrc])(\d+)")


def expand(where: str, table: int = 0) -> str:
    """A reader's ``data-gi-where`` in words: ``p4 r3 c2`` → ``page 4, table 2 row 4 col 3``.

    The readers that rebuild a page (:mod:`.pdf`, :mod:`.word`) number pages (p), tables
    (t) and lines (l) as printed and rows (r) and columns (c) from 0; words count from 1.
    A table number the reader did not give is the page's (``table``). Anything else is
    shown as written."""
    tokens = where.split()
    if not tokens or not all(_TOKEN.fullmatch(t) for t in tokens):
        return where
    words = []
    for token in tokens:
        kind, number = token[0], int(token[1:])
        if kind == "r" and table and not any(t[0] == "t" for t in tokens):
            words.append(f"table {table}")
        words.append(f"{_WORDS[kind]} {number + 1 if kind in 'rc' else number}")
    text = " ".join(words)
    return re.sub(r"^(page \d+|line \d+) ", r"\1, ", text)
