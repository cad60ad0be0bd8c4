"""Administrative division codes (行政区划代码, GB/T 2260): what a ``region_code`` may be, and
the regions above it.

A code has six digits: two for the province, two for the city (prefecture) within it, two for
the county within that city: 320813 洪泽区 lies in 320800 淮安市, which lies in 320000 江苏省.
So parents follow from the code alone, with no table of names to ship and keep current: the
free ``region`` text of a parameter file stays what pages show, the code is what sums follow.
Codes of county-level units administered by the province directly (429004 仙桃市) have a
grouping code as city part (429000): the rule above gives 429004 → 429000 → 420000, and the
grouping is a level of its own like any city.

Townships have no six-digit code (their nine- and twelve-digit statistical codes extend their
county's): a township government's report carries its county's ``region_code`` and counts as one
of the county's units.
"""

from __future__ import annotations

import re

# The province-level prefixes of GB/T 2260 (11 北京 … 65 新疆, 71 台湾, 81 香港, 82 澳门).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
LEVELS = ("province", "city", "county")
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}
EXAMPLE = "320813"  # 洪泽区, under 320800 淮安市, under 320000 江苏省

_SHAPE = re.compile(r"[0-9]{6}")


def problem(code: str) -> str | None:
    """Why ``code`` is not a division code (Chinese and English, ``zh / en``), or None."""
    if not _SHAPE.fullmatch(code):
        return "应为 6 位数字 / must be 6 digits"
    if int(code[:2]) not in PROVINCES:
        return f"前两位 {code[:2]} 不是省级代码 / {code[:2]} is no province prefix"
    if code[2:4] == "00" and code[4:] != "00":
        return "县级代码的第 3–4 位不能为 00 / a county code needs a city part (digits 3–4)"
    return None


def level(code: str) -> str:
    """``province`` (320000), ``city`` (320800) or ``county`` (320813)."""
    if code[2:] == "0000":
        return "province"
    return "city" if code[4:] == "00" else "county"


def parent(code: str) -> str | None:
    """The code one level up (320813 → 320800 → 320000 → None)."""
    kind = level(code)
    if kind == "province":
        return None
    return code[:2] + "0000" if kind == "city" else code[:4] + "00"


def lineage(code: str) -> list[str]:
    """The code and every code above it, from the province down (320000, 320800, 320813)."""
    chain = [code]
    while (up := parent(chain[0])) is not None:
        chain.insert(0, up)
    return chain
