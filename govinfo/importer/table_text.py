"""Tables 二 and 三: labels found in order, values between them read into cells.

Each table is located inside its section's region (from an anchor such as 第二十条 or
勾稽关系, so that prose before the table is not taken for a row). Row labels are searched in
the official order (表二's 第二十条 blocks each on their own when printed out of order); the
text between one label and the next holds that row's values, whatever the layout did to them
(tabs, pipes, spaces, line breaks, nothing at all). Rows whose numbers are elsewhere (labels
detached from their numbers, numbers before their label in a PDF's text) are matched by
:mod:`.order`; 表四 is read by :mod:`.review_text`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import layout as L
from .digits import Candidate, Groups, Reading, numeric, read_row
from .fields import Field, tokenise
from .legacy import (
    OLD_ACTIVE_MARKERS,
    OLD_NORMATIVE_DOCS,
    OLD_OTHER_KEY,
    OLD_OTHER_LABEL,
    old_active_rows,
)
from .normalise import (
    Source,
    body_regex,
    find_label,
    label_patterns,
    numbering_regex,
    split_numbering,
)
from .order import Placed, assign
from .review_text import ReviewResult as ReviewResult  # re-exported: read by the package
from .review_text import read_review as read_review

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
    fields: tuple[Field, ...] = ()  # what the reading was read from (for --explain: .origins)


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
    _by_prefix(src, specs, spans, start, end)
    found = [(i, span) for i, span in enumerate(spans) if span]
    fields: dict[int, list[Field]] = {}
    for j, (i, span) in enumerate(found):
        stop = found[j + 1][1][0] if j + 1 < len(found) else end
        fields[i] = tokenise(src, src.end_pos(span[1]), src.pos(stop))
    results: list[RowResult] = []
    for i, spec in enumerate(specs):
        span = spans[i]
        if span is None:
            results.append(RowResult(spec, False, Reading((), "none", ()), 0))
            continue
        reading = read_row(fields[i], spec.cells, spec.groups)
        line = src.line_of(src.pos(span[0]))
        results.append(RowResult(spec, True, reading, line, tuple(fields[i])))
    return _in_order(src, results, spans, fields)


def _in_order(
    src: Source,
    results: list[RowResult],
    spans: list[tuple[int, int] | None],
    fields: dict[int, list[Field]],
) -> list[RowResult]:
    """Rows whose numbers are elsewhere than after their label (:mod:`.order`)."""
    found = [(i, span) for i, span in enumerate(spans) if span]
    placed = [
        Placed(
            results[i].spec.cells,
            results[i].spec.groups,
            src.line_of(src.end_pos(span[1]) - 1),  # the line the label ends on
            fields[i],
        )
        for i, span in found
    ]
    for j, decided in assign(src, placed).items():
        i = found[j][0]
        r = results[i]
        seen = tuple(f.text or "□" for f in fields[i] if f.is_value)
        if not decided.values:
            reading = Reading((), "detached", seen)
        else:
            reading = read_row(decided.values, len(decided.values))
            if decided.moved:
                reading = Reading(reading.candidates, "ordered", reading.seen)
        results[i] = RowResult(r.spec, True, reading, r.line, tuple(decided.values))
    return results


PREFIX = 4  # characters of a label body that, after its numbering, still name the row


def _by_prefix(
    src: Source,
    specs: Sequence[RowSpec],
    spans: list[tuple[int, int] | None],
    start: int,
    end: int,
) -> None:
    """Rows not found, looked for again by their numbering and the first characters of
    their label, only between the rows found before and after them: a printed slip later in
    the label (2.其他法律行政止公开) or numbers between the lines of a wrapped label
    (5.要求行政机关确认或重新出 / 1 0 0 0 0 0 1 / 具已获取信息) still name the row."""
    for i, spec in enumerate(specs):
        if spans[i] is not None or not spec.numbering or len(spec.fuzzy) < 2 * PREFIX:
            continue
        lo = next((s[1] for s in reversed(spans[:i]) if s), start)
        hi = next((s[0] for s in spans[i + 1 :] if s), end)
        pattern = numbering_regex(spec.numbering) + body_regex(spec.fuzzy[:PREFIX])
        m = re.compile(pattern).search(src.compact, lo, hi)
        if m:
            spans[i] = (m.start(), m.end())


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
    specs = active_specs(old)
    blocks = None if old else _reordered_blocks(src, start, end)
    if blocks is None:
        return read_rows(src, specs, anchor, end)
    by_key: dict[str, RowResult] = {}
    for group, (b_start, b_end) in zip(L.ACTIVE_GROUPS, blocks, strict=True):
        keys = {item.key for item in group.items}
        group_specs = [spec for spec in specs if spec.key in keys]
        by_key.update((r.spec.key, r) for r in read_rows(src, group_specs, b_start, b_end))
    return [by_key[spec.key] for spec in specs]


def _reordered_blocks(src: Source, start: int, end: int) -> list[tuple[int, int]] | None:
    """The compact span of each 第二十条 block, in the official group order, when every
    caption is there once and they are printed in another order (第（五）～（八）项 before
    第（一）项); None otherwise, and the rows are read in the official order as usual."""
    found = []
    for group in L.ACTIVE_GROUPS:
        hits = list(re.compile(body_regex(group.caption)).finditer(src.compact, start, end))
        if len(hits) != 1:
            return None
        found.append((hits[0].start(), hits[0].end()))
    if found == sorted(found):
        return None
    starts = sorted(s for s, _ in found)
    return [(e, next((s for s in starts if s > e), end)) for _, e in found]


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
            keep_reading = Reading(keep, r.reading.how, r.reading.seen)
            r = RowResult(r.spec, r.found, keep_reading, r.line, r.fields)
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
