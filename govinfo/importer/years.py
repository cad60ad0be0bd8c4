"""Several years of one agency read in one run: ambiguous digit runs decided by continuity.

A digit run that its own report's arithmetic cannot split one way (``1011`` as 1|0|11 or
10|1|1) may be decided by the neighbouring year of the same agency, through the two
identities that tie consecutive reports together (rules C05 and C11):

* this year's 上年结转 = last year's 结转下年度继续办理, in every applicant column;
* this year's 现行有效件数 = last year's + 本年制发 − 本年废止 (规章, 行政规范性文件).

Only the readings the text allows are chosen among, never a number the text does not
show; a reading is kept when it agrees with the neighbour's cells that were read, and a
cell is written only when every kept reading agrees on it. A row decided so gets an
IMPORT-CONTINUITY warning naming the other year; once 上年结转 or 结转下年度 is decided,
the column ledgers of 表三 may decide further rows, which say so too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from .. import layout as L
from ..findings import WARNING, Finding
from . import ImportResult
from .assemble import Collector, mapping_value, where_en
from .digits import Candidate, Reading, Value, agree, numeric
from .table_text import RowResult, application_specs, resolve_ledger

IN_FORCE = dict(L.ACTIVE_MEASURES)["in_force"]  # 现行有效件数

RULE = "IMPORT-CONTINUITY"
APPS = L.APPLICATIONS
ACTIVE_MEASURE_KEYS = tuple(key for key, _ in L.ACTIVE_MEASURES)  # issued, repealed, in_force
R = TypeVar("R")


def resolve_years(results: Sequence[R]) -> list[R]:
    """The results with ambiguous rows decided by their agency's neighbouring years.

    Results are matched by ``agency_id`` and ``year``; anything that is not an
    :class:`ImportResult` (a workbook read back) passes through unchanged, and a year
    read twice for one agency (duplicates) is left to itself: which copy is the neighbour
    is not known. The order of the list is kept."""
    out = list(results)
    years: dict[str, dict[int, list[int]]] = {}
    for i, r in enumerate(out):
        if isinstance(r, ImportResult):
            year, ident = r.mapping.get("year"), r.mapping.get("agency_id")
            if isinstance(year, int) and isinstance(ident, str):
                years.setdefault(ident, {}).setdefault(year, []).append(i)
    for by_year in years.values():
        once = {y: at[0] for y, at in by_year.items() if len(at) == 1}
        pairs = [(once[y - 1], once[y]) for y in sorted(once) if y - 1 in once]
        changed = bool(pairs)
        while changed:  # a decision may let the next pair decide (at most one per row)
            changed = False
            for before, now in pairs:
                old = cast(ImportResult, out[before]), cast(ImportResult, out[now])
                prev, cur = _link(*old)
                if (prev, cur) != old:
                    out[before], out[now] = cast(R, prev), cast(R, cur)
                    changed = True
    return out


def _link(prev: ImportResult, cur: ImportResult) -> tuple[ImportResult, ImportResult]:
    """Decide what one year can for the other, in both directions."""
    cur = _carried(cur, prev, "carried_over", "carried_forward", later=False)
    prev = _carried(prev, cur, "carried_forward", "carried_over", later=True)
    for item in L.ACTIVE_DOC_ITEMS:
        cur = _in_force_now(cur, prev, item)
        prev = _in_force_before(prev, cur, item)
    return prev, cur


# --------------------------------------------------------------------------- the identities


def _carried(
    result: ImportResult, other: ImportResult, row: str, other_row: str, *, later: bool
) -> ImportResult:
    """上年结转 this year = 结转下年度继续办理 last year, cell for cell."""
    if (APPS, row) not in result.readings:
        return result
    theirs = [other.cells[(APPS, other_row, c)] for c in L.APPLICATION_COLUMN_KEYS]
    if all(v is None for v in theirs):
        return result

    def fits(cand: Candidate) -> bool:
        return all(t is None or numeric(v) == numeric(t) for v, t in zip(cand, theirs, strict=True))

    shown = " ".join("?" if v is None else str(numeric(v)) for v in theirs)
    if later:
        zh = f"取与 {other.mapping['year']} 年报告的上年结转（{shown}）一致的读法"
        en = f"the reading equal to the {other.mapping['year']} report's carried_over ({shown})"
    else:
        zh = f"取与 {other.mapping['year']} 年报告的结转下年度继续办理（{shown}）一致的读法"
        en = f"the reading equal to the {other.mapping['year']} report's carried_forward ({shown})"
    decided = _narrow(result, APPS, row, fits, zh, en)
    return _ledger(decided, other.mapping["year"]) if decided is not result else result


def _in_force_now(cur: ImportResult, prev: ImportResult, item: str) -> ImportResult:
    """现行有效 this year = last year's 现行有效 + 本年制发 − 本年废止."""
    before = prev.cells[("active", item, "in_force")]
    if ("active", item) not in cur.readings or before is None:
        return cur
    last = numeric(before)

    def fits(cand: Candidate) -> bool:
        issued, repealed, in_force = _measures(cand)
        return None not in (issued, repealed, in_force, last) and (
            in_force == last + issued - repealed
        )

    year = prev.mapping["year"]
    zh = f"取符合“{IN_FORCE} = {year} 年的 {last} + 本年制发 − 本年废止”的读法"
    en = f"the reading with in force = {year}'s {last} + issued − repealed"
    return _narrow(cur, "active", item, fits, zh, en)


def _in_force_before(prev: ImportResult, cur: ImportResult, item: str) -> ImportResult:
    """Last year's 现行有效 = this year's 现行有效 − 本年制发 + 本年废止."""
    now = [cur.cells[("active", item, m)] for m in ACTIVE_MEASURE_KEYS]
    if ("active", item) not in prev.readings or any(v is None for v in now):
        return prev
    issued, repealed, in_force = (numeric(v) for v in now)
    wanted = in_force - issued + repealed  # type: ignore[operator]

    def fits(cand: Candidate) -> bool:
        return _measures(cand)[2] == wanted

    year = cur.mapping["year"]
    zh = (
        f"取{IN_FORCE}为 {wanted} 的读法（{year} 年现行有效 {in_force} − 其本年制发 "
        f"{issued} + 其本年废止 {repealed}）"
    )
    en = (
        f"the reading with {wanted} in force ({year}'s in force {in_force} − its issued {issued} "
        f"+ its repealed {repealed})"
    )
    return _narrow(prev, "active", item, fits, zh, en)


def _measures(cand: Candidate) -> tuple[Any, ...]:
    return tuple(numeric(cand[ACTIVE_MEASURE_KEYS.index(m)]) for m in ACTIVE_MEASURE_KEYS)


def _ledger(result: ImportResult, year: int) -> ImportResult:
    """表三's column ledgers again, now that 上年结转 or 结转下年度 is known better."""
    pending = {row: cands for (section, row), (cands, _) in result.readings.items()}
    if not any(section == APPS for section, _ in result.readings):
        return result
    rows = []
    for spec in application_specs(False):
        cells = tuple(result.cells[(APPS, spec.key, c)] for c in L.APPLICATION_COLUMN_KEYS)
        if (APPS, spec.key) in result.readings:
            reading = Reading(pending[spec.key], "split", ())
        elif None in cells:
            reading = Reading((), "none", ())
        else:
            reading = Reading((cells,), "published", ())
        rows.append(RowResult(spec, True, reading, 0))
    for r in resolve_ledger(rows):
        key = (APPS, r.spec.key)
        if key in result.readings and len(r.reading.candidates) < len(pending[r.spec.key]):
            result = _narrow(
                result,
                APPS,
                r.spec.key,
                frozenset(r.reading.candidates).__contains__,
                f"上年结转、结转下年度按与 {year} 年报告的衔接取定后，取符合表三勾稽关系的读法",
                f"once carried_over or carried_forward follows the {year} report, the "
                "reading that fits table 三's ledgers",
            )
    return result


# --------------------------------------------------------------------------- applying


def _narrow(
    result: ImportResult,
    section: str,
    row: str,
    fits: Callable[[Candidate], bool],
    zh: str,
    en: str,
) -> ImportResult:
    """Keep the readings of one ambiguous row that ``fits``; write the cells they now agree
    on, with their findings redone. Unchanged when none fits (the neighbour disagrees with
    every reading: left for validation to report) or when all do."""
    candidates, where = result.readings[(section, row)]
    keep = tuple(c for c in candidates if fits(c))
    if not keep or len(keep) == len(candidates):
        return result
    columns = _columns(section, row)
    values, ambiguous = agree(keep, len(columns))
    keys = [(section, row, column) for column in columns]
    redo = {k for k in keys if result.cells[k] is None}
    c = Collector()
    for i, key in enumerate(keys):
        if key in redo:
            c.cell(key, values[i], ambiguous[i], keep, i, where)
    decided = " ".join(str(v) if v is not None else "?" for v in values)
    c.add(
        RULE,
        WARNING,
        (section, row, None),
        f"{_label(section, row)}（{where}）：连写数字有多种读法，{zh}：{decided}",
        f"{_label(section, row)} ({where_en(where)}): run-together digits could be read several "
        f"ways; {en}: {decided}",
    )
    cells = dict(result.cells)
    mapping = copy.deepcopy(result.mapping)
    for key in redo:
        cells[key] = c.cells[key]
        if c.cells[key] is not None:
            _write(mapping, key, c.cells[key])
    problems = _replace_problems(result, redo, c.problems)
    readings = dict(result.readings)
    if any(ambiguous):
        readings[(section, row)] = (keep, where)
    else:
        del readings[(section, row)]
    return replace(result, mapping=mapping, cells=cells, problems=problems, readings=readings)


def _replace_problems(
    result: ImportResult, redo: set[tuple[str, str, str | None]], new: list[Finding]
) -> tuple[Finding, ...]:
    """The cells' old findings out, the new ones in where the first old one was."""
    out: list[Finding] = []
    placed = False
    for p in result.problems:
        if (p.section, p.row, p.column) in redo:
            if not placed:
                out.extend(replace(f, file=result.source) for f in new)
                placed = True
            continue
        out.append(p)
    if not placed:
        out.extend(replace(f, file=result.source) for f in new)
    return tuple(out)


def _columns(section: str, row: str) -> list[str | None]:
    if section == APPS:
        return list(L.APPLICATION_COLUMN_KEYS)
    return list(ACTIVE_MEASURE_KEYS)  # only 规章 and 行政规范性文件 rows are ever decided here


def _label(section: str, row: str) -> str:
    return L.ROW_BY_KEY[row].label if section == APPS else L.active_label(row)


def _write(mapping: dict[str, Any], key: tuple[str, str, str | None], value: Value) -> None:
    section, row, column = key
    if section == APPS:
        index = L.APPLICATION_COLUMN_KEYS.index(str(column))
        mapping[APPS]["rows"][row][index] = mapping_value(value)
    else:
        mapping["active"][row][column] = mapping_value(value)
