"""Parameter files written back: a report as a plain mapping in the official order
(:func:`to_mapping`), as readable YAML or JSON text, and saved atomically (:func:`save`).

A cell's mark is written as it was read (``null``, ``/``, ``unread``), so that a save never
turns a hole into a zero. The editor's saves, which keep comments and unknown keys, go
through :mod:`govinfo.params.roundtrip` instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .. import layout as L
from ..files import atomic_write
from ..model import (
    UNREAD_MARKER,
    Cell,
    Number,
    Report,
)

# --------------------------------------------------------------------------- writing


def written(report: Report, cell: Cell, value: Number) -> Number | str | None:
    """A cell as the file writes it: its number, or its mark as it was written (``null``
    for missing, the blank's own text such as ``/``, ``unread``), so that a save never
    turns a hole into a zero."""
    mark = report.marks.get(cell)
    if mark is None:
        return value
    if mark.state in ("blank", "invalid"):
        return mark.text
    return UNREAD_MARKER if mark.state == "unread" else None


def to_mapping(report: Report) -> dict[str, Any]:
    """The report as a plain mapping with the keys of model.md, in the official order."""
    o = report.narrative.overview
    contact = report.contact
    data: dict[str, Any] = {
        "schema": report.schema,
        "agency": report.agency,
        "agency_id": report.agency_id,
        "region": report.region or None,
        "kind": report.kind,
        "scope": report.scope,
        "year": report.year,
        "published": report.published,
        "contact": None
        if contact is None
        else {key: getattr(contact, key) for key in L.CONTACT_KEYS if getattr(contact, key)},
        "narrative": {
            "overview": {key: getattr(o, key) for key in L.OVERVIEW_KEYS if getattr(o, key)},
            "problems": report.narrative.problems,
            "other": report.narrative.other,
        },
        "processing_fees": None,
        "active": {},
        L.APPLICATIONS: {
            "columns": list(L.APPLICATION_COLUMN_KEYS),
            "rows": {
                key: [
                    written(report, (L.APPLICATIONS, key, column), value)
                    for column, value in zip(L.APPLICATION_COLUMN_KEYS, values, strict=True)
                ]
                for key, values in report.applications.rows.items()
            },
        },
        L.REVIEW_LITIGATION: {
            key: [
                written(report, (L.REVIEW_LITIGATION, key, column), value)
                for column, value in zip(L.REVIEW_OUTCOME_KEYS, values, strict=True)
            ]
            for key, values in report.review_litigation.groups.items()
        },
        "previous": report.previous_path,
    }
    if report.processing_fees is not None:
        fees = report.processing_fees
        data["processing_fees"] = {
            key: written(report, ("processing_fees", key, None), getattr(fees, key))
            for key in L.PROCESSING_FEE_KEYS
        }
    for (item, measure), value in report.active.cells.items():
        cell = written(report, ("active", item, measure), value)
        if measure is None:
            data["active"][item] = cell
        else:
            data["active"].setdefault(item, _FlowMapping())[measure] = cell
    return {key: value for key, value in data.items() if value is not None}


class _FlowMapping(dict[str, Any]):
    """A small mapping written on one line: ``rules: {issued: 0, repealed: 0, in_force: 0}``."""


class _Dumper(yaml.SafeDumper):
    """Readable YAML: rows of numbers on one line, long text as literal blocks."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    # A row stays on one line even with nulls in it (cells an import could not read).
    flow = all(v is None or isinstance(v, int | Decimal | str) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Ask for a literal block but never alter the text to get one: PyYAML picks the chomping
    # indicator itself and falls back to a quoted scalar when a block cannot hold the text
    # exactly (trailing spaces, which are a line break in Markdown), so saving round-trips.
    style = "|" if "\n" in data else None
    if re.fullmatch(r"[-+]?[0-9][0-9_:.eE+-]*", data):
        style = "'"  # a postcode "048012": YAML 1.2 readers would take it for a number
    if any(char in data for char in "\x85\u2028\u2029"):  # YAML 1.1 line breaks, e.g. pasted
        style = '"'  # from a web page: only a double-quoted scalar escapes them (\N \L \P)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_decimal(dumper: yaml.SafeDumper, data: Decimal) -> yaml.Node:
    if data == data.to_integral_value():
        return dumper.represent_int(int(data))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(data, "f"))


def _represent_flow_mapping(dumper: yaml.SafeDumper, data: _FlowMapping) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(_FlowMapping, _represent_flow_mapping)


def dumps_mapping(data: Mapping[str, Any], form: str = "yaml") -> str:
    """A parameter-file mapping as text in the house style (``yaml`` or ``json``): rows on
    one line, long text as blocks, decimals digit for digit. Used by saving and by import."""
    if form == "json":
        return _json_text(data) + "\n"
    return yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def dumps_yaml(report: Report) -> str:
    return dumps_mapping(to_mapping(report), "yaml")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(type(value).__name__)


def _json_text(value: Any, level: int = 0) -> str:
    """``json.dumps(indent=2)`` layout, but a Decimal is written digit for digit.

    The json module can only write a Decimal through float, which rounds amounts beyond
    about 15 significant digits; ``fees_10k_yuan`` must survive a JSON round trip exactly.
    """
    inner, outer = "  " * (level + 1), "  " * level
    if isinstance(value, Mapping) and value:
        items = (
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_json_text(v, level + 1)}"
            for k, v in value.items()
        )
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    if isinstance(value, list) and value:
        items = (f"{inner}{_json_text(v, level + 1)}" for v in value)
        return "[\n" + ",\n".join(items) + f"\n{outer}]"
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def dumps_json(report: Report) -> str:
    return dumps_mapping(to_mapping(report), "json")


def save(report: Report, path: str | Path) -> Path:
    """Write ``report`` atomically, as JSON when the suffix is .json, else as YAML."""
    path = Path(path)
    text = dumps_json(report) if path.suffix.lower() == ".json" else dumps_yaml(report)
    atomic_write(path, text)
    return path
