"""Rule packs: which checks apply, how severe, what each costs, thresholds and deadlines.

Evaluators score these reports by published local rules (宿迁's department rules deduct 0.5
for a report repeating more than half of last year's, 岳阳 sets earlier deadlines than the
条例). A pack is a YAML file that says so, with the notice it comes from, so an agency can
predict its score under the rules that will be applied to it. ``extends: national`` takes
the national pack and changes only what the local notice changes.

A bad pack is refused with one line naming the file, the field and what is wrong
(:class:`PackError`, a :class:`~govinfo.findings.ParameterError`: exit 2 in the CLI).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..findings import ParameterError

SCHEMA = "govinfo/audit-pack@1"
LEVELS = ("department", "county", "city", "province")
LEVEL_LABELS = {
    "department": "政府部门",
    "county": "县级政府",
    "city": "市级政府",
    "province": "省级政府",
}
SEVERITIES = ("error", "warning", "info", "keep")
THRESHOLDS: dict[str, tuple[type, ...]] = {
    "overview_max_chars": (int, type(None)),  # 一、总体情况 at most this long (武威: 1,000)
    "previous_rate": (float, int),  # 重复率 against last year's report above this: REPEAT-PREVIOUS
    "peer_rate": (float, int),  # ... against another agency's of the same year: REPEAT-PEER
    "passage_chars": (int,),  # a copied passage this long (after boilerplate): COPIED-PASSAGE
    "boilerplate_reports": (int,),  # a sentence in this many reports of a year is boilerplate
    "boilerplate_share": (float, int),  # ... or in this share of them, whichever is more
}
ENTRY_KEYS = {"category", "severity", "deduction", "per_finding", "max", "apply", "basis"}
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?:-\*)?$")
_MONTH_DAY = re.compile(r"^(\d\d)-(\d\d)$")


class PackError(ParameterError):
    """A rule pack that cannot be used: names the file, the field and the rule broken."""


@dataclass(frozen=True)
class Check:
    """What the pack says about one rule id."""

    rule: str
    category: str = "其他"
    severity: str = "keep"  # error | warning | info | keep (the finding's own)
    deduction: float = 0.0  # once, when the report has any problem of this rule
    per_finding: float = 0.0  # for each problem after the first
    max: float | None = None  # at most this much for the rule
    apply: bool = True
    basis: str = ""

    def cost(self, count: int) -> float:
        if count <= 0:
            return 0.0
        total = self.deduction + self.per_finding * (count - 1)
        return min(total, self.max) if self.max is not None else total


@dataclass(frozen=True)
class Deadline:
    publish_by: str  # MM-DD of the year after the report year
    file_by: str | None = None  # filing with the 政务公开办 / 主管部门
    basis: str = ""

    def publish_date(self, year: int) -> dt.date:
        month, day = (int(x) for x in self.publish_by.split("-"))
        return dt.date(year + 1, month, day)

    def date(self, year: int, which: str = "publish_by") -> dt.date | None:
        text = self.publish_by if which == "publish_by" else self.file_by
        if text is None:
            return None
        month, day = (int(x) for x in text.split("-"))
        return dt.date(year + 1, month, day)


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    notice: str
    source: str  # the file it came from
    max_score: float = 100.0
    floor: float = 0.0
    thresholds: dict[str, Any] = field(default_factory=dict)
    calendar: dict[str, Deadline] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    default: Check = field(default_factory=lambda: Check("*"))
    levels: dict[str, str] = field(default_factory=dict)  # agency_id → level override

    def check(self, rule: str) -> Check:
        """The pack's entry for ``rule``: exact, else a prefix entry (``IMPORT-*``), else
        the default."""
        if rule in self.checks:
            return self.checks[rule]
        for key, check in self.checks.items():
            if key.endswith("-*") and rule.startswith(key[:-1]):
                return Check(rule, **_fields(check, rule))
        return Check(rule, **_fields(self.default, rule))

    def threshold(self, name: str) -> Any:
        return self.thresholds.get(name)


def _fields(check: Check, rule: str) -> dict[str, Any]:
    return {
        k: getattr(check, k)
        for k in ("category", "severity", "deduction", "per_finding", "max", "apply", "basis")
    }


def builtin_names() -> list[str]:
    folder = resources.files(__package__).joinpath("packs")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_pack(name_or_path: str | Path) -> Pack:
    """A built-in pack by name (``national``, ``suqian``, ``yueyang``) or a YAML file."""
    text, source = _read(str(name_or_path))
    return _build(text, source, seen=())


def _read(name: str) -> tuple[str, str]:
    if re.fullmatch(r"[a-z0-9-]+", name) and name in builtin_names():
        ref = resources.files(__package__).joinpath("packs").joinpath(f"{name}.yaml")
        return ref.read_text("utf-8"), f"packs/{name}.yaml"
    path = Path(name)
    try:
        if path.stat().st_size > 1_000_000:
            raise PackError(name, None, "规则包过大 / rule pack too large (over 1 MB)")
        return path.read_text("utf-8"), name
    except FileNotFoundError:
        known = ", ".join(builtin_names())
        raise PackError(name, None, f"no such rule pack file or built-in pack ({known})") from None
    except UnicodeDecodeError:
        raise PackError(name, None, "not UTF-8 text") from None
    except OSError as exc:
        raise PackError(name, None, f"cannot read: {exc.strerror}") from None


def _build(text: str, source: str, seen: tuple[str, ...]) -> Pack:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise PackError(source, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise PackError(source, None, "a rule pack is a mapping (schema, name, checks …)")

    def fail(field_name: str, message: str) -> PackError:
        return PackError(source, field_name, message)

    unknown = set(data) - {
        "schema",
        "name",
        "title",
        "notice",
        "extends",
        "max_score",
        "floor",
        "thresholds",
        "calendar",
        "checks",
        "default",
        "levels",
    }
    if unknown:
        raise fail(
            sorted(unknown)[0],
            "unknown key (allowed: schema, name, title, notice, "
            "extends, max_score, floor, thresholds, calendar, checks, default, levels)",
        )
    if data.get("schema") != SCHEMA:
        raise fail("schema", f"must be {SCHEMA}")
    for key in ("name", "title", "notice"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, "required text (the notice the pack comes from must be cited)")
    base: Pack | None = None
    if data.get("extends") is not None:
        parent = data["extends"]
        if not isinstance(parent, str):
            raise fail("extends", "names another pack (a built-in name or a file)")
        text, parent_source = _read(parent)
        if parent_source in (*seen, source):
            raise fail("extends", f"{parent} extends back to this pack: a cycle")
        base = _build(text, parent_source, seen=(*seen, source))
    max_score = _number(data.get("max_score", base.max_score if base else 100), "max_score", fail)
    floor = _number(data.get("floor", base.floor if base else 0), "floor", fail)
    thresholds = dict(base.thresholds) if base else {}
    thresholds.update(_thresholds(data.get("thresholds") or {}, fail))
    missing = [k for k in THRESHOLDS if k not in thresholds]
    if missing:
        raise fail(f"thresholds.{missing[0]}", "required (a pack without extends sets every one)")
    calendar = dict(base.calendar) if base else {}
    calendar.update(_calendar(data.get("calendar") or {}, fail))
    if set(calendar) != set(LEVELS):
        raise fail("calendar", f"needs every level: {', '.join(LEVELS)}")
    checks = dict(base.checks) if base else {}
    raw_checks = data.get("checks") or {}
    if not isinstance(raw_checks, dict):
        raise fail("checks", "a mapping of rule id → {category, severity, deduction …}")
    for rule, entry in raw_checks.items():
        checks[rule] = _check(str(rule), entry, checks.get(rule), f"checks.{rule}", fail)
    default = (
        _check("*", data["default"], base.default if base else None, "default", fail)
        if ("default" in data)
        else (base.default if base else Check("*"))
    )
    levels = dict(base.levels) if base else {}
    raw_levels = data.get("levels") or {}
    if not isinstance(raw_levels, dict) or any(v not in LEVELS for v in raw_levels.values()):
        raise fail("levels", f"maps agency_id to one of {', '.join(LEVELS)}")
    levels.update({str(k): str(v) for k, v in raw_levels.items()})
    return Pack(
        data["name"],
        data["title"],
        data["notice"],
        source,
        max_score,
        floor,
        thresholds,
        calendar,
        checks,
        default,
        levels,
    )


def _number(value: Any, name: str, fail: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise fail(name, f"must be a number ≥ 0, not {value!r}")
    return float(value)


def _thresholds(raw: Any, fail: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise fail("thresholds", "a mapping")
    out = {}
    for key, value in raw.items():
        if key not in THRESHOLDS:
            raise fail(f"thresholds.{key}", f"unknown threshold (known: {', '.join(THRESHOLDS)})")
        kinds = THRESHOLDS[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise fail(f"thresholds.{key}", f"must be {' or '.join(k.__name__ for k in kinds)}")
        if isinstance(value, int | float) and (value < 0 or (key.endswith("rate") and value > 1)):
            raise fail(f"thresholds.{key}", "out of range (rates are between 0 and 1)")
        out[key] = value
    return out


def _calendar(raw: Any, fail: Any) -> dict[str, Deadline]:
    if not isinstance(raw, dict):
        raise fail("calendar", "a mapping of level → {publish_by: MM-DD, file_by, basis}")
    out = {}
    for level, entry in raw.items():
        where = f"calendar.{level}"
        if level not in LEVELS:
            raise fail(where, f"unknown level (known: {', '.join(LEVELS)})")
        if not isinstance(entry, dict) or set(entry) - {"publish_by", "file_by", "basis"}:
            raise fail(where, "a mapping with publish_by, file_by (optional) and basis")
        for key in ("publish_by", "file_by"):
            value = entry.get(key)
            if value is None and key == "file_by":
                continue
            m = _MONTH_DAY.match(str(value))
            try:
                ok = bool(m) and dt.date(2001, int(m.group(1)), int(m.group(2))) is not None  # type: ignore[union-attr]
            except ValueError:
                ok = False
            if not ok:
                raise fail(f"{where}.{key}", f"must be a date MM-DD (quoted), not {value!r}")
        out[level] = Deadline(
            str(entry["publish_by"]), entry.get("file_by"), str(entry.get("basis", ""))
        )
    return out


def _check(rule: str, entry: Any, base: Check | None, where: str, fail: Any) -> Check:
    if rule != "*" and not _RULE_ID.match(rule):
        raise fail(where, "a rule id is upper case with hyphens, e.g. TEXT-TABLE")
    if not isinstance(entry, dict):
        raise fail(where, "a mapping with category, severity, deduction …")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise fail(
            f"{where}.{sorted(unknown)[0]}",
            f"unknown field (known: {', '.join(sorted(ENTRY_KEYS))})",
        )
    values = _fields(base, rule) if base else {}
    for key, value in entry.items():
        if key in ("deduction", "per_finding", "max"):
            if key == "max" and value is None:
                values[key] = None
                continue
            values[key] = _number(value, f"{where}.{key}", fail)
        elif key == "severity":
            if value not in SEVERITIES:
                raise fail(f"{where}.severity", f"one of {', '.join(SEVERITIES)}, not {value!r}")
            values[key] = value
        elif key == "apply":
            if not isinstance(value, bool):
                raise fail(f"{where}.apply", "true or false")
            values[key] = value
        else:
            if not isinstance(value, str):
                raise fail(f"{where}.{key}", "text")
            values[key] = value
    return Check(rule, **values)
