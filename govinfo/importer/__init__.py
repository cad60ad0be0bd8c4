"""Read published annual reports back into parameter files (``govinfo import``).

Published reports reach people as portal pages and as text scraped from them, in which the
official tables fall apart. The importer reads the agency, year, narrative sections and the
three tables from any of those shapes, writes numbers exactly as published (totals
included, never "fixed": inconsistencies become validation findings afterwards) and never
invents a zero: every cell it could not read is null in :attr:`ImportResult.mapping` and
named, with its location, in :attr:`ImportResult.problems`.

    result = import_file("report.html")   # or report.pdf, report.docx
    print(result.summary())
    result.report            # a govinfo Report (cells not read are UNREAD errors)
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import layout as L
from ..files import is_safe_id
from ..findings import ERROR, WARNING, Finding, ParameterError
from ..model import Report
from . import sections as S
from . import table_text as T
from .assemble import (
    CellKey,
    Collector,
    Pending,
    collect_active,
    collect_applications,
    collect_review,
)
from .assemble import mapping_value as _plain
from .decode import DecodeError, decode
from .digits import BLANK, Value
from .formats import PDF, READ, sniff
from .html import LinePlace, TableTooLarge, html_layout
from .normalise import Source
from .origins import Locator
from .summary import findings_lines, unread_by_table
from .text import clean_text, looks_like_html

__all__ = ["ImportResult", "import_bytes", "import_file", "import_text"]

UNREAD_RULES = ("IMPORT-UNREAD", "IMPORT-AMBIGUOUS")
MAX_INPUT_BYTES = 20 * 1024 * 1024  # a published report page is well below 1 MB of text
MAX_DOCUMENT_BYTES = 100_000_000  # a PDF or DOCX (fonts and pictures make them larger)


@dataclass(frozen=True)
class ImportResult:
    """What one published report yielded.

    ``mapping`` is a parameter-file mapping (the keys of model.md) with null for every cell
    not read; ``problems`` locate each such cell and everything else worth a look (published
    blanks, split digit runs, the 2019 format, missing sections).
    """

    mapping: dict[str, Any]
    problems: tuple[Finding, ...]
    cells: Mapping[CellKey, Value]
    sections: tuple[str, ...]
    source: str | None = None
    encoding: str = "utf-8"
    form: str = "text"  # text | html | pdf | docx
    notes: tuple[str, ...] = field(default=())
    # rows left ambiguous, with their readings, for continuity across years (.years)
    readings: Mapping[tuple[str, str], Pending] = field(default_factory=dict)
    # a PDF or DOCX as the HTML page it was rebuilt into; every table cell there carries
    # data-gi-where: "p4 r3 c2" (PDF page, row, column) or "t2 r5 c3" (Word table, row, column)
    markup: str | None = None
    # where each cell was read, in words (``line 57, table 2 row 4 col 3``; .origins); a
    # cell whose row was not found has none
    where: Mapping[CellKey, str] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        """The mapping as a Report: cells not read are UNREAD errors, blanks CELL-BLANK."""
        from ..params import parse

        return parse(self.mapping, Path(self.source) if self.source else None)

    @property
    def expected(self) -> int:
        return len(self.cells)

    @property
    def read(self) -> int:
        """Cells holding a number."""
        return sum(1 for v in self.cells.values() if v is not None and v is not BLANK)

    @property
    def blanks(self) -> int:
        """Cells published blank ('-', '/', '—', empty): read, written as '-' (C07)."""
        return sum(1 for p in self.problems if p.rule == "CELL-BLANK")

    @property
    def unread(self) -> int:
        return self.expected - self.read - self.blanks

    @property
    def complete(self) -> bool:
        return self.unread == 0 and not any(p.rule == "IMPORT-META" for p in self.problems)

    def summary(self, verbose: bool = False) -> str:
        """A few lines per file, in English with the Chinese labels quoted: what was found,
        cells read / expected, the cells not read grouped by table, split digit runs and
        other findings counted (``verbose``: every finding on its own line)."""
        m = self.mapping
        name = self.source or "<text>"
        lines = [
            f"{name}: {m.get('agency') or '?'} {m.get('year') or '?'} "
            f"({self.form}, {self.encoding})"
        ]
        found = " ".join(L.SECTION_BY_KEY[k].numeral for k in self.sections)
        missing = [L.SECTION_BY_KEY[k].numeral for k in S.SECTION_KEYS if k not in self.sections]
        overview = m.get("narrative", {}).get("overview", {})
        parts = sum(1 for key, _ in L.OVERVIEW_PARTS if key in overview)
        lines.append(
            f"  sections: {found or 'none'}"
            + (f" (missing: {' '.join(missing)})" if missing else "")
            + f"; 一 has {parts} of {len(L.OVERVIEW_PARTS)} subsections"
        )
        blank = f", {self.blanks} published blank" if self.blanks else ""
        lines.append(f"  cells: {self.read + self.blanks}/{self.expected} read{blank}")
        if verbose:
            unread = [p for p in self.problems if p.rule in UNREAD_RULES]
            if unread:
                lines.append(f"  not read ({self.unread} cell(s)):")
                lines.extend(f"    {p.where}: {p.en}" for p in unread)
        else:
            lines.extend(unread_by_table(self.cells))
        others = [p for p in self.problems if p.rule not in (*UNREAD_RULES, "CELL-BLANK")]
        lines.extend(findings_lines(others, verbose))
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


def import_file(path: str | Path, *, agency_id: str | None = None) -> ImportResult:
    """Read a published report from a file (HTML, text or Markdown in any common encoding,
    PDF with a text layer, DOCX)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            with path.open("rb") as handle:  # a large PDF or DOCX is still named as such
                fmt = sniff(handle.read(65536), str(path), handle)
            if fmt in READ and size > MAX_DOCUMENT_BYTES:
                raise ParameterError(
                    str(path),
                    None,
                    f"{fmt.what} of {size // 10**6} MB; 文件过大 / larger than "
                    f"{MAX_DOCUMENT_BYTES // 10**6} MB, too large for a report",
                )
            if fmt is not None and fmt not in READ:
                raise ParameterError(str(path), None, fmt.refusal())
            if fmt is None:
                raise ParameterError(str(path), None, "文件过大 / file too large for a report page")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParameterError(str(path), None, "文件不存在 / file not found") from None
    except OSError as exc:
        raise ParameterError(str(path), None, f"无法读取 / cannot read: {exc.strerror}") from None
    return import_bytes(data, name=str(path), agency_id=agency_id)


def import_bytes(
    data: bytes, *, name: str | None = None, agency_id: str | None = None
) -> ImportResult:
    """Read a published report from its bytes. PDF and DOCX are rebuilt as HTML pages
    (:mod:`.pdf`, :mod:`.word`) and read as such; WPS, Word 97-2003 and other documents are
    refused by their magic bytes, naming the format."""
    fmt = sniff(data, name, io.BytesIO(data))
    if fmt in READ:
        return _import_document(data, fmt is PDF, name, agency_id)
    if fmt is not None:
        raise ParameterError(name, None, fmt.refusal())
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        raise ParameterError(name, None, f"无法识别编码 / {exc}") from None
    result = import_text(text, name=name, agency_id=agency_id)
    return replace(result, encoding=encoding)


def _import_document(
    data: bytes, is_pdf: bool, name: str | None, agency_id: str | None
) -> ImportResult:
    """A PDF or DOCX: rebuilt as an HTML page, read as one."""
    if is_pdf:
        from .pdf import PdfError, pdf_to_html

        try:
            layout = pdf_to_html(data)
        except PdfError as exc:
            raise ParameterError(name, None, str(exc)) from None
        markup, form, note = layout.html, "pdf", layout.note
    else:
        from .word import WordError, docx_to_html

        try:
            markup = docx_to_html(data)
        except WordError as exc:
            raise ParameterError(name, None, str(exc)) from None
        form, note = "docx", ""
    result = import_text(markup, name=name, agency_id=agency_id)
    notes = (*result.notes, note) if note else result.notes
    return replace(result, form=form, encoding="utf-8", notes=notes, markup=markup)


def import_text(
    text: str, *, name: str | None = None, agency_id: str | None = None
) -> ImportResult:
    """Read a published report from its text (HTML markup is recognised and laid out).

    A page whose tables are past the caps of :mod:`.html` is refused (ParameterError)."""
    title_hint = None
    form = "text"
    places: dict[int, LinePlace] = {}
    if looks_like_html(text):
        try:
            text, title_hint, places = html_layout(text)
        except TableTooLarge as exc:
            raise ParameterError(name, None, f"table too large: {exc}") from None
        form = "html"
    src = Source(clean_text(text))
    sk = S.find_skeleton(src)
    c = Collector()
    for section in L.SECTIONS:
        if section.key not in sk.headings:
            c.add(
                "IMPORT-SECTION",
                WARNING,
                (section.key, None, None),
                f"未找到标题“{section.heading}”",
                f"heading not found: {section.heading}",
            )

    start, end = sk.region("active")
    old_active = T.is_old_active(src, start, end)
    collect_active(c, T.read_active(src, start, end, old_active), old_active)
    start, end = sk.region(L.APPLICATIONS)
    old_apps = T.is_old_applications(src, start, end)
    collect_applications(c, T.read_applications(src, start, end, old_apps))
    start, end = sk.region(L.REVIEW_LITIGATION)
    collect_review(c, T.read_review(src, start, end))

    if not any(v is not None for v in c.cells.values()) and not sk.headings:
        raise ParameterError(
            name,
            None,
            "未识别出政府信息公开年度报告（无章节标题、无表格）/ "
            "no annual report recognised (no section headings, no tables)",
        )

    meta = S.metadata(src, sk, title_hint, Path(name).name if name else None)
    if old_active or (meta.year and meta.year < 2021) or (old_apps and not meta.year):
        c.add(
            "OLD-FORMAT",
            WARNING,
            ("year", None, None),
            "按 2019 年试行格式（国办公开办函〔2019〕60号）发布："
            "能对应的数据已读取，其余标为未读出（unread）",
            "published in the 2019 trial format: what maps was read, the rest written unread",
        )
    if not meta.agency:
        c.add(
            "IMPORT-META",
            ERROR,
            ("agency", None, None),
            "未找到机关名称（标题）",
            "agency name (title) not found",
        )
    if not meta.year:
        c.add(
            "IMPORT-META", ERROR, ("year", None, None), "未找到报告年度", "reporting year not found"
        )

    narrative, fees = _narrative(src, sk, meta.agency)
    ident, how = _agency_id(agency_id, name, meta.agency)
    mapping = _mapping(meta, ident, narrative, fees, c.cells)
    if fees is not None:
        for key, value in fees.items():
            if value is None:
                c.add(
                    "IMPORT-UNREAD",
                    WARNING,
                    ("processing_fees", key, None),
                    f"六 未说明 {dict(L.PROCESSING_FEES)[key]}",
                    f"section 六 does not state {key}",
                )
    notes = [f"agency_id: {ident} ({how})"]
    if meta.year_from and meta.year_from != "title":
        notes.append(f"year {meta.year} taken from the {meta.year_from}")
    problems = tuple(replace(p, file=name) for p in c.problems)
    locator = Locator(src, places if form == "html" else None)
    where = {
        key: text for key, at in c.at.items() if (text := locator.describe(at, c.cells.get(key)))
    }
    return ImportResult(
        mapping,
        problems,
        dict(c.cells),
        tuple(k for k in S.SECTION_KEYS if k in sk.headings),
        name,
        "utf-8",
        form,
        tuple(notes),
        readings=dict(c.readings),
        where=where,
    )


def _narrative(
    src: Source, sk: S.Skeleton, agency: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    narrative: dict[str, Any] = {}
    if "overview" in sk.headings:
        narrative["overview"] = S.overview(src, *sk.region("overview"))
    other = ""
    for key in ("problems", "other"):
        if key in sk.headings:
            text = S.cut(src, *sk.region(key))
            if not any(k in sk.headings for k in S.SECTION_KEYS[S.SECTION_KEYS.index(key) + 1 :]):
                text = S.strip_signature(text, agency)  # the last section ends with the 落款
            narrative[key] = text
            other = text if key == "other" else other
    fees = S.processing_fees(other) if other else None
    if "other" in narrative:
        narrative["other"] = S.strip_generated(narrative["other"])
    return narrative, fees


def _agency_id(given: str | None, name: str | None, agency: str) -> tuple[str, str]:
    """``--id``; else the file name without its year when it is a valid slug; else a stable
    id from the agency name, so that the same agency's years match up."""
    if given:
        return given, "given"
    if name:
        stem = Path(name).name.split(".")[0].lower()
        stem = re.sub(r"(?<![0-9])(?:19|20)\d\d(?![0-9])", "", stem)
        stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
        if is_safe_id(stem) and re.search(r"[a-z]", stem):
            return stem, "from the file name; use --id to set it"
    digest = hashlib.sha1((agency or "unknown").encode("utf-8")).hexdigest()[:10]
    return f"agency-{digest}", "from the agency name; use --id to set it"


def _mapping(
    meta: S.Meta,
    agency_id: str,
    narrative: dict[str, Any],
    fees: dict[str, Any] | None,
    cells: Mapping[CellKey, Value],
) -> dict[str, Any]:
    kind = (
        "government" if re.search(r"(?:人民政府|[省市县区旗州盟])$", meta.agency) else "department"
    )
    active: dict[str, Any] = {}
    for item, measure in L.active_cells():
        value = _plain(cells[("active", item, measure)])
        if measure is None:
            active[item] = value
        else:
            active.setdefault(item, {})[measure] = value
    mapping: dict[str, Any] = {
        "schema": L.SCHEMA,
        "agency": meta.agency,
        "agency_id": agency_id,
        "kind": kind,
        "scope": "agency",
        "year": meta.year,
        "published": meta.published.isoformat() if meta.published else None,
        "narrative": narrative,
        # a fee 六 does not state is not read (IMPORT-UNREAD): ``unread``, as a table cell
        "processing_fees": None if fees is None else {k: _plain(v) for k, v in fees.items()},
        "active": active,
        L.APPLICATIONS: {
            "columns": list(L.APPLICATION_COLUMN_KEYS),
            "rows": {
                r.key: [
                    _plain(cells[(L.APPLICATIONS, r.key, c)]) for c in L.APPLICATION_COLUMN_KEYS
                ]
                for r in L.APPLICATION_ROWS
            },
        },
        L.REVIEW_LITIGATION: {
            g.key: [_plain(cells[(L.REVIEW_LITIGATION, g.key, o)]) for o in L.REVIEW_OUTCOME_KEYS]
            for g in L.CASE_GROUPS
        },
    }
    return {k: v for k, v in mapping.items() if v is not None or k == "year"}
