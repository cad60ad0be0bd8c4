"""Findings told to people: where each one is, in Chinese, and the list drafts and the office see.

A finding locates itself by keys of the parameter file (``applications/new/natural_person``)
and carries an English message for the CLI. Neither belongs in front of the office's staff
reading a stamped draft or the internal page, so this module names the place with the
official labels of :mod:`govinfo.layout` (``表三 · 一、本年新收政府信息公开申请数量 · 自然人``)
and lists each finding as rule id, place and Chinese message. It works on
:class:`~govinfo.findings.Finding` objects and on their manifest form (``Finding.to_dict``),
because the internal page is built from the batch manifest, not from reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from . import layout as L
from .findings import Finding

# Top-level fields of a parameter file, named as the editor and the page name them.
FIELD_LABELS = {
    "schema": "文件格式版本",
    "agency": "机关名称",
    "agency_id": "文件标识",
    "region": "所在地区",
    "region_code": "行政区划代码",
    "kind": "机关类别",
    "scope": "报告范围",
    "year": "报告年度",
    "published": "发布日期",
    "previous": "上年报告文件",
    "contact": "联系方式",
    "processing_fees": "信息处理费",
    "narrative": "正文",
    "file": "参数文件",
}
TABLE_SECTIONS = {"active": "表二", L.APPLICATIONS: "表三", L.REVIEW_LITIGATION: "表四"}
SEPARATOR = " · "


def _row_name(row: str) -> str:
    """A 表三 row by its group and own label, e.g. ``（三）不予公开1.属于国家秘密``."""
    spec = L.ROW_BY_KEY[row]
    return "".join((*(g.label for g in spec.groups[1:]), spec.label))


def _narrative(row: str | None, column: str | None) -> list[str]:
    if row == "overview":
        part = dict(L.OVERVIEW_PARTS).get(column or "", "导语" if column == "intro" else "")
        return [L.SECTION_BY_KEY["overview"].heading, *([part] if part else [])]
    if row in ("problems", "other"):
        return [L.SECTION_BY_KEY[row].heading]
    return [FIELD_LABELS["narrative"]]


def _table(section: str, row: str | None, column: str | None) -> list[str]:
    names = [TABLE_SECTIONS[section]]
    if section == "active":
        if row:
            names.append(L.active_label(row, column))
    elif section == L.APPLICATIONS:
        if row:
            names.append(_row_name(row))
        if column:
            names.append(L.COLUMN_BY_KEY[column].label + ("" if row else "列"))
    else:
        if row:
            names.append(L.CASE_GROUP_BY_KEY[row].full_label)
        if column:
            names.append(L.REVIEW_OUTCOME_BY_KEY[column].label)
    return names


def place_label(section: str, row: str | None = None, column: str | None = None) -> str:
    """The Chinese name of the place a finding is about.

    A key the layout does not know (an unknown key such as a misspelt ``grantd``) is shown
    as written after the name of the part it is in: it is what the officer has to find.
    """
    try:
        if section in TABLE_SECTIONS:
            names = _table(section, row, column)
        elif section == "narrative":
            names = _narrative(row, column)
        elif section == "processing_fees":
            names = [FIELD_LABELS[section], *([dict(L.PROCESSING_FEES)[row]] if row else [])]
        elif section == "contact":
            names = [FIELD_LABELS[section], *([dict(L.CONTACT_FIELDS)[row]] if row else [])]
        else:
            names = [FIELD_LABELS[section]]
    except KeyError:
        known = TABLE_SECTIONS.get(section) or FIELD_LABELS.get(section) or section
        names = [known, *(part for part in (row, column) if part)]
    return SEPARATOR.join(name for name in names if name)


def _fields(finding: Finding | Mapping[str, Any]) -> tuple[str, str, str, str | None, str | None]:
    """(rule, severity, section, row, column) of a finding or of its manifest dict."""
    if isinstance(finding, Finding):
        f = finding
        return f.rule, f.severity, f.section, f.row, f.column
    get = finding.get
    return (
        str(get("rule") or ""),
        str(get("severity") or "error"),
        str(get("section") or ""),
        get("row"),
        get("column"),
    )


def _zh(finding: Finding | Mapping[str, Any]) -> str:
    return finding.zh if isinstance(finding, Finding) else str(finding.get("zh") or "")


def findings_list_html(findings: Iterable[Finding | Mapping[str, Any]]) -> str:
    """Every finding, errors first: rule id, place in Chinese and the Chinese message only
    (no key path, no English), in the report stylesheet's ``gi-findings`` list."""
    items = sorted(findings, key=lambda f: (_fields(f)[1] != "error", _fields(f)[0]))
    rows = []
    for finding in items:
        rule, severity, section, row, column = _fields(finding)
        level = "error" if severity == "error" else "warning"
        label = "错误" if level == "error" else "警告"
        place = place_label(section, row, column) if section else ""
        rows.append(
            f'<li class="gi-{level}"><span class="gi-level">{label}</span> '
            f'<span class="gi-rule">{escape(rule)}</span> '
            f'<span class="gi-place">{escape(place)}</span>{"：" if place else " "}'
            f"{escape(_zh(finding))}</li>"
        )
    return f'<ul class="gi-findings">{"".join(rows)}</ul>' if rows else ""
