"""The numbers Word draws before numbered paragraphs (一、 （一） 1. ①), as text.

Many agencies number the report's headings and items with Word's automatic numbering, so
``一、总体情况`` is stored as ``总体情况`` with a numbering reference; without the number the
section headings and row labels would not be found. The number is rebuilt from the
numbering part (``w:num`` → ``w:abstractNum`` → the level's start, format and text) and
counted in document order, from the paragraph's own ``w:numPr`` or its style's.
"""

from __future__ import annotations

from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
Element = Any

_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else chinese(rest))
        if 10 <= rest < 20:
            tail = "一" + chinese(rest)
        return _DIGITS[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def number_text(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "ideographDigital", "japaneseCounting", "taiwaneseCounting"):  # fmt: skip
        return chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    return str(n)  # decimal, and any format not known here


def _int(el: Element | None, default: int) -> int:
    try:
        return int(el.get(w("val"))) if el is not None else default
    except (TypeError, ValueError):
        return default


class Numbering:
    """The numbering of one document, counted as its paragraphs are read in order."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstract → levels
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # num → (abstract, overrides)
        self.styles: dict[str, tuple[Element | None, str | None]] = {}  # numPr, basedOn
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            self._read(root)
        try:
            styles = document.styles.element
        except (KeyError, NotImplementedError, AttributeError):
            styles = None
        for style in styles.iter(w("style")) if styles is not None else ():
            ppr = style.find(w("pPr"))
            based = style.find(w("basedOn"))
            self.styles[style.get(w("styleId"), "")] = (
                ppr.find(w("numPr")) if ppr is not None else None,
                based.get(w("val")) if based is not None else None,
            )

    def _read(self, root: Element) -> None:
        for abstract in root.iter(w("abstractNum")):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in abstract.iter(w("lvl")):
                fmt = lvl.find(w("numFmt"))
                text = lvl.find(w("lvlText"))
                levels[int(lvl.get(w("ilvl"), "0"))] = (
                    _int(lvl.find(w("start")), 1),
                    fmt.get(w("val"), "decimal") if fmt is not None else "decimal",
                    text.get(w("val"), "") if text is not None else "",
                )
            self.levels[abstract.get(w("abstractNumId"), "")] = levels
        for num in root.iter(w("num")):
            ref = num.find(w("abstractNumId"))
            overrides = {
                int(o.get(w("ilvl"), "0")): _int(o.find(w("startOverride")), 1)
                for o in num.iter(w("lvlOverride"))
                if o.find(w("startOverride")) is not None
            }
            if ref is not None:
                self.nums[num.get(w("numId"), "")] = (ref.get(w("val"), ""), overrides)

    def _num_pr(self, p: Element) -> Element | None:
        ppr = p.find(w("pPr"))
        if ppr is not None and ppr.find(w("numPr")) is not None:
            return ppr.find(w("numPr"))
        style = ppr.find(w("pStyle")) if ppr is not None else None
        name = style.get(w("val")) if style is not None else None
        for _ in range(10):  # basedOn chains are short; a loop in a broken file is cut
            if name is None or name not in self.styles:
                return None
            num_pr, name_next = self.styles[name]
            if num_pr is not None:
                return num_pr
            name = name_next
        return None

    def label(self, p: Element) -> str:
        """The number Word draws before paragraph ``p`` ("" for none or a bullet)."""
        num_pr = self._num_pr(p)
        if num_pr is None or not self.levels:
            return ""
        num_id = num_pr.find(w("numId"))
        num = num_id.get(w("val"), "0") if num_id is not None else "0"
        if num not in self.nums:
            return ""
        abstract, overrides = self.nums[num]
        levels = self.levels.get(abstract, {})
        ilvl = _int(num_pr.find(w("ilvl")), 0)
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract, {})
        if num not in self.started:  # a list restarted by its own num's override
            self.started.add(num)
            for lvl, start in overrides.items():
                counters[lvl] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl][0] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        start, fmt, text = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        for k in range(ilvl, -1, -1):
            if k in levels:
                value = counters.get(k, levels[k][0])
                text = text.replace(f"%{k + 1}", number_text(value, levels[k][1]))
        return text
