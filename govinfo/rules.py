"""Validation: the arithmetic rules (勾稽关系) and evaluators' checks of format.md §6.

Each ``check_*`` function takes what it needs and yields findings; :func:`check` runs them
all on one report. Rule ids are stable (they appear in CLI output, JSON, the editor and
the HTML tables):

========================  =====  ============================================================
rule                      C-id   what
========================  =====  ============================================================
APP-BALANCE               C02    per column: 新收 + 上年结转 = （七）总计 + 结转下年度
APP-TOTAL-ROW             C03    per column: the （七）总计 row = sum of the 21 outcome rows
APP-TOTAL-COL             C04    per row: the 总计 column = sum of the six applicant columns
CONTINUITY                C05    per column: 上年结转 = last year's 结转下年度继续办理
REVIEW-TOTAL              C06    per 表四 group: 总计 = 维持 + 纠正 + 其他 + 尚未审结
CELL-BLANK / NEGATIVE /   C07    blank or '/' cells (as 0), negative and fractional counts
NOT-INTEGER                      (found while reading, see :mod:`govinfo.params`)
FEE-UNIT                  C08    行政事业性收费 in 万元 without unit text, plausible size
OLD-FORMAT                C10    the 2021 format applies to reports for 2021 onwards
ACTIVE-CONTINUITY         C11    现行有效 ≈ last year's 现行有效 + 本年制发 − 本年废止
PROBLEMS-EMPTY            C12    五 not empty, not “无”, about 10 characters at least
FEES-STATEMENT            C13    六 states the 信息处理费 position; notices when （六）2 > 0
PROSE-OVERLAP             C14    narrative overlaps last year's by at most 50%
PUBLISHED                 C15    published in the following year, by the deadline
REGION-SUM                C18    a 本行政区域汇总 report equals the sum of its units
MISSING / UNREAD          —      every cell given: not filled in (left out, ``null``) or not
                                 read by an import (``unread``); found while reading
NARRATIVE-EMPTY           —      一, 五 and 六 have text: not empty, not the ``govinfo new``
                                 placeholder, not last year's text still marked （待更新）
TEXT-CONTROL              —      agency and region hold no control, bidi or zero-width
                                 characters (error); the narrative no bidi controls (warning)
========================  =====  ============================================================

The arithmetic rules skip every identity that involves a missing or unread cell: that cell
is an error already, and a sum with a hole in it proves nothing. Published blanks count as 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from . import layout as L
from .findings import ERROR, WARNING, Finding, Severity
from .model import Report
from .terminal import BIDI_CONTROLS, code_point, is_unsafe

APPS = L.APPLICATIONS


def _finding(
    report: Report,
    rule: str,
    severity: Severity,
    where: tuple[str, str | None, str | None],
    zh: str,
    en: str,
) -> Finding:
    file = str(report.source) if report.source else None
    return Finding(rule, severity, *where, zh, en, file)


def check(report: Report) -> list[Finding]:
    """Every finding for one report: shape problems from reading, then all rules."""
    findings = list(report.load_findings)
    for rule in (
        check_text,
        check_applications,
        check_review,
        check_narrative,
        check_fees,
        check_dates,
    ):
        findings.extend(rule(report))
    if report.previous is not None:
        findings.extend(check_continuity(report, report.previous))
    return findings


def _filled(report: Report, section: str, cells: Iterable[tuple[str, str | None]]) -> bool:
    """Whether every (row, column) cell of ``section`` holds a number (or a blank, as 0)."""
    return all(report.is_filled(section, row, column) for row, column in cells)


def check_applications(report: Report) -> Iterator[Finding]:
    """C02–C04 on 表三."""
    apps = report.applications
    for column in L.APPLICATION_COLUMNS:
        c = column.key
        new, carried = apps.cell("new", c), apps.cell("carried_over", c)
        total, forward = apps.cell("total", c), apps.cell("carried_forward", c)
        ledger = [(row, c) for row in ("new", "carried_over", L.TOTAL, "carried_forward")]
        if _filled(report, APPS, ledger) and new + carried != total + forward:
            yield _finding(
                report,
                "APP-BALANCE",
                ERROR,
                (APPS, None, c),
                f"{column.label}：新收 {new} + 上年结转 {carried} = {new + carried}，"
                f"但办理结果总计 {total} + 结转下年度 {forward} = {total + forward}",
                f"{c}: new {new} + carried over {carried} = {new + carried}, but total "
                f"outcomes {total} + carried forward {forward} = {total + forward}",
            )
        outcomes = sum(apps.cell(row, c) for row in L.OUTCOME_KEYS)
        rows = [(row, c) for row in (*L.OUTCOME_KEYS, L.TOTAL)]
        if _filled(report, APPS, rows) and outcomes != total:
            yield _finding(
                report,
                "APP-TOTAL-ROW",
                ERROR,
                (APPS, L.TOTAL, c),
                f"{column.label}：{L.ROW_BY_KEY[L.TOTAL].label} {total}，"
                f"但各项办理结果之和为 {outcomes}",
                f"{c}: the total row says {total}, but the 21 outcome rows add up to {outcomes}",
            )
    for row in L.APPLICATION_ROWS:
        values = apps.rows[row.key]
        parts, given = values[:-1], values[-1]
        cells = [(row.key, c) for c in L.APPLICATION_COLUMN_KEYS]
        if _filled(report, APPS, cells) and sum(parts) != given:
            shown = " + ".join(str(v) for v in parts)
            yield _finding(
                report,
                "APP-TOTAL-COL",
                ERROR,
                (APPS, row.key, L.TOTAL),
                f"{row.short}：总计 {given}，但六类申请人之和 {shown} = {sum(parts)}",
                f"{row.key}: total column says {given}, but the six applicant columns "
                f"{shown} = {sum(parts)}",
            )


def check_review(report: Report) -> Iterator[Finding]:
    """C06 on 表四: each group's 总计 is the sum of its four outcomes."""
    outcomes = "、".join(o.label for o in L.REVIEW_OUTCOMES if o.key in L.REVIEW_PARTS)
    for group in L.CASE_GROUPS:
        values = report.review_litigation.groups[group.key]
        parts, given = values[:-1], values[-1]
        cells = [(group.key, o) for o in L.REVIEW_OUTCOME_KEYS]
        if _filled(report, L.REVIEW_LITIGATION, cells) and sum(parts) != given:
            shown = " + ".join(str(v) for v in parts)
            yield _finding(
                report,
                "REVIEW-TOTAL",
                ERROR,
                (L.REVIEW_LITIGATION, group.key, "total"),
                f"{group.full_label}：总计 {given}，但{outcomes}之和 {shown} = {sum(parts)}",
                f"{group.key}: total says {given}, but maintained + corrected + other + "
                f"pending = {shown} = {sum(parts)}",
            )


def is_blank_text(text: str) -> bool:
    return text.strip() in ("", L.NARRATIVE_PLACEHOLDER)


def is_carried(text: str) -> bool:
    """Last year's text that ``govinfo new --from`` put in, not yet updated: it still
    starts with the （待更新） marker."""
    return text.lstrip().startswith(L.NARRATIVE_CARRIED)


def is_unfilled(text: str) -> bool:
    """Empty, the ``govinfo new`` placeholder, or last year's text still marked （待更新）."""
    return is_blank_text(text) or is_carried(text)


def check_narrative(report: Report) -> Iterator[Finding]:
    """一, 五 and 六 must be written (NARRATIVE-EMPTY, an error: a report without them
    cannot be published final), and 五 must say something (C12, a warning)."""
    narrative = report.narrative
    overview = [("intro", narrative.overview.intro)]
    overview += [(key, getattr(narrative.overview, key)) for key, _ in L.OVERVIEW_PARTS]
    heading = L.SECTION_BY_KEY["overview"].heading
    if all(is_blank_text(text) for _, text in overview):
        yield _finding(
            report,
            "NARRATIVE-EMPTY",
            ERROR,
            ("narrative", "overview", None),
            f"{heading} 尚未填写",
            "section 一 (overview) has no text yet",
        )
    elif all(is_unfilled(text) for _, text in overview):
        yield _carried(report, ("narrative", "overview", None), heading)
    else:
        labels = {"intro": heading, **dict(L.OVERVIEW_PARTS)}
        for key, text in overview:
            if is_carried(text):
                yield _carried(report, ("narrative", "overview", key), labels[key])
    for key, numeral in (("problems", "五"), ("other", "六")):
        text = getattr(narrative, key)
        section = L.SECTION_BY_KEY[key].heading
        if is_carried(text):
            yield _carried(report, ("narrative", key, None), section)
        elif is_blank_text(text):
            yield _finding(
                report,
                "NARRATIVE-EMPTY",
                ERROR,
                ("narrative", key, None),
                f"{section} 尚未填写",
                f"section {numeral} ({key}) has no text yet",
            )
    problems = narrative.problems.strip()
    if not is_unfilled(problems) and (problems.strip("。.") == "无" or len(problems) < 10):
        yield _finding(
            report,
            "PROBLEMS-EMPTY",
            WARNING,
            ("narrative", "problems", None),
            f"{L.SECTION_BY_KEY['problems'].heading} 内容过少（{len(problems)} 字）："
            "应写明问题和改进情况",
            f"section 五 is too short ({len(problems)} characters): state problems and fixes",
        )


def _carried(report: Report, where: tuple[str, str | None, str | None], label: str) -> Finding:
    place = "/".join(p for p in where if p)
    return _finding(
        report,
        "NARRATIVE-EMPTY",
        ERROR,
        where,
        f"{label} 仍是上年的文字（以“{L.NARRATIVE_CARRIED}”开头）：请按本年情况改写，"
        "再删去这一标记",
        f"{place} is still last year's text (it starts with {L.NARRATIVE_CARRIED}): "
        "rewrite it for this year, then remove the marker",
    )


def _code_points(chars: Iterable[str]) -> str:
    """The distinct characters named (``U+202E RIGHT-TO-LEFT OVERRIDE, U+200B …``)."""
    distinct = list(dict.fromkeys(chars))
    named = ", ".join(code_point(c) for c in distinct[:5])
    return named + (f" … ({len(distinct)} kinds)" if len(distinct) > 5 else "")


def check_text(report: Report) -> Iterator[Finding]:
    """Control, bidi and zero-width characters where the public or a terminal reads them.

    ``agency`` and ``region`` reach the index, the summaries, page titles and the batch's
    table: a U+202E there reverses what readers see, a U+200B makes two names that look the
    same differ, an ESC acts on a terminal. There they are errors. In the narrative, line
    breaks and tabs are ordinary, but a bidi control can reorder a sentence the public
    reads: a warning (agency_id has its own, stricter rule AGENCY-ID)."""
    for key in ("agency", "region"):
        bad = [c for c in getattr(report, key) if is_unsafe(c)]
        if bad:
            points = _code_points(bad)
            yield _finding(
                report,
                "TEXT-CONTROL",
                ERROR,
                (key, None, None),
                f"{key} 含有控制字符或不可见字符 {points}：会改变或隐藏目录、汇总页和终端"
                "显示的内容，请删除",
                f"{key} holds control or invisible characters {points}: they change or hide "
                "what the index, the summaries and a terminal show; remove them",
            )
    n = report.narrative
    texts: list[tuple[tuple[str, str, str | None], str]] = [
        (("narrative", "overview", k), getattr(n.overview, k)) for k in L.OVERVIEW_KEYS
    ]
    texts += [(("narrative", k, None), getattr(n, k)) for k in ("problems", "other")]
    for where, text in texts:
        bad = [c for c in text if c in BIDI_CONTROLS]
        if bad:
            points = _code_points(bad)
            place = "/".join(p for p in where if p)
            yield _finding(
                report,
                "TEXT-CONTROL",
                WARNING,
                where,
                f"{place} 含有双向文本控制字符 {points}：可能使公众看到的文字顺序与原文不同，"
                "请删除",
                f"{place} holds bidi control characters {points}: they can reorder the text "
                "the public reads; remove them",
            )


def check_fees(report: Report) -> Iterator[Finding]:
    """C13: 六 states the 信息处理费 position; a fee-notice outcome implies notices."""
    fees = report.processing_fees
    other_text = report.narrative.other
    if fees is None and "信息处理费" not in other_text:
        yield _finding(
            report,
            "FEES-STATEMENT",
            WARNING,
            ("processing_fees", None, None),
            "六 应说明信息处理费收取情况（即使为零）：请填写 processing_fees",
            "section 六 must state the information processing fees, even when zero: "
            "fill in processing_fees",
        )
    unpaid = report.applications.total("other_no_fee")
    notices = fees.notices if fees else 0
    known = report.is_filled(APPS, "other_no_fee", L.TOTAL) and (
        fees is None or report.is_filled("processing_fees", "notices")
    )
    if known and unpaid > notices and (fees is not None or "收费通知" not in other_text):
        yield _finding(
            report,
            "FEES-STATEMENT",
            WARNING,
            ("processing_fees", "notices", None),
            f"有 {unpaid} 件申请因逾期未缴费不再处理，但只报告了 {notices} 件收费通知",
            f"{unpaid} applications lapsed for unpaid fees, but only {notices} fee notices "
            "are reported",
        )
    amounts = [("collected_yuan", None), ("notice_amount_yuan", None)]
    if (
        fees is not None
        and _filled(report, "processing_fees", amounts)
        and fees.collected_yuan > fees.notice_amount_yuan
    ):
        yield _finding(
            report,
            "FEES-STATEMENT",
            WARNING,
            ("processing_fees", "collected_yuan", None),
            f"实际收取 {fees.collected_yuan} 元 超过收费通知总金额 {fees.notice_amount_yuan} 元",
            f"collected {fees.collected_yuan} yuan exceeds the {fees.notice_amount_yuan} "
            "yuan noticed",
        )


def check_dates(report: Report) -> Iterator[Finding]:
    """C10 (format year) and C15 (published after the year, by the deadline)."""
    if 2000 <= report.year < 2021:
        yield _finding(
            report,
            "OLD-FORMAT",
            WARNING,
            ("year", None, None),
            f"{report.year} 年度报告适用 2019 年试行格式（国办公开办函〔2019〕60号）",
            f"reports for {report.year} used the 2019 trial format; this is the 2021 format",
        )
    published = report.published
    if published is None or not report.year:
        return
    deadline = dt.date(report.year + 1, 3 if report.kind == "government" else 1, 31)
    if published.year <= report.year:
        yield _finding(
            report,
            "PUBLISHED",
            WARNING,
            ("published", None, None),
            f"发布日期 {published} 早于报告年度结束",
            f"published {published}, before the reporting year ended",
        )
    elif published > deadline:
        yield _finding(
            report,
            "PUBLISHED",
            WARNING,
            ("published", None, None),
            f"发布日期 {published} 晚于法定期限 {deadline}（条例第四十九条）",
            f"published {published}, after the statutory deadline {deadline}",
        )


def check_continuity(report: Report, previous: Report) -> Iterator[Finding]:
    """C05 (error), C11 and C14 (warnings) against last year's report."""
    if previous.year and report.year and previous.year != report.year - 1:
        yield _finding(
            report,
            "CONTINUITY",
            WARNING,
            ("previous", None, None),
            f"上年报告的年度为 {previous.year}，应为 {report.year - 1}",
            f"the previous report is for {previous.year}, expected {report.year - 1}",
        )
        return
    for column in L.APPLICATION_COLUMNS:
        now = report.applications.cell("carried_over", column.key)
        before = previous.applications.cell("carried_forward", column.key)
        known = report.is_filled(APPS, "carried_over", column.key) and previous.is_filled(
            APPS, "carried_forward", column.key
        )
        if known and now != before:
            yield _finding(
                report,
                "CONTINUITY",
                ERROR,
                (APPS, "carried_over", column.key),
                f"{column.label}：上年结转 {now}，"
                f"但 {previous.year} 年报告的结转下年度继续办理为 {before}",
                f"{column.key}: carried over {now}, but the {previous.year} report carried "
                f"forward {before}",
            )
    for item in L.ACTIVE_DOC_ITEMS:
        measures = [(item, m) for m in ("in_force", "issued", "repealed")]
        if not (
            _filled(report, "active", measures) and previous.is_filled("active", item, "in_force")
        ):
            continue
        get = report.active.get
        expected = (
            previous.active.get(item, "in_force") + get(item, "issued") - get(item, "repealed")
        )
        if get(item, "in_force") != expected:
            yield _finding(
                report,
                "ACTIVE-CONTINUITY",
                WARNING,
                ("active", item, "in_force"),
                f"{L.active_label(item, 'in_force')} {get(item, 'in_force')}，而上年现行有效 "
                f"{previous.active.get(item, 'in_force')} + 本年制发 {get(item, 'issued')} − "
                f"本年废止 {get(item, 'repealed')} = {expected}",
                f"{item} in force {get(item, 'in_force')}, but last year's "
                f"{previous.active.get(item, 'in_force')} + issued {get(item, 'issued')} − "
                f"repealed {get(item, 'repealed')} = {expected}",
            )
    ratio = prose_overlap(_prose(report), _prose(previous))
    if ratio > 0.5:
        yield _finding(
            report,
            "PROSE-OVERLAP",
            WARNING,
            ("narrative", None, None),
            f"正文与上年报告重复率 {ratio:.0%}，超过 50%",
            f"narrative repeats {ratio:.0%} of last year's report (more than 50%)",
        )


def _prose(report: Report) -> str:
    n = report.narrative
    texts = [n.overview.intro, *(text for _, text in n.overview.parts()), n.problems, n.other]
    return "\n".join(t for t in texts if not is_unfilled(t))


PROSE_RUN = 8  # characters: shorter common runs are ordinary official phrasing


def prose_overlap(text: str, previous: str) -> float:
    """Share of this year's characters that lie in a run of at least 8 characters also found
    in last year's text.

    Linear time, from the set of last year's 8-character windows: difflib's matching blocks,
    used before, took 25 s on a 20,000-character narrative and hours on a long one.
    """
    if len(text) < PROSE_RUN or len(previous) < PROSE_RUN:
        return 0.0
    windows = {previous[i : i + PROSE_RUN] for i in range(len(previous) - PROSE_RUN + 1)}
    same = reach = 0  # characters counted; end of the last run counted
    for i in range(len(text) - PROSE_RUN + 1):
        if text[i : i + PROSE_RUN] in windows:
            end = i + PROSE_RUN
            same += end - max(reach, i)
            reach = end
    return same / len(text)


def check_region(
    region: Report, units: Sequence[Report], *, count: int | None = None
) -> list[Finding]:
    """C18: each cell of a 本行政区域汇总 report equals the sum over its units' reports.

    ``units`` may also be sums already made (a region hierarchy streams its units into one
    summed report, :mod:`govinfo.publish.hierarchy`): ``count`` then says how many reports
    they add up, for the message."""
    findings: list[Finding] = []
    count = len(units) if count is None else count

    def compare(
        where: tuple[str, str | None, str | None], label: str, given: object, total: object
    ) -> None:
        section, row, column = where
        reports = (region, *units)
        if not all(r.is_filled(section, row, column) for r in reports):
            return  # a missing or unread cell is an error of its own report
        if given != total:
            findings.append(
                _finding(
                    region,
                    "REGION-SUM",
                    WARNING,
                    where,
                    f"{label}：汇总报告为 {given}，{count} 个单位之和为 {total}",
                    f"{'/'.join(p for p in where if p)}: the region report says {given}, "
                    f"the {count} units add up to {total}",
                )
            )

    for item, measure in L.active_cells():
        total = sum((u.active.get(item, measure) for u in units), start=0)
        compare(
            ("active", item, measure),
            L.active_label(item, measure),
            region.active.get(item, measure),
            total,
        )
    for row in L.APPLICATION_ROWS:
        for column in L.APPLICATION_COLUMNS:
            total = sum(u.applications.cell(row.key, column.key) for u in units)
            given = region.applications.cell(row.key, column.key)
            compare((APPS, row.key, column.key), f"{row.short}·{column.label}", given, total)
    for group in L.CASE_GROUPS:
        for outcome in L.REVIEW_OUTCOMES:
            total = sum(u.review_litigation.cell(group.key, outcome.key) for u in units)
            given = region.review_litigation.cell(group.key, outcome.key)
            compare(
                (L.REVIEW_LITIGATION, group.key, outcome.key),
                f"{group.full_label}·{outcome.label}",
                given,
                total,
            )
    return findings


def cells_of(finding: Finding) -> list[tuple[str, str | None, str | None]]:
    """The table cells a finding is about, for highlighting in the HTML tables and editor.

    A balance finding names a column; the cells it concerns are the four rows of the
    ledger in that column. Other findings name their cell, row or column directly.
    """
    if finding.rule == "APP-BALANCE":
        rows = ("new", "carried_over", L.TOTAL, "carried_forward")
        return [(APPS, row, finding.column) for row in rows]
    return [(finding.section, finding.row, finding.column)]
