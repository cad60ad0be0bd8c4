"""A new parameter file: ``govinfo new`` and the editor's 新建 run this one implementation.

Both refuse the same ids (:func:`govinfo.files.is_safe_id`, rule AGENCY-ID) and region codes
(:func:`govinfo.divisions.problem`, rule REGION-CODE: a code the parser would drop must not be
written in the first place), ask the parser
and the rules whether the skeleton would fail for another reason than being unfilled, and
never replace an existing file unless told to. A refusal is a :class:`NewReportError`
carrying the command line's English line and the editor's Chinese one. The file is written
with each key's Chinese label as a comment (:func:`govinfo.params.write.key_labels`), so a
file edited by hand explains itself; print :func:`new_text` for the same text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import divisions
from ..files import RESERVED_NAMES, is_safe_id
from ..model import Report, blank_report, next_year
from ..rules import check
from .parse import load, parse
from .write import dumps_yaml, save, to_mapping

# Findings a fresh skeleton has by design: every cell still to be filled in.
UNFILLED = frozenset({"MISSING", "NARRATIVE-EMPTY"})


class NewReportError(ValueError):
    """Why no new file was written: ``str()`` is the English line, ``zh`` the Chinese one."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def new_report(
    fields: Mapping[str, Any], *, last_year: str | Path | None = None, base: Path | None = None
) -> Report:
    """A complete skeleton: every cell present and ``null`` (not filled in), every part of
    the narrative a placeholder. ``fields`` holds agency, agency_id, year (and region,
    region_code: ``""`` for none); with ``last_year``, the report starts from that file
    (region and region_code too, unless ``fields`` give them), which ``previous`` names
    relative to ``base`` (the folder the new file goes to). An unreadable ``last_year``
    raises :class:`~govinfo.findings.ParameterError`."""
    if "region_code" in fields:
        fields = {**fields, "region_code": _region_code(str(fields["region_code"]))}
    if last_year:
        last = load(last_year, follow_previous=False)
        folder = (base or Path.cwd()).resolve()
        previous = Path(os.path.relpath(Path(last_year).resolve(), folder)).as_posix()
        report = next_year(last, previous, **fields)
    else:
        report = blank_report(**fields)
    agency_id = report.agency_id
    if not is_safe_id(agency_id):
        zh = (
            f"文件标识 {agency_id!r} 是网站自用的文件名，不能使用"
            if agency_id in RESERVED_NAMES
            else f"文件标识 {agency_id!r} 只能由小写字母、数字和连字符组成"
        )
        raise NewReportError(
            f"--id {agency_id!r}: rule AGENCY-ID: an id must match [a-z0-9][a-z0-9-]* (at most "
            "80 characters) and not be a name the site uses for its own pages (summary, index, "
            "manifest …) or a Windows device name",
            zh,
        )
    # Refuse a file that would fail for other reasons than being unfilled (year out of
    # range, empty agency): the parser and the rules know the limits, so ask them.
    findings = check(parse(to_mapping(report)))
    invalid = [f for f in findings if f.is_error and f.rule not in UNFILLED]
    if invalid:
        raise NewReportError(f"{invalid[0].where}: {invalid[0].en}", invalid[0].zh)
    return report


def _region_code(code: str) -> str:
    """``code`` as the file will hold it (surrounding spaces dropped, as the parser does), or
    :class:`NewReportError` naming the option and rule REGION-CODE."""
    code = code.strip()
    why = divisions.problem(code) if code else None
    if why is None:
        return code
    zh, en = why.split(" / ", 1)
    raise NewReportError(
        f"--region-code {code!r}: rule REGION-CODE: not a GB/T 2260 division code "
        f"(e.g. {divisions.EXAMPLE}): {en}",
        f"行政区划代码 {code!r} 有误（GB/T 2260，如 {divisions.EXAMPLE}）：{zh}",
    )


def new_text(report: Report) -> str:
    """The new file's YAML text, each key followed by its Chinese label as a comment."""
    return dumps_yaml(report, labels=True)


def save_new(report: Report, path: str | Path, *, force: bool = False) -> Path:
    """Write the new report atomically, labelled (YAML; JSON has no comments); an existing
    file is replaced only with ``force``."""
    path = Path(path)
    if path.exists() and not force:
        en = f"{path} exists; use --force to replace it"
        zh = f"{path} 已存在：要编辑它请点“打开”；要新建另一份，请改文件标识或报告年度"
        raise NewReportError(en, zh)
    return save(report, path, labels=True)
