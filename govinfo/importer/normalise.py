"""Normalisation for matching: one folding of characters, and labels found despite layout.

Published reports write the same label in many ways: full- or half-width brackets and
digits, ``（一）`` / ``(一)`` / ``一、``, ``1.`` / ``1、``, spaces inside words (``自 然 人``),
labels broken over lines or cells. Matching therefore runs on a *compact* view of the text:
characters folded one-for-one (so every position still maps back to the original text, from
which narrative is cut verbatim) and whitespace and Markdown syntax left out. Label patterns
are derived from the official labels in :mod:`govinfo.layout`, never typed again here.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from dataclasses import dataclass, field

from .. import layout as L

NUMERALS = "一二三四五六七八九十"
BLANK_MARK = "\ue000"  # an empty <td> in HTML: a published blank cell (C07)


def _fold_table() -> dict[int, str]:
    table = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}  # full-width ASCII
    for ch in "\u3000\u00a0\u2002\u2003\u2009\u200b\u200c\u200d\u2060\ufeff":
        table[ord(ch)] = " "
    for ch in "“”„‟「」『』″〞〝":
        table[ord(ch)] = '"'
    for ch in "‘’‚‛′":
        table[ord(ch)] = "'"
    for ch in "【〔［〖":
        table[ord(ch)] = "("
    for ch in "】〕］〗":
        table[ord(ch)] = ")"
    for ch in "—–−―‐‑﹣":
        table[ord(ch)] = "-"
    table[ord("﹒")] = "."
    table[ord("∶")] = ":"
    table[ord("︰")] = ":"
    return table


FOLD = _fold_table()


def fold(text: str) -> str:
    """Fold width, quote, bracket and dash variants; same length, so positions still match."""
    return text.translate(FOLD)


# Characters the compact view leaves out: whitespace, table pipes and Markdown markup.
_SKIP = frozenset(" \t\n\r\f\v|*#>`")
_DROP_SKIP = dict.fromkeys(map(ord, _SKIP))


@dataclass
class Source:
    """A document's text with its folded and compact views.

    ``compact`` holds the folded text without whitespace and markup; ``index[i]`` is the
    position in ``text`` of ``compact[i]``. Labels are searched in ``compact``; values and
    narrative are cut from ``text`` at the mapped positions.
    """

    text: str
    folded: str = field(init=False)
    compact: str = field(init=False)
    index: array[int] = field(init=False)  # an array: 8 bytes a character, not a list's 36
    _line_starts: array[int] = field(init=False)
    _separators: array[int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.folded = fold(self.text)
        self.index = array("q", (i for i, ch in enumerate(self.folded) if ch not in _SKIP))
        self.compact = self.folded.translate(_DROP_SKIP)
        self._line_starts = array("q", [0])
        self._line_starts.extend(m.end() for m in re.finditer("\n", self.text))

    def pos(self, c: int) -> int:
        """Text position of compact position ``c`` (the end of the text past the last)."""
        return self.index[c] if c < len(self.index) else len(self.text)

    def end_pos(self, c_end: int) -> int:
        """Text position just after the compact span ending at ``c_end``."""
        return self.index[c_end - 1] + 1 if c_end > 0 else 0

    def line_of(self, pos: int) -> int:
        """1-based line number of a text position (for messages)."""
        return bisect.bisect_right(self._line_starts, pos)

    def column_of(self, pos: int) -> int:
        """Index of the tab- or pipe-separated field that holds ``pos`` on its line.

        Counted with two bisections in the positions of all separators, so that asking for
        every field of a long line costs a logarithm each, not the line's length each."""
        if self._separators is None:
            self._separators = array("q", (m.start() for m in re.finditer("[\t|]", self.text)))
        start = self._line_starts[self.line_of(pos) - 1]
        return bisect.bisect_left(self._separators, pos) - bisect.bisect_left(
            self._separators, start
        )


# --------------------------------------------------------------------------- label patterns


def split_numbering(label: str) -> tuple[str, str]:
    """``（三）不予公开`` → (``（三）``, ``不予公开``), using the layout's own numbering rule."""
    body = L.strip_numbering(label)
    return label[: len(label) - len(body)], body


def numbering_regex(token: str) -> str:
    """Every way reports write one official numbering: ``（三）`` (三) 三、 三. / 1. 1、 (1) 1)."""
    f = fold(token)
    m = re.fullmatch(r"\((\S+)\)|(\S+?)[、.]", f)
    if not m:
        return re.escape(f)
    numeral = m.group(1) or m.group(2)
    forms = [re.escape(numeral)]
    if numeral in NUMERALS:  # （一） is also written 1. or 1、
        forms.append(str(NUMERALS.index(numeral) + 1))
    n = "|".join(forms)
    return rf"(?:\((?:{n})\)|(?:{n})[、.,]|(?:{n})\))"


def body_regex(body: str) -> str:
    """A label body with optional quotes, brackets and enumeration commas."""
    out = []
    for ch in fold(body):
        if ch in "\"'":
            out.append("[\"']?")
        elif ch in "、,":
            out.append("[、,;]?")
        elif ch in "()":
            out.append(re.escape(ch) + "?")
        else:
            out.append(re.escape(ch))
    return "".join(out)


_CJK = r"[\u3400-\u9fff]"
_GUARD = f"(?!{_CJK})"  # a short label must not run on into more Chinese


def label_patterns(label: str, *aliases: str) -> tuple[re.Pattern[str], ...]:
    """Patterns for one label, most specific first: with its numbering, then the bare body
    (and the body without a parenthetical note), then any alias bodies.

    A bare body of one or two characters (其他, 总计, 规章) must not run on into more
    Chinese text, so that ``其他`` does not match inside ``其他处理``.
    """
    numbering, body = split_numbering(label)
    bodies = [body]
    short = re.sub(r"（[^）]*）$", "", body)
    if short != body:
        bodies.append(short)
    bodies.extend(aliases)
    patterns = []
    if numbering:
        patterns.append(numbering_regex(numbering) + body_regex(body))
    for b in bodies:
        guard = _GUARD if len(b) <= 2 else ""
        patterns.append(body_regex(b) + guard)
    return tuple(re.compile(p) for p in dict.fromkeys(patterns))


def fuzzy_find(needle: str, hay: str, start: int, end: int, max_errors: int) -> tuple[int, int]:
    """The first span of ``hay[start:end]`` within ``max_errors`` edits of ``needle``.

    Sellers' approximate matching (edit distance, free start): slow in Python, so callers
    use it only after the exact patterns failed, for OCR slips in long labels.
    Returns (-1, -1) when nothing is close enough.
    """
    m = len(needle)
    if m == 0 or max_errors <= 0:
        return -1, -1
    prev = list(range(m + 1))
    prev_start = [start] * (m + 1)
    best: tuple[int, int, int] | None = None  # (errors, start, end)
    for j in range(start, end):
        ch = hay[j]
        cur = [0] * (m + 1)
        cur_start = [j + 1] + [0] * m
        for i in range(1, m + 1):
            cost = 0 if needle[i - 1] == ch else 1
            value, origin = prev[i - 1] + cost, prev_start[i - 1]
            if prev[i] + 1 < value:
                value, origin = prev[i] + 1, prev_start[i]
            if cur[i - 1] + 1 < value:
                value, origin = cur[i - 1] + 1, cur_start[i - 1]
            cur[i], cur_start[i] = value, origin
        prev, prev_start = cur, cur_start
        if cur[m] <= max_errors:
            span = abs(j + 1 - cur_start[m] - m)
            if best is None or (cur[m], span) < (best[0], abs(best[2] - best[1] - m)):
                best = (cur[m], cur_start[m], j + 1)
        if best is not None and (j + 1 - best[2] >= max_errors or best[0] == 0):
            break  # ends further on only add errors
    return (best[1], best[2]) if best else (-1, -1)


def allowed_errors(text: str) -> int:
    """OCR slips tolerated in a label of this length: none below 5 characters."""
    n = len(text)
    return 0 if n < 5 else 1 if n < 10 else 2 if n < 20 else 3


def _search(src: Source, pattern: re.Pattern[str], start: int, end: int) -> tuple[int, int] | None:
    """The first match of ``pattern`` in [start, end) of the compact text.

    A short label's guard (no Chinese right after it) is judged on the text as laid out: a
    label that ends its line or cell (``规章`` on a loose line, followed by the next label's
    line) is whole, even though the compact view runs the next line on into it."""
    if not pattern.pattern.endswith(_GUARD):
        m = pattern.search(src.compact, start, end)
        return (m.start(), m.end()) if m else None
    bare = _unguarded(pattern.pattern)
    for m in bare.finditer(src.compact, start, end):
        after = m.end()
        if after >= len(src.compact) or not re.match(_CJK, src.compact[after]):
            return m.start(), m.end()
        if re.search(r"[\n\t|]", src.text[src.end_pos(after) : src.pos(after)]):
            return m.start(), m.end()
    return None


@functools.lru_cache(maxsize=256)
def _unguarded(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern[: -len(_GUARD)])


def find_label(
    src: Source,
    patterns: tuple[re.Pattern[str], ...],
    start: int,
    end: int,
    fuzzy: str = "",
    numbering: str = "",
) -> tuple[int, int] | None:
    """The first compact span in [start, end) matched by the most specific pattern that
    matches at all, else a fuzzy match of ``fuzzy`` (with the ``numbering`` before it, so
    that ``7.`` is not left behind as a value); None when the label is not there."""
    for pattern in patterns:
        m = _search(src, pattern, start, end)
        if m:
            return m
    if fuzzy:
        target = fold(fuzzy)
        limit = min(end, start + 4000)
        s, e = fuzzy_find(target, src.compact, start, limit, allowed_errors(target))
        if s < 0:
            return None
        while e > s and src.compact[e - 1].isdigit():  # never swallow a value
            e -= 1
        while s < e and src.compact[s].isdigit():
            s += 1
        if numbering:
            before = re.compile(f"(?:{numbering_regex(numbering)})$").search(
                src.compact, max(start, s - 4), s
            )
            s = before.start() if before else s
        if e > s:
            return s, e
    return None
