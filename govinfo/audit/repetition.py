"""重复率: how much of a report repeats the agency's last report or another agency's report
of the same year, after the boilerplate is taken out (C14, REPEAT-PREVIOUS / REPEAT-PEER /
COPIED-PASSAGE).

Every report shares phrases with every other (the format's fixed sentences, a county's
common wording), so a rate computed on the raw text says little; the existing open tool does
exactly that. Here a sentence is boilerplate when it is one of the format's fixed sentences
or recurs in many reports of the year (the pack's ``boilerplate_reports``, or its
``boilerplate_share`` of them), and so is an 8-character run that recurs that widely. Numbers
count as one symbol (a paragraph copied with this year's numbers put in is still a copy) and
the agency's own name as another (a paragraph taken from another agency with the name
changed is too).

The rate of A against B is the share of A's remaining characters that lie in 8-character
runs also in B (the measure of ``rules.prose_overlap``, now after boilerplate). Which pairs
to compare is found through MinHash LSH (``datasketch``), over whole reports and over each
part (a copied paragraph is a near-identical part even when the rest differs): 1,000
agencies make a few thousand candidate pairs, not half a million comparisons. Each finding
shows the copied passages beside their source.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import layout as L
from ..model import Report
from .problems import Problem
from .text import mask_digits, parts, sentences

if TYPE_CHECKING:
    from datasketch import MinHash, MinHashLSH

RUN = 8  # characters: shorter common runs are ordinary official phrasing
NUM_PERM = 64
DOC_THRESHOLD = 0.3  # Jaccard of whole reports (kept runs) for a candidate pair
PART_THRESHOLD = 0.5  # Jaccard of two parts: a paragraph copied whole
MIN_PASSAGE = 12  # characters (normalised) a copied passage has at least
MIN_PART_RUNS = 3  # features (runs and sentences) a part needs to be indexed
_PUNCT = re.compile(r"[^\w#§]")


def _fixed_patterns() -> list[re.Pattern[str]]:
    """The format's own sentences (layout.py), numbers and names as wildcards."""
    texts = [
        L.FEES_STATEMENT,
        L.FEES_NONE,
        L.NO_APPLICATIONS,
        L.NO_NEW_APPLICATIONS,
        L.NO_DECISIONS,
        L.NO_CASES,
        "本年度无其他需要报告的事项。",
        "无其他需要报告的事项。",
        "无。",
    ]
    out = []
    for text in texts:
        norm = _PUNCT.sub("", mask_digits(text))
        pattern = re.escape(norm)
        pattern = re.sub(r"[a-z_]+", ".*?", pattern)
        out.append(re.compile(pattern))
    return out


FIXED = _fixed_patterns()
# Statements the format requires in near-fixed words: 六's 信息处理费 (国办函〔2020〕109号).
REQUIRED = re.compile(r"信息处理费")


def normalise(sentence: str, names: Iterable[str]) -> str:
    """What two copies of a sentence share: numbers as ``#``, the agency's name as ``§``,
    punctuation dropped."""
    for name in names:
        if name:
            sentence = sentence.replace(name, "§")
    return _PUNCT.sub("", mask_digits(sentence))


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


@dataclass
class Sentence:
    label: str  # where it stands (一、总体情况（一）主动公开)
    part: str
    text: str  # as written (compact)
    norm: str


@dataclass
class Doc:
    index: int
    agency: str  # agency_id: the same agency across years
    name: str
    year: int
    audited: bool  # False for a previous report read only for comparison
    sentences: list[Sentence]
    kept: list[int] = field(default_factory=list)  # indices of non-boilerplate sentences
    runs: set[int] = field(default_factory=set)  # hashes of kept, non-common runs
    whole: set[str] = field(default_factory=set)  # kept sentences (normalised)

    @property
    def kept_chars(self) -> int:
        return sum(len(self.sentences[i].norm) for i in self.kept)


def make_doc(index: int, report: Report, audited: bool = True) -> Doc:
    names = [report.agency, report.agency.removesuffix("人民政府")]
    out = []
    for part in parts(report):
        for s in sentences(part.text):
            out.append(Sentence(part.label, part.key, s, normalise(s, names)))
    return Doc(index, report.agency_id, report.agency, report.year, audited, out)


def _runs(norm: str) -> list[str]:
    return [norm[i : i + RUN] for i in range(len(norm) - RUN + 1)]


@dataclass(frozen=True)
class Settings:
    previous_rate: float
    peer_rate: float
    passage_chars: int
    boilerplate_reports: int
    boilerplate_share: float


class Corpus:
    """The reports of the audit grouped by year, boilerplate found, the LSH index built."""

    def __init__(self, docs: Sequence[Doc], settings: Settings) -> None:
        self.docs = list(docs)
        self.settings = settings
        self.common: dict[int, set[int]] = {}  # year → hashes of common runs
        by_year: dict[int, list[Doc]] = {}
        for doc in self.docs:
            by_year.setdefault(doc.year, []).append(doc)
        self.by_year = by_year
        for year, group in by_year.items():
            self._boilerplate(year, group)
        self.lsh = self._index()

    def limit(self, n: int) -> int:
        s = self.settings
        return max(s.boilerplate_reports, math.ceil(s.boilerplate_share * n))

    def _boilerplate(self, year: int, group: list[Doc]) -> None:
        limit = self.limit(len(group))
        sentence_df: Counter[str] = Counter()
        for doc in group:
            sentence_df.update({s.norm for s in doc.sentences})
        run_df: Counter[int] = Counter()
        for doc in group:
            doc.kept = [
                i
                for i, s in enumerate(doc.sentences)
                if len(s.norm) >= RUN
                and sentence_df[s.norm] < limit
                and not any(p.fullmatch(s.norm) for p in FIXED)
                and not REQUIRED.search(s.norm)
            ]
            hashes = {_hash(r) for i in doc.kept for r in _runs(doc.sentences[i].norm)}
            doc.runs = hashes
            doc.whole = {doc.sentences[i].norm for i in doc.kept}
            run_df.update(hashes)
        common = {h for h, n in run_df.items() if n >= limit}
        self.common[year] = common
        for doc in group:
            doc.runs -= common

    def _index(self) -> MinHashLSH:
        from datasketch import MinHashLSH  # numpy and scipy: imported when an audit runs

        lsh = MinHashLSH(threshold=DOC_THRESHOLD, num_perm=NUM_PERM)
        self.part_lsh = MinHashLSH(threshold=PART_THRESHOLD, num_perm=NUM_PERM)
        self.hashes: dict[str, MinHash] = {}
        for doc in self.docs:
            if len(doc.runs) + len(doc.whole) >= MIN_PART_RUNS:
                mh = _minhash(doc.runs | {_hash("§" + w) for w in doc.whole})
                lsh.insert(str(doc.index), mh)
                self.hashes[str(doc.index)] = mh
            for part, runs in self._part_runs(doc).items():
                if len(runs) >= MIN_PART_RUNS:
                    key = f"{doc.index}:{part}"
                    mh = _minhash(runs)
                    self.part_lsh.insert(key, mh)
                    self.hashes[key] = mh
        return lsh

    def _part_runs(self, doc: Doc) -> dict[str, set[int]]:
        runs: dict[str, set[int]] = {}
        whole: dict[str, set[int]] = {}
        for i in doc.kept:
            s = doc.sentences[i]
            runs.setdefault(s.part, set()).update(_hash(r) for r in _runs(s.norm))
            whole.setdefault(s.part, set()).add(_hash("§" + s.norm))
        return {k: (v & doc.runs) | whole[k] for k, v in runs.items()}

    def peers(self, doc: Doc) -> list[Doc]:
        """Other agencies' reports of the same year that LSH says may share text."""
        found: set[int] = set()
        keys = [k for k in self.hashes if k == str(doc.index) or k.startswith(f"{doc.index}:")]
        for key in keys:
            index = self.lsh if ":" not in key else self.part_lsh
            found.update(int(k.split(":")[0]) for k in index.query(self.hashes[key]))
        return [
            self.docs[i]
            for i in sorted(found)
            if self.docs[i].year == doc.year and self.docs[i].agency != doc.agency
        ]

    def previous(self, doc: Doc) -> Doc | None:
        for other in self.by_year.get(doc.year - 1, []):
            if other.agency == doc.agency:
                return other
        return None


def _minhash(hashes: set[int]) -> MinHash:
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=lambda x: x)
    mh.update_batch(list(hashes))
    return mh


@dataclass(frozen=True)
class Overlap:
    source: Doc
    rate: float
    passages: tuple[tuple[str, str, str, int], ...]  # (where, this text, source text, chars)

    @property
    def longest(self) -> int:
        return max((p[3] for p in self.passages), default=0)


def overlap(doc: Doc, source: Doc, common: set[int]) -> Overlap:
    """Share of ``doc``'s kept characters in runs also in ``source``; the copied passages."""
    covered_by_sentence: dict[int, int] = {}
    total = 0
    for i in doc.kept:
        norm = doc.sentences[i].norm
        total += len(norm)
        if norm in source.whole:  # a sentence few reports share, taken whole
            covered_by_sentence[i] = len(norm)
            continue
        reach = covered = 0
        for j, run in enumerate(_runs(norm)):
            h = _hash(run)
            if h in source.runs and h not in common:
                covered += j + RUN - max(reach, j)
                reach = j + RUN
        if covered:
            covered_by_sentence[i] = covered
    rate = sum(covered_by_sentence.values()) / total if total else 0.0
    return Overlap(source, rate, tuple(_passages(doc, source, covered_by_sentence)))


def _passages(doc: Doc, source: Doc, covered: dict[int, int]) -> list[tuple[str, str, str, int]]:
    """Runs of copied sentences (each at least half covered) beside their closest sources."""
    groups: list[list[int]] = []
    for i in sorted(covered):
        if covered[i] * 2 < len(doc.sentences[i].norm):
            continue
        if (
            groups
            and groups[-1][-1] in (i - 1, *range(i - 3, i))
            and _same_part(doc, groups[-1][-1], i)
        ):
            groups[-1].append(i)
        else:
            groups.append([i])
    source_runs = [(k, {_hash(r) for r in _runs(s.norm)}) for k, s in enumerate(source.sentences)]
    out = []
    for group in groups:
        mine = "".join(doc.sentences[i].text for i in group)
        matched: list[int] = []
        for i in group:
            runs = {_hash(r) for r in _runs(doc.sentences[i].norm)}
            best = max(source_runs, key=lambda kr: len(kr[1] & runs), default=None)
            if best is not None and best[1] & runs and best[0] not in matched:
                matched.append(best[0])
        theirs = "".join(source.sentences[k].text for k in sorted(matched))
        chars = sum(covered[i] for i in group)
        out.append((doc.sentences[group[0]].label, mine, theirs, chars))
    return out


def _same_part(doc: Doc, i: int, j: int) -> bool:
    return doc.sentences[i].part == doc.sentences[j].part


def check_repetition(corpus: Corpus, doc: Doc) -> list[Problem]:
    """REPEAT-PREVIOUS, REPEAT-PEER and COPIED-PASSAGE for one audited report."""
    s = corpus.settings
    problems: list[Problem] = []
    prev = corpus.previous(doc)
    if prev is not None:
        common = corpus.common.get(doc.year, set()) | corpus.common.get(prev.year, set())
        ov = overlap(doc, prev, common)
        problems.extend(_problems(ov, doc, "previous", s.previous_rate, s.passage_chars))
    best: Overlap | None = None
    for peer in corpus.peers(doc):
        ov = overlap(doc, peer, corpus.common.get(doc.year, set()))
        if best is None or (ov.rate, ov.longest) > (best.rate, best.longest):
            best = ov
    if best is not None:
        problems.extend(_problems(best, doc, "peer", s.peer_rate, s.passage_chars))
    return problems


def _problems(
    ov: Overlap, doc: Doc, kind: str, rate_limit: float, passage_chars: int
) -> list[Problem]:
    source = ov.source
    if kind == "previous":
        whose, rule = f"本单位 {source.year} 年报告", "REPEAT-PREVIOUS"
    else:
        whose, rule = f"{source.name}（{source.agency}）{source.year} 年报告", "REPEAT-PEER"
    # Passages of at least a sentence each; together at least passage_chars: copied text.
    long = [p for p in ov.passages if p[3] >= MIN_PASSAGE]
    if sum(p[3] for p in long) < passage_chars:
        long = []
    evidence = tuple(
        item
        for where, mine, theirs, _ in (long or ov.passages)[:5]
        for item in ((f"本报告 · {where}", mine), (whose, theirs))
    )
    data = {
        "rate": round(ov.rate, 4),
        "source": source.agency,
        "source_year": source.year,
        "passages": len(ov.passages),
    }
    if ov.rate > rate_limit:
        return [
            Problem(
                rule=rule,
                what=f"正文（去除套话后）与{whose}重复率 {ov.rate:.0%}，超过 {rate_limit:.0%}",
                where="正文（一、五、六）",
                evidence=evidence,
                fix="按本年度实际工作重写重复部分，写明本年新做法、新数据和新问题",
                severity="warning",
                key=("narrative", None, None),
                data=data,
            )
        ]
    if long:
        return [
            Problem(
                rule="COPIED-PASSAGE",
                what=f"有 {len(long)} 段文字与{whose}相同"
                f"（去除套话后共 {sum(p[3] for p in long)} 字），"
                f"重复率 {ov.rate:.0%}",
                where="；".join(dict.fromkeys(p[0] for p in long)),
                evidence=evidence,
                fix="改写照搬的段落，按本单位本年度的实际情况撰写",
                severity="warning",
                key=("narrative", None, None),
                data={**data, "kind": kind},
            )
        ]
    return []
