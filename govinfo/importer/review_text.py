"""Table 四: fifteen cells under a three-row header, however the header came apart.

Every header label (行政复议, 行政诉讼, the case groups, the outcomes) separates; the values
follow in order. Tab-separated text keeps the grid, so when the count is off the data line is
aligned under the 15 leaf headers instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import layout as L
from .digits import BLANK, Candidate, Groups, Reading, read_row, satisfies
from .fields import Field, number, tokenise
from .normalise import Source, body_regex

REVIEW_GROUPS: Groups = tuple(
    (i * len(L.REVIEW_OUTCOMES), (i + 1) * len(L.REVIEW_OUTCOMES))
    for i in range(len(L.CASE_GROUPS))
)
REVIEW_CELLS = len(L.CASE_GROUPS) * len(L.REVIEW_OUTCOMES)


def _header_regex() -> re.Pattern[str]:
    labels = {L.REVIEW_HEADER, L.LITIGATION_HEADER}
    labels |= {g.label for g in L.CASE_GROUPS} | {o.label for o in L.REVIEW_OUTCOMES}
    ordered = sorted(labels, key=len, reverse=True)
    return re.compile("|".join(body_regex(label) for label in ordered))


_HEADERS = _header_regex()
_LEAVES = re.compile("|".join(body_regex(o.label) for o in L.REVIEW_OUTCOMES))


@dataclass(frozen=True)
class ReviewResult:
    reading: Reading
    found: bool
    grid: bool  # read by aligning values under their header cells
    extra: tuple[str, ...]  # values outside the header grid
    line: int
    fields: tuple[Field | None, ...] = ()  # read from; with ``grid``, one per cell (.origins)


def read_review(src: Source, start: int, end: int) -> ReviewResult:
    """The 15 cells of 表四: every header label separates, the values follow in order.

    Works for the official three-row header with one data row, for the table split into
    three small ones, and for a flattened page (digits run together after the last header).
    """
    first = _LEAVES.search(src.compact, start, end)
    if first is None:
        return ReviewResult(Reading((), "none", ()), False, False, (), 0)
    heads = list(_HEADERS.finditer(src.compact, first.start(), end))
    fields: list[Field] = []
    runs: list[int] = []  # how many values each header is followed by
    for i, m in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else end
        between = tokenise(src, src.end_pos(m.end()), src.pos(stop))
        fields.extend(between)
        runs.append(sum(1 for f in between if f.is_value))
    line = src.line_of(src.pos(first.start()))
    values = [f for f in fields if f.is_value]
    body_ok = len(values) == REVIEW_CELLS
    if not body_ok:
        grid = _grid(src, [m for m in heads if _LEAVES.fullmatch(m.group())], fields)
        if grid is not None:
            return ReviewResult(grid[0], True, True, grid[1], line, grid[2])
    reading = read_row(fields, REVIEW_CELLS, REVIEW_GROUPS)
    if reading.how == "published" and _scattered(runs, reading):
        reading = Reading((), "scattered", reading.seen)
    return ReviewResult(reading, True, False, (), line, tuple(fields))


def _scattered(runs: list[int], reading: Reading) -> bool:
    """Values strewn between the header labels in runs that are not whole groups (a PDF's
    text order: ``72 64 178 37`` 结果 … ``12 1 1 6`` 总计 ``351`` …) whose order does not add
    up: their order in the table is not known, so they are not read. A single run after
    the header, or a run per group (四 in three small tables), is read as published, even
    when it does not add up (a published inconsistency for validation to report)."""
    size = len(L.REVIEW_OUTCOMES)
    if all(n % size == 0 for n in runs):
        return False
    return not satisfies(reading.candidates[0], REVIEW_GROUPS)


def _grid(
    src: Source, leaves: list[re.Match[str]], fields: list[Field]
) -> tuple[Reading, tuple[str, ...], tuple[Field | None, ...]] | None:
    """Tab-separated text keeps the table grid: align the data line under the 15 leaf headers."""
    if len(leaves) < REVIEW_CELLS:
        return None
    cols = [src.column_of(src.pos(m.start())) for m in leaves[:REVIEW_CELLS]]
    if len(set(cols)) != REVIEW_CELLS:
        return None
    last_header = src.line_of(src.pos(leaves[REVIEW_CELLS - 1].start()))
    data = [f for f in fields if src.line_of(f.pos) > last_header and f.kind != "gap"]
    if not any(f.is_value for f in data):
        return None
    data_line = src.line_of(next(f for f in data if f.is_value).pos)
    row = {src.column_of(f.pos): f for f in data if src.line_of(f.pos) == data_line}
    cells = [row.get(c) for c in cols]
    if not any(f is not None and f.is_value for f in cells):
        return None
    values: Candidate = tuple(
        None if f is None else (BLANK if f.kind != "num" else number(f.text)) for f in cells
    )
    extra = tuple(f.text for c, f in sorted(row.items()) if c not in cols and f.is_value)
    if not satisfies(values, REVIEW_GROUPS):
        return None
    seen = tuple(f.text or "□" for f in row.values() if f.is_value or f.kind == "empty")
    return Reading((values,), "grid", seen), extra, tuple(cells)
