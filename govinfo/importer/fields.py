"""The values between two labels: numbers, published blanks, empty cells and stray text.

A table row as published reaches us as the text between its label and the next one: tab-
or pipe-separated cells, space-separated numbers, numbers wrapped onto the next line, or
digits run together with no separator at all. :func:`tokenise` turns that text into
:class:`Field` items without deciding anything; :mod:`.digits` decides which reading of
them fills the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .normalise import BLANK_MARK, Source

Kind = Literal["num", "blank", "empty", "gap"]

# A number as published: digits with an optional decimal part (or thousands commas), and the
# 万元/元 unit a fee cell may carry (kept, so validation can report it as C08).
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元)?"
_LEADING = re.compile(rf"{_NUMBER}|[-/{BLANK_MARK}]+")
_NEGATIVE = re.compile(r"-\d+(?:\.\d+)?")
# Longer digit runs are text, not values: a real run-together row (15 cells of 表四, 7 of 表三)
# is far shorter, and cutting a run costs more than linear time in its length (and Python
# refuses to turn more than 4300 digits into an int).
MAX_DIGITS = 64


@dataclass(frozen=True)
class Field:
    """One item of a value run: ``num`` (text as published), ``blank`` ('-', '/', '—', an
    empty HTML cell), ``empty`` (nothing between two cell separators) or ``gap`` (text)."""

    kind: Kind
    text: str
    pos: int  # position in the source text

    @property
    def is_value(self) -> bool:
        return self.kind in ("num", "blank")

    @property
    def splittable(self) -> bool:
        """Digits that may be several cells run together (no sign, decimal point or unit)."""
        return self.kind == "num" and len(self.text) > 1 and self.text.isdigit()


def _words(cell: str, pos: int) -> list[Field]:
    """Numbers and blanks at the start of each word; the rest of a word is text (a gap).

    Digits after text in the same word (``数据1``, ``第3页``, ``复议3起``) are prose, not
    cells; digits right at the start (``640020470``, ``0(四)无法提供``) are values.
    """
    out: list[Field] = []
    for m in re.finditer(r"\S+", cell):
        word, at = m.group(), pos + m.start()
        if _NEGATIVE.fullmatch(word) and _digits(word) <= MAX_DIGITS:
            out.append(Field("num", word, at))
            continue
        i = 0
        while i < len(word):
            n = _LEADING.match(word, i)
            if not n or _digits(n.group()) > MAX_DIGITS:
                out.append(Field("gap", word[i:], at + i))
                break
            text = n.group()
            kind: Kind = "num" if text[0].isdigit() else "blank"
            out.append(Field(kind, text.replace(",", "") if kind == "num" else text, at + i))
            i = n.end()
    return out


def _digits(text: str) -> int:
    """Digits in ``text``, counted only when there could be more than :data:`MAX_DIGITS`."""
    return sum(ch.isdigit() for ch in text) if len(text) > MAX_DIGITS else 0


def tokenise(src: Source, start: int, end: int) -> list[Field]:
    """The fields of ``src.text[start:end]`` (folded for classification).

    Empty cells count only where separators make them explicit: between two tabs or pipes.
    The first piece (the rest of the label's own cell) and the last piece (the start of the
    next label's cell) are never empty cells, nor are the outer pipes of a Markdown row.
    """
    fields: list[Field] = []
    segment = src.folded[start:end]
    lines = segment.split("\n")
    offset = start
    for li, line in enumerate(lines):
        pieces = re.split(r"[\t|]", line)
        separated = len(pieces) > 1
        stripped = line.strip()
        at = offset
        for ci, piece in enumerate(pieces):
            here = at
            at += len(piece) + 1
            if piece.strip():
                fields.extend(_words(piece, here))
                continue
            if not separated:
                continue
            if (li == 0 and ci == 0) or (li == len(lines) - 1 and ci == len(pieces) - 1):
                continue
            if (ci == 0 and stripped.startswith("|")) or (
                ci == len(pieces) - 1 and stripped.endswith("|")
            ):
                continue
            fields.append(Field("empty", "", here))
        offset += len(line) + 1
    return fields


def number(text: str) -> int | Decimal | str:
    """A published number: int, Decimal for decimals, or the text itself when it carries a
    unit (``251000元``), which validation reports as FEE-UNIT."""
    if text.endswith("元"):
        return text
    if "." in text:
        return Decimal(text)
    return int(text)
