"""Measured quality of ``govinfo audit``: a labelled corpus built from the example
parameter files, with faults planted (numbers changed in the text, paragraphs copied from last
year and from another agency, a missing element, a wrong year, a late date) and the clean
originals. Recall of the planted faults must be at least 95%, and the clean originals must
get no finding of the planted kinds beyond the genuine ones listed in KNOWN.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from govinfo import layout as L
from govinfo.audit.engine import AuditRun, audit_inputs
from govinfo.audit.packs import load_pack
from govinfo.audit.sources import Collected, Input
from govinfo.model import Narrative, Overview, Report
from govinfo.params import load

ROOT = Path(__file__).resolve().parents[1]
KINDS = {
    "number": {"TEXT-TABLE"},
    "copy-previous": {"REPEAT-PREVIOUS", "COPIED-PASSAGE"},
    "copy-peer": {"REPEAT-PEER", "COPIED-PASSAGE"},
    "missing": {"OVERVIEW-PARTS", "GOV-ASSESSMENT", "HEADINGS"},
    "wrong-year": {"WRONG-YEAR"},
    "late": {"DEADLINE"},
}
PLANTED_RULES = set().union(*KINDS.values())
# Genuine problems of the committed examples (checked by hand): 示例县自然资源局 2022 says
# 办结30件、结转下年度3件 while its 表三 has 29 and 4; the county government's generated
# reports have no （一）（三）（四） parts in 一, and its 2022 report repeats three sentences of
# 2021 with the numbers updated (全县共新收…, 将通过季度通报…, …工作要点确定的任务均已完成).
KNOWN = {
    ("shili-xzf", 2022, "COPIED-PASSAGE"): 1,
    ("shili-zrzyj", 2022, "TEXT-TABLE"): 2,
    ("shili-xzf", 2021, "OVERVIEW-PARTS"): 3,
    ("shili-xzf", 2022, "OVERVIEW-PARTS"): 3,
}


def clean_reports() -> list[Report]:
    return [load(p) for p in sorted((ROOT / "parameters").rglob("*.yaml"))]


def audit(reports: list[Report]) -> AuditRun:
    inputs = [Input(Path(f"mem/{r.year}/{r.agency_id}.yaml"), r, "parameters") for r in reports]
    return audit_inputs(Collected(inputs=inputs), load_pack("national"))


def _overview(report: Report, **changes: str) -> Report:
    n = report.narrative
    return report.replace(narrative=replace(n, overview=replace(n.overview, **changes)))


def _texts(report: Report) -> dict[str, str]:
    o = report.narrative.overview
    return {
        **{k: getattr(o, k) for k in L.OVERVIEW_KEYS},
        "problems": report.narrative.problems,
        "other": report.narrative.other,
    }


def _with_texts(report: Report, texts: dict[str, str]) -> Report:
    overview = Overview(**{k: texts[k] for k in L.OVERVIEW_KEYS})
    return report.replace(narrative=Narrative(overview, texts["problems"], texts["other"]))


def plant_number(report: Report, rng: random.Random) -> Report:
    """A figure the text states, changed (the table keeps the true one)."""
    apps, active = report.applications, report.active
    issued = active.get("normative_docs", "issued")
    repealed = active.get("normative_docs", "repealed")
    needles = [
        ("requests", f"申请{apps.total('new')}件"),
        ("requests", f"办结{apps.total('total')}件"),
        ("requests", f"答复{apps.total('total')}件"),
        ("management", f"制发行政规范性文件{issued}件"),
        ("management", f"新制发的{issued}件"),
        ("management", f"废止规范性文件{repealed}件"),
        ("management", f"废止{repealed}件"),
    ]
    texts = _texts(report)
    found = [(k, n) for k, n in needles if n in texts[k]]
    if found:
        key, needle = rng.choice(found)
        number = re.search(r"\d+", needle).group()  # type: ignore[union-attr]
        changed = needle.replace(number, str(int(number) + rng.randint(1, 9)))
        texts[key] = texts[key].replace(needle, changed, 1)
    else:  # a report that quotes no figure: it now states one, wrongly
        wrong = apps.total("new") + rng.randint(1, 9)
        texts["requests"] = f"全年共收到政府信息公开申请{wrong}件。"
    return _with_texts(report, texts)


def plant_copy_previous(report: Report, previous: Report) -> Report:
    texts, old = _texts(report), _texts(previous)
    for key in ("active", "management", "oversight", "problems"):
        if old[key].strip():
            texts[key] = old[key]
    return _with_texts(report, texts)


def plant_copy_peer(report: Report, source: Report) -> Report:
    texts, theirs = _texts(report), _texts(source)
    for key in ("intro", "active", "problems"):
        if theirs[key].strip():
            texts[key] = theirs[key].replace(source.agency, report.agency)
    return _with_texts(report, texts)


def plant_missing(report: Report, rng: random.Random) -> Report:
    if report.kind == "government":
        return _overview(report, oversight="")
    key = rng.choice([k for k, _ in L.OVERVIEW_PARTS])
    return _overview(report, **{key: ""})


def plant_wrong_year(report: Report) -> Report:
    texts = _texts(report)
    this = f"{report.year}年"
    for key, text in texts.items():
        if this in text:
            texts[key] = text.replace(this, f"{report.year - 1}年", 1)
            return _with_texts(report, texts)
    texts["intro"] = f"{report.year - 1}年，" + texts["intro"]
    return _with_texts(report, texts)


def plant_late(report: Report, rng: random.Random) -> Report:
    month = 3 if report.kind == "government" else 1
    due = dt.date(report.year + 1, month, 31)
    return report.replace(published=due + dt.timedelta(days=rng.randint(1, 40)))


def planted_runs() -> list[tuple[str, list[Report], dict[tuple[str, int], str | None]]]:
    """(kind, corpus, {(agency_id, year): the source agency of a copy, or None})."""
    rng = random.Random("govinfo-audit-corpus")
    clean = clean_reports()
    by_key = {(r.agency_id, r.year): r for r in clean}
    runs = []
    for kind in KINDS:
        corpus, planted = [], {}
        for i, r in enumerate(clean):
            key = (r.agency_id, r.year)
            new: Report | None = None
            source = None
            if kind == "number":
                new = plant_number(r, rng)
            elif kind == "copy-previous" and (r.agency_id, r.year - 1) in by_key:
                new = plant_copy_previous(r, by_key[(r.agency_id, r.year - 1)])
                source = r.agency_id
            elif kind == "copy-peer" and i % 2 == 1 and clean[i - 1].year == r.year:
                src = clean[i - 1]  # a source of its own: two reports share the text, not three
                new, source = plant_copy_peer(r, src), src.agency_id
            elif kind == "missing":
                new = plant_missing(r, rng)
            elif kind == "wrong-year":
                new = plant_wrong_year(r)
            elif kind == "late":
                new = plant_late(r, rng)
            corpus.append(new if new is not None else r)
            if new is not None:
                planted[key] = source
        runs.append((kind, corpus, planted))
    return runs


def _found(run: AuditRun, kind: str, key: tuple[str, int], source: str | None) -> bool:
    result = next(r for r in run.results if (r.agency_id, r.year) == key)
    for p in result.problems:
        if p.rule not in KINDS[kind]:
            continue
        if kind.startswith("copy") and p.data.get("source") != source:
            continue
        if kind == "missing" and key in {(k[0], k[1]) for k in KNOWN if k[2] == p.rule}:
            # the county government's reports lack parts already: the planted one must
            # show as one more
            continue
        return True
    return False


@pytest.fixture(scope="module")
def measured() -> dict[str, object]:
    clean_run = audit(clean_reports())
    false = []
    for r in clean_run.results:
        counts: dict[str, int] = {}
        for p in r.problems:
            if p.rule in PLANTED_RULES:
                counts[p.rule] = counts.get(p.rule, 0) + 1
        for rule, n in counts.items():
            if KNOWN.get((r.agency_id, r.year, rule)) != n:
                false.append((r.agency_id, r.year, rule, n))
    recall: dict[str, tuple[int, int]] = {}
    missed = []
    for kind, corpus, planted in planted_runs():
        run = audit(corpus)
        hits = 0
        for key, source in planted.items():
            if _found(run, kind, key, source):
                hits += 1
            else:
                missed.append((kind, key))
        recall[kind] = (hits, len(planted))
    return {"false": false, "recall": recall, "missed": missed, "clean": clean_run}


def test_recall_of_planted_faults_is_at_least_95_percent(measured: dict) -> None:
    recall = measured["recall"]
    hits = sum(h for h, _ in recall.values())
    total = sum(n for _, n in recall.values())
    print("recall by kind:", recall, "missed:", measured["missed"])
    assert total >= 100  # the corpus is large enough for the figure to mean something
    assert hits / total >= 0.95, (recall, measured["missed"])
    for kind, (h, n) in recall.items():
        assert n >= 10 and h / n >= 0.9, (kind, h, n, measured["missed"])


def test_clean_originals_have_no_false_finding_of_the_planted_kinds(measured: dict) -> None:
    assert measured["false"] == []


def test_known_genuine_problems_are_found_with_their_evidence(measured: dict) -> None:
    run = measured["clean"]
    zrzyj = next(r for r in run.results if (r.agency_id, r.year) == ("shili-zrzyj", 2022))
    said = {(p.data["text"], p.data["table"]) for p in zrzyj.problems if p.rule == "TEXT-TABLE"}
    assert said == {(30, 29), (3, 4)}
    text = next(p for p in zrzyj.problems if p.rule == "TEXT-TABLE")
    assert "办结30件" in text.evidence[0][1]
    assert "（七）总计" in text.evidence[1][1] and "29" in text.evidence[1][1]
