"""Text helpers every audit check shares: the narrative as parts, sentences, Chinese numerals.

Published reports arrive with the layout of a PDF or a portal page: line breaks inside
sentences, spaces around digits (``受理政府信息公开申请 17 件``). Chinese needs no spaces, so
the checks read a *compact* form with all white space removed, and quote sentences in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import layout as L
from ..model import Report
from ..rules import is_unfilled

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Part:
    """One piece of the narrative: ``key`` as in the parameter file (``overview/active``,
    ``problems``), ``label`` where a reader finds it (``一、总体情况（一）主动公开``)."""

    key: str
    label: str
    text: str


def compact(text: str) -> str:
    """``text`` without any white space (line breaks of a PDF, spaces around digits)."""
    return _SPACE.sub("", text)


def parts(report: Report) -> list[Part]:
    """The narrative's written parts, in reading order (placeholders left out)."""
    overview = L.SECTION_BY_KEY["overview"].heading
    n = report.narrative
    out = [Part("overview/intro", overview, n.overview.intro)]
    out += [
        Part(f"overview/{key}", overview + label, getattr(n.overview, key))
        for key, label in L.OVERVIEW_PARTS
    ]
    out += [
        Part(key, L.SECTION_BY_KEY[key].heading, getattr(n, key)) for key in ("problems", "other")
    ]
    return [p for p in out if not is_unfilled(p.text)]


def sentences(text: str) -> list[str]:
    """Compact sentences: split after 。！？； (a Markdown list item also ends one)."""
    out: list[str] = []
    for line in re.split(r"\n\s*(?=[-*+]\s|\d+[.、]\s)", text):
        for piece in _SENTENCE_END.split(compact(line)):
            if piece:
                out.append(piece)
    return out


def mask_digits(text: str) -> str:
    """Numbers become ``#``: a paragraph copied with this year's numbers is still a copy."""
    return _DIGITS.sub("#", text)


_DIGIT_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGIT_VALUE.update({"六": 6, "七": 7, "八": 8, "九": 9})
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL = "[零〇一二两三四五六七八九十百千万]+"


def chinese_number(text: str) -> int | None:
    """``十七`` → 17, ``九十五`` → 95, ``一百零三`` → 103, ``两`` → 2, ``一二三`` → 123
    (digit by digit, as some writers do); None when it is not a number."""
    if not text or any(c not in _DIGIT_VALUE and c not in _UNIT_VALUE and c != "万" for c in text):
        return None
    if not any(c in _UNIT_VALUE or c == "万" for c in text):
        return int("".join(str(_DIGIT_VALUE[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[c]
        elif c in _UNIT_VALUE:
            section += (1 if digit is None else digit) * _UNIT_VALUE[c]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return total + section + (digit or 0)


def years_in(text: str) -> list[tuple[int, int, int]]:
    """(year, start, end) of every ``YYYY年`` in ``text`` (compact)."""
    return [(int(m.group(1)), m.start(), m.end()) for m in re.finditer(r"((?:19|20)\d\d)年", text)]
