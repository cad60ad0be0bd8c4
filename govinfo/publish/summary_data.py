"""The region summary's sums as data: a CSV per table and a 本行政区域汇总 parameter file.

A county office has to type the summed 表二、表三、表四 into its own 本行政区域汇总 report; the
summary page offers them as files instead, derived from the same :class:`RegionSummary` as
the page, in the same summary task (so they change exactly when the page does):

* ``summary.active.csv``, ``summary.applications.csv``, ``summary.review_litigation.csv``:
  one file per table, every region in it (first column 行政区域), one line per row of the
  official table, the official labels of :mod:`govinfo.layout` and the parameter-file key of
  the row (column 字段), so the files can be read back by a program as well as by a person.
  UTF-8 with a byte order mark, because Excel reads a CSV without one in the local code page
  and shows the Chinese labels as mojibake.
* ``summary.region-<hash>.yaml`` per region with at least one counted report: a parameter
  file (``kind: government``, ``scope: region``) holding the region's sums in every cell and
  placeholders in the narrative. It loads with :func:`govinfo.params.load`, adds up (the sums
  of valid reports satisfy every identity) and cannot be published until its narrative is
  written (rule NARRATIVE-EMPTY). Region names are Chinese, so the file is named by a short
  hash of the region text: stable from year to year, never a path.

Every name starts with ``summary.``: agency ids cannot contain a dot and ``summary`` is
reserved (:data:`govinfo.files.RESERVED_NAMES`), so no agency's page can take one of these
names, and :func:`govinfo.files.output_path` keeps them inside OUTDIR/<year>/.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from .. import layout as L
from ..model import Narrative, Overview, Report

if TYPE_CHECKING:
    from .region import RegionSummary

STEM = "summary"  # = summary.SUMMARY_NAME, the year's reserved page name
REGION_LABEL = "行政区域"
FIELD_LABEL = "字段"
# (section key, link text) of each CSV, in page order.
TABLES: tuple[tuple[str, str], ...] = tuple(
    (key, f"表{L.SECTION_BY_KEY[key].numeral} {L.SECTION_BY_KEY[key].title}")
    for key in ("active", L.APPLICATIONS, L.REVIEW_LITIGATION)
)
REGION_YAML_GLOB = f"{STEM}.region-*.yaml"


def csv_name(section: str) -> str:
    return f"{STEM}.{section}.csv"


def region_slug(region: str) -> str:
    """A file-name part for a region: ``region-`` and 8 hex digits of its text's SHA-256."""
    return "region-" + hashlib.sha256(region.encode("utf-8")).hexdigest()[:8]


def yaml_name(region: str) -> str:
    return f"{STEM}.{region_slug(region)}.yaml"


def with_data(regions: Sequence[RegionSummary]) -> list[RegionSummary]:
    """The regions that have sums to offer: at least one counted report."""
    return [s for s in regions if s.units]


# --------------------------------------------------------------------------- CSV


def _number(value: int | Decimal) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def active_csv(regions: Sequence[RegionSummary]) -> bytes:
    """表二, one line per cell: 行政区域, 字段 (``rules.issued``), 栏目, 信息内容, 指标, 数值."""
    header = (REGION_LABEL, FIELD_LABEL, "栏目", L.ACTIVE_ITEM_HEADER, "指标", "数值")
    rows = []
    for summary in with_data(regions):
        for group in L.ACTIVE_GROUPS:
            for item in group.items:
                for measure, label in group.measures:
                    key = f"{item.key}.{measure}" if measure else item.key
                    value = summary.total.active.get(item.key, measure or None)
                    rows.append(
                        (summary.region, key, group.caption, item.label, label, _number(value))
                    )
    return _csv(header, rows)


def applications_csv(regions: Sequence[RegionSummary]) -> bytes:
    """表三, one line per row: 行政区域, 字段, 项目 (official label with its groups), 7 columns."""
    header = (REGION_LABEL, FIELD_LABEL, "项目", *(c.label for c in L.APPLICATION_COLUMNS))
    rows = [
        (
            summary.region,
            row.key,
            row.full_label,
            *map(str, summary.total.applications.rows[row.key]),
        )
        for summary in with_data(regions)
        for row in L.APPLICATION_ROWS
    ]
    return _csv(header, rows)


def review_csv(regions: Sequence[RegionSummary]) -> bytes:
    """表四, one line per group (行政复议, 行政诉讼·未经复议直接起诉, …) with its 5 outcomes."""
    header = (REGION_LABEL, FIELD_LABEL, "类别", *(o.label for o in L.REVIEW_OUTCOMES))
    rows = [
        (
            summary.region,
            group.key,
            group.full_label,
            *map(str, summary.total.review_litigation.groups[group.key]),
        )
        for summary in with_data(regions)
        for group in L.CASE_GROUPS
    ]
    return _csv(header, rows)


# --------------------------------------------------------------------------- parameter file


def region_report(summary: RegionSummary) -> Report:
    """The region's 本行政区域汇总 report, ready for its narrative: the sums in every cell,
    the government's name, id and contact from the region's own report when there is one,
    placeholders in 一、五、六 and no publication date (both for the office to write)."""
    placeholder = L.NARRATIVE_PLACEHOLDER
    overview = Overview(**{key: placeholder for key, _ in L.OVERVIEW_PARTS})
    head = summary.region_report[1] if summary.region_report else None
    return summary.total.replace(
        agency=head.agency if head else f"{summary.region}{L.KINDS['government']}",
        agency_id=head.agency_id if head else summary.total.agency_id,
        contact=head.contact if head else None,
        kind="government",
        scope="region",
        published=None,
        narrative=Narrative(overview=overview, problems=placeholder, other=placeholder),
        previous_path=None,
    )


def region_yaml(summary: RegionSummary) -> bytes:
    from ..params import dumps_yaml

    names = "、".join(m.name for m, _ in summary.units)
    region = summary.region or "（未填写行政区域）"
    names, region = (" ".join(text.split()) for text in (names, region))  # one comment line
    head = (
        f"# {summary.year}年度 {region} "
        f"{L.SCOPES['region']}：表二、表三、表四为 {len(summary.units)} 个单位报告之和"
        f"（{names}），由 govinfo 的汇总页生成。\n"
        "# 请核对 agency、agency_id，填写 published 和正文（narrative，现为“（待填写）”）后发布。\n"
        "# Generated by govinfo's region summary: the tables are the sums of the valid, "
        "published reports; write the narrative and the publication date before publishing.\n"
    )
    return (head + dumps_yaml(region_report(summary))).encode("utf-8")


# --------------------------------------------------------------------------- files


def data_files(regions: Sequence[RegionSummary]) -> dict[str, bytes]:
    """Every data file of the year's summary: name → content (the CSVs always, header only
    when nothing was counted; a parameter file per region with sums)."""
    files = {
        csv_name("active"): active_csv(regions),
        csv_name(L.APPLICATIONS): applications_csv(regions),
        csv_name(L.REVIEW_LITIGATION): review_csv(regions),
    }
    for summary in with_data(regions):
        files[yaml_name(summary.region)] = region_yaml(summary)
    return files


def _path(outdir: Path, year: int, name: str) -> Path:
    from ..files import output_path

    return output_path(outdir, year, STEM, name[len(STEM) :], site_page=True)


def plan_data(outdir: Path, year: int, regions: Sequence[RegionSummary]) -> dict[Path, bytes]:
    """Every data file with its checked path, before anything is written: a path that would
    leave OUTDIR (a linked year folder) fails the summary before its notebook runs."""
    return {_path(outdir, year, name): data for name, data in data_files(regions).items()}


def write_data(outdir: Path, year: int, planned: dict[Path, bytes]) -> list[Path]:
    """Write the planned files atomically and remove region parameter files left from
    regions that no longer have sums (a link to a page would otherwise point nowhere)."""
    from ..files import atomic_write

    for path, data in planned.items():
        atomic_write(path, data)
    for stale in data_paths(outdir, year):
        if stale.name.endswith(".yaml") and stale not in planned:
            stale.unlink(missing_ok=True)
    return list(planned)


def data_paths(outdir: Path, year: int) -> list[Path]:
    """The data files the last summary of ``year`` left in OUTDIR/<year>/ (for the manifest)."""
    folder = Path(outdir).resolve() / str(year)
    if not folder.is_dir():
        return []
    names = [csv_name(section) for section, _ in TABLES]
    found = [folder / name for name in names if (folder / name).is_file()]
    return found + sorted(p for p in folder.glob(REGION_YAML_GLOB) if p.is_file())
