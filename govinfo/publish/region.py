"""The sums of a year's region summary: which units count, their summed report, and why
the others do not, in Chinese.

A unit (a ``scope: agency`` report) counts when it was read, published (the batch's status)
and has no error finding, neither in the batch's validation (carried in the member data:
``errors``, the first ``error``) nor when checked again here with
:func:`govinfo.rules.check`. Regions are kept apart: units are grouped by their exact
``region`` text, and rule C18 compares a region report with its own region's counted units.
The page built from these sums is :mod:`.summary`; the data files, :mod:`.summary_data`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import layout as L
from ..findings import ERROR, WARNING, Finding
from ..model import (
    ActiveDisclosure,
    Applications,
    ProcessingFees,
    Report,
    ReviewLitigation,
    frozen_mapping,
)
from ..status import FAILED, INVALID, PUBLISHED, STATUS_LABELS

REGION_SUMMARY_ID = "region-summary"  # the agency_id of a region's summed report


# --------------------------------------------------------------------------- sums


def sum_reports(reports: Sequence[Report], *, year: int, region: str) -> Report:
    """A report whose every table cell is the sum over ``reports`` (the layout's cells)."""
    active: dict[tuple[str, str | None], int | Decimal] = {}
    for cell in L.active_cells():
        start: int | Decimal = Decimal(0) if cell[0] == L.FEE_KEY else 0
        active[cell] = sum((r.active.cells[cell] for r in reports), start=start)

    def columns(values: Sequence[tuple[int, ...]], size: int) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*values, strict=True)) if values else (0,) * size

    rows = {
        key: columns([r.applications.rows[key] for r in reports], 7)
        for key in L.APPLICATION_ROW_KEYS
    }
    groups = {
        key: columns([r.review_litigation.groups[key] for r in reports], 5)
        for key in L.CASE_GROUP_KEYS
    }
    given = [r.processing_fees for r in reports if r.processing_fees is not None]
    fees = None
    if given:
        fees = ProcessingFees(
            notices=sum(f.notices for f in given),
            notice_amount_yuan=sum((f.notice_amount_yuan for f in given), start=Decimal(0)),
            collected_yuan=sum((f.collected_yuan for f in given), start=Decimal(0)),
        )
    return Report(
        agency=f"{region}{L.SCOPES['region']}",
        agency_id=REGION_SUMMARY_ID,
        year=year,
        region=region,
        kind="government",
        scope="region",
        processing_fees=fees,
        active=ActiveDisclosure(frozen_mapping(active)),
        applications=Applications(frozen_mapping(rows)),
        review_litigation=ReviewLitigation(frozen_mapping(groups)),
    )


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Member:
    """One parameter file of the year as the batch saw it (the notebook's parameters).

    ``errors`` and ``error`` (the first error finding, as :meth:`Finding.to_dict` gives it)
    come from the batch's validation, which also sees continuity across the years given and
    duplicate ids, and is trusted; a member without them (``errors`` None: the notebook run
    by hand) is checked here with :func:`govinfo.rules.check`."""

    file: str
    agency: str = ""
    agency_id: str = ""
    region: str = ""
    kind: str = "department"
    scope: str = "agency"
    status: str = PUBLISHED
    reason: str = ""
    html: str | None = None  # link relative to OUTDIR/<year>/
    summable: bool = True  # loaded, and not one of two files with the same (year, id)
    errors: int | None = None  # None: not validated by a batch
    error: Finding | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Member:
        names = cls.__dataclass_fields__
        given = {k: v for k, v in data.items() if k in names and v is not None}
        if isinstance(given.get("error"), Mapping):
            error = given["error"]
            given["error"] = Finding(
                str(error.get("rule") or ""),
                ERROR,
                str(error.get("section") or ""),
                error.get("row"),
                error.get("column"),
                str(error.get("zh") or ""),
                str(error.get("en") or ""),
            )
        return cls(**given)

    @property
    def name(self) -> str:
        return self.agency or Path(self.file).name


@dataclass(frozen=True)
class Excluded:
    """A unit that is not counted, and why (Chinese, for the page): ``kind`` is
    ``unreadable`` (or a duplicate id), ``invalid`` (an error finding) or ``failed`` (its
    page was not published)."""

    member: Member
    kind: str
    why: str


EXCLUDED_LABELS = {
    INVALID: "未通过校验的单位",
    FAILED: "生成失败的单位",
    "unreadable": "无法读取或重复的文件",
}


@dataclass(frozen=True)
class RegionSummary:
    year: int
    region: str
    members: tuple[Member, ...]  # this year's files of the region (not the region report)
    units: tuple[tuple[Member, Report], ...]  # the counted ones: valid and published
    total: Report
    region_report: tuple[Member, Report] | None = None
    missing: tuple[Member, ...] = ()  # units of last year without a report this year
    compared: bool = False  # last year's files were part of the batch
    findings: tuple[Finding, ...] = field(default=())  # C18
    excluded: tuple[Excluded, ...] = ()  # this year's units not counted, with why
    sum_findings: tuple[Finding, ...] = ()  # the summed tables checked like a report


def check_sums(total: Report) -> list[Finding]:
    """The arithmetic rules of a report (C02–C04, C06) on summed tables.

    Every identity is linear, so sums of reports that satisfy them satisfy them too: a
    finding here means a report that should not have been counted was."""
    from ..rules import check_applications, check_review

    return [*check_applications(total), *check_review(total)]


def admit(member: Member) -> tuple[Report | None, Excluded | None]:
    """Load and judge one unit: (its report, None) when it counts, else (None, why not)."""
    from ..findings import ParameterError
    from ..params import load
    from ..rules import check

    if not member.summable:
        why = error_text(member.error, member.errors or 1) if member.error else ""
        return None, Excluded(member, "unreadable", why or f"无法读取：{_zh(member.reason)}")
    if member.errors or member.status == INVALID:
        why = error_text(member.error, member.errors or 1) if member.error else member.reason
        return None, Excluded(member, INVALID, why or STATUS_LABELS[INVALID])
    if member.status != PUBLISHED:
        reason = f"：{member.reason}" if member.reason else ""
        return None, Excluded(member, FAILED, f"报告页面未能生成{reason}")
    validated = member.errors is not None  # by the batch: the file was read and checked
    try:
        report = load(member.file, follow_previous=not validated)
    except ParameterError as exc:
        return None, Excluded(member, "unreadable", f"无法读取：{_zh(str(exc))}")
    errors = [] if validated else [f for f in check(report) if f.is_error]
    if errors:
        return None, Excluded(member, INVALID, error_text(errors[0], len(errors)))
    return report, None


def _zh(message: str) -> str:
    """The Chinese half of a bilingual message (``文件不存在 / file not found``)."""
    return message.split(" / ", 1)[0]


def build(
    year: int,
    agencies: Sequence[Mapping[str, Any]],
    previous_agencies: Sequence[Mapping[str, Any]] | None = None,
) -> list[RegionSummary]:
    """Group the year's files by region, admit and sum the units, check the sums, run C18."""
    from ..params import load
    from ..rules import check_region

    members = [Member.of(a) for a in agencies]
    before = [Member.of(a) for a in previous_agencies or ()]
    before = [m for m in before if m.agency_id or m.agency]  # unnamed: nothing to miss
    regions = dict.fromkeys(m.region for m in [*members, *before] if m.scope == "agency")
    regions.update(dict.fromkeys(m.region for m in members if m.scope == "region"))
    summaries = []
    for region in regions:
        mine = [m for m in members if m.region == region]
        units: list[tuple[Member, Report]] = []
        excluded: list[Excluded] = []
        for member in (m for m in mine if m.scope == "agency"):
            report, why = admit(member)
            if report is not None:
                units.append((member, report))
            elif why is not None:
                excluded.append(why)
        total = sum_reports([r for _, r in units], year=year, region=region)
        heads = [m for m in mine if m.scope == "region" and m.summable]
        region_report = (heads[0], load(heads[0].file, follow_previous=False)) if heads else None
        present = {key for m in mine for key in (m.agency_id, m.agency) if key}
        missing = tuple(
            m
            for m in before
            if m.region == region
            and m.scope == "agency"
            and m.agency_id not in present
            and m.agency not in present
        )
        findings: list[Finding] = []
        if region_report is not None:
            findings = check_region(region_report[1], [r for _, r in units])
            if missing:
                findings.append(_missing_finding(region_report[1], missing))
        summaries.append(
            RegionSummary(
                year=year,
                region=region,
                members=tuple(m for m in mine if m.scope == "agency"),
                units=tuple(units),
                total=total,
                region_report=region_report,
                missing=missing,
                compared=previous_agencies is not None,
                findings=tuple(findings),
                excluded=tuple(excluded),
                sum_findings=tuple(check_sums(total)),
            )
        )
    summaries.sort(key=lambda s: (s.region_report is None, -len(s.units), s.region))
    return summaries


def _missing_finding(region_report: Report, missing: Sequence[Member]) -> Finding:
    names = "、".join(m.name for m in missing)
    return Finding(
        "REGION-SUM",
        WARNING,
        "region",
        None,
        None,
        f"上年有报告的 {len(missing)} 个单位本年没有报告：{names}",
        f"{len(missing)} unit(s) reported last year but not this year: {names}",
        str(region_report.source or ""),
    )


# --------------------------------------------------------------------------- why, in Chinese

TABLE_NAMES = {"active": "表二", L.APPLICATIONS: "表三", L.REVIEW_LITIGATION: "表四"}
FIELD_NAMES = {
    "agency": "机关名称",
    "agency_id": "机关代码",
    "region": "行政区域",
    "region_code": "行政区划代码",
    "kind": "机关类型",
    "scope": "报告范围",
    "year": "年度",
    "published": "发布日期",
    "previous": "上年报告",
    "processing_fees": "信息处理费",
    "schema": "格式版本",
}


def cell_name(section: str, row: str | None, column: str | None) -> str:
    """The Chinese name of the place a finding names (``表三 （七）总计 · 自然人``); only the
    table when a row or column is not one of the layout's (a misspelt key)."""
    names: list[str] = []
    if section == "active" and row:
        with contextlib.suppress(KeyError):  # a misspelt key: the table alone
            names.append(L.active_label(row, column))
    elif section == L.APPLICATIONS:
        if row in L.ROW_BY_KEY:
            spec = L.ROW_BY_KEY[row]
            names.append("".join((*(g.label for g in spec.groups[1:]), spec.label)))
        if column in L.COLUMN_BY_KEY:
            names.append(L.COLUMN_BY_KEY[column].label + ("" if row else "列"))
    elif section == L.REVIEW_LITIGATION:
        if row in L.CASE_GROUP_BY_KEY:
            names.append(L.CASE_GROUP_BY_KEY[row].full_label)
        if column in L.REVIEW_OUTCOME_BY_KEY:
            names.append(L.REVIEW_OUTCOME_BY_KEY[column].label)
    elif section == "processing_fees":
        return dict(L.PROCESSING_FEES).get(row or "", FIELD_NAMES[section])
    elif section == "narrative":
        key = row if row in L.SECTION_BY_KEY else "overview"
        return L.SECTION_BY_KEY[key].heading
    else:
        return FIELD_NAMES.get(section, "")
    return " ".join((TABLE_NAMES[section], " · ".join(names))).strip()


def error_text(error: Finding, count: int = 1) -> str:
    """Why a unit is not counted: its first error, placed and said in Chinese, with the rule
    id for looking it up (``表三 （七）总计 · 自然人：… （APP-TOTAL-ROW，共 3 项错误）``)."""
    place = cell_name(error.section, error.row, error.column)
    text = f"{place}：{error.zh}" if place else error.zh
    more = f"，共 {count} 项错误" if count > 1 else ""
    return f"{text}（{error.rule}{more}）"
