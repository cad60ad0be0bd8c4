"""The predicted score: the pack's maximum minus its deductions, each traceable to problems.

A pack deducts per rule: ``deduction`` once when the report has any problem of that rule,
``per_finding`` for each further one, at most ``max``. Each problem carries the part of the
deduction it caused, so the 问题清单, the CSV and the workbook add up to the score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .packs import Pack
from .problems import Problem


@dataclass(frozen=True)
class Deduction:
    rule: str
    category: str
    points: float
    count: int  # problems of the rule
    basis: str


def apply_pack(problems: Iterable[Problem], pack: Pack) -> list[Problem]:
    """Problems the pack applies, with its severity and category; others dropped."""
    out = []
    for problem in problems:
        check = pack.check(problem.rule)
        if not check.apply:
            continue
        severity = problem.severity if check.severity == "keep" else check.severity
        out.append(problem.with_pack(severity, check.category))  # type: ignore[arg-type]
    return out


def score(problems: list[Problem], pack: Pack) -> tuple[float, list[Deduction], list[Problem]]:
    """(score, deductions by rule, problems with their share of the deduction)."""
    by_rule: dict[str, list[int]] = {}
    for i, problem in enumerate(problems):
        by_rule.setdefault(problem.rule, []).append(i)
    shares = [0.0] * len(problems)
    deductions = []
    for rule, indices in by_rule.items():
        check = pack.check(rule)
        total = check.cost(len(indices))
        if total <= 0:
            continue
        left = total
        for n, i in enumerate(indices):
            step = check.deduction if n == 0 else check.per_finding
            shares[i] = round(min(step, left), 4)
            left = round(left - shares[i], 4)
        deductions.append(
            Deduction(rule, check.category, round(total, 4), len(indices), check.basis)
        )
    points = sum(d.points for d in deductions)
    value = round(max(pack.floor, pack.max_score - points), 2)
    scored = [replace(p, deduction=shares[i]) for i, p in enumerate(problems)]
    return value, deductions, scored
