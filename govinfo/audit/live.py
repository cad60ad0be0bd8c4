"""The audit of one report while it is edited: the editor's 年报体检 score and problems.

The editor checks the report on every change (debounced); this runs the same audit as
``govinfo audit`` on that one report — with last year's report, when the file names one, for
the repetition check — and returns the pack's predicted score and the audit's own problems as
validation findings. They are shown beside the rules' findings, never mixed into them: the
rules decide whether a report may be published, the pack only predicts an evaluator's score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..findings import ERROR, WARNING, Finding
from ..model import Report
from .engine import AUDIT_RULES, AgencyResult, audit_inputs
from .packs import Pack
from .sources import Collected, Input


@dataclass(frozen=True)
class Checkup:
    """One report's audit: the pack's title, the predicted score and the problems."""

    pack: str
    score: float
    max_score: float
    findings: tuple[Finding, ...]

    @property
    def lost(self) -> float:
        return self.max_score - self.score


def checkup(report: Report, pack: Pack, path: Path | None = None) -> Checkup:
    """Audit ``report`` alone (and against its ``previous``) with ``pack``."""
    item = Input(path or Path(f"{report.agency_id or 'report'}.yaml"), report, "parameters")
    result = audit_inputs(Collected(inputs=[item]), pack).results[0]
    findings = tuple(as_findings(result, str(item.path)))
    return Checkup(pack.title, result.score, result.max_score, findings)


def as_findings(result: AgencyResult, file: str) -> Iterable[Finding]:
    """The audit's own problems of ``result`` (not the rules' findings, which the caller has
    already) as findings with the pack's severity; a problem the pack rates ``info`` fails
    nothing and is left out."""
    for p in result.problems:
        if p.rule not in AUDIT_RULES or p.severity == "info":
            continue
        section, row, column = p.key or ("narrative", None, None)
        severity = ERROR if p.severity == "error" else WARNING
        zh = f"{p.what}（{p.where}）" + (f"；扣 {p.deduction:g} 分" if p.deduction else "")
        english = f"{p.rule}: failed (govinfo audit check; message in Chinese)"
        yield Finding(p.rule, severity, section, row, column, zh, english, file)
