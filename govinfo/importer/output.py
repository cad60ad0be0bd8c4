"""Writing an import: the parameter file (YAML or JSON) with nulls where nothing was read.

The YAML starts with comment lines that repeat what could not be read, so that whoever
opens the file sees the gaps before filling them in; ``govinfo validate`` then reports the
nulls as CELL-BLANK and the arithmetic as usual.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

from ..params import _Dumper

if TYPE_CHECKING:
    from . import ImportResult


class _ImportDumper(_Dumper):
    """The parameter-file style, with rows that hold nulls still written on one line."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(v is None or isinstance(v, int | Decimal | str) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_ImportDumper.add_representer(list, _represent_list)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(type(value).__name__)


def dumps(result: ImportResult, form: str = "yaml") -> str:
    """The imported parameter file as text (``yaml`` or ``json``)."""
    if form == "json":
        return (
            json.dumps(result.mapping, ensure_ascii=False, indent=2, default=_json_default) + "\n"
        )
    header = [
        f"# Imported by `govinfo import` from {result.source or 'text'} "
        f"({result.form}, {result.encoding}).",
        f"# {result.read + result.blanks} of {result.expected} table cells read; "
        "null = not read, or a published blank.",
    ]
    for problem in result.problems:
        if problem.rule in ("IMPORT-UNREAD", "IMPORT-AMBIGUOUS", "OLD-FORMAT", "IMPORT-META"):
            header.append(f"# {problem.rule} {problem.where}: {problem.zh}")
    body = yaml.dump(
        result.mapping, Dumper=_ImportDumper, allow_unicode=True, sort_keys=False, width=100
    )
    return "\n".join(header) + "\n" + body
