"""What a number cell of a filled workbook says, as a parameter-file value.

A spreadsheet hands back ints, floats, text, dates, booleans and error values. A number is
taken as it is (a float that is whole becomes an int; an amount keeps its decimal digits as
shown); text that is a number (``１２`` in full-width digits, ``1 200``, ``12件``) is read
with a finding, because the spreadsheet's own totals and checks left it out; an empty cell
(or spaces only) is not filled in, ``/`` ``-`` ``—`` are published blanks, ``unread`` stays
unread, and anything else is written ``unread`` with an error naming the cell: never a zero.
Oddly written numbers (``010727``) and amounts with their unit (``12元``) are passed on as
text, so that the parameter file's own rules (NUMBER-FORMAT, FEE-UNIT) report them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import UNREAD_MARKER
from ..params import BLANK_MARKS, MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS

Value = int | Decimal | str | None  # a parameter-file cell: number, mark text, or None

_INT = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)")
_THOUSANDS = re.compile(r"[-+]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?")
_LEADING_ZEROS = re.compile(r"[-+]?0[0-9]+")
_COUNT_UNIT = re.compile(r"(件|个|项|次|条|宗|份)$")
_AMOUNT_UNIT = re.compile(r"[\d.,]+\s*万?元")


@dataclass(frozen=True)
class Reading:
    """A cell read: the value for the parameter file, and what to say about it (None when
    the cell held what it should: a number, nothing, or a published blank)."""

    value: Value
    problem: str | None = None  # TEXT (a number typed as text) | BAD (not a number)
    shown: str = ""  # the cell's content as the spreadsheet shows it, for messages


def number(raw: Any, *, decimal: bool) -> Reading:
    """Read one cell's value (``decimal``: an amount rather than a count)."""
    if raw is None:
        return Reading(None)
    if isinstance(raw, bool | dt.date | dt.datetime | dt.time | dt.timedelta):
        return Reading(UNREAD_MARKER, "BAD", str(raw))
    if isinstance(raw, int):
        return Reading(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return Reading(UNREAD_MARKER, "BAD", str(raw))
        if raw.is_integer() and abs(raw) < 10**MAX_INTEGER_DIGITS:
            return Reading(int(raw))
        return Reading(Decimal(repr(raw)))  # the shortest text that is this float: as shown
    if isinstance(raw, Decimal):
        return Reading(raw)
    return _text(str(raw), decimal=decimal)


def _text(text: str, *, decimal: bool) -> Reading:
    stripped = text.strip()
    if not stripped.strip("\u3000"):
        return Reading(None)  # spaces only: as empty, not filled in
    if stripped in BLANK_MARKS or stripped == UNREAD_MARKER:
        return Reading(stripped)
    clean = re.sub(r"\s+", "", unicodedata.normalize("NFKC", stripped))
    if clean in BLANK_MARKS:
        return Reading(clean)
    if decimal and _AMOUNT_UNIT.fullmatch(clean):
        return Reading(clean)  # FEE-UNIT, as a parameter file says it
    if not decimal:
        clean = _COUNT_UNIT.sub("", clean)
    if _LEADING_ZEROS.fullmatch(clean):
        return Reading(clean)  # NUMBER-FORMAT, as a parameter file says it
    if _THOUSANDS.fullmatch(clean):
        clean = clean.replace(",", "")
    if _INT.fullmatch(clean) and len(clean.lstrip("+-")) <= MAX_INTEGER_DIGITS:
        return Reading(int(clean), "TEXT", text)
    if _DECIMAL.fullmatch(clean):
        whole, _, fraction = clean.lstrip("+-").partition(".")
        if len(whole) <= MAX_INTEGER_DIGITS and len(fraction) <= MAX_DECIMAL_PLACES:
            try:
                return Reading(Decimal(clean), "TEXT", text)
            except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
                pass
    return Reading(UNREAD_MARKER, "BAD", text)


def countable(value: Value) -> int | Decimal | None:
    """A read value as a part of a total: numbers as they are, published blanks as 0, None
    when not filled in, unread or written oddly (no total can be made)."""
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, str) and value.strip() in BLANK_MARKS:
        return 0
    return None


def shown(raw: Any) -> str:
    """A cell's content for a message, cut short."""
    text = str(raw)
    return text if len(text) <= 40 else text[:37] + "…"
