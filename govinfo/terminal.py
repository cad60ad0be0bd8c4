"""Text from files made safe to print on a terminal.

An agency name, a file name or a value quoted in a message comes from a file someone else
wrote. Printed raw, ``\\x1b[2J`` clears the user's screen, ``\\x1b]0;…\\x07`` retitles the
window, and a bidi override (U+202E) makes a line read differently from what it holds. The
CLI passes such text through :func:`safe` where it prints it, never deeper: the manifest,
the parameter files and the pages keep the real text (pages are HTML-escaped anyway).

What is escaped: C0 and C1 controls (category Cc), format characters (Cf: the bidi
embeddings, overrides, isolates and marks, zero-width space/joiners, word joiner, BOM …),
lone surrogates (Cs, from undecodable file names) and the line/paragraph separators (Zl,
Zp). Everything else, CJK and full-width punctuation included, is left as it is.
"""

from __future__ import annotations

import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Bidi controls: they reorder the text around them (the Cf subset that matters in prose).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def is_unsafe(char: str) -> bool:
    """True for a character a terminal would act on or not show (see the module doc)."""
    return unicodedata.category(char) in UNSAFE_CATEGORIES


def escape(char: str) -> str:
    """``\\x1b``, ``\\u202e`` or ``\\U000e0001``: how Python writes the character."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def code_point(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character named for a finding's message."""
    name = unicodedata.name(char, "") or ("CONTROL" if unicodedata.category(char) == "Cc" else "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def safe(text: object, *, lines: bool = False) -> str:
    """``text`` with every unsafe character escaped, for printing. ``lines``: keep ``\\n``
    (a message of several lines); otherwise it is escaped too, so one line stays one line."""
    text = str(text)
    if text.isprintable():  # the usual case: nothing to look at character by character
        return text
    return "".join(escape(c) if is_unsafe(c) and not (lines and c == "\n") else c for c in text)


def safe_json(text: str) -> str:
    """JSON text with unsafe characters written as ``\\uXXXX`` escapes (surrogate pairs
    above U+FFFF): the same JSON value, safe on a terminal. ``json.dumps`` escapes only C0
    controls when ``ensure_ascii`` is off. Unsafe characters can only occur inside strings,
    so escaping them never touches the JSON structure."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c == "\n" or not is_unsafe(c):  # json.dumps' own indentation newlines stay
            out.append(c)
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            high, low = divmod(ord(c) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
    return "".join(out)
