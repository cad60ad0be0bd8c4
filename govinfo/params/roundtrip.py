"""Saving a parameter file as a round trip: only the values that were edited change.

Why ruamel.yaml: :mod:`govinfo.params` reads with PyYAML, which turns a file into plain dicts
and lists and forgets everything else. Writing back what it read would drop every comment (a
file's provenance note), re-style every scalar and rebuild the file from the model, losing
what the model cannot hold. ruamel.yaml's round-trip mode keeps comments, key order, flow and
block style, quotes and folded text; on top of it every plain scalar is kept as the exact text
written (:class:`_AsWritten`), so ``~``, ``+5``, ``010727``, ``2022-13-45`` or a published
blank ``-`` in a flow row come back byte for byte. Only the edited values are replaced.

What :func:`save_edits` guarantees:

* Nothing is lost or invented. The text about to be written is read back with govinfo's own
  reader (:func:`govinfo.params.read_mapping`) and must equal the file as first read with
  exactly the edits applied; otherwise nothing is written (:class:`RoundTripError`).
* A file changed on disk since it was opened (the SHA-256 of its bytes) is not overwritten
  unless ``overwrite=True`` (:class:`FileChangedError`).
* The write is atomic (:func:`govinfo.files.atomic_write`) and goes to the target of a
  symbolic link, which stays a link.

JSON has no comments: a JSON file is written in the house layout
(:func:`govinfo.params.dumps_mapping`) with its unknown keys, blanks and nulls kept.

Edits are keyed by their path in the file, e.g. ``("applications", "rows", "new", 0)`` or
``("active", "licensing")``; a value of :data:`DELETE` removes the key. Containers an edit
needs are created where the official order puts them (a row left out becomes a flow row of
``null``, i.e. not filled in, around the edited cell).
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import hashlib
import io
import itertools
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from .. import layout as L
from ..files import atomic_write
from ..findings import ParameterError
from . import dumps_mapping, read_mapping

KeyPath = tuple[str | int, ...]


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()  # an edit value that removes the key
_ABSENT: Any = object()


class FileChangedError(Exception):
    """The file changed on disk since it was opened: saving would overwrite those changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: 文件在打开后已被其他程序修改，未保存 / changed on disk since it was "
            "opened: not saved (reload it, or save with overwrite=True)"
        )


class RoundTripError(ValueError):
    """Saving would change what was not edited, or the file cannot be kept as written:
    nothing was written."""


@dataclass(frozen=True)
class Opened:
    """A parameter file as opened: its exact bytes and the mapping govinfo reads from them."""

    path: Path
    raw: bytes
    data: Mapping[str, Any]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def form(self) -> str:
        return form_of(self.path)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8-sig")


def form_of(path: Path) -> str:
    """``json`` for a .json file, else ``yaml`` (as :func:`govinfo.params.read_mapping`)."""
    return "json" if Path(path).suffix.lower() == ".json" else "yaml"


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of the file's bytes now (through links), None when it is gone."""
    try:
        return hashlib.sha256(Path(os.path.realpath(path)).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def read_bytes_as(raw: bytes, like: Path) -> dict[str, Any]:
    """What :func:`govinfo.params.read_mapping` reads from ``raw`` as a file named ``like``.

    The reader works on files, so the bytes go to a private scratch copy with the same
    suffix; its problems are reported under the real name.
    """
    with tempfile.TemporaryDirectory(prefix="govinfo-") as folder:
        probe = Path(folder) / f"probe{Path(like).suffix.lower() or '.yaml'}"
        probe.write_bytes(raw)
        try:
            return read_mapping(probe)
        except ParameterError as exc:
            raise ParameterError(str(like), exc.field, exc.message) from None


def open_file(path: str | Path) -> Opened:
    """Read a parameter file once: its bytes (for the changed-on-disk check and the round
    trip) and the mapping parsed from exactly those bytes. ParameterError when unreadable."""
    path = Path(path)
    read_mapping(path)  # a missing file, a pipe, a huge or malformed one: one clear line
    try:
        raw = Path(os.path.realpath(path)).read_bytes()
    except OSError as exc:
        raise ParameterError(str(path), None, f"无法读取 / cannot read: {exc.strerror}") from None
    return Opened(path, raw, read_bytes_as(raw, path))


# --------------------------------------------------------------------------- edits


def _order(prefix: KeyPath) -> tuple[str, ...]:
    """The official key order of the mapping at ``prefix`` (where new keys are inserted)."""
    items = tuple(dict.fromkeys(item for item, _ in L.active_cells()))
    orders: dict[KeyPath, tuple[str, ...]] = {
        (): L.TOP_LEVEL_KEYS,
        ("narrative",): L.NARRATIVE_KEYS,
        ("narrative", "overview"): L.OVERVIEW_KEYS,
        ("active",): items,
        (L.APPLICATIONS,): ("columns", "rows"),
        (L.APPLICATIONS, "rows"): L.APPLICATION_ROW_KEYS,
        (L.REVIEW_LITIGATION,): L.CASE_GROUP_KEYS,
        ("processing_fees",): L.PROCESSING_FEE_KEYS,
        ("contact",): L.CONTACT_KEYS,
    }
    if len(prefix) == 2 and prefix[0] == "active":
        return tuple(key for key, _ in L.ACTIVE_MEASURES)
    return orders.get(prefix, ())


def _row_size(prefix: KeyPath) -> int:
    if len(prefix) == 3 and prefix[:2] == (L.APPLICATIONS, "rows"):
        return len(L.APPLICATION_COLUMN_KEYS)
    if len(prefix) == 2 and prefix[0] == L.REVIEW_LITIGATION:
        return len(L.REVIEW_OUTCOME_KEYS)
    return 0


def value_at(data: Any, path: KeyPath) -> Any:
    """The value at ``path``, or the private ABSENT marker (see :func:`is_absent`)."""
    node = data
    for step in path:
        if isinstance(step, int) and isinstance(node, list):
            node = node[step] if step < len(node) else _ABSENT
        elif isinstance(step, str) and isinstance(node, Mapping):
            node = node.get(step, _ABSENT)
        else:
            return _ABSENT
        if node is _ABSENT:
            return node
    return node


def is_absent(value: Any) -> bool:
    return value is _ABSENT


class _Plain:
    """How edits build plain data (dicts, lists): the mapping govinfo reads."""

    def mapping(self, prefix: KeyPath) -> Any:
        return {}

    def sequence(self, size: int) -> Any:
        return [None] * size

    def value(self, old: Any, new: Any, prefix: KeyPath) -> Any:
        return copy.deepcopy(new)

    def insert(self, node: dict[str, Any], key: str, value: Any, position: int) -> None:
        items = list(node.items())
        items.insert(position, (key, value))
        node.clear()
        node.update(items)


class _RoundTrip(_Plain):
    """How edits build ruamel nodes: flow rows and flow 表二 groups, the old scalar's style."""

    def __init__(self, keep_styles: bool) -> None:
        self.keep_styles = keep_styles

    def mapping(self, prefix: KeyPath) -> Any:
        node = CommentedMap()
        if len(prefix) == 2 and prefix[0] == "active":
            node.fa.set_flow_style()
        return node

    def sequence(self, size: int) -> Any:
        node = CommentedSeq([None] * size)
        node.fa.set_flow_style()
        return node

    def value(self, old: Any, new: Any, prefix: KeyPath) -> Any:
        if isinstance(new, Mapping):
            node = self.mapping(prefix)
            node.update({k: self.value(None, v, (*prefix, k)) for k, v in new.items()})
            return node
        if isinstance(new, list):
            row = self.sequence(0)
            row.extend(self.value(None, v, prefix) for v in new)
            return row
        if isinstance(new, str) and type(new) is not str:
            new = str(new)  # e.g. params.OddNumber: written as the text it is
        if isinstance(new, str) and self.keep_styles:
            if "\n" in new:
                return LiteralScalarString(new)
            for style in (
                FoldedScalarString,
                LiteralScalarString,
                SingleQuotedScalarString,
                DoubleQuotedScalarString,
            ):
                if isinstance(old, style):
                    return style(new)
        return new

    def insert(self, node: Any, key: str, value: Any, position: int) -> None:
        node.insert(position, key, value)
        keys = list(node)
        if position == 0 or (isinstance(value, CommentedMap | CommentedSeq) and not _flow(value)):
            return
        # The blank line or comment after the previous key ends its group: keep it after
        # the key inserted at the end of that group.
        comments = node.ca.items
        before = comments.get(keys[position - 1])
        if before and len(before) > 2 and before[2] is not None and key not in comments:
            comments[key] = [None, None, before[2], None]
            before[2] = None


def _flow(node: Any) -> bool:
    return bool(node.fa.flow_style())


def _position(node: Mapping[str, Any], key: str, order: tuple[str, ...]) -> int:
    """Where ``key`` goes among the keys of ``node``: after the last one that precedes it
    in the official ``order`` (unknown keys stay where they are); at the end if unknown."""
    if key not in order:
        return len(node)
    rank = order.index(key)
    position = 0
    for index, existing in enumerate(node):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    return position


def _put(node: Any, step: str | int, value: Any, prefix: KeyPath, build: _Plain) -> None:
    if isinstance(node, list):
        assert isinstance(step, int)
        while len(node) <= step:
            node.append(None)
        node[step] = value
    elif step in node:
        node[step] = value
    else:
        build.insert(node, str(step), value, _position(node, str(step), _order(prefix)))


def _container(prefix: KeyPath, old: Any, following: str | int, build: _Plain) -> Any:
    if isinstance(following, int):
        return build.sequence(_row_size(prefix))
    node = build.mapping(prefix)
    if prefix == ("narrative", "overview") and isinstance(old, str):
        node["intro"] = old  # one text for all of 一 is its intro: it becomes a part of many
    return node


def _apply(root: Any, path: KeyPath, value: Any, build: _Plain) -> None:
    node = root
    for depth, step in enumerate(path[:-1]):
        prefix = path[: depth + 1]
        child = value_at(node, (step,))
        if not isinstance(child, Mapping | list):
            child = _container(prefix, None if child is _ABSENT else child, path[depth + 1], build)
            _put(node, step, child, path[:depth], build)
        node = child
    last = path[-1]
    if value is DELETE:
        if isinstance(node, MutableMapping) and last in node:
            del node[last]
        return
    old = value_at(node, (last,))
    _put(node, last, build.value(None if old is _ABSENT else old, value, path), path[:-1], build)


def apply_edits(data: Mapping[str, Any], edits: Mapping[KeyPath, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with ``edits`` applied: what the saved file will read as."""
    result = copy.deepcopy(dict(data))
    for path, value in edits.items():
        _apply(result, path, value, _Plain())
    return result


# --------------------------------------------------------------------------- YAML text


class _AsWritten(str):
    """A plain scalar exactly as written in the file, with the tag it was read with."""

    tag: Any = None


def _as_written(original: Any) -> Any:
    def construct(self: RoundTripConstructor, node: Any) -> Any:
        if node.style is None and not node.anchor:
            scalar = _AsWritten(node.value)
            scalar.tag = node.tag
            return scalar
        return original(self, node)

    return construct


class _Constructor(RoundTripConstructor):
    """Keeps plain scalars as written (a date that does not exist stays text, too)."""


for _name in ("null", "bool", "int", "float", "timestamp", "str"):
    _Constructor.add_constructor(
        f"tag:yaml.org,2002:{_name}",
        _as_written(RoundTripConstructor.yaml_constructors[f"tag:yaml.org,2002:{_name}"]),
    )

_VERBATIM = "="  # a private scalar style: write this text plain, as it was


class _Representer(RoundTripRepresenter):
    """Writes kept scalars as written, decimals digit for digit and ``null`` for None."""


def _represent_as_written(representer: RoundTripRepresenter, data: _AsWritten) -> Any:
    return representer.represent_scalar(data.tag, str(data), style=_VERBATIM)


def _represent_decimal(representer: RoundTripRepresenter, data: Decimal) -> Any:
    if data == data.to_integral_value():
        return representer.represent_scalar("tag:yaml.org,2002:int", str(int(data)))
    return representer.represent_scalar("tag:yaml.org,2002:float", format(data, "f"))


def _represent_none(representer: RoundTripRepresenter, data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


_Representer.add_representer(_AsWritten, _represent_as_written)
_Representer.add_representer(Decimal, _represent_decimal)
_Representer.add_representer(type(None), _represent_none)


class _Emitter(RoundTripEmitter):
    """Emits a kept scalar plain, as it stood in the same place of the same file."""

    def choose_scalar_style(self) -> Any:
        if self.event.style == _VERBATIM:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            return ""
        return super().choose_scalar_style()


def _indents(text: str) -> tuple[int, int, int]:
    """The file's own block indentation: (mapping, sequence, dash offset), most common first."""
    lines = [
        (len(line) - len(line.lstrip(" ")), line.strip())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    mappings: Counter[int] = Counter()
    dashes: Counter[int] = Counter()
    for (indent, line), (inner, following) in itertools.pairwise(lines):
        if inner <= indent or not re.fullmatch(r"[^#\s][^#]*:(\s+#.*)?", line):
            continue
        if following == "-" or following.startswith("- "):
            dashes[inner - indent] += 1
        else:
            mappings[inner - indent] += 1
    mapping = mappings.most_common(1)[0][0] if mappings else 2
    offset = dashes.most_common(1)[0][0] if dashes else 0
    return mapping, max(mapping, offset + 2), offset


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.Emitter = _Emitter
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never fold a line that was not folded
    yaml.allow_unicode = True
    mapping, sequence, offset = _indents(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = bool(re.match(r"(\s*#[^\n]*\n|\s*\n)*---", text))
    return yaml


def yaml_round_trip(text: str, edits: Mapping[KeyPath, Any], *, keep_styles: bool = True) -> str:
    """``text`` (a YAML parameter file) with ``edits`` applied and nothing else changed."""
    yaml = _yaml(text)
    try:
        document = yaml.load(text)
    except YAMLError as exc:
        raise RoundTripError(f"无法按原样保存 / cannot keep the file as written: {exc}") from None
    if not isinstance(document, CommentedMap):
        raise RoundTripError("无法按原样保存 / cannot keep the file as written: not a mapping")
    build = _RoundTrip(keep_styles)
    for path, value in edits.items():
        _apply(document, path, value, build)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


# --------------------------------------------------------------------------- checking


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float, Decimal)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b


def first_difference(a: Any, b: Any, path: KeyPath = ()) -> KeyPath | None:
    """The first path where two read mappings differ (None when they are the same)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return (*path, key)
            found = first_difference(a[key], b[key], (*path, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, (*path, index))
            if found is not None:
                return found
        return None
    return None if _same(a, b) else path


def _jsonable(value: Any) -> Any:
    """What a value reads back as from JSON: dates are text there; plain dicts and str."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def _plain_text(value: Any) -> Any:
    """str subclasses (params.OddNumber) as str, so PyYAML's dumper can write them."""
    if isinstance(value, dict):
        copied = type(value)() if type(value) is not dict else {}
        copied.update({k: _plain_text(v) for k, v in value.items()})
        return copied
    if isinstance(value, list):
        return [_plain_text(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _dotted(path: KeyPath) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top level)"


def _encode(text: str, like: Opened | None) -> bytes:
    """UTF-8 with the file's own line breaks and byte order mark."""
    if like is not None and b"\r\n" in like.raw:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    bom = codecs.BOM_UTF8 if like is not None and like.raw.startswith(codecs.BOM_UTF8) else b""
    return bom + text.encode("utf-8")


def _candidates(
    opened: Opened | None, expected: Mapping[str, Any], edits: Mapping[KeyPath, Any], form: str
) -> Iterator[str]:
    if opened is not None and opened.form == "yaml" and form == "yaml":
        text = opened.text.replace("\r\n", "\n")  # CRLF comes back in _encode
        yield yaml_round_trip(text, edits)
        yield yaml_round_trip(text, edits, keep_styles=False)  # ruamel picks the quoting
    elif form == "json":
        yield dumps_mapping(_jsonable(expected), "json")
    else:
        yield dumps_mapping(_plain_text(expected), "yaml")


def render_edits(
    target: Path,
    edits: Mapping[KeyPath, Any],
    *,
    opened: Opened | None = None,
    base: Mapping[str, Any] | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """The bytes to write to ``target`` and the mapping they read as, checked to be the
    file as opened (or ``base``) with exactly ``edits`` applied. RoundTripError if not."""
    if base is None:
        if opened is None:
            raise ValueError("render_edits needs the opened file or a base mapping")
        base = opened.data
    form = form_of(target)
    expected = apply_edits(base, edits)
    wanted = _jsonable(expected) if form == "json" else expected
    like = opened if opened is not None and opened.form == form else None
    problem = ""
    for text in _candidates(opened, expected, edits, form):
        raw = _encode(text, like)
        try:
            data = read_bytes_as(raw, target)
        except ParameterError as exc:
            problem = exc.message
            continue
        where = first_difference(wanted, data)
        if where is None:
            return raw, data
        problem = f"{_dotted(where)} 会被改变 / would change"
    raise RoundTripError(
        f"{target}: 保存会改变未修改的内容，未写入 / saving would change what was not edited; "
        f"nothing written ({problem})"
    )


def save_edits(
    target: str | Path,
    edits: Mapping[KeyPath, Any],
    *,
    opened: Opened | None = None,
    base: Mapping[str, Any] | None = None,
    overwrite: bool = False,
) -> Opened:
    """Write ``edits`` over the file as opened (or over ``base``, for a new file) to
    ``target``, atomically and to the target of a link; the file as now opened.

    Raises FileChangedError when ``target`` is the opened file and it changed on disk
    since, FileExistsError when ``target`` is another existing file (both unless
    ``overwrite``), RoundTripError when the text would not read back as intended.
    """
    target = Path(target)
    real = Path(os.path.realpath(target))
    same = opened is not None and real == Path(os.path.realpath(opened.path))
    if not overwrite:
        if same and opened is not None and file_digest(real) != opened.digest:
            raise FileChangedError(target)
        if not same and real.exists():
            raise FileExistsError(
                f"{target}: 文件已存在，未覆盖 / already exists: not overwritten "
                "(save with overwrite=True)"
            )
    raw, data = render_edits(target, edits, opened=opened, base=base)
    if file_digest(real) != hashlib.sha256(raw).hexdigest():  # unchanged bytes: no write
        atomic_write(real, raw)
    return Opened(target, raw, data)
