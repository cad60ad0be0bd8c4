"""The report's skeleton: title, agency and year, the six sections, and their narrative.

Headings are found in the compact text in their official order (numbering variants and OCR
slips tolerated); a heading directly followed by the next one is a table of contents and is
skipped. Narrative is cut verbatim from the original text between headings, so full-width
punctuation and wording stay exactly as published.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .. import layout as L
from .legacy import SECTION_VARIANTS
from .normalise import (
    BLANK_MARK,
    Source,
    allowed_errors,
    body_regex,
    fold,
    fuzzy_find,
    numbering_regex,
    split_numbering,
)

SECTION_KEYS = tuple(s.key for s in L.SECTIONS)
_END_LINE = re.compile(  # [^\S\n]: a blank run stays on its line (else quadratic in blank lines)
    r"^[^\S\n]*+(?:附\s*[:：件表一二三四\d]|【?\s*打印本页|【?\s*关闭窗口|主办单位|版权所有|"
    r"网站标识码|网站地图|[京沪津渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新]ICP备)",
    re.M,
)
_TOC_FILLER = re.compile(r"[.…·_\-\d]*")


@dataclass
class Skeleton:
    """Where things are, in compact coordinates of the source."""

    headings: dict[str, tuple[int, int]] = field(default_factory=dict)
    end: int = 0  # end of the report proper (before footers, 附 sections)

    def region(self, key: str) -> tuple[int, int]:
        """From the end of this section's heading to the start of the next one found.

        A missing heading borrows its neighbours' bounds, so a table can still be found by
        its labels between the sections that are there.
        """
        i = SECTION_KEYS.index(key)
        start = 0
        if key in self.headings:
            start = self.headings[key][1]
        else:
            for before in reversed(SECTION_KEYS[:i]):
                if before in self.headings:
                    start = self.headings[before][1]
                    break
        end = self.end
        for after in SECTION_KEYS[i + 1 :]:
            if after in self.headings:
                end = self.headings[after][0]
                break
        return start, max(start, end)


def _heading_patterns(section: L.Section) -> list[re.Pattern[str]]:
    numbering = numbering_regex(section.numeral + "、")
    titles = (section.title, *SECTION_VARIANTS.get(section.key, ()))
    return [re.compile(numbering + body_regex(t)) for t in titles]


def _fuzzy_heading(src: Source, section: L.Section, start: int, end: int) -> tuple[int, int]:
    """An OCR-slipped heading: its numeral written exactly, its title within a few edits."""
    title = fold(section.title)
    k = allowed_errors(title)
    for m in re.finditer(re.escape(section.numeral) + "[、.]", src.compact[start:end]):
        at = start + m.end()
        s, e = fuzzy_find(title, src.compact, at, min(end, at + len(title) + k), k)
        if s == at:
            return start + m.start(), e
    return -1, -1


def find_skeleton(src: Source) -> Skeleton:
    """Headings of the six sections (skipping tables of contents) and the report's end."""
    sk = Skeleton()
    patterns = {s.key: _heading_patterns(s) for s in L.SECTIONS}
    any_heading = re.compile("|".join(p.pattern for ps in patterns.values() for p in ps))
    pos = 0
    for section in L.SECTIONS:
        spans = sorted(
            (m.start(), m.end())
            for p in patterns[section.key]
            for m in p.finditer(src.compact, pos)
        )
        if not spans:
            s, e = _fuzzy_heading(src, section, pos, len(src.compact))
            spans = [(s, e)] if s >= 0 else []
        for s, e in spans:
            if _toc_run(src, any_heading, e) >= 2:
                continue  # a table of contents: more headings follow at once
            sk.headings[section.key] = (s, e)
            pos = e
            break
    sk.end = _report_end(src, pos)
    return sk


def _toc_run(src: Source, any_heading: re.Pattern[str], end: int) -> int:
    """How many headings follow this one with nothing but page numbers between them (an
    empty section is followed by one heading; a table of contents by several)."""
    run = 0
    while run < 2:
        filler = _TOC_FILLER.match(src.compact, end)  # always matches (maybe empty)
        after = filler.end() if filler else end
        m = any_heading.match(src.compact, after)
        if not m:
            break
        run, end = run + 1, m.end()
    return run


def _report_end(src: Source, after: int) -> int:
    """Compact position where the report proper ends: a 附… part, a portal footer."""
    start = src.pos(after)
    m = _END_LINE.search(src.text, start)
    if m is None and src.text.count("\n") < 5:  # a page flattened onto one line
        m = re.search(r"附\s*[:：]", src.text[start:])
        m = m and re.compile(re.escape(m.group())).search(src.text, start)
    if m is None:
        return len(src.compact)
    return bisect.bisect_left(src.index, m.start())


# --------------------------------------------------------------------------- narrative

_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")


def clean_narrative(text: str) -> str:
    """Paragraphs as published: Markdown marks and stray blanks dropped, wrapped lines joined."""
    text = text.replace(BLANK_MARK, "")
    lines = [
        re.sub(r"^(?:#+|>)\s*", "", line.strip()).replace("**", "") for line in text.split("\n")
    ]
    paragraphs: list[list[str]] = [[]]
    blank_separated = (
        any(not line for line in lines[1:-1]) or len([line for line in lines if line]) <= 1
    )
    for line in lines:
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if not blank_separated and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(line)
    out = []
    for para in paragraphs:
        if not para:
            continue
        joined = para[0]
        for line in para[1:]:  # the last character only: a search of all of it is quadratic
            cjk = _CJK_CHAR.match(line) and _CJK_CHAR.match(joined[-1:])
            joined += line if cjk else " " + line
        joined = re.sub(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])", "", joined)
        out.append(joined.strip())
    return "\n\n".join(p for p in out if p)


def cut(src: Source, start: int, end: int) -> str:
    """The cleaned narrative between two compact positions."""
    if end <= start:
        return ""
    return clean_narrative(src.text[src.pos(start) : src.end_pos(end)])


def _subheading_pattern(label: str) -> re.Pattern[str]:
    numbering, body = split_numbering(label)
    return re.compile(
        numbering_regex(numbering) + body_regex(body) + r"(?:方面|情况|工作)*(?:[:。.])?"
    )


def overview(src: Source, start: int, end: int) -> dict[str, str]:
    """一、总体情况: the intro and the five customary subsections, where present."""
    spans: list[tuple[str, int, int]] = []
    pos = start
    for key, label in L.OVERVIEW_PARTS:
        m = _subheading_pattern(label).search(src.compact, pos, end)
        if m:
            spans.append((key, m.start(), _heading_end(src, m.end(), end)))
            pos = m.end()
    parts = {"intro": cut(src, start, spans[0][1] if spans else end)}
    for i, (key, _, text_start) in enumerate(spans):
        stop = spans[i + 1][1] if i + 1 < len(spans) else end
        parts[key] = cut(src, text_start, stop)
    return {key: value for key, value in parts.items() if value}


def _heading_end(src: Source, c_end: int, limit: int) -> int:
    """A sub-heading alone on its line (``（一）主动公开方面``) ends with its line."""
    pos = src.end_pos(c_end)
    line_end = src.text.find("\n", pos)
    rest = src.text[pos : line_end if line_end >= 0 else len(src.text)]
    if line_end >= 0 and len(rest.strip()) <= 12 and "。" not in rest:
        return min(limit, bisect.bisect_left(src.index, line_end))
    return c_end


# --------------------------------------------------------------------------- metadata

_TITLE = re.compile(
    r"(?P<agency>.*?)(?:关于)?(?:(?P<year>(?:19|20)\d\d)年度?)?政府信息公开(?:工作)?年度报告"
)


@dataclass(frozen=True)
class Meta:
    agency: str
    year: int | None
    published: dt.date | None
    year_from: str  # title, period, file name, narrative


def _agency(raw: str, previous_line: str) -> str:
    name = re.split(r"[>»|:：]|报告|首页|当前位置|位置", raw)[-1]
    name = re.sub(r"[#*\s《》\"“”]|关于$|的$", "", name).strip("_-— ")
    if not name and previous_line and len(previous_line) <= 30 and "。" not in previous_line:
        name = re.sub(r"[#*\s]", "", previous_line)
    return name


def _flat_title(flat: str, year: int | None, year_from: str) -> tuple[str, int | None, str]:
    """The first title in text without line breaks that names an agency.

    Each title is matched from where the previous one ended (what ``finditer`` would find,
    since the lazy agency group reaches back to there), never tried afresh at every
    position: from each one the lazy group would scan to the end (quadratic without one).
    """
    pos = 0
    while (m := _TITLE.match(flat, pos)) is not None:
        name = _agency(m.group("agency")[-40:], "")
        if name:
            if m.group("year") and year is None:
                year, year_from = int(m.group("year")), "title"
            return name, year, year_from
        pos = m.end()
    return "", year, year_from


def metadata(src: Source, sk: Skeleton, title_hint: str | None, file_name: str | None) -> Meta:
    """Agency, year and publication date from the title and the report's own text."""
    first = min((s for s, _ in sk.headings.values()), default=len(src.compact))
    head_text = src.folded[: src.pos(first)] if first < len(src.compact) else src.folded
    lines = [re.sub(r"\s+", "", line) for line in head_text.split("\n")]
    agency, year, year_from = "", None, ""
    previous = ""
    for line in [*lines, re.sub(r"\s+", "", fold(title_hint or ""))]:
        m = _TITLE.search(line) if len(line) <= 80 else None
        if m and len(line) - m.end() > 30:
            m = None  # a sentence that mentions the format, not a title
        if m and not (agency and line == re.sub(r"\s+", "", fold(title_hint or ""))):
            name = _agency(m.group("agency"), previous)
            if name:
                agency = name
                if m.group("year"):
                    year, year_from = int(m.group("year")), "title"
        if line:
            previous = line
    if not agency:  # a page flattened onto one line: the first title in the running text
        agency, year, year_from = _flat_title(re.sub(r"\s+", "", head_text), year, year_from)
    if year is None:
        m = re.search(r"((?:19|20)\d\d)年1月1日至\1年12月31日", src.compact)
        if m:
            year, year_from = int(m.group(1)), "period"
    if year is None and file_name:
        m = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", file_name)
        if m:
            year, year_from = int(m.group(1)), "file name"
    if year is None:
        years = Counter(re.findall(r"(?<!\d)((?:19|20)\d\d)年", src.compact))
        if years:
            year, year_from = int(years.most_common(1)[0][0]), "narrative"
    published = None
    m = re.search(
        r"(?:发布|成文|印发)(?:日期|时间)[:：]?\s*((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]"
        r"\s*(\d{1,2})",
        src.folded,
    )
    if m:
        try:
            published = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            published = None
    return Meta(agency, year, published, year_from)


# --------------------------------------------------------------------------- 信息处理费

_AMOUNT = r"(\d{1,15}(?:\.\d{1,6})?)"  # bounded: no figure of thousands of digits
_FEES = {
    "notices": re.compile(
        r"(?:发出|出具|送达)(?:信息处理费)?收费通知(?:书)?(?:的)?(?:件数)?(?:为|共|计)?(\d{1,15})件"
    ),
    "notice_amount_yuan": re.compile(rf"收费通知(?:书)?(?:的)?总金额(?:为|共|计)?{_AMOUNT}元"),
    "collected_yuan": re.compile(
        rf"实际收取(?:信息处理费)?(?:的)?(?:总金额)?(?:为|共|计)?{_AMOUNT}元"
    ),
}
_NO_NOTICES = re.compile(r"未(?:发出|出具|送达)(?:信息处理费)?收费通知")
_NOT_COLLECTED = re.compile(r"未收取(?:任何)?(?:信息处理费|费用)")


def processing_fees(text: str) -> dict[str, int | Decimal | None] | None:
    """信息处理费 figures stated in 六 (None for each one not stated), or None if 六 says
    nothing about them."""
    compact = re.sub(r"\s+", "", fold(text))
    found: dict[str, int | Decimal | None] = dict.fromkeys(L.PROCESSING_FEE_KEYS)
    for key, pattern in _FEES.items():
        m = pattern.search(compact)
        if m:
            found[key] = int(m.group(1)) if key == "notices" else Decimal(m.group(1))
    if _NO_NOTICES.search(compact):
        found["notices"] = 0 if found["notices"] is None else found["notices"]
        found["notice_amount_yuan"] = (
            Decimal(0) if found["notice_amount_yuan"] is None else found["notice_amount_yuan"]
        )
    if _NOT_COLLECTED.search(compact) and found["collected_yuan"] is None:
        found["collected_yuan"] = Decimal(0)
    return found if any(v is not None for v in found.values()) else None


_DATE = r"(?:19|20)\d\d年\d{1,2}月\d{1,2}日"


def strip_signature(text: str, agency: str) -> str:
    """The last section without the 落款 a report ends with: paragraphs at its end that hold
    nothing but the agency's name and a date (pages scraped to text keep it there)."""
    name = re.escape(re.sub(r"\s+", "", fold(agency)))
    signature = re.compile(f"(?:{name})?(?:{_DATE})?" if name else _DATE)
    paragraphs = text.split("\n\n") if text else []
    while paragraphs:
        last = re.sub(r"\s+", "", fold(paragraphs[-1]))
        if not (last and signature.fullmatch(last)):
            break
        paragraphs.pop()
    return "\n\n".join(paragraphs)


def _template_regex(template: str) -> re.Pattern[str]:
    """A layout sentence with its {placeholders} as number slots, tolerant of whitespace."""
    parts = re.split(r"\{\w+\}", template)
    glue = r"[\d.,\s\uff10-\uff19]+?"
    body = glue.join(r"\s*".join(re.escape(ch) for ch in part) for part in parts)
    return re.compile(body)


_GENERATED = tuple(_template_regex(t) for t in (L.FEES_STATEMENT, L.FEES_NONE))


def strip_generated(text: str) -> str:
    """六 without the 信息处理费 sentence our own pipeline writes from ``processing_fees``."""
    for pattern in _GENERATED:
        text = pattern.sub("", text)
    return clean_narrative(text)
