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
NARRATIVE-EMPTY           —      一 has text (also flags ``govinfo new`` placeholders)
========================  =====  ============================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from . import layout as L
from .findings import ERROR, WARNING, Finding
from .model import Report

APPS = "applications"


def _finding(
    report: Report,
    rule: str,
    severity: str,
    where: tuple[str, str | None, str | None],
    zh: str,
    en: str,
) -> Finding:
    file = str(report.source) if report.source else None
    return Finding(rule, severity, *where, zh, en, file)  # type: ignore[arg-type]


def check(report: Report) -> list[Finding]:
    """Every finding for one report: shape problems from reading, then all rules."""
    findings = list(report.load_findings)
    for rule in (
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


def check_applications(report: Report) -> Iterator[Finding]:
    """C02–C04 on 表三."""
    apps = report.applications
    for column in L.APPLICATION_COLUMNS:
        c = column.key
        new, carried = apps.cell("new", c), apps.cell("carried_over", c)
        total, forward = apps.cell("total", c), apps.cell("carried_forward", c)
        if new + carried != total + forward:
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
        if outcomes != total:
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
        if sum(parts) != given:
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
        if sum(parts) != given:
            shown = " + ".join(str(v) for v in parts)
            yield _finding(
                report,
                "REVIEW-TOTAL",
                ERROR,
                ("review_litigation", group.key, "total"),
                f"{group.full_label}：总计 {given}，但{outcomes}之和 {shown} = {sum(parts)}",
                f"{group.key}: total says {given}, but maintained + corrected + other + "
                f"pending = {shown} = {sum(parts)}",
            )


def is_blank_text(text: str) -> bool:
    return text.strip() in ("", L.NARRATIVE_PLACEHOLDER)


def check_narrative(report: Report) -> Iterator[Finding]:
    """C12 and empty-narrative warnings."""
    narrative = report.narrative
    if all(is_blank_text(text) for _, text in narrative.overview.parts()) and is_blank_text(
        narrative.overview.intro
    ):
        yield _finding(
            report,
            "NARRATIVE-EMPTY",
            WARNING,
            ("narrative", "overview", None),
            f"{L.SECTION_BY_KEY['overview'].heading} 尚未填写",
            "section 一 (overview) has no text yet",
        )
    problems = "" if is_blank_text(narrative.problems) else narrative.problems.strip()
    if problems.strip("。.") == "无" or len(problems) < 10:
        yield _finding(
            report,
            "PROBLEMS-EMPTY",
            WARNING,
            ("narrative", "problems", None),
            f"{L.SECTION_BY_KEY['problems'].heading} 内容过少（{len(problems)} 字）："
            "应写明问题和改进情况",
            f"section 五 is too short ({len(problems)} characters): state problems and fixes",
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
    if unpaid > notices and (fees is not None or "收费通知" not in other_text):
        yield _finding(
            report,
            "FEES-STATEMENT",
            WARNING,
            ("processing_fees", "notices", None),
            f"有 {unpaid} 件申请因逾期未缴费不再处理，但只报告了 {notices} 件收费通知",
            f"{unpaid} applications lapsed for unpaid fees, but only {notices} fee notices "
            "are reported",
        )
    if fees is not None and fees.collected_yuan > fees.notice_amount_yuan:
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
        if now != before:
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
    return "\n".join(t for t in texts if not is_blank_text(t))


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


def check_region(region: Report, units: Sequence[Report]) -> list[Finding]:
    """C18: each cell of a 本行政区域汇总 report equals the sum over its units' reports."""
    findings: list[Finding] = []
    count = len(units)

    def compare(
        where: tuple[str, str | None, str | None], label: str, given: object, total: object
    ) -> None:
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
                ("review_litigation", group.key, outcome.key),
                f"{group.full_label}·{outcome.label}",
                given,
                total,
            )
    return findings


def count(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    items = list(findings)
    errors = sum(1 for f in items if f.is_error)
    return errors, len(items) - errors


def cells_of(finding: Finding) -> list[tuple[str, str | None, str | None]]:
    """The table cells a finding is about, for highlighting in the HTML tables and editor.

    A balance finding names a column; the cells it concerns are the four rows of the
    ledger in that column. Other findings name their cell, row or column directly.
    """
    if finding.rule == "APP-BALANCE":
        rows = ("new", "carried_over", L.TOTAL, "carried_forward")
        return [(APPS, row, finding.column) for row in rows]
    return [(finding.section, finding.row, finding.column)]
