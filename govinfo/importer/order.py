"""Rows whose numbers are not right after their labels, matched to them in the official order.

Two real layouts put a table row's numbers somewhere other than after its label:

* PDF-to-Markdown converters detach labels from numbers: a run of labels as loose (often
  wrapped) text lines, then their numbers as unlabelled rows;
* a PDF's text layer orders a table by the height of its lines, so the numbers of a row
  whose label wraps over two lines come before the label or between its lines
  (``1 0 0 0 0 0 1`` / ``1.属于国家秘密``), and the row before seems to have two rows' worth.

Both are read the same way. A row is *anchored* when the line its label ends on carries
exactly its number of cells: those are its numbers. Between two anchored rows, the rows left
(labels with no numbers of their own) and the numbers left (lines that no label owns) are
matched in the official order, and only when that is safe: exactly as many numbers as cells,
each row's numbers on one line (an unlabelled row is one table row) and each row adding up
(its 总计); numbers printed before a label are taken only for rows that add up (表三), not
for 表二's, which have no sum to check them by. Otherwise the labels without numbers are not
read, and say why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .digits import Groups, satisfies
from .fields import Field, number
from .normalise import Source

Chunk = list[Field]


@dataclass(frozen=True)
class Placed:
    """A found row: its size, identities, the line its label ends on and its fields (all
    that lies between its label and the next label found)."""

    cells: int
    groups: Groups
    line: int
    fields: list[Field]


@dataclass(frozen=True)
class Assigned:
    """What :func:`assign` decided for one row: its numbers (``moved`` when they are not
    the ones after its label), or none (``values`` empty: the block did not fit)."""

    values: Chunk
    moved: bool


def assign(src: Source, rows: Sequence[Placed]) -> dict[int, Assigned]:
    """Rows (by index) whose reading the official order decides; rows not named keep the
    reading of the numbers after their label."""
    values = [[f for f in r.fields if f.is_value] for r in rows]
    inline = [
        [f for f in vals if src.line_of(f.pos) == r.line]
        for r, vals in zip(rows, values, strict=True)
    ]
    anchored = [len(inline[i]) == r.cells for i, r in enumerate(rows)]
    out: dict[int, Assigned] = {}
    before: int | None = None
    segment: list[int] = []
    for i in [*range(len(rows)), -1]:  # -1: the end closes the last segment
        if i >= 0 and not anchored[i]:
            segment.append(i)
            continue
        if segment:
            # numbers on the lines after an anchored row's own line: a row no label owns
            surplus = [] if before is None else values[before][len(inline[before]) :]
            if surplus or any(not values[k] for k in segment):
                out.update(_segment(src, rows, values, segment, before, inline, surplus))
        before, segment = (i if i >= 0 else None), []
    return out


def _segment(
    src: Source,
    rows: Sequence[Placed],
    values: list[Chunk],
    segment: list[int],
    before: int | None,
    inline: list[Chunk],
    surplus: Chunk,
) -> dict[int, Assigned]:
    pool = surplus + [f for k in segment for f in values[k]]
    chunks = _cut(src, pool, [rows[k] for k in segment])
    if surplus and any(not rows[k].groups for k in segment):
        chunks = None  # numbers before a label with no sum to check them by: not guessed
    if chunks is None:
        return {k: Assigned([], False) for k in segment if not values[k]}
    out = {k: Assigned(c, c != values[k]) for k, c in zip(segment, chunks, strict=True)}
    if before is not None and surplus:
        out[before] = Assigned(inline[before], False)
    return out


def _cut(src: Source, pool: Chunk, rows: Sequence[Placed]) -> list[Chunk] | None:
    """The pool cut into the rows' sizes in order, or None unless every check holds."""
    if len(pool) != sum(r.cells for r in rows):
        return None
    chunks, at = [], 0
    for r in rows:
        chunk = pool[at : at + r.cells]
        at += r.cells
        if len({src.line_of(f.pos) for f in chunk}) > 1:
            return None
        cells = tuple(number(f.text) if f.kind == "num" else 0 for f in chunk)
        if not satisfies(cells, r.groups):
            return None
        chunks.append(chunk)
    return chunks
