"""One region of a hierarchy of regions, summed (issue 20): a province, city or county named by
its GB/T 2260 ``region_code`` (:mod:`govinfo.divisions`).

**The rule.** A region's sums are the sums of its own units (the valid, published ``scope:
agency`` reports whose ``region_code`` is the region's) plus its direct sub-regions' sums.
A sub-region's own 本行政区域汇总 report (``scope: region``) is never added as well as its units:
it is checked against them (C18, at every level that has one). Only a sub-region with no
counted report below it at all is counted through its 本行政区域汇总 report instead (a province
office holding only the cities' summary reports), and the page says so.

**Streaming.** Units are loaded one at a time and folded into a running sum; a sub-region
arrives as the one summed report its own task wrote (``summary.<code>.json``, beside its
page). So a task holds the region's direct members, never the reports below them: memory
and page size follow the size of one region, not of the province. The batch renders the
regions bottom-up (:mod:`govinfo.batch.regions`); this module builds one region's data
(:func:`build_region`), which the notebook ``notebooks/region_summary.ipynb`` turns into the
page (:mod:`.hierarchy_page`), and writes the files beside it (:func:`render_region`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import layout as L
from ..divisions import level
from ..model import Narrative, Overview, Report
from .region import Member, _missing_finding, admit, check_sums, sum_reports

STEM = "summary"  # every file of a region starts with it (reserved, so no page takes it)
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "notebooks" / "region_summary.ipynb"

# A unit's main figures: (key, column label), the units table's columns in order.
FIGURES: tuple[tuple[str, str], ...] = (
    ("new", L.ROW_BY_KEY["new"].short),
    ("done", L.ROW_BY_KEY[L.TOTAL].short),
    ("granted", L.ROW_BY_KEY["granted"].short),
    *((item.key, item.label) for group in L.ACTIVE_GROUPS[1:] for item in group.items),
    ("review", L.REVIEW_HEADER),
    ("litigation", L.LITIGATION_HEADER),
)


def file_name(code: str, kind: str) -> str:
    """``summary.<code>.html`` (kind ``html``), ``.ipynb``, ``.json``, ``.yaml``, ``.csv``."""
    return f"{STEM}.{code}.{kind}"


def output_file(outdir: str | Path, year: int, code: str, kind: str) -> Path:
    """A region file's checked path inside OUTDIR/<year>/ (:func:`govinfo.files.output_path`)."""
    from ..files import output_path

    return output_path(Path(outdir), year, STEM, f".{code}.{kind}", site_page=True)


def title(year: int, name: str) -> str:
    return f"{year}年{name}{L.TITLE_SUFFIX}汇总"


# --------------------------------------------------------------------------- figures


def _exact(value: int | Decimal) -> int | Decimal:
    return value if isinstance(value, int) else Decimal(value)


def figures(report: Report) -> dict[str, int | Decimal]:
    """What the tables and charts compare: the main figures, the outcome categories
    (``outcome:<name>``) and the case groups (``case:<key>``) of one unit or sub-region."""
    apps, cases = report.applications, report.review_litigation
    values: dict[str, int | Decimal] = {
        "new": apps.total("new"),
        "done": apps.total(L.TOTAL),
        "granted": apps.total("granted"),
        "review": cases.cell("review", L.TOTAL),
        "litigation": cases.cell("litigation_direct", L.TOTAL)
        + cases.cell("litigation_after_review", L.TOTAL),
    }
    for group in L.ACTIVE_GROUPS[1:]:
        for item in group.items:
            values[item.key] = _exact(report.active.get(item.key))
    for name, keys in L.OUTCOME_CATEGORIES:
        values[f"outcome:{name}"] = sum(apps.total(key) for key in keys)
    for key in L.CASE_GROUP_KEYS:
        values[f"case:{key}"] = cases.cell(key, L.TOTAL)
    return values


# --------------------------------------------------------------------------- data in and out


def dumps(data: Mapping[str, Any]) -> str:
    """A region's data as JSON, decimals digit for digit (:func:`loads` reads it back)."""
    from ..params import dumps_mapping

    return dumps_mapping(data, "json")


def loads(text: str) -> dict[str, Any]:
    return dict(json.loads(text, parse_float=Decimal))


def total_report(data: Mapping[str, Any]) -> Report:
    """The summed report a region's data holds (``total``: a parameter-file mapping)."""
    from ..params import parse

    return parse(data["total"])


def read_child(outdir: str | Path, year: int, code: str) -> dict[str, Any] | None:
    """The data a sub-region's task wrote beside its page, or None when it is not there
    (its page never rendered) or is not that region's (a foreign or damaged file)."""
    try:
        data = loads(output_file(outdir, year, code, "json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("year") != year or data.get("code") != code or "total" not in data:
        return None
    return data


# --------------------------------------------------------------------------- building


def _fold(total: Report | None, report: Report, year: int, name: str) -> Report:
    """The running sum: one report at a time, so no list of reports is ever kept."""
    return sum_reports([report] if total is None else [total, report], year=year, region=name)


def _member_row(member: Member, why: str = "", kind: str = "") -> dict[str, Any]:
    row = {"name": member.name, "agency_id": member.agency_id, "html": member.html}
    if why:
        row.update(file=member.file, kind=kind, why=why)
    return row


def build_region(
    year: int,
    code: str,
    name: str,
    members: Sequence[Mapping[str, Any]],
    children: Sequence[Mapping[str, Any]],
    outdir: str | Path,
    *,
    lineage: Sequence[Sequence[str]] = (),
    previous: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One region's data: its sums, the rows of its units and sub-regions, who was not
    counted and why, C18 against its 本行政区域汇总 report, units missing since last year.

    ``members`` are this year's files whose ``region_code`` is ``code`` (the summary
    notebook's member mappings); ``children`` the direct sub-regions (``code``, ``name``,
    ``ok``: False when its page failed this run); ``lineage`` the regions above, from the
    top ((code, name) pairs); ``previous`` last year's members of the region, or None."""
    from ..rules import check_region

    own = [Member.of(m) for m in members]
    total: Report | None = None
    units: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for member in (m for m in own if m.scope == "agency"):
        report, why = admit(member)
        if report is not None:
            total = _fold(total, report, year, name)
            units.append({**_member_row(member), "figures": figures(report)})
        elif why is not None:
            excluded.append(_member_row(member, why.why, why.kind))
    counted = len(units)
    rows: list[dict[str, Any]] = []
    for child in children:
        row: dict[str, Any] = {"code": child["code"], "name": child["name"], "ok": False}
        got = read_child(outdir, year, str(child["code"])) if child.get("ok", True) else None
        if got is not None:
            child_total = total_report(got)
            total = _fold(total, child_total, year, name)
            counted += int(got["counted"])
            row.update(
                ok=True,
                html=file_name(str(child["code"]), "html"),
                counted=int(got["counted"]),
                stand_in=got.get("contribution") == "region_report",
                figures=figures(child_total),
            )
        rows.append(row)
    heads = [m for m in own if m.scope == "region" and m.summable]
    head = heads[0] if heads else None
    head_report: Report | None = None
    contribution = "sums" if counted else "none"
    if head is not None:
        from ..params import load

        head_report = load(head.file, follow_previous=False)
        if not counted:  # nothing below it in the site: it stands in for its region
            admitted, _ = admit(head)
            if admitted is not None:
                total, counted, contribution = _fold(None, admitted, year, name), 1, "region_report"
    present = {key for m in own for key in (m.agency_id, m.agency) if key}
    missing = [
        m
        for m in (Member.of(p) for p in previous or ())
        if m.scope == "agency"
        and (m.agency_id or m.agency)
        and not {m.agency_id, m.agency} & present
    ]
    c18: list[Any] = []
    if head_report is not None and contribution == "sums":
        c18 = check_region(head_report, [total] if total else [], count=counted)
        if missing:
            c18.append(_missing_finding(head_report, missing))
    total = total or sum_reports([], year=year, region=name)
    units.sort(key=lambda u: (-u["figures"]["new"], u["name"]))
    return {
        "year": year,
        "code": code,
        "name": name,
        "level": level(code),
        "lineage": [list(pair) for pair in lineage],
        "total": _mapping(total),
        "counted": counted,
        "contribution": contribution,
        "members": sum(m.scope == "agency" for m in own),
        "units": units,
        "excluded": excluded,
        "children": rows,
        "head": None if head is None else _member_row(head),
        "head_agency": None if head_report is None else head_report.agency,
        "missing": [m.name for m in missing],
        "compared": previous is not None,
        "c18": [f.to_dict() for f in c18],
        "sum_findings": [f.to_dict() for f in check_sums(total)] if counted else [],
    }


def _mapping(report: Report) -> dict[str, Any]:
    from ..params import to_mapping

    return to_mapping(report)


# --------------------------------------------------------------------------- files beside the page


def region_yaml(data: Mapping[str, Any], head: Report | None = None) -> str:
    """The region's 本行政区域汇总 parameter file: its sums in every cell, its code, and
    placeholders in 一、五、六 for the office to write (as the year summary offers)."""
    from ..params import dumps_yaml

    placeholder = L.NARRATIVE_PLACEHOLDER
    overview = Overview(**{key: placeholder for key, _ in L.OVERVIEW_PARTS})
    name, code = str(data["name"]), str(data["code"])
    report = total_report(data).replace(
        agency=str(data.get("head_agency") or f"{name}{L.KINDS['government']}"),
        agency_id=str((data.get("head") or {}).get("agency_id") or f"region-{code}"),
        region=name,
        region_code=code,
        kind="government",
        scope="region",
        narrative=Narrative(overview=overview, problems=placeholder, other=placeholder),
    )
    head_lines = (
        f"# {data['year']}年度 {' '.join(name.split())} {L.SCOPES['region']}：表二、表三、表四为 "
        f"{data['counted']} 份报告之和（本级单位及下级行政区域，逐级汇总），由 govinfo 生成。\n"
        "# 请核对 agency、agency_id，填写 published 和正文（narrative）后发布。\n"
    )
    return head_lines + dumps_yaml(report)


def units_csv(data: Mapping[str, Any]) -> bytes:
    """Every direct unit and sub-region with its main figures (the page lists the largest)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("类别", "名称", "代码", *(label for _, label in FIGURES)))
    for child in data["children"]:
        numbers = [child["figures"].get(k, "") for k, _ in FIGURES] if child["ok"] else []
        writer.writerow(("下级行政区域", child["name"], child["code"], *map(_text, numbers)))
    for unit in data["units"]:
        numbers = [unit["figures"][k] for k, _ in FIGURES]
        writer.writerow(("本级单位", unit["name"], unit["agency_id"], *map(_text, numbers)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: object) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def data_files(data: Mapping[str, Any]) -> dict[str, bytes]:
    """The files beside a region's page, by kind: its data (what the region above reads),
    its units as CSV and, when it has sums, its 本行政区域汇总 parameter file."""
    files = {"json": dumps(data).encode("utf-8"), "csv": units_csv(data)}
    if data["contribution"] == "sums":
        files["yaml"] = region_yaml(data).encode("utf-8")
    return files


def render_region(
    year: int,
    code: str,
    name: str,
    members: Sequence[Mapping[str, Any]],
    children: Sequence[Mapping[str, Any]],
    outdir: str | Path,
    *,
    lineage: Sequence[Sequence[str]] = (),
    previous: Sequence[Mapping[str, Any]] | None = None,
    template: str | Path | None = None,
    timeout: float | None = None,
    **engine_kwargs: Any,
) -> tuple[Path, Path, dict[str, Path]]:
    """Build the region's data once, run ``notebooks/region_summary.ipynb`` on it (papermill,
    a fresh kernel, like every page), then write the files beside the page: the data file
    last, since the region above reads it (a failed run leaves the last good files)."""
    from ..files import atomic_write
    from .pipeline import publish

    data = build_region(
        year, code, name, members, children, outdir, lineage=lineage, previous=previous
    )
    html_path = output_file(outdir, year, code, "html")
    planned = {kind: output_file(outdir, year, code, kind) for kind in ("csv", "yaml", "json")}
    files = data_files(data)
    notebook = Path(template) if template else DEFAULT_TEMPLATE
    parameters = {"year": year, "data": files["json"].decode("utf-8")}
    label = f"{year} summary {code}"
    publish(notebook, parameters, html_path, label=label, timeout=timeout, **engine_kwargs)
    written: dict[str, Path] = {}
    for kind, path in planned.items():
        if kind in files:
            atomic_write(path, files[kind])
            written[kind] = path
        else:
            path.unlink(missing_ok=True)  # no sums now: an old parameter file would mislead
    return html_path, html_path.with_suffix(".ipynb"), written
