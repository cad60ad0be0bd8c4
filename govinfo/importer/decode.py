"""Bytes to text: UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030/GBK, detected automatically.

Chinese portals still serve many pages in GBK (declared or not), so after the BOM and a
strict UTF-8 attempt the declared ``charset`` of an HTML page is tried, then GB18030 (a
superset of GBK and GB2312), and only then charset-normalizer's guess.

A declared charset is only a hint from the file: it is tried only when it names an
encoding that web pages use. Python also has codecs that are no text encoding for a page
(``undefined`` raises on every byte, ``rot13``, ``unicode_escape``, ``punycode``), and a
crafted ``<meta charset>`` must not reach them.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
# Encodings of the WHATWG Encoding Standard that Python has (by Python's codec name).
_WEB = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8", "gb18030", "big5", "big5hkscs", "shift_jis", "cp932", "euc_jp", "iso2022_jp",
        "euc_kr", "cp949", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "mac_roman", "cp874",
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
        "cp1258", "latin_1", "ascii",
        *(f"iso8859_{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
    )
)  # fmt: skip


class DecodeError(ValueError):
    """The bytes are not text in any encoding Chinese portals use."""


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Raises :class:`DecodeError` for binary data."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), "utf-8 (BOM)" if name == "utf-8-sig" else "utf-16"
    if b"\x00" in data[:4096]:
        raise DecodeError("binary file (NUL bytes), not a text or HTML report")
    candidates = ["utf-8", *_declared(data), "gb18030"]
    for name in candidates:
        try:
            return data.decode(name), "gbk/gb18030" if name == "gb18030" else name
        except (UnicodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset-normalizer ships with requests
        best = None
    else:
        best = from_bytes(data).best()
    if best is None:
        raise DecodeError("not text in UTF-8, GB18030/GBK or any encoding detected")
    return str(best), best.encoding


def _declared(data: bytes) -> list[str]:
    """The page's declared charset when it is a web encoding Python has, else nothing."""
    declared = _DECLARED.search(data[:4096])
    if not declared:
        return []
    name = declared.group(1).decode("ascii").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return []
    return [name] if codec.name in _WEB else []
