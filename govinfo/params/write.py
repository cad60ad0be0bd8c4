"""Parameter files written back: a report as a plain mapping in the official order
(:func:`to_mapping`), as readable YAML or JSON text, and saved atomically (:func:`save`).

A cell's mark is written as it was read (``null``, ``/``, ``unread``), so that a save never
turns a hole into a zero. The editor's saves, which keep comments and unknown keys, go
through :mod:`govinfo.params.roundtrip` instead.

A new file (``govinfo new``, the editor's 新建) is written with ``labels=True``: each key
carries its Chinese label as a comment (:func:`key_labels`, from :mod:`govinfo.layout`), so
that someone editing the file by hand sees ``withheld_three_safety_one_stability`` explained
as 危及“三安全一稳定”. Comments change nothing that is read, and the editor's round trip keeps
them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
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

# The top-level fields of a file that are no table: their Chinese names (the editor's labels).
FIELD_LABELS: dict[str, str] = {
    "agency": "机关名称",
    "agency_id": "文件标识",
    "region": "所在地区",
    "kind": "机关类别",
    "scope": "报告范围",
    "year": "报告年度",
    "published": "发布日期",
}

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
        "region_code": report.region_code or None,
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


def dumps_yaml(report: Report, *, labels: bool = False) -> str:
    """The report as YAML; with ``labels``, each key followed by its Chinese label."""
    text = dumps_mapping(to_mapping(report), "yaml")
    return label_comments(text) if labels else text


# --------------------------------------------------------------------------- labels

KeyPath = tuple[str, ...]
LABEL_AT_END_WIDTH = 100  # columns: a longer line gets its label on the line above


def _choices(label: str, choices: Mapping[str, str]) -> str:
    return f"{label}：" + "，".join(f"{key} {text}" for key, text in choices.items())


def key_labels() -> dict[KeyPath, str]:
    """The Chinese label of every key a parameter file can hold, by its path in the file.

    A row of numbers is labelled with its row; the order of its numbers is named once, on
    the key that holds the rows (``columns`` of 三, the key of 四).
    """
    sections = L.SECTION_BY_KEY
    labels: dict[KeyPath, str] = {("schema",): "文件格式版本（不要修改）"}
    labels.update({(key,): label for key, label in FIELD_LABELS.items()})
    labels[("agency_id",)] += "（网页文件名：小写字母、数字和连字符）"
    labels[("kind",)] = _choices(FIELD_LABELS["kind"], L.KINDS)
    labels[("scope",)] = _choices(FIELD_LABELS["scope"], L.SCOPES)
    labels[("published",)] += "（如 2022-01-20）"
    labels[("region_code",)] = "行政区划代码（选填，6 位，GB/T 2260，如 320813：汇总按它逐级归属）"
    labels[("previous",)] = "上年度的参数文件（用于与上年度数据对比）"
    labels[(L.CONTACT,)] = "联系方式（选填）"
    labels.update({(L.CONTACT, key): label for key, label in L.CONTACT_FIELDS})
    labels[(L.NARRATIVE,)] = "正文（可用 Markdown 格式）"
    labels[(L.NARRATIVE, "overview")] = sections["overview"].heading
    labels[(L.NARRATIVE, "overview", "intro")] = "导语（小标题前的文字）"
    labels.update({(L.NARRATIVE, "overview", key): text for key, text in L.OVERVIEW_PARTS})
    for key in ("problems", "other"):
        labels[(L.NARRATIVE, key)] = sections[key].heading
    labels[(L.PROCESSING_FEES_KEY,)] = f"信息处理费（写入{sections['other'].heading}）"
    labels.update({(L.PROCESSING_FEES_KEY, key): text for key, text in L.PROCESSING_FEES})
    labels[(L.ACTIVE,)] = sections[L.ACTIVE].heading
    for group in L.ACTIVE_GROUPS:
        measures = "、".join(label for _, label in group.measures)
        for item in group.items:
            labels[(L.ACTIVE, item.key)] = f"{item.label}：{measures}"
    labels[(L.APPLICATIONS,)] = sections[L.APPLICATIONS].heading
    columns = "、".join(column.label for column in L.APPLICATION_COLUMNS)
    labels[(L.APPLICATIONS, "columns")] = f"每行 {len(L.APPLICATION_COLUMNS)} 个数：{columns}"
    labels[(L.APPLICATIONS, "rows")] = "各行，顺序同官方表格"
    labels.update({(L.APPLICATIONS, "rows", r.key): " ".join(r.path) for r in L.APPLICATION_ROWS})
    outcomes = "、".join(outcome.label for outcome in L.REVIEW_OUTCOMES)
    labels[(L.REVIEW_LITIGATION,)] = (
        f"{sections[L.REVIEW_LITIGATION].heading}（每行 {len(L.REVIEW_OUTCOMES)} 个数：{outcomes}）"
    )
    labels.update({(L.REVIEW_LITIGATION, g.key): g.full_label for g in L.CASE_GROUPS})
    return labels


def label_comments(text: str) -> str:
    """YAML ``text`` with each known key followed by its label as a comment.

    The comment goes at the end of the key's line when the value ends there or opens a
    block (``rows:``, ``problems: |-``). It goes on a line of its own just above the key
    when the value spans lines (a long quoted text the dumper wrapped), when the line is
    already long, or when a key of the official order is missing right after this one:
    the editor inserts such a key there, and a comment at the end of the line would move
    to it (``published: 2023-01-20  # 报告年度``). Either way the YAML reads as before."""
    labels = key_labels()
    lines = text.split("\n")
    above: dict[int, str] = {}

    def walk(node: yaml.Node, prefix: KeyPath) -> None:
        if not isinstance(node, yaml.MappingNode) or node.flow_style:
            return
        keys = [str(key.value) for key, _ in node.value]
        for index, (key, value) in enumerate(node.value):
            path = (*prefix, keys[index])
            label = labels.get(path)
            line = key.start_mark.line
            if label:
                opens_block = (isinstance(value, yaml.CollectionNode) and not value.flow_style) or (
                    isinstance(value, yaml.ScalarNode) and value.style in ("|", ">")
                )
                at_end = (
                    (opens_block or value.end_mark.line == line)
                    and _width(lines[line]) <= LABEL_AT_END_WIDTH
                    and not _missing_after(prefix, keys[index], keys[index + 1 :])
                )
                if at_end:
                    lines[line] += f"  # {label}"
                else:
                    above[line] = " " * key.start_mark.column + f"# {label}"
            walk(value, path)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    for line in sorted(above, reverse=True):
        lines.insert(line, above[line])
    return "\n".join(lines)


def _width(line: str) -> int:
    """Columns on screen: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# Where a key left out of a file is inserted when the editor fills it in (as roundtrip does).
_OPTIONAL_AFTER: dict[KeyPath, tuple[str, ...]] = {
    (): L.TOP_LEVEL_KEYS,
    (L.NARRATIVE,): L.NARRATIVE_KEYS,
    (L.NARRATIVE, "overview"): L.OVERVIEW_KEYS,
    (L.CONTACT,): L.CONTACT_KEYS,
    (L.PROCESSING_FEES_KEY,): L.PROCESSING_FEE_KEYS,
}


def _missing_after(prefix: KeyPath, key: str, following: list[str]) -> bool:
    """Whether a key of the official order that the file leaves out comes right after
    ``key`` (before the next key present), so that the editor would insert it there."""
    order = _OPTIONAL_AFTER.get(prefix, ())
    if key not in order:
        return False
    later = order[order.index(key) + 1 :]
    present = next((k for k in following if k in order), None)
    between = later[: later.index(present)] if present in later else later
    return any(k not in following for k in between)


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


def save(report: Report, path: str | Path, *, labels: bool = False) -> Path:
    """Write ``report`` atomically, as JSON when the suffix is .json, else as YAML (with
    ``labels``, each key's Chinese label as a comment; JSON has no comments)."""
    path = Path(path)
    is_json = path.suffix.lower() == ".json"
    text = dumps_json(report) if is_json else dumps_yaml(report, labels=labels)
    atomic_write(path, text)
    return path
