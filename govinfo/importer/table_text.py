"""Tables 二, 三 and 四: labels found in order, values between them read into cells.

Each table is located inside its section's region (from an anchor such as 第二十条 or
勾稽关系, so that prose before the table is not taken for a row). Row labels are searched in
the official order; the text between one label and the next holds that row's values,
whatever the layout did to them (tabs, pipes, spaces, line breaks, nothing at all). Rows
whose labels come without numbers, followed by a block holding all their numbers, are read
in the official order (labels detached from their values in PDF conversions).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import layout as L
from .digits import BLANK, Candidate, Groups, Reading, numeric, read_row, satisfies
from .fields import Field, number, tokenise
from .legacy import (
    OLD_ACTIVE_MARKERS,
    OLD_NORMATIVE_DOCS,
    OLD_OTHER_KEY,
    OLD_OTHER_LABEL,
    old_active_rows,
)
from .normalise import Source, body_regex, find_label, label_patterns, split_numbering

Numbers = tuple[int | Decimal, ...]  # a reading's cells, as numbers (vec)


@dataclass(frozen=True)
class RowSpec:
    """A row to find: its key, label patterns, fuzzy text, cell count and identities."""

    key: str
    patterns: tuple[re.Pattern[str], ...]
    fuzzy: str
    cells: int
    groups: Groups = ()
    numbering: str = ""


@dataclass(frozen=True)
class RowResult:
    spec: RowSpec
    found: bool
    reading: Reading
    line: int  # where the label is (1-based), 0 when not found


def _spec(key: str, label: str, cells: int, groups: Groups = (), *aliases: str) -> RowSpec:
    numbering, body = split_numbering(label)
    return RowSpec(key, label_patterns(label, *aliases), body, cells, groups, numbering)


def _anchor(src: Source, start: int, end: int, *texts: str) -> int:
    """Where the table starts: the first of its header texts, else the region start."""
    hits = [
        m.start() for t in texts if (m := re.compile(body_regex(t)).search(src.compact, start, end))
    ]
    return min(hits, default=start)


def read_rows(src: Source, specs: Sequence[RowSpec], start: int, end: int) -> list[RowResult]:
    """Find each row's label in order and read the values that follow it."""
    spans: list[tuple[int, int] | None] = []
    pos = start
    for spec in specs:
        span = find_label(src, spec.patterns, pos, end, spec.fuzzy, spec.numbering)
        spans.append(span)
        if span:
            pos = span[1]
    found = [(i, span) for i, span in enumerate(spans) if span]
    fields: dict[int, list[Field]] = {}
    for j, (i, span) in enumerate(found):
        stop = found[j + 1][1][0] if j + 1 < len(found) else end
        fields[i] = tokenise(src, src.end_pos(span[1]), src.pos(stop))
    results: list[RowResult] = []
    pending: list[int] = []  # rows whose label came without values
    for i, spec in enumerate(specs):
        span = spans[i]
        line = src.line_of(src.pos(span[0])) if span else 0
        if span is None:
            results.append(RowResult(spec, False, Reading((), "none", ()), 0))
            continue
        row_fields = fields[i]
        values = [f for f in row_fields if f.is_value]
        if not values:
            pending.append(len(results))
            results.append(RowResult(spec, True, Reading((), "none", ()), line))
            continue
        if pending and _detached(results, pending, spec, values):
            chunks = _chunks(values, [results[k].spec.cells for k in pending] + [spec.cells])
            for k, chunk in zip(pending, chunks[:-1], strict=True):
                results[k] = RowResult(results[k].spec, True, _published(chunk), results[k].line)
            results.append(RowResult(spec, True, _published(chunks[-1]), line))
        else:
            results.append(
                RowResult(spec, True, read_row(row_fields, spec.cells, spec.groups), line)
            )
        pending = []
    return results


def _detached(
    results: list[RowResult], pending: list[int], spec: RowSpec, values: list[Field]
) -> bool:
    return len(values) == sum(results[k].spec.cells for k in pending) + spec.cells


def _chunks(values: list[Field], sizes: list[int]) -> list[list[Field]]:
    out, at = [], 0
    for size in sizes:
        out.append(values[at : at + size])
        at += size
    return out


def _published(fields: list[Field]) -> Reading:
    return read_row(fields, len(fields))


# --------------------------------------------------------------------------- 表二


def is_old_active(src: Source, start: int, end: int) -> bool:
    return any(
        re.compile(body_regex(marker)).search(src.compact, start, end)
        for marker in OLD_ACTIVE_MARKERS
    )


def active_specs(old: bool) -> list[RowSpec]:
    if old:
        return [_spec(f"old{i}", row.label, row.cells) for i, row in enumerate(old_active_rows())]
    specs = []
    for group in L.ACTIVE_GROUPS:
        for item in group.items:
            alias = (OLD_NORMATIVE_DOCS,) if item.key == "normative_docs" else ()
            specs.append(_spec(item.key, item.label, len(group.measures), (), *alias))
    return specs


def read_active(src: Source, start: int, end: int, old: bool) -> list[RowResult]:
    anchor = _anchor(src, start, end, L.ACTIVE_GROUPS[0].caption, L.ACTIVE_ITEM_HEADER)
    return read_rows(src, active_specs(old), anchor, end)


# --------------------------------------------------------------------------- 表三

ROW_GROUPS: Groups = ((0, len(L.APPLICATION_COLUMNS)),)  # I3: 总计 = the six applicants


def is_old_applications(src: Source, start: int, end: int) -> bool:
    """2019 table 三: （六）其他处理 with numbers of its own and none of the 2021 sub-rows."""
    subrows = [r for r in L.APPLICATION_ROWS if r.groups and r.groups[-1] == L.OTHER][:2]
    for row in subrows:  # the two long 2021 sub-rows, OCR slips allowed
        if find_label(src, label_patterns(row.label), start, end, split_numbering(row.label)[1]):
            return False
    return find_label(src, label_patterns(OLD_OTHER_LABEL), start, end) is not None


def application_specs(old: bool) -> list[RowSpec]:
    specs: list[RowSpec] = []
    for row in L.APPLICATION_ROWS:
        if old and row.groups and row.groups[-1] == L.OTHER:  # one row in 2019
            if specs[-1].key != OLD_OTHER_KEY:
                specs.append(_spec(OLD_OTHER_KEY, OLD_OTHER_LABEL, 7, ROW_GROUPS))
            continue
        specs.append(_spec(row.key, row.label, len(L.APPLICATION_COLUMNS), ROW_GROUPS))
    return specs


def read_applications(src: Source, start: int, end: int, old: bool) -> list[RowResult]:
    anchor = _anchor(src, start, end, L.APPLICATION_NOTE[1:7], L.APPLICANT_HEADER)
    results = read_rows(src, application_specs(old), anchor, end)
    return resolve_ledger(results)


def resolve_ledger(results: list[RowResult], limit: int = 200_000) -> list[RowResult]:
    """Narrow ambiguous rows of 表三 with the column identities I1 and I2.

    Only rows with several readings (digit runs that split more than one way) are narrowed;
    rows read as published stay as published. Feasible readings are found with forward sets
    of partial column sums and backward sets of reachable remainders, so the work grows
    with the number of distinct sums, not with the product of the readings.
    """
    by_key = {r.spec.key: r for r in results}
    if all(len(r.reading.candidates) <= 1 for r in results):
        return results
    outcome_keys = [k for k in by_key if k in L.OUTCOME_KEYS or k == "old_other"]
    ledger = ("new", "carried_over", L.TOTAL, "carried_forward")
    if any(not by_key[k].reading.read for k in (*outcome_keys, *ledger) if k in by_key):
        return results  # a row not read at all: the columns cannot be checked
    if any(k not in by_key for k in ledger):
        return results
    ncol = len(L.APPLICATION_COLUMNS)

    def known(keys: Sequence[str]) -> list[int]:
        return [
            c
            for c in range(ncol)
            if all(cand[c] is not None for k in keys for cand in by_key[k].reading.candidates)
        ]

    cols1 = known(ledger)
    cols2 = known([*outcome_keys, L.TOTAL])

    def vec(cand: Candidate, cols: list[int]) -> Numbers:
        # numeric(): a cell published with a unit (3元) counts by its number, not int('3元')
        return tuple(numeric(cand[c]) for c in cols)  # type: ignore[misc]  # known(): no None

    combos = list(
        itertools.islice(itertools.product(*(by_key[k].reading.candidates for k in ledger)), limit)
    )
    combos = [
        c
        for c in combos
        if all(
            vec(c[0], [col])[0] + vec(c[1], [col])[0] == vec(c[2], [col])[0] + vec(c[3], [col])[0]
            for col in cols1
        )
    ]
    ambiguous = [k for k in outcome_keys if len(by_key[k].reading.candidates) > 1]
    fixed = [k for k in outcome_keys if len(by_key[k].reading.candidates) == 1]
    base = [
        sum(vec(by_key[k].reading.candidates[0], cols2)[i] for k in fixed)
        for i in range(len(cols2))
    ]
    feasible: dict[str, set[Candidate]] = {k: set() for k in (*ambiguous, *ledger)}
    for combo in combos:
        target = tuple(t - b for t, b in zip(vec(combo[2], cols2), base, strict=True))
        chosen = _feasible(
            [
                [(cand, vec(cand, cols2)) for cand in by_key[k].reading.candidates]
                for k in ambiguous
            ],
            target,
            limit,
        )
        if chosen is None:
            return results  # too many partial sums to decide: leave the ambiguity
        if isinstance(chosen, list):  # (else False: no choice adds up)
            for k, cands in zip(ambiguous, chosen, strict=True):
                feasible[k].update(cands)
            for k, cand in zip(ledger, combo, strict=True):
                feasible[k].add(cand)
    if not any(feasible[k] for k in ledger):
        return results  # no reading satisfies the ledgers: keep each row's own readings
    out = []
    for r in results:
        if r.spec.key in feasible and len(r.reading.candidates) > 1:
            keep = tuple(c for c in r.reading.candidates if c in feasible[r.spec.key])
            r = RowResult(r.spec, r.found, Reading(keep, r.reading.how, r.reading.seen), r.line)
        out.append(r)
    return out


def _feasible(
    rows: list[list[tuple[Candidate, Numbers]]], target: Numbers, limit: int
) -> list[set[Candidate]] | bool | None:
    """For each row, the readings that belong to some choice adding up to ``target``;
    False when no choice does, None when there are too many partial sums to tell."""
    width = len(target)
    forward: list[set[Numbers]] = [{(0,) * width}]
    for row in rows:
        nxt = {tuple(a + b for a, b in zip(s, v, strict=True)) for s in forward[-1] for _, v in row}
        if len(nxt) > limit:
            return None
        forward.append(nxt)
    if target not in forward[-1]:
        return False
    backward: list[set[Numbers]] = [set() for _ in rows] + [{target}]
    chosen: list[set[Candidate]] = [set() for _ in rows]
    for i in range(len(rows) - 1, -1, -1):
        for cand, v in rows[i]:
            for need in backward[i + 1]:
                before = tuple(a - b for a, b in zip(need, v, strict=True))
                if before in forward[i]:
                    chosen[i].add(cand)
                    backward[i].add(before)
        if len(backward[i]) > limit:
            return None
    return chosen


# --------------------------------------------------------------------------- 表四

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
    for i, m in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else end
        fields.extend(tokenise(src, src.end_pos(m.end()), src.pos(stop)))
    line = src.line_of(src.pos(first.start()))
    values = [f for f in fields if f.is_value]
    body_ok = len(values) == REVIEW_CELLS
    if not body_ok:
        grid = _grid(src, [m for m in heads if _LEAVES.fullmatch(m.group())], fields)
        if grid is not None:
            return ReviewResult(grid[0], True, True, grid[1], line)
    return ReviewResult(read_row(fields, REVIEW_CELLS, REVIEW_GROUPS), True, False, (), line)


def _grid(
    src: Source, leaves: list[re.Match[str]], fields: list[Field]
) -> tuple[Reading, tuple[str, ...]] | None:
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
    return Reading((values,), "grid", seen), extra
