"""Elements and form: what the 30号 format and the 条例 require a report to contain.

- HEADINGS (C01): the six headings present, in order, exactly as the format writes them
  (a published report's text; a parameter file's page is rendered with them);
- OVERVIEW-PARTS: 一 covers 主动公开、依申请公开、政府信息管理、平台建设、监督保障;
- GOV-ASSESSMENT: a government's report states 条例第五十条（四）'s 工作考核、社会评议和责任追究
  结果情况 under 监督保障;
- PERIOD (C16): the preamble's 统计期限 is the report year (published text);
- WRONG-YEAR: a year in the text that cannot be right (2023年，我局… in a 2024 report);
- BLANKS-MIXED (C07): blanks or "/" and 0 mixed within one table;
- OVERVIEW-LENGTH: 一 longer than the pack allows (武威: 1,000 characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import layout as L
from ..model import Report, all_cells
from ..places import place_label
from ..rules import is_unfilled
from .problems import Problem
from .text import compact, parts, sentences

OVERVIEW_HEADING = L.SECTION_BY_KEY["overview"].heading  # 一、总体情况

OVERVIEW = L.SECTION_BY_KEY["overview"].heading


def check_headings(text: str) -> list[Problem]:
    """The six headings in a published text: missing, not exact, out of order."""
    lines = [compact(line) for line in text.splitlines()]
    found: list[tuple[L.Section, int, str]] = []
    out: list[Problem] = []
    for section in L.SECTIONS:
        title = set(section.title)
        best = None
        for n, line in enumerate(lines):
            if not re.match(rf"^[（(]?{section.numeral}[、.．，,）)]", line) or len(line) > 40:
                continue
            if re.search(r"\d", line):
                continue
            body = line[len(section.numeral) + 1 :]
            if len(title & set(body)) * 2 >= len(title):
                best = (n, line.rstrip("。：:"))
                if best[1] == section.heading:
                    break
        if best is None:
            out.append(_heading_problem(section, "缺少标题", "（未找到）"))
            continue
        found.append((section, *best))
        if best[1] != section.heading:
            out.append(_heading_problem(section, "标题与格式不一致", best[1]))
    order = [line_no for _, line_no, _ in found]
    if order != sorted(order):
        shown = "、".join(s.numeral for s, _, _ in sorted(found, key=lambda f: f[1]))
        out.append(
            Problem(
                rule="HEADINGS",
                what=f"六个部分的顺序与格式不一致：正文中依次为 {shown}",
                where="全文",
                evidence=(
                    ("正文顺序", shown),
                    ("格式顺序", "、".join(s.numeral for s in L.SECTIONS)),
                ),
                fix="按一至六的固定顺序排列各部分",
                severity="error",
            )
        )
    return out


def _heading_problem(section: L.Section, what: str, seen: str) -> Problem:
    return Problem(
        rule="HEADINGS",
        what=f"{what}：应为“{section.heading}”",
        where=section.heading,
        evidence=(("正文", seen), ("格式", section.heading)),
        fix=f"使用格式规定的标题“{section.heading}”，一字不差",
        severity="error",
        key=(section.key, None, None),
    )


def check_overview_parts(report: Report) -> list[Problem]:
    o = report.narrative.overview
    if o.is_empty:
        return []  # NARRATIVE-EMPTY says so already
    out = []
    for key, label in L.OVERVIEW_PARTS:
        if is_unfilled(getattr(o, key)):
            out.append(
                Problem(
                    rule="OVERVIEW-PARTS",
                    what=f"{OVERVIEW_HEADING}缺少“{label}”部分",
                    where=OVERVIEW,
                    evidence=(("缺少", label),),
                    fix=f"在{OVERVIEW_HEADING}中增加“{label}”，写明本年度该项工作的情况和数据",
                    severity="warning",
                    key=("narrative", "overview", key),
                )
            )
    return out


ASSESSMENT = (("工作考核", r"考核"), ("社会评议", r"评议"), ("责任追究", r"追究|问责"))


def check_assessment(report: Report) -> list[Problem]:
    """条例第五十条（四）: a government's report tells 考核、评议、追究 under 监督保障."""
    if report.kind != "government":
        return []
    o = report.narrative.overview
    text = o.oversight if not is_unfilled(o.oversight) else o.intro
    missing = [name for name, pattern in ASSESSMENT if not re.search(pattern, text)]
    if not missing:
        return []
    label = dict(L.OVERVIEW_PARTS)["oversight"]
    return [
        Problem(
            rule="GOV-ASSESSMENT",
            what=f"人民政府的报告未在“{label}”中说明{'、'.join(missing)}结果情况（条例第五十条第（四）项）",
            where=f"{OVERVIEW}{label}",
            evidence=(("监督保障", compact(text)[:200] or "（空）"), ("缺少", "、".join(missing))),
            fix="在监督保障部分写明本年度政务公开工作考核、社会评议和责任追究的结果（没有的写明“无”）",
            severity="error",
            key=("narrative", "overview", "oversight"),
        )
    ]


_PERIOD = re.compile(r"((?:19|20)\d\d)年1月1日(?:起)?[至到—-]+((?:19|20)\d\d)年12月31日")


def check_period(report: Report, text: str) -> list[Problem]:
    """C16: the preamble (before 一) states 统计期限 for the report year."""
    lines = [compact(line) for line in text.splitlines()]
    head = ""
    for line in lines:
        if line.startswith("一、"):
            break
        head += line
    head = head[:3000]
    m = _PERIOD.search(head)
    fix = f"在开头写明“本报告所列数据的统计期限为{L.period(report.year)}”"
    if m is None:
        said = re.search(r"统计[期时]限[^。]*。?", head)
        return [
            Problem(
                rule="PERIOD",
                what="开头未写明统计期限" if said is None else "开头的统计期限不是完整的报告年度",
                where="开头（导语）",
                evidence=(
                    ("开头", said.group() if said else head[:120] or "（空）"),
                    ("应为", L.period(report.year)),
                ),
                fix=fix,
                severity="warning",
            )
        ]
    if int(m.group(1)) == int(m.group(2)) == report.year:
        return []
    return [
        Problem(
            rule="PERIOD",
            what=f"统计期限“{m.group()}”与报告年度 {report.year} 不符",
            where="开头（导语）",
            evidence=(("开头", m.group()), ("应为", L.period(report.year))),
            fix=fix,
            severity="warning",
        )
    ]


_LEGIT_BEFORE = re.compile(r"(?:较|比|与|自|从|于|同|到|至|截止到|力争|预计|计划|目标|《)$")
_LEGIT_AFTER = re.compile(
    r"^(?:度)?(?:以来|相比|同期|起|至今|以前|之前|前|底前|修订|修正|颁布|施行|印发|出台|实施|结转|"
    r"的?基础上|度?(?:政府信息公开工作)?(?:年度)?报告|年报|[\d一二三四五六七八九十]+月|[-—至到~]|"
    r"远景|目标|》)"
)
_CUT_OFF = re.compile(r"截[至止](?:到)?((?:19|20)\d\d)年(?:底|末|12月31日)")


def check_years(report: Report) -> list[Problem]:
    """WRONG-YEAR: a year standing for the report year that is not it (a copy of last
    year's text not updated). Comparisons (较2023年), periods (2019年以来), plans (到2035年),
    dates (2023年12月), laws (2019年修订) and last year's report are not flagged."""
    year = report.year
    out = []
    for part in parts(report):
        for sentence in sentences(part.text):
            wrong = []
            for m in re.finditer(r"((?:19|20)\d\d)年", sentence):
                y = int(m.group(1))
                if y in (year, year + 1) or abs(y - year) > 10:
                    continue
                before, after = sentence[max(0, m.start() - 6) : m.start()], sentence[m.end() :]
                if _LEGIT_BEFORE.search(before) or _LEGIT_AFTER.match(after):
                    continue
                wrong.append(y)
            cut = _CUT_OFF.search(sentence)
            if cut and int(cut.group(1)) != year and int(cut.group(1)) not in wrong:
                wrong.append(int(cut.group(1)))
            if wrong:
                shown = "、".join(f"{y}年" for y in dict.fromkeys(wrong))
                out.append(
                    Problem(
                        rule="WRONG-YEAR",
                        what=f"{year} 年度报告的正文写作 {shown}",
                        where=f"{part.label}：“{sentence}”",
                        evidence=(("正文", sentence), ("报告年度", f"{year}年")),
                        fix=f"核对年份：描述本年度工作应写 {year} 年",
                        severity="warning",
                        key=("narrative", *part.key.split("/"), None)[:3],  # type: ignore[arg-type]
                    )
                )
    return out


def check_blanks(report: Report) -> list[Problem]:
    """C07: in one table, some empty cells published blank or "/" and others 0."""
    out = []
    for section, name in (
        ("active", "表二"),
        (L.APPLICATIONS, "表三"),
        (L.REVIEW_LITIGATION, "表四"),
    ):
        cells = [c for c in all_cells() if c[0] == section]
        blanks = [c for c in cells if (m := report.mark(*c)) is not None and m.state == "blank"]
        zeros = [c for c in cells if report.mark(*c) is None and _value(report, c) == 0]
        if blanks and zeros:
            marks = {report.mark(*c).text or "空白" for c in blanks}  # type: ignore[union-attr]
            out.append(
                Problem(
                    rule="BLANKS-MIXED",
                    what=f"{name}中“{'”“'.join(sorted(marks))}”（{len(blanks)} 格）"
                    f"与 0（{len(zeros)} 格）混用",
                    where=name,
                    evidence=(
                        ("空白或“/”", "；".join(place_label(*c) for c in blanks[:3])),
                        ("填 0", "；".join(place_label(*c) for c in zeros[:3])),
                    ),
                    fix="无数据的单元格统一填写 0，不用空白、“/”或“—”",
                    severity="warning",
                    key=blanks[0],
                )
            )
    return out


def _value(report: Report, cell: tuple[str, str | None, str | None]) -> object:
    section, row, column = cell
    if section == "active":
        return report.active.get(row or "", column)
    if section == L.APPLICATIONS:
        return report.applications.cell(row or "", column or "")
    return report.review_litigation.cell(row or "", column or "")


def check_length(report: Report, limit: int | None) -> list[Problem]:
    if not limit:
        return []
    o = report.narrative.overview
    chars = sum(
        len(compact(getattr(o, k))) for k in L.OVERVIEW_KEYS if not is_unfilled(getattr(o, k))
    )
    if chars <= limit:
        return []
    return [
        Problem(
            rule="OVERVIEW-LENGTH",
            what=f"{OVERVIEW_HEADING}共 {chars} 字，超过规则包规定的 {limit} 字",
            where=OVERVIEW,
            evidence=(("字数", str(chars)), ("上限", str(limit))),
            fix="精简总体情况，突出数据和本年新举措，删去空泛表述",
            severity="warning",
            key=("narrative", "overview", None),
            data={"chars": chars, "limit": limit},
        )
    ]


def check_elements(
    report: Report, text: str | None, overview_limit: int | None
) -> Iterator[Problem]:
    if text is not None:
        yield from check_headings(text)
        yield from check_period(report, text)
    yield from check_overview_parts(report)
    yield from check_assessment(report)
    yield from check_years(report)
    yield from check_blanks(report)
    yield from check_length(report, overview_limit)
