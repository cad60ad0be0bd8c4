"""One audit: read every input, run today's rules and the audit's checks, apply the pack,
score each report. The pages, the workbook and the JSON are drawn from :class:`AuditRun`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Report
from ..params.collect import check_all
from .deadlines import Dates, check_deadlines, level_of
from .elements import check_elements
from .numbers import check_numbers
from .packs import LEVEL_LABELS, Pack
from .problems import Problem, from_finding
from .repetition import Corpus, Settings, check_repetition, make_doc
from .score import Deduction, apply_pack, score
from .sources import Collected, Input, collect

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# The rules the audit adds to today's (govinfo.rules): what `validate --pack` reports extra.
AUDIT_RULES = frozenset(
    {
        "TEXT-TABLE",
        "REPEAT-PREVIOUS",
        "REPEAT-PEER",
        "COPIED-PASSAGE",
        "HEADINGS",
        "OVERVIEW-PARTS",
        "GOV-ASSESSMENT",
        "PERIOD",
        "WRONG-YEAR",
        "BLANKS-MIXED",
        "OVERVIEW-LENGTH",
        "DEADLINE",
        "FILING",
        "DATE-UNKNOWN",
    }
)


@dataclass(frozen=True)
class AgencyResult:
    path: str
    agency: str
    agency_id: str
    year: int
    kind: str
    level: str
    form: str
    score: float
    max_score: float
    deductions: tuple[Deduction, ...]
    problems: tuple[Problem, ...]

    @property
    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for p in self.problems:
            out[p.severity] += 1
        return out

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.agency_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "agency": self.agency,
            "agency_id": self.agency_id,
            "year": self.year,
            "kind": self.kind,
            "level": self.level,
            "level_label": LEVEL_LABELS[self.level],
            "form": self.form,
            "score": self.score,
            "max_score": self.max_score,
            "counts": self.counts,
            "deductions": [vars(d) for d in self.deductions],
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class AuditRun:
    pack: Pack
    results: list[AgencyResult] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if any(p.severity != "info" for r in self.results for p in r.problems) else 0

    def ranked(self) -> list[AgencyResult]:
        return sorted(self.results, key=lambda r: (-r.year, -r.score, r.agency_id))


Progress = Callable[[str, int], None]  # (stage, steps done) — the command draws the bar


def audit_paths(
    paths: Iterable[str | Path],
    pack: Pack,
    *,
    dates: dict[tuple[str, int], Dates] | None = None,
    progress: Progress | None = None,
) -> AuditRun:
    start = time.perf_counter()
    collected = collect(paths)
    run = audit_inputs(collected, pack, dates=dates, progress=progress)
    run.seconds = time.perf_counter() - start
    return run


def audit_inputs(
    collected: Collected,
    pack: Pack,
    *,
    dates: dict[tuple[str, int], Dates] | None = None,
    progress: Progress | None = None,
) -> AuditRun:
    tick = progress or (lambda stage, n: None)
    inputs = collected.inputs
    reports = {item.path: item.report for item in inputs}
    base = check_all(reports)
    docs = [make_doc(i, item.report) for i, item in enumerate(inputs)]
    known = {(r.agency_id, r.year) for r in reports.values()}
    for item in inputs:  # last year's report named by `previous`, read only to compare
        prev = item.report.previous
        if prev is not None and (prev.agency_id, prev.year) not in known:
            known.add((prev.agency_id, prev.year))
            docs.append(make_doc(len(docs), prev, audited=False))
    tick("index", 0)
    corpus = Corpus(docs, _settings(pack))
    tick("audit", 0)
    run = AuditRun(pack, unreadable=dict(collected.unreadable), notes=list(collected.notes))
    for i, item in enumerate(inputs):
        found = _problems(item, base.get(item.path, []), pack, dates)
        found += check_repetition(corpus, docs[i])
        run.results.append(_result(item, found, pack))
        tick("audit", 1)
    return run


def _settings(pack: Pack) -> Settings:
    t = pack.threshold
    return Settings(
        float(t("previous_rate")),
        float(t("peer_rate")),
        int(t("passage_chars")),
        int(t("boilerplate_reports")),
        float(t("boilerplate_share")),
    )


def _problems(
    item: Input, findings: Sequence[Any], pack: Pack, dates: dict[tuple[str, int], Dates] | None
) -> list[Problem]:
    report = item.report
    out = [from_finding(f) for f in findings]
    out += [
        from_finding(f)
        for f in item.problems
        if f.rule.startswith("IMPORT-") or f.rule == "OLD-FORMAT"
    ]
    out += check_numbers(report)
    out += check_elements(report, item.text, pack.threshold("overview_max_chars"))
    given = None
    if dates:
        given = dates.get((report.agency_id, report.year)) or dates.get(
            (report.agency, report.year)
        )
    out += check_deadlines(report, pack, given)
    return out


def _result(item: Input, problems: list[Problem], pack: Pack) -> AgencyResult:
    report: Report = item.report
    unique: dict[tuple[str, str, str], Problem] = {}
    for p in problems:
        unique.setdefault((p.rule, p.where, p.what), p)
    applied = apply_pack(unique.values(), pack)
    applied.sort(key=lambda p: (SEVERITY_ORDER[p.severity], p.category, p.rule))
    value, deductions, scored = score(applied, pack)
    return AgencyResult(
        path=str(item.path),
        agency=report.agency,
        agency_id=report.agency_id,
        year=report.year,
        kind=report.kind,
        level=level_of(report, pack),
        form=item.form,
        score=value,
        max_score=pack.max_score,
        deductions=tuple(deductions),
        problems=tuple(scored),
    )


def stderr_progress(total: int, enabled: bool | None = None) -> tuple[Progress, Callable[[], None]]:
    """A tqdm bar on standard error (drawn only on a terminal unless ``enabled``)."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    bar = tqdm(total=total, desc="体检", unit="份", file=sys.stderr, disable=not show, leave=False)

    def tick(stage: str, n: int) -> None:
        if n:
            bar.update(n)
        else:
            bar.set_description("建立相似度索引" if stage == "index" else "体检")

    return tick, bar.close
