"""The report's skeleton: title, agency and year, and where the six sections are.

Headings are found in the compact text in their official order (numbering variants and OCR
slips tolerated); a heading directly followed by the next one is a table of contents and is
skipped; a table whose heading is missing still starts its section. The narrative between
the headings is cut by :mod:`.narrative`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from .. import layout as L
from .legacy import SECTION_VARIANTS
from .narrative import cut as cut  # re-exported: the package reads the narrative through here
from .narrative import overview as overview
from .narrative import processing_fees as processing_fees
from .narrative import strip_generated as strip_generated
from .narrative import strip_signature as strip_signature
from .normalise import (
    Source,
    allowed_errors,
    body_regex,
    fold,
    fuzzy_find,
    numbering_regex,
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
    # Where a table section whose heading is missing begins: its table's header.
    implied: dict[str, int] = field(default_factory=dict)

    def region(self, key: str) -> tuple[int, int]:
        """From the end of this section's heading to the start of the next one found.

        A missing heading borrows its neighbours' bounds, so a table can still be found by
        its labels between the sections that are there; a table found without its heading
        (:attr:`implied`) starts its section and ends the one before, so that 一's narrative
        does not run on into 表二 when 二's heading is missing.
        """
        i = SECTION_KEYS.index(key)
        start = 0
        if key in self.headings:
            start = self.headings[key][1]
        elif key in self.implied:
            start = self.implied[key]
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
            if after in self.implied:
                end = self.implied[after]
                break
        return start, max(start, end)


# A table's first header, to find a table section whose heading is missing: a 第二十条
# caption (or 信息内容 over 本年制发件数), the 表三 note or 申请人情况, 行政复议 over 行政诉讼.
_TABLE_STARTS: dict[str, re.Pattern[str]] = {
    L.ACTIVE: re.compile(
        "|".join(body_regex(g.caption) for g in L.ACTIVE_GROUPS)
        + "|"
        + body_regex(L.ACTIVE_ITEM_HEADER + L.ACTIVE_MEASURES[0][1])
    ),
    L.APPLICATIONS: re.compile(
        body_regex(L.APPLICATION_NOTE[1:7]) + "|" + body_regex(L.APPLICANT_HEADER)
    ),
    L.REVIEW_LITIGATION: re.compile(
        body_regex(L.REVIEW_HEADER)
        + ".{0,4}?(?:"
        + body_regex(L.LITIGATION_HEADER)
        + "|"
        + body_regex(L.REVIEW_OUTCOMES[0].label)
        + ")"
    ),
}


def _implied(sk: Skeleton, src: Source) -> None:
    """Table sections without a heading: where their table begins, between the sections
    around them (so that prose elsewhere that mentions 行政复议 is not taken for it)."""
    for key, pattern in _TABLE_STARTS.items():
        if key in sk.headings:
            continue
        start, end = sk.region(key)
        m = pattern.search(src.compact, start, end)
        if m:
            sk.implied[key] = m.start()


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
    _implied(sk, src)
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
    if published is None and agency:
        published = _signature_date(src, agency)
    return Meta(agency, year, published, year_from)


_DATE_LINE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日")


def _signature_date(src: Source, agency: str) -> dt.date | None:
    """The date of the 落款 (the agency's name, then a date, ending the report, perhaps
    followed by the contact details), which a Word or PDF report carries instead of a portal's
    发布日期 line: only when that last line is the date alone and the agency's name stands on
    one of the few lines before it."""
    lines = [re.sub(r"\s+", "", line) for line in src.folded.split("\n")]
    lines = [line for line in lines if line]
    contact = tuple(f"{label}:" for _, label in L.CONTACT_FIELDS)  # folded ：is :
    while lines and lines[-1].startswith(contact):  # the contact details after the 落款
        lines.pop()
    if not lines:
        return None
    m = _DATE_LINE.fullmatch(lines[-1])
    name = re.sub(r"\s+", "", fold(agency))
    if not m or name not in lines[-4:-1]:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
