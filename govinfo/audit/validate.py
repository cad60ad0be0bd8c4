"""The audit's checks as validation findings, for ``govinfo validate --pack NAME``.

``govinfo validate`` speaks :class:`~govinfo.findings.Finding` (rule, severity, where, the
Chinese and English message): the audit's problems are given that shape, with the pack's
severity (a problem the pack rates ``info`` stays out: it fails nothing). Repetition is
checked among the files validated together, as the audit does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..findings import Finding
from ..model import Report
from .engine import audit_inputs
from .live import as_findings
from .packs import Pack
from .sources import Collected, Input


def audit_findings(reports: Mapping[Path, Report], pack: Pack) -> dict[Path, list[Finding]]:
    """Per file: the audit's own problems (not today's rules, which validate has already)."""
    inputs = [Input(path, report, "parameters") for path, report in reports.items()]
    run = audit_inputs(Collected(inputs=inputs), pack)
    return {
        item.path: list(as_findings(result, str(item.path)))
        for item, result in zip(inputs, run.results, strict=True)
    }
