"""The report's narrative: paragraphs cut verbatim between headings, 一's subsections, the
落款 and our own generated fee sentence left out, and the 信息处理费 figures 六 states.

Narrative is cut from the original text, so full-width punctuation and wording stay exactly
as published; only Markdown marks, stray blanks and line wrapping are undone.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal

from .. import layout as L
from .normalise import BLANK_MARK, Source, body_regex, fold, numbering_regex, split_numbering

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
    return re.compile(  # （五）政府信息公开监督保障情况 as real reports write it
        numbering_regex(numbering)
        + "(?:政府信息公开)?"
        + body_regex(body)
        + r"(?:方面|情况|工作)*(?:[:。.])?"
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
