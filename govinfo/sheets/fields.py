"""The text fields of 基本信息 read back from a filled workbook: who reports, the 行政区划代码,
kind and scope, the date, the contact details and the narrative, each as the parameter file
holds it (None, or "", when not given).

Read with the places of the workbook's own template (:func:`.layout_cells.basic_places`): a
workbook made before a field existed simply does not give it. Text typed into a cell that
had lost its text format comes back as a number and is read as the text it was (a postcode,
a phone number, a division code). A 行政区划代码 that is no GB/T 2260 code is kept as typed,
so that the parameter file shows it, with an error naming the cell (REGION-CODE); the report
then counts in no region's sums until it is fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from openpyxl.utils.datetime import from_excel

from .. import divisions
from .. import layout as L
from ..findings import ERROR, Severity
from ..model import Cell
from . import layout_cells as C
from .values import shown

Path = tuple[str, ...]
AddFinding = Callable[[str, Severity, Cell, str, str], None]


class BasicFields:
    """基本信息 of one workbook: ``raw`` gives a cell's value, ``add`` records a finding."""

    def __init__(
        self, raw: Callable[[C.Place], Any], places: Mapping[Path, C.Place], add: AddFinding
    ) -> None:
        self.raw, self.places, self.add = raw, places, add

    def mapping(self) -> dict[str, Any]:
        """The parameter-file keys read from 基本信息 (None where not given)."""
        return {
            "agency": self.text(("agency",)).strip(),
            "region": self.text(("region",)).strip() or None,
            "region_code": self.region_code(),
            "kind": self.choice("kind", L.KINDS),
            "scope": self.choice("scope", L.SCOPES),
            "published": self.published(),
            "contact": {k: v for k in L.CONTACT_KEYS if (v := self.text((L.CONTACT, k)))} or None,
            "narrative": self.narrative(),
        }

    def text(self, path: Path) -> str:
        """A field as text ("" when empty, or when the template has no such cell)."""
        if path not in self.places:
            return ""
        raw = self.raw(self.places[path])
        if raw is None:
            return ""
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))  # a postcode or phone typed into a number cell
        return str(raw)

    def region_code(self) -> str | None:
        """The 行政区划代码, None when not given; one that is no code is kept as typed, with
        a REGION-CODE error naming the cell."""
        text = self.text(("region_code",)).strip()
        if not text:
            return None
        why = divisions.problem(text)
        if why is not None:
            place = self.places[("region_code",)]
            zh, en = why.split(" / ", 1)
            self.add(
                "REGION-CODE",
                ERROR,
                ("region_code", None, None),
                f"{place.name}：行政区划代码“{shown(text)}”不是 GB/T 2260 代码（如 "
                f"{divisions.EXAMPLE}）：{zh}；本报告在改正前不计入任何汇总",
                f"{place.name}: region_code {shown(text)!r} is not a GB/T 2260 code (e.g. "
                f"{divisions.EXAMPLE}): {en}",
            )
        return text

    def choice(self, key: str, labels: dict[str, str]) -> str | None:
        text = self.text((key,)).strip()
        by_label = {label: k for k, label in labels.items()}
        return by_label.get(text, text) or None

    def published(self) -> str | None:
        raw = self.raw(self.places[("published",)])
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = from_excel(raw)  # a date shown as its serial number
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        return str(raw).strip() or None if raw is not None else None

    def narrative(self) -> dict[str, Any]:
        overview = {key: self.text((L.NARRATIVE, "overview", key)) for key in L.OVERVIEW_KEYS}
        return {
            "overview": overview,
            "problems": self.text((L.NARRATIVE, "problems")),
            "other": self.text((L.NARRATIVE, "other")),
        }
