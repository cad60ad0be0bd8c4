"""One edit session of a parameter file: what was read, what was changed, what Save writes.

The session keeps the file's mapping as read (``base``, unknown keys, blanks and odd numbers
included) and the user's edits by field (``edits``). The report the rules check is parsed
from ``base`` with the edits applied (:attr:`EditSession.data`), the same mapping that Save
writes through :mod:`govinfo.params.roundtrip` and that ``govinfo validate`` will read
back: the findings on screen are the findings of the saved file, and nothing the user did
not touch is rewritten, re-styled or dropped. Pure (no widgets), so it is tested headless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import layout as L
from ..findings import Finding
from ..model import Report
from ..params import attach_previous, parse, to_mapping
from ..params.roundtrip import (
    DELETE,
    Opened,
    apply_edits,
    file_digest,
    first_difference,
    is_absent,
    open_file,
    save_edits,
    value_at,
)
from ..rules import check
from .fields import (
    FEES,
    NARRATIVE,
    CellKey,
    Unreadable,
    cell_label,
    cell_path,
    derived_totals,
    feeding_cells,
    is_computed,
    is_number,
    number_text,
    read_typed,
)

if TYPE_CHECKING:
    from ..audit.live import Checkup
    from ..audit.packs import Pack


class UnsavedChangesError(Exception):
    """Reverting or opening another file would discard edits not yet saved."""


class NotANumberError(ValueError):
    """Save refused: number fields hold typed text that is no number (``cells``)."""

    def __init__(self, cells: dict[CellKey, Unreadable]) -> None:
        self.cells = cells
        named = "；".join(f"{cell_label(*k)}：“{u.text}”" for k, u in cells.items())
        super().__init__(f"未保存：以下内容不是数字，请改正后再点“保存”：{named}")


class EditSession:
    """A parameter file being edited (``EditSession.open(path)``), or a report not yet in a
    file (``EditSession.of_report(report)``)."""

    def __init__(
        self,
        base: Mapping[str, Any],
        *,
        path: Path | None,
        opened: Opened | None = None,
        previous: Report | None = None,
    ) -> None:
        self.base = dict(base)
        self.path = path
        self.opened = opened
        self.edits: dict[CellKey, Any] = {}
        self.unreadable: dict[CellKey, Unreadable] = {}
        self._data: dict[str, Any] | None = None
        self._cache: tuple[Report, list[Finding]] | None = None
        # The rule pack of the live 年报体检 (govinfo.audit), None for none; set by the editor.
        self.pack: Pack | None = None
        self._checkup: Checkup | None = None
        first = parse(self.base, source=path)
        self._previous = previous
        self._previous_findings: tuple[Finding, ...] = ()
        if previous is None and first.previous_path:
            attached = attach_previous(first)
            self._previous = attached.previous
            self._previous_findings = tuple(
                f for f in attached.load_findings if f.rule == "PREVIOUS"
            )

    @classmethod
    def open(cls, path: str | Path) -> EditSession:
        """The file at ``path`` (ParameterError, one line, when it cannot be read)."""
        opened = open_file(path)
        return cls(opened.data, path=Path(path), opened=opened)

    @classmethod
    def of_report(cls, report: Report, path: str | Path | None = None) -> EditSession:
        target = Path(path) if path else report.source
        return cls(to_mapping(report), path=target, previous=report.previous)

    # ------------------------------------------------------------------ derived state

    @property
    def data(self) -> dict[str, Any]:
        """The mapping Save will write (the file as read, with the edits applied)."""
        if self._data is None:
            self._data = apply_edits(self.base, {cell_path(k): v for k, v in self.edits.items()})
        return self._data

    def _checked(self) -> tuple[Report, list[Finding]]:
        if self._cache is None:
            report = parse(self.data, source=self.path)
            report = report.replace(
                previous=self._previous,
                load_findings=(*report.load_findings, *self._previous_findings),
            )
            typed = [u.finding(key) for key, u in self.unreadable.items()]
            self._cache = (report, [*check(report), *typed])
        return self._cache

    def _changed(self) -> None:
        self._data = None
        self._cache = None
        self._checkup = None

    @property
    def checkup(self) -> Checkup | None:
        """The audit of the report as it stands (:func:`govinfo.audit.live.checkup`): the
        pack's predicted score and its problems; None without a pack."""
        if self.pack is None:
            return None
        if self._checkup is None:
            from ..audit.live import checkup

            self._checkup = checkup(self.report, self.pack, self.path)
        return self._checkup

    @property
    def report(self) -> Report:
        return self._checked()[0]

    @property
    def findings(self) -> list[Finding]:
        """What ``govinfo validate`` will say of the saved file, and typed text no file
        can hold (NOT-A-NUMBER)."""
        return self._checked()[1]

    @property
    def dirty(self) -> bool:
        """Whether Save would change the file (or typed text still waits to be corrected)."""
        return bool(self.unreadable) or first_difference(self.base, self.data) is not None

    def value(self, key: CellKey) -> Any:
        """The field's value in the file as it will be saved (ABSENT when left out)."""
        return value_at(self.data, cell_path(key))

    def shown(self, key: CellKey) -> Any:
        """The value the widget of ``key`` shows: a number field the file's value as written
        (empty when not filled in), a choice or text what the file says."""
        value = self.value(key)
        if is_number(key):
            return number_text(value)
        section = key[0]
        if key == (FEES, None, None):
            return isinstance(value, dict)
        if section == "published":
            return self.report.published
        if section in ("kind", "scope"):
            return getattr(self.report, section) if is_absent(value) or value is None else value
        if section == NARRATIVE:
            row, column = key[1], key[2]
            narrative = self.report.narrative
            return (
                getattr(narrative.overview, column or "")
                if row == "overview"
                else (getattr(narrative, row or ""))
            )
        if is_absent(value) or value is None:
            return ""
        return str(value)

    def changed_on_disk(self) -> bool:
        """Whether the opened file's bytes changed (or it went) since it was opened or saved."""
        return self.opened is not None and file_digest(self.opened.path) != self.opened.digest

    # ------------------------------------------------------------------ editing

    def set_field(self, key: CellKey, value: Any) -> list[CellKey]:
        """Apply what a widget now shows; returns the other fields whose value changed
        (totals it feeds, the 信息处理费 cells when the switch flips)."""
        if is_number(key):
            return self.set(key, read_typed(key, "" if value is None else str(value)))
        if key[0] == "published":
            return self.set(key, value if isinstance(value, dt.date) else DELETE)
        return self.set(key, "" if value is None else value)

    def set(self, key: CellKey, value: Any) -> list[CellKey]:
        """Set a field to a file value (or :class:`Unreadable` text); the totals it feeds
        follow. Returns the other fields whose value changed (for the 信息处理费 switch, a
        bool, its three figures)."""
        if is_computed(key):
            raise ValueError(f"{cell_label(*key)} 是自动计算的总计，不能直接填写")
        if key == (FEES, None, None):
            return self._switch_fees(bool(value))
        self.unreadable.pop(key, None)
        if isinstance(value, Unreadable):
            self.unreadable[key] = value
            self._changed()
        else:
            self._put(key, value)
        return self._follow([key])

    def recompute_totals(self) -> list[CellKey]:
        """Every total recomputed from its parts (重算总计); the totals that changed."""
        return self._follow(feeding_cells())

    def _put(self, key: CellKey, value: Any) -> None:
        path = cell_path(key)
        old = value_at(self.base, path)
        unchanged = ((value is DELETE or value is None) and is_absent(old)) or (
            value is not DELETE and first_difference(old, value) is None and not is_absent(old)
        )
        self.edits.pop(key, None)  # re-inserted last: later edits apply after earlier ones
        if not unchanged:
            self.edits[key] = value
        self._changed()

    def _follow(self, keys: list[CellKey]) -> list[CellKey]:
        totals = derived_totals(self.data, keys, holes=frozenset(self.unreadable))
        changed = []
        for key, value in totals.items():
            current = self.value(key)
            if is_absent(current):
                continue  # a total the file leaves out: the reader derives it
            if first_difference(current, value) is not None:
                self._put(key, value)
                changed.append(key)
        return changed

    def _switch_fees(self, on: bool) -> list[CellKey]:
        cells = [k for k in self.edits if k[0] == FEES and k[1] is not None]
        for key in cells:
            del self.edits[key]
        self.unreadable = {k: u for k, u in self.unreadable.items() if k[0] != FEES}
        has_block = isinstance(value_at(self.base, (FEES,)), Mapping)
        if on and has_block:
            self.edits.pop((FEES, None, None), None)  # the file's own block, as it was
        elif on:  # a new block: every figure not filled in yet
            self._put((FEES, None, None), dict.fromkeys(L.PROCESSING_FEE_KEYS))
        else:
            self._put((FEES, None, None), DELETE)
        self._changed()
        return [(FEES, key, None) for key in L.PROCESSING_FEE_KEYS]

    # ------------------------------------------------------------------ files

    def save(self, path: str | Path | None = None, *, overwrite: bool = False) -> Path:
        """Write the edits (only they change) to ``path`` or the session's file.

        Refused while typed text is no number (ValueError); FileChangedError when the file
        changed on disk since it was opened, FileExistsError for another existing file
        (both unless ``overwrite``); RoundTripError when the text would not read back.
        """
        if self.unreadable:
            raise NotANumberError(dict(self.unreadable))
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("未保存：这份报告还没有文件，请指定保存到哪个文件")
        edits = {cell_path(k): v for k, v in self.edits.items()}
        self.opened = save_edits(
            target, edits, opened=self.opened, base=self.base, overwrite=overwrite
        )
        self.base = dict(self.opened.data)
        self.path = target
        self.edits = {}
        self._changed()
        return target
