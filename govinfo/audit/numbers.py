"""C09: figures the narrative quotes must equal the tables (TEXT-TABLE).

Evaluators mark a report whose text says one thing and whose tables say another ("数据失准",
"严重不符"): 洪泽区's 2024 report says 受理政府信息公开申请 17 件 while its 表三 prints 95. The
existing open tool matches seven fixed phrases; this reads sentences instead. Each sentence
is cut into clauses (at ，；：、 and brackets, so ``办结93件（含上年结转2件）`` gives two
claims); a count (Arabic or Chinese numerals, ``十七件``) is tied to the nearest keyword before
it in its clause (``受理``, ``办结``, ``上年结转``, ``行政复议纠正`` …) or right after it
(``3件跨年度结转办理``), and compared with the cells that keyword names. A clause about a
change (较上年、同比、增加) or another year is not a claim about this year's table, and a
sentence about applications must be one (it mentions 申请, or stands in （二）依申请公开).
Sentences such as 本年度未收到政府信息公开申请 claim a zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .. import layout as L
from ..model import Report
from ..places import place_label
from .problems import Problem
from .text import CHINESE_NUMERAL, Part, chinese_number, parts, sentences

APPS = L.APPLICATIONS
Cell = tuple[str, str | None, str | None]
_CLASSIFIER = "件起宗项个例份"
_NUMBER = re.compile(rf"(\d+)(?=[{_CLASSIFIER}])")
_CHINESE = re.compile(rf"(?<![第统唯])({CHINESE_NUMERAL})(?=[{_CLASSIFIER}])")
_CLAUSE = re.compile(r"[，,；;：:、（）()【】\[\]]")
_CHANGE = re.compile(r"较|同比|环比|比上年|增加|减少|增长|下降|上升|持平|增幅|降幅")
_NOT_APPLICATIONS = re.compile(r"咨询|留言|来信|来电|热线|建议|提案|诉求|依申请公开事项|目录")
_NOT_DECISIONS = re.compile(r"事项|清单|目录|信息|条")
WINDOW = 30  # characters between a keyword and its number at most


@dataclass(frozen=True)
class Metric:
    """A figure the text may quote: the keyword, the cells it names, the values accepted."""

    key: str
    said: str  # how the problem names it: 新收申请
    before: re.Pattern[str]
    cells: tuple[Cell, ...]
    apps: bool = False  # only in a sentence about applications
    after: re.Pattern[str] | None = None
    exclude: re.Pattern[str] | None = None

    def value(self, report: Report) -> int:
        return sum(int(_get(report, cell)) for cell in self.cells)

    def known(self, report: Report) -> bool:
        return all(report.is_filled(*cell) for cell in self.cells)


def _get(report: Report, cell: Cell) -> int | Decimal:
    section, row, column = cell
    if section == APPS:
        return report.applications.cell(row or "", column or L.TOTAL)
    if section == L.REVIEW_LITIGATION:
        return report.review_litigation.cell(row or "", column or "total")
    return report.active.get(row or "", column)


def _apps(*rows: str) -> tuple[Cell, ...]:
    return tuple((APPS, row, L.TOTAL) for row in rows)


def _rows(prefix: str) -> tuple[Cell, ...]:
    return _apps(*(key for key in L.OUTCOME_KEYS if key.startswith(prefix)))


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


NEW = Metric(
    "new",
    "新收申请",
    _re(r"新收|受理|收到|接收|接到|收悉|共收|提出"),
    _apps("new"),
    apps=True,
    exclude=_NOT_APPLICATIONS,
)
CARRIED = Metric(
    "carried_over", "上年结转", _re(r"上一?年度?结转|往年结转"), _apps("carried_over"), apps=True
)
METRICS: tuple[Metric, ...] = (
    NEW,
    CARRIED,
    Metric(
        "total",
        "办结（答复）",
        _re(r"办结|答复|办理完毕|处理完毕|已办理"),
        _apps(L.TOTAL),
        apps=True,
        exclude=_NOT_APPLICATIONS,
    ),
    Metric(
        "carried_forward",
        "结转下年度",
        _re(r"结转[至到]?下一?年度?|转入下一?年度?|跨年度?结转|继续办理"),
        _apps("carried_forward"),
        apps=True,
        after=_re(r"^(?:申请)?(?:跨年度?结转|结转[至到]?下一?年度?|转入下一?年度?)"),
    ),
    Metric(
        "granted",
        "予以公开",
        _re(r"予以公开|同意公开|准予公开|全部公开"),
        _apps("granted"),
        apps=True,
    ),
    Metric(
        "granted_or_partial",
        "全部或部分公开",
        _re(r"全部或部分公开|全部公开或部分公开|予以公开或部分公开|公开或部分公开"),
        _apps("granted", "partially_granted"),
        apps=True,
    ),
    Metric("partial", "部分公开", _re(r"部分公开"), _apps("partially_granted"), apps=True),
    Metric("withheld", "不予公开", _re(r"不予公开"), _rows("withheld_"), apps=True),
    Metric("unable", "无法提供", _re(r"无法提供"), _rows("unable_"), apps=True),
    Metric("not_processed", "不予处理", _re(r"不予处理"), _rows("not_processed_"), apps=True),
    Metric("other", "其他处理", _re(r"其他处理"), _rows("other_"), apps=True),
    Metric(
        "review", "行政复议", _re(r"行政复议|复议"), ((L.REVIEW_LITIGATION, "review", "total"),)
    ),
    Metric(
        "review_corrected",
        "行政复议纠正",
        _re(r"复议[^，。]{0,6}?纠正"),
        ((L.REVIEW_LITIGATION, "review", "corrected"),),
    ),
    Metric(
        "review_maintained",
        "行政复议维持",
        _re(r"复议[^，。]{0,6}?维持"),
        ((L.REVIEW_LITIGATION, "review", "maintained"),),
    ),
    Metric(
        "litigation",
        "行政诉讼",
        _re(r"行政诉讼|诉讼|起诉|应诉"),
        (
            (L.REVIEW_LITIGATION, "litigation_direct", "total"),
            (L.REVIEW_LITIGATION, "litigation_after_review", "total"),
        ),
    ),
    Metric(
        "litigation_direct",
        "未经复议直接起诉",
        _re(r"直接起诉|直接提起[^，。]{0,4}诉讼"),
        ((L.REVIEW_LITIGATION, "litigation_direct", "total"),),
    ),
    Metric(
        "litigation_after_review",
        "复议后起诉",
        _re(r"复议后[^，。]{0,4}(?:起诉|诉讼)"),
        ((L.REVIEW_LITIGATION, "litigation_after_review", "total"),),
    ),
    Metric(
        "licensing",
        "行政许可决定",
        _re(r"行政许可"),
        (("active", "licensing", None),),
        exclude=_NOT_DECISIONS,
    ),
    Metric(
        "punishment",
        "行政处罚决定",
        _re(r"行政处罚"),
        (("active", "punishment", None),),
        exclude=_NOT_DECISIONS,
    ),
    Metric(
        "coercion",
        "行政强制决定",
        _re(r"行政强制"),
        (("active", "coercion", None),),
        exclude=_NOT_DECISIONS,
    ),
)

# 规章 / 行政规范性文件: the measure is a verb in the clause, the document kind may be
# anywhere in the sentence (本年制发行政规范性文件3件，废止2件).
_MEASURES = (
    ("issued", _re(r"制发|印发|出台|制定|新制")),
    ("repealed", _re(r"废止|宣布失效")),
    ("in_force", _re(r"现行有效")),
)
_DOC_KINDS = (("normative_docs", _re(r"规范性文件")), ("rules", _re(r"规章")))
_MEASURE_LABELS = dict(L.ACTIVE_MEASURES)


@dataclass(frozen=True)
class Claim:
    """One figure the text states, and what it is about."""

    part: Part
    sentence: str
    said: str  # 新收申请
    number: int
    cells: tuple[Cell, ...]
    accepted: tuple[int, ...]  # the table's value first, then other readings allowed

    @property
    def table_value(self) -> int:
        return self.accepted[0]


def claims(report: Report) -> Iterator[Claim]:
    """Every figure of the narrative that names a table cell whose value is known."""
    for part in parts(report):
        about_requests = part.key == "overview/requests"
        for sentence in sentences(part.text):
            yield from _sentence_claims(report, part, sentence, about_requests)


def _normalised(sentence: str) -> str:
    """Chinese counts as digits (``十七件`` → ``17件``), thousands separators dropped."""
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", sentence)
    return _CHINESE.sub(lambda m: str(chinese_number(m.group(1)) or m.group(1)), text)


def _sentence_claims(
    report: Report, part: Part, sentence: str, about_requests: bool
) -> Iterator[Claim]:
    text = _normalised(sentence)
    apps_context = about_requests or "申请" in text
    yield from _zero_claims(report, part, sentence, text, apps_context)
    measure: str | None = None
    for clause in _CLAUSE.split(text):
        if not clause:
            continue
        measure = next((m for m, p in _MEASURES if p.search(clause)), measure)
        if _CHANGE.search(clause) or _other_year(clause, report.year):
            continue
        if re.search(r"上一?年(?!度?结转)", clause):
            continue
        at = 0
        for m in _NUMBER.finditer(clause):
            window = clause[max(at, m.start() - WINDOW) : m.start()]
            after = clause[m.end() + 1 : m.end() + 12]
            at = m.end()
            number = int(m.group(1))
            claim = _doc_claim(report, part, sentence, clause, text, measure, number)
            if claim is None:
                claim = _metric_claim(
                    report, part, sentence, clause, text, window, after, number, apps_context
                )
            if claim is not None:
                yield claim


def _other_year(clause: str, year: int) -> bool:
    return any(int(y) not in (year, year + 1) for y in re.findall(r"((?:19|20)\d\d)年", clause))


def _metric_claim(
    report: Report,
    part: Part,
    sentence: str,
    clause: str,
    text: str,
    window: str,
    after: str,
    number: int,
    apps_context: bool,
) -> Claim | None:
    best: tuple[int, int, Metric] | None = None
    for metric in METRICS:
        if metric.apps and not apps_context:
            continue
        if metric.exclude is not None and metric.exclude.search(clause):
            continue
        for m in metric.before.finditer(window):
            rank = (m.end(), m.end() - m.start())
            if best is None or rank > best[:2]:
                best = (*rank, metric)
        if best is None and metric.after is not None and metric.after.search(after):
            best = (0, 0, metric)
    if best is None:
        return None
    metric = best[2]
    if not metric.known(report):
        return None
    accepted = [metric.value(report)]
    if metric is NEW and ("含" in clause or "上年结转" in text):  # 共受理N件（含上年结转M件）
        accepted.append(metric.value(report) + CARRIED.value(report))
    return Claim(part, sentence, metric.said, number, metric.cells, tuple(accepted))


def _doc_claim(
    report: Report,
    part: Part,
    sentence: str,
    clause: str,
    text: str,
    measure: str | None,
    number: int,
) -> Claim | None:
    here = next((m for m, p in _MEASURES if p.search(clause)), None)
    if here is None and not any(p.search(clause) for _, p in _DOC_KINDS):
        return None  # neither a measure verb nor a document kind in this clause
    measure = here or measure
    kinds = [k for k, p in _DOC_KINDS if p.search(clause)]
    if not kinds:
        kinds = [k for k, p in _DOC_KINDS if p.search(text)]
    if measure is None or len(kinds) != 1 or (kinds[0] == "normative_docs" and "规章" in clause):
        return None
    cell: Cell = ("active", kinds[0], measure)
    if not report.is_filled(*cell):
        return None
    label = L.active_label(kinds[0])
    said = f"{label}{_MEASURE_LABELS[measure].removeprefix('本年').removesuffix('件数')}"
    return Claim(part, sentence, said, number, (cell,), (int(_get(report, cell)),))


_ZERO = (
    (_re(r"(?:未|没有)[^，。；]{0,30}申请(?!人)"), (NEW,)),
    (_re(r"无上一?年度?结转"), (CARRIED,)),
)
_NO_CASES = _re(r"(?:未|没有|无)[^，。；]{0,16}?(行政复议|行政诉讼)(?:[、和及与]?(行政诉讼))?")


def _zero_claims(
    report: Report, part: Part, sentence: str, text: str, apps_context: bool
) -> Iterator[Claim]:
    """Sentences that state a zero: 本年度未收到政府信息公开申请 / 未发生行政复议、行政诉讼."""
    found: list[Metric] = []
    for pattern, metrics in _ZERO:
        m = pattern.search(text)
        if m and apps_context and not re.search(r"\d", m.group()) and "其中" not in text:
            if pattern is _ZERO[0][0] and re.search(
                r"未[^，。；]{0,6}(?:按|在|予|能|及时)", m.group()
            ):
                continue  # 未按期答复的申请: not a statement that none came
            found.extend(metrics)
    m = _NO_CASES.search(text)
    if m and not re.search(r"\d", m.group()):
        names = {g for g in m.groups() if g}
        found.extend(x for x in METRICS if x.key in ("review", "litigation") and x.said in names)
    for metric in found:
        if metric.known(report):
            yield Claim(part, sentence, metric.said, 0, metric.cells, (metric.value(report),))


def _cell_text(report: Report, cells: tuple[Cell, ...]) -> str:
    shown = [f"{place_label(*cell)}：{_format(_get(report, cell))}" for cell in cells]
    return "；".join(shown)


def _format(value: int | Decimal) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_numbers(report: Report) -> list[Problem]:
    """TEXT-TABLE problems: each figure of the text that no reading of the table gives."""
    out: list[Problem] = []
    seen: set[tuple[str, str, int]] = set()
    for claim in claims(report):
        if claim.number in claim.accepted or (claim.sentence, claim.said, claim.number) in seen:
            continue
        seen.add((claim.sentence, claim.said, claim.number))
        table = _cell_text(report, claim.cells)
        total = f"（合计 {claim.table_value}）" if len(claim.cells) > 1 else ""
        out.append(
            Problem(
                rule="TEXT-TABLE",
                what=f"正文称{claim.said} {claim.number} 件，表格为 {claim.table_value} 件",
                where=f"{claim.part.label}：“{claim.sentence}”",
                evidence=(("正文", claim.sentence), ("表格", table + total)),
                fix="核对原始台账，改正正文或表格中错误的一方，使两者一致",
                severity="error",
                key=claim.cells[0],
                data={"said": claim.said, "text": claim.number, "table": claim.table_value},
            )
        )
    return out
