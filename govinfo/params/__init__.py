"""Parameter files ↔ the model: bounded reading (:mod:`.read`), parsing into a
:class:`~govinfo.model.Report` with findings (:mod:`.parse`), writing back (:mod:`.write`),
the editor's comment-keeping round trip (:mod:`.roundtrip`), whole folders (:mod:`.collect`)
and new files (:mod:`.new`).

This package sits on the ground floor (layout, findings, model, rules, files) and imports
nothing above it. Its public functions are re-exported here: ``govinfo.params.load`` etc.
"""

from __future__ import annotations

from .parse import attach_previous, load, parse
from .read import (
    BLANK_MARKS,
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
    SUFFIXES,
    read_mapping,
)
from .write import dumps_json, dumps_mapping, dumps_yaml, save, to_mapping

__all__ = [
    "BLANK_MARKS",
    "MAX_DECIMAL_PLACES",
    "MAX_INTEGER_DIGITS",
    "SUFFIXES",
    "attach_previous",
    "dumps_json",
    "dumps_mapping",
    "dumps_yaml",
    "load",
    "parse",
    "read_mapping",
    "save",
    "to_mapping",
]
