"""Writing an import: the parameter file (YAML or JSON), ``unread`` where nothing was read.

The YAML starts with comment lines that repeat what could not be read, so that whoever
opens the file sees the gaps before filling them in; ``govinfo validate`` then reports each
``unread`` cell as an UNREAD error (never a blank, never a zero), published blanks (written
``-``) as CELL-BLANK, and the arithmetic as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..params import dumps_mapping

if TYPE_CHECKING:
    from . import ImportResult


# what the comment lines at the top repeat: cells not read, and cells decided by another year
# (continuity) or filled with 0 from a single （六） row of zeros
HEADER_RULES = (
    "IMPORT-UNREAD",
    "IMPORT-AMBIGUOUS",
    "OLD-FORMAT",
    "IMPORT-META",
    "IMPORT-CONTINUITY",
    "IMPORT-OTHER-ROW",
)


def dumps(result: ImportResult, form: str = "yaml") -> str:
    """The imported parameter file as text (``yaml`` or ``json``)."""
    if form == "json":
        return dumps_mapping(result.mapping, "json")
    header = [
        f"# Imported by `govinfo import` from {result.source or 'text'} "
        f"({result.form}, {result.encoding}).",
        f"# {result.read + result.blanks} of {result.expected} table cells read; "
        "unread = not read (fill it in from the original); - = a published blank.",
    ]
    for problem in result.problems:
        if problem.rule in HEADER_RULES:
            header.append(f"# {problem.rule} {problem.where}: {problem.zh}")
    return "\n".join(header) + "\n" + dumps_mapping(result.mapping, "yaml")
