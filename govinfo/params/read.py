"""Parameter files, first step: untrusted YAML or JSON read into a plain mapping, bounded.

Hostile or broken input fails fast and clearly, never hangs or exhausts memory: the file's
size is capped before parsing, nesting and alias expansion are weighed while parsing,
duplicate keys and YAML's odd number forms (octal, hex, 1e999999999) are refused or kept as
text for the parser to report. Everything that stops reading raises
:class:`~govinfo.findings.ParameterError` naming the file and the field.
"""

from __future__ import annotations

import json
import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ..findings import ParameterError

BLANK_MARKS = {"", "/", "-", "—", "－", "–", "——", "／"}
FEE_LIMIT_10K_YUAN = Decimal(100_000_000)  # 1 万亿元: beyond it the unit must be 元, not 万元
SUFFIXES = {".yaml", ".yml", ".json"}
# Hostile or broken input must fail fast and clearly, not hang or exhaust memory.
MAX_FILE_BYTES = 2 * 1024 * 1024  # a real report is a few KB; refused before parsing
MAX_WEIGHT = 2 * MAX_FILE_BYTES  # values + characters once YAML aliases are expanded
MAX_DEPTH = 32  # nesting; a parameter file needs 4
# Every count and amount must be below 10^15 (exact as a double, as JSON readers, charts and
# spreadsheets hold numbers) with at most 20 decimal places: beyond, digits would be lost or a
# number like 1e999999999 would take the machine down when written out in full.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL_PLACES = 20

# --------------------------------------------------------------------------- reading text


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps decimals exact and refuses duplicate keys."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # base: libyaml's if built
    """The same on libyaml's parser when installed: about 4× faster over a folder of reports.

    Its error messages are terser (a tab is just "a character"), so a file it rejects is
    read again by :class:`_Loader` for PyYAML's messages.
    """


class OddNumber(str):
    """A number literal that YAML 1.1 reads as something other than what it shows:
    ``010727`` (octal, 4567), ``1:30`` (base 60, 90), ``0b101``, ``0x1F``, ``1_000``, and
    digit strings with leading zeros like ``089``. Kept as its text, so that a count
    becomes a NUMBER-FORMAT error naming its field, and a text field (a postcode) keeps
    exactly what was written. papermill's loader would read these differently from a
    person; refusing them means no reader ever disagrees about a number."""


PLAIN_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)")
# What an OddNumber looks like once written back as (quoted) text: read again, it is the
# same NUMBER-FORMAT error, not "expected a number".
ODD_LITERAL = re.compile(
    r"[-+]?(0[0-9_]+(\.[0-9_]*)?|0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+"
    r"|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9]+(_[0-9]+)+(\.[0-9_]*)?)"
)
PLAIN_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | float | str:
    text = loader.construct_scalar(node)
    if PLAIN_DECIMAL.fullmatch(text) or re.fullmatch(r"[-+]?\.[0-9]+", text):
        return Decimal(text)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF|nan|NaN|NAN)", text):
        return float(loader.construct_yaml_float(node))  # .nan / .inf: rejected later
    return OddNumber(text)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | Decimal | str:
    """A YAML integer written as a plain decimal; anything else (octal, base 60, binary,
    hex, underscores) stays an :class:`OddNumber`. One with more digits than any count can
    have stays a Decimal, so the range check names its field (``int()`` stops at 4300)."""
    text = loader.construct_scalar(node)
    if not PLAIN_INTEGER.fullmatch(text):
        return OddNumber(text)
    if len(text.lstrip("+-")) >= 19:
        return Decimal(text)
    return int(text)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A YAML date; one that does not exist (2022-13-45) stays text for rule DATE."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


def _json_int(text: str) -> int | Decimal:
    return Decimal(text) if len(text.lstrip("-")) > 18 else int(text)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number allowed in a report")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects refuse duplicate keys, as YAML mappings do (the last would win silently)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r}")
        data[key] = value
    return data


def _read_bytes(name: str) -> bytes:
    """The file's bytes: a regular file of at most MAX_FILE_BYTES (a FIFO or a device such
    as /dev/zero, named directly or as ``previous``, would block or never end)."""
    try:
        info = os.stat(name)
        if not stat.S_ISREG(info.st_mode):
            raise ParameterError(name, None, "不是普通文件 / not a regular file")
        with open(name, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ParameterError(name, None, "文件不存在 / file not found") from None
    except OSError as exc:
        raise ParameterError(name, None, f"无法读取 / cannot read: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(info.st_size, len(raw)) / 1024 / 1024
        limit = MAX_FILE_BYTES // 1024 // 1024
        raise ParameterError(
            name, None, f"文件过大 / file too large: {size:.1f} MB (at most {limit} MB)"
        )
    return raw


class _Inspector:
    """Walks a loaded mapping once: text must be valid Unicode (a lone surrogate from a JSON
    or YAML escape cannot be written as UTF-8), nesting shallow, and the content small once
    YAML aliases are expanded (papermill writes every value out in full: a "billion
    laughs" file of a few hundred bytes would become gigabytes)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.weight = 0
        self.seen: dict[int, int] = {}

    def fail(self, field: str, message: str) -> ParameterError:
        return ParameterError(self.name, field or None, message)

    def visit(self, value: Any, field: str, depth: int = 0) -> int:
        if isinstance(value, dict | list):
            known = self.seen.get(id(value))
            if known is not None:  # an alias: counted again, walked once
                self._add(known, field)
                return known
            if depth >= MAX_DEPTH:
                raise self.fail(_top(field), f"嵌套过深 / nested more than {MAX_DEPTH} levels")
            start = self.weight
            self._add(1, field)
            if isinstance(value, dict):
                for key, item in value.items():
                    child = f"{field}.{key}" if field else str(key)
                    self.visit(key, child, depth + 1)
                    self.visit(item, child, depth + 1)
            else:
                for i, item in enumerate(value):
                    self.visit(item, f"{field}[{i}]", depth + 1)
            self.seen[id(value)] = self.weight - start
            return self.weight - start
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise self.fail(
                        field,
                        f"文本含无效的 Unicode 字符 / invalid Unicode text: lone surrogate "
                        f"U+{ord(value[exc.start]):04X}",
                    ) from None
            self._add(len(value) + 1, field)
            return len(value) + 1
        self._add(1, field)
        return 1

    def _add(self, amount: int, field: str) -> None:
        self.weight += amount
        if self.weight > MAX_WEIGHT:
            message = "内容展开后过大（YAML 别名？）/ too large once YAML aliases are expanded"
            raise self.fail(_top(field), message)


def _top(field: str) -> str:
    return re.split(r"[.\[]", field, maxsplit=1)[0]


def _flow_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest, counted over the whole text (strings included: an
    overestimate is harmless). libyaml's composer recurses in C, so a file of a million
    ``[`` would crash the interpreter instead of raising an error."""
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def read_mapping(path: Path) -> dict[str, Any]:
    """The raw mapping of a YAML or JSON parameter file (by suffix; JSON is also YAML)."""
    name = str(path)
    raw = _read_bytes(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParameterError(
            name, None, f"不是 UTF-8 文本 / not UTF-8 text (byte {exc.start})"
        ) from None
    if not text.strip():
        raise ParameterError(name, None, "文件为空 / file is empty")
    is_json = Path(path).suffix.lower() == ".json"
    try:
        if is_json:
            data = json.loads(
                text,
                parse_float=Decimal,
                parse_int=_json_int,
                parse_constant=_reject_constant,
                object_pairs_hook=_unique_pairs,
            )
        else:
            fast = _FastLoader if _flow_depth(text) <= MAX_DEPTH else _Loader
            try:
                data = yaml.load(text, Loader=fast)
            except yaml.YAMLError:
                data = yaml.load(text, Loader=_Loader)  # raises again, with the clearer message
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParameterError(name, where, f"YAML 格式错误 / malformed YAML: {problem}") from None
    except ValueError as exc:  # json.JSONDecodeError, or a YAML value no type accepts
        form = "JSON 格式错误 / malformed JSON" if is_json else "YAML 格式错误 / malformed YAML"
        raise ParameterError(name, None, f"{form}: {exc}") from None
    except RecursionError:
        raise ParameterError(name, None, "嵌套过深 / nested too deeply") from None
    if not isinstance(data, dict):
        raise ParameterError(
            name, None, "顶层应为键值映射 / the top level must be a mapping of keys"
        )
    _Inspector(name).visit(data, "")
    return data
