"""What the audit says about one report: a problem of the 问题清单.

A :class:`Problem` is richer than a validation :class:`~govinfo.findings.Finding`: an
office sends the list back to a department, so each item says what is wrong, where (section,
sentence or cell), the evidence (the sentence and the cell side by side, or the copied
passage and its source) and how to fix it. Severity, category and deduction come from the
rule pack (:mod:`.packs`); the checks leave them for :mod:`.score` to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .. import layout as L
from ..findings import Finding
from ..places import place_label

Severity = Literal["error", "warning", "info"]
Evidence = tuple[tuple[str, str], ...]  # (label, text): 正文 / 表格, 本报告 / 上年报告


@dataclass(frozen=True)
class Problem:
    rule: str
    what: str  # 问题 (Chinese)
    where: str  # 位置: section, sentence or cell
    evidence: Evidence = ()
    fix: str = ""  # 整改建议
    severity: Severity = "warning"  # as the check found it; the pack may change it
    key: tuple[str, str | None, str | None] | None = None  # (section, row, column)
    category: str = ""
    deduction: float = 0.0
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_pack(self, severity: Severity, category: str) -> Problem:
        return replace(self, severity=severity, category=category)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "category": self.category,
            "what": self.what,
            "where": self.where,
            "evidence": [{"label": label, "text": text} for label, text in self.evidence],
            "fix": self.fix,
            "deduction": self.deduction,
            "cell": "/".join(p for p in self.key if p) if self.key else None,
            **({"data": self.data} if self.data else {}),
        }


_OTHER_HEADING = L.SECTION_BY_KEY["other"].heading  # 六、其他需要报告的事项
_IN_FORCE = dict(L.ACTIVE_MEASURES)["in_force"]  # 现行有效件数
_FEES_ITEM = L.active_label("fees_10k_yuan")  # 行政事业性收费

# How to fix what today's rules find (govinfo.rules): the audit lists their findings too.
_FIXES = {
    "APP-BALANCE": "按“新收 + 上年结转 = 办理结果总计 + 结转下年度”核对表三该列各数",
    "APP-TOTAL-ROW": f"核对表三{L.ROW_BY_KEY['total'].label}是否等于各项办理结果之和",
    "APP-TOTAL-COL": "核对表三该行总计是否等于六类申请人之和",
    "CONTINUITY": "上年结转应等于上年报告的“结转下年度继续办理”",
    "REVIEW-TOTAL": "核对表四该组总计是否等于"
    + "、".join(o.label for o in L.REVIEW_OUTCOMES if o.key != "total")
    + "之和",
    "MISSING": "补填该单元格；没有的填 0",
    "UNREAD": "对照原文补填该单元格",
    "CELL-BLANK": "无数据的单元格统一填写 0",
    "FEES-STATEMENT": f"在“{_OTHER_HEADING}”中写明信息处理费收取情况（为零也应说明）",
    "PROBLEMS-EMPTY": "写明存在的主要问题和改进措施，并说明上年问题的整改情况",
    "NARRATIVE-EMPTY": "按本年情况撰写该部分",
    "ACTIVE-CONTINUITY": f"{_IN_FORCE}应等于上年现行有效 + 本年制发 − 本年废止",
    "FEE-UNIT": f"{_FEES_ITEM}以万元为单位填写数字，不带单位文字",
    "REGION-SUM": "汇总报告各单元格应等于所属单位报告之和",
    "OLD-FORMAT": "按国办公开办函〔2021〕30号格式编制",
}


def from_finding(finding: Finding) -> Problem:
    """A validation finding as a problem of the list (its rule id kept)."""
    key = (finding.section, finding.row, finding.column)
    where = _where(finding)
    return Problem(
        rule=finding.rule,
        what=finding.zh,
        where=where,
        fix=_FIXES.get(finding.rule, ""),
        severity=finding.severity,
        key=key,
    )


def _where(finding: Finding) -> str:
    return place_label(finding.section, finding.row, finding.column)
