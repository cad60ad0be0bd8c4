"""重复率 after boilerplate (REPEAT-PREVIOUS, REPEAT-PEER, COPIED-PASSAGE) through MinHash LSH."""

from __future__ import annotations

from dataclasses import replace

from govinfo.audit.repetition import Corpus, Settings, check_repetition, make_doc, overlap
from govinfo.examples import example_reports
from govinfo.model import Report

SETTINGS = Settings(0.5, 0.5, 50, 3, 0.02)
COPIED = (
    "围绕户籍办理和交通安全两项重点工作，编制公开清单并按月更新，对群众反映集中的办事堵点逐项"
    "答复，全年发布办事指南87条。"
)


def reports(n: int = 12) -> list[Report]:
    """2021's generated departments; one county by default (across counties the same
    profile's reports are near copies of each other)."""
    return [r for r in example_reports(n, government=False) if r.year == 2021]


def with_problems(report: Report, text: str) -> Report:
    return report.replace(narrative=replace(report.narrative, problems=text))


def test_a_paragraph_copied_from_another_agency_is_shown_beside_its_source() -> None:
    base = reports()
    base[3] = with_problems(base[3], COPIED)
    base[7] = with_problems(base[7], COPIED.replace("87", "91"))  # numbers changed: a copy
    docs = [make_doc(i, r) for i, r in enumerate(base)]
    corpus = Corpus(docs, SETTINGS)
    found = check_repetition(corpus, docs[7])
    assert [p.rule for p in found] == ["COPIED-PASSAGE"]
    problem = found[0]
    assert problem.data["source"] == base[3].agency_id
    labels = [label for label, _ in problem.evidence]
    assert labels[0].startswith("本报告 · 五、存在的主要问题及改进情况")
    assert labels[1].startswith(base[3].agency)
    assert "全年发布办事指南91条" in problem.evidence[0][1]
    assert "全年发布办事指南87条" in problem.evidence[1][1]


def test_text_shared_by_many_reports_is_boilerplate() -> None:
    base = reports()
    for i in (1, 4, 9):  # the same paragraph in three reports: a common wording
        base[i] = with_problems(base[i], COPIED)
    docs = [make_doc(i, r) for i, r in enumerate(base)]
    corpus = Corpus(docs, SETTINGS)
    assert all(check_repetition(corpus, docs[i]) == [] for i in (1, 4, 9))
    assert corpus.limit(1000) == 20  # 2% of a thousand reports


def test_a_report_mostly_like_last_years_is_over_the_rate() -> None:
    this, last = example_reports(1, government=False)[1], example_reports(1, government=False)[0]
    assert (this.year, last.year) == (2022, 2021)
    copy = this.replace(narrative=last.narrative)
    docs = [make_doc(0, copy), make_doc(1, last)]
    corpus = Corpus(docs, SETTINGS)
    found = check_repetition(corpus, docs[0])
    assert [p.rule for p in found] == ["REPEAT-PREVIOUS"]
    assert found[0].data["rate"] > 0.9
    assert overlap(docs[0], docs[1], set()).rate == found[0].data["rate"]
    fresh = [make_doc(0, this), make_doc(1, last)]
    assert check_repetition(Corpus(fresh, SETTINGS), fresh[0]) == []


def test_candidates_come_from_the_index_not_from_every_pair() -> None:
    base = reports(240)
    base[5] = with_problems(base[5], COPIED)
    base[200] = with_problems(base[200], COPIED)
    docs = [make_doc(i, r) for i, r in enumerate(base)]
    corpus = Corpus(docs, SETTINGS)
    pairs = sum(len(corpus.peers(d)) for d in docs)
    assert pairs < len(docs) * (len(docs) - 1) / 50  # far fewer than all 57,360 pairs
    assert docs[200] in corpus.peers(docs[5]) and docs[5] in corpus.peers(docs[200])
