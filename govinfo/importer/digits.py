"""Reading a row's values: as published when the count is right, else by the arithmetic.

When a row shows exactly the cells it should, they are taken as published, whatever they
add up to: inconsistencies are for validation to report, never for the importer to fix.
Only when the layout has lost information (digits run together with no separator, a page
number or stray figure inside the row, cells missing at its edges) are the readings that
the text allows enumerated, and the official identities (a row's 总计 is the sum of its
parts; the column ledgers of 表三) choose among them. A cell is read only when every
remaining reading agrees on it; otherwise it stays empty and is reported as ambiguous.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .fields import Field, number


class _Blank:
    """A published blank cell ('-', '/', '—', empty): read, but not a number (C07)."""

    _instance: _Blank | None = None

    def __new__(cls) -> _Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()
Value = int | Decimal | str | _Blank | None  # None: not read
Candidate = tuple[Value, ...]
Groups = tuple[tuple[int, int], ...]  # [start, end) slices whose last cell sums the others
LIMIT = 5000  # readings kept for one row before it counts as hopelessly ambiguous
BUDGET = 100_000  # search steps for one run of digits


@dataclass(frozen=True)
class Reading:
    """The readings of one row that the text and the identities allow.

    ``how`` says which rule produced them (``published``, ``split``, ``dropped``, ``placed``)
    or why there are none (``none``, ``too-many``, ``too-few``, ``no-split``).
    """

    candidates: tuple[Candidate, ...]
    how: str
    seen: tuple[str, ...]  # the values as they appear in the text

    @property
    def read(self) -> bool:
        return bool(self.candidates)


def numeric(value: Value) -> int | Decimal | None:
    """A cell as a number for the identities: blanks count as 0, unread cells as unknown."""
    if value is None:
        return None
    if isinstance(value, _Blank):  # (BLANK, the only one)
        return 0
    if isinstance(value, str):
        digits = "".join(ch for ch in value if ch.isdigit() or ch == ".")
        return Decimal(digits) if digits else None
    return value


def satisfies(values: Sequence[Value], groups: Groups) -> bool:
    """Every identity group whose cells are all known adds up."""
    for start, end in groups:
        if end > len(values):
            continue
        nums = [n for n in map(numeric, values[start:end]) if n is not None]
        if len(nums) < end - start:  # a cell not known
            continue
        if sum(nums[:-1]) != nums[-1]:
            return False
    return True


def _value(field: Field) -> Value:
    return BLANK if field.kind in ("blank", "empty") else number(field.text)


def _enumerate(units: Sequence[Field], n: int, groups: Groups) -> list[Candidate] | None:
    """All readings of ``units`` as ``n`` cells with digit runs cut into numbers (no leading
    zeros), pruned by the groups as they fill; None when there are more than :data:`LIMIT`.

    A group's last cell is its sum, so once the other cells of a group are cut, the digits
    that must follow are known: the search never enumerates the total's length.
    """
    if len(units) == 1 and units[0].splittable and groups == ((0, n),):
        return _split_with_total(units[0].text, n)
    sums = {end - 1: start for start, end in groups}  # total cell → first cell of its group
    found: list[Candidate] = []
    capacity = [len(u.text) if u.splittable else 1 for u in units]
    most_from = [*itertools.accumulate(reversed(capacity), initial=0)][::-1]  # suffix sums

    def remaining(i: int, off: int) -> tuple[int, int]:
        """(fewest, most) cells the units from (i, off) on can still make."""
        return len(units) - i, most_from[i] - off

    steps = [BUDGET]

    def walk(i: int, off: int, prefix: Candidate) -> bool:
        steps[0] -= 1
        if len(found) > LIMIT or steps[0] < 0:
            return False
        if i == len(units):
            if len(prefix) == n:
                found.append(prefix)
            return True
        fewest, most = remaining(i, off)
        if not fewest <= n - len(prefix) <= most:
            return True
        unit, cell = units[i], len(prefix)
        if not unit.splittable:
            values = (*prefix, _value(unit))
            return walk(i + 1, 0, values) if _closes(values, groups) else True
        digits = unit.text[off:]
        if cell in sums:
            total = sum(numeric(v) or 0 for v in prefix[sums[cell] :])
            if any(numeric(v) is None for v in prefix[sums[cell] :]):
                options = range(1, len(digits) + 1)
            else:
                wanted = str(total)
                options = (
                    range(len(wanted), len(wanted) + 1) if digits.startswith(wanted) else range(0)
                )
        else:
            options = range(1, len(digits) + 1)
        for size in options:
            piece = digits[:size]
            if len(piece) > 1 and piece[0] == "0":
                break
            values = (*prefix, int(piece))
            if not _closes(values, groups):
                continue
            nxt = (i + 1, 0) if size == len(digits) else (i, off + size)
            if not walk(*nxt, values):
                return False
        return True

    complete = walk(0, 0, ())
    return found if complete else None


def _split_with_total(digits: str, n: int) -> list[Candidate] | None:
    """A whole row run together (``640020470``): every suffix is a candidate 总计, and the
    digits before it are cut into ``n - 1`` numbers adding up to it (bounded by it, so
    the search stays small even for long runs)."""
    found: list[Candidate] = []
    for size in range(1, len(digits) - n + 2):
        head, tail = digits[:-size], digits[-size:]
        if len(tail) > 1 and tail[0] == "0":
            continue
        if not _Cutter(head, int(tail), found).cut(0, n - 1, 0, ()):
            return None  # too many ways to tell: the row is reported as ambiguous
    return found


class _Cutter:
    """Cuts ``head`` into numbers that add up to ``total``, remembering dead ends."""

    def __init__(self, head: str, total: int, found: list[Candidate]) -> None:
        self.head, self.total, self.found = head, total, found
        self.dead: set[tuple[int, int, int]] = set()  # (offset, parts left, sum so far)
        self.budget = BUDGET

    def cut(self, off: int, left: int, acc: int, parts: tuple[int, ...]) -> bool:
        """Collect every way on from here; False when the search had to give up."""
        self._walk(off, left, acc, parts)
        return self.budget >= 0 and len(self.found) <= LIMIT

    def _walk(self, off: int, left: int, acc: int, parts: tuple[int, ...]) -> bool:
        head, total = self.head, self.total
        if left == 0:
            if off == len(head) and acc == total:
                self.found.append((*parts, total))
                return True
            return False
        rest, need = len(head) - off, total - acc
        if (off, left, acc) in self.dead or rest > left * len(str(need)) or int(head[off:]) < need:
            return False  # each part ≤ what is left to reach; all of them ≥ it
        self.budget -= 1
        if self.budget < 0 or len(self.found) > LIMIT:
            return True
        any_way = False
        for length in range(1, rest - left + 2):
            piece = head[off : off + length]
            if length > 1 and piece[0] == "0":
                break
            value = int(piece)
            if acc + value > total:
                break
            any_way |= self._walk(off + length, left - 1, acc + value, (*parts, value))
        if not any_way:
            self.dead.add((off, left, acc))
        return any_way


def _closes(values: Candidate, groups: Groups) -> bool:
    """The group that the last value completes, if any, adds up."""
    closing = tuple(g for g in groups if g[1] == len(values))
    return satisfies(values, closing)


def read_row(fields: Sequence[Field], n: int, groups: Groups = ()) -> Reading:
    """The readings of one row of ``n`` cells from the fields between its label and the next."""
    positions = [i for i, f in enumerate(fields) if f.is_value]
    seen = tuple(f.text or "□" for f in fields if f.is_value)
    if not positions:
        return Reading((), "none", seen)
    first, last = positions[0], positions[-1]
    values = [fields[i] for i in positions]
    body = [f for f in fields[first : last + 1] if f.kind != "gap"]  # with inner empty cells
    if len(values) == n:
        return Reading((tuple(_value(f) for f in values),), "published", seen)
    if len(body) == n:
        return Reading((tuple(_value(f) for f in body),), "published", seen)
    if len(values) > n:
        return _too_many(fields, first, values, n, groups, seen)
    if any(f.splittable for f in body):
        found = _enumerate(body, n, groups)
        if found is None:
            return Reading((), "too-many", seen)
        if found:
            return Reading(tuple(found), "split", seen)
        placed = _placed(fields, first, last, body, n, groups, seen)
        return placed if placed.read else Reading((), "no-split", seen)
    return _placed(fields, first, last, body, n, groups, seen)


def _too_many(
    fields: Sequence[Field],
    first: int,
    values: list[Field],
    n: int,
    groups: Groups,
    seen: tuple[str, ...],
) -> Reading:
    """More values than cells: stop where text begins (a note or chart after the table), else
    drop one or two values (a page number) when exactly the identities single them out."""
    head: list[Field] = []
    for f in fields[first:]:
        if f.kind == "gap":
            break
        head.append(f)
    head_values = [f for f in head if f.is_value]
    for run in (head_values, head):
        if len(run) == n:
            return Reading((tuple(_value(f) for f in run),), "published", seen)
    extra = len(values) - n
    if groups and extra <= 2 and len(values) <= 40:
        found = []
        for drop in itertools.combinations(range(len(values)), extra):
            kept = tuple(_value(f) for i, f in enumerate(values) if i not in drop)
            if satisfies(kept, groups):
                found.append(kept)
        if found:
            return Reading(tuple(dict.fromkeys(found)), "dropped", seen)
    return Reading((), "too-many", seen)


def _placed(
    fields: Sequence[Field],
    first: int,
    last: int,
    body: list[Field],
    n: int,
    groups: Groups,
    seen: tuple[str, ...],
) -> Reading:
    """Too few values: the missing cells may be empty cells at the row's edges (tab-separated
    text keeps them). Each such placement leaves them unread; the identities filter."""
    lead = sum(1 for f in fields[:first] if f.kind == "empty")
    trail = sum(1 for f in fields[last + 1 :] if f.kind == "empty")
    missing = n - len(body)
    if missing <= 0:
        return Reading((), "too-many", seen)
    units = tuple(_value(f) for f in body)
    found = [
        (None,) * left + units + (None,) * (missing - left)
        for left in range(missing + 1)
        if left <= lead and missing - left <= trail
    ]
    found = [c for c in found if satisfies(c, groups)]
    return Reading(tuple(found), "placed", seen) if found else Reading((), "too-few", seen)


def agree(candidates: Sequence[Candidate], n: int) -> tuple[list[Value], list[bool]]:
    """Cells every reading agrees on, and which cells stay ambiguous."""
    if not candidates:
        return [None] * n, [False] * n
    values: list[Value] = []
    ambiguous: list[bool] = []
    for i in range(n):
        options = {(type(c[i]), c[i]) for c in candidates}
        if len(options) == 1:
            values.append(candidates[0][i])
            ambiguous.append(False)
        else:
            values.append(None)
            ambiguous.append(True)
    return values, ambiguous
