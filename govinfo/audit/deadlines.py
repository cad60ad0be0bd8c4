"""Deadlines by level (C15): publication and filing dates against the pack's calendar.

条例第四十九条 gives departments 1月31日 and governments 3月31日; local notices set other
dates per level (岳阳: 县市区政府 by 2月20日, filing by 1月31日). The level of a government
comes from its name (淮安市洪泽区人民政府 → county, 淮安市人民政府 → city, 江苏省人民政府 and
the four municipalities → province); a pack's ``levels`` overrides it per agency_id.
Filing dates are not in a parameter file: ``govinfo audit --dates dates.csv`` gives them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..findings import ParameterError
from ..model import Report
from .packs import LEVEL_LABELS, Pack
from .problems import Problem

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def level_of(report: Report, pack: Pack) -> str:
    if report.agency_id in pack.levels:
        return pack.levels[report.agency_id]
    if report.kind != "government":
        return "department"
    name = re.sub(r"[（(].*?[）)]", "", report.agency).removesuffix("人民政府").removesuffix("政府")
    if name in MUNICIPALITIES or name.endswith(("省", "自治区")):
        return "province"
    if name.endswith(("县", "旗", "区")):
        return "county"
    if name.endswith("市"):
        return "county" if re.search(r"[市州盟].+市$", name) else "city"
    if name.endswith(("州", "盟")):
        return "city"
    return "county"


@dataclass(frozen=True)
class Dates:
    published: dt.date | None = None
    filed: dt.date | None = None


def read_dates(path: str | Path) -> dict[tuple[str, int], Dates]:
    """``--dates``: CSV with agency_id (or agency), year, published, filed (YYYY-MM-DD)."""
    name = str(path)
    try:
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(name, None, f"cannot read: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or ())
    if not ({"agency_id", "agency"} & fields) or "year" not in fields:
        raise ParameterError(
            name, "header", "needs columns agency_id (or agency), year, published, filed"
        )
    out: dict[tuple[str, int], Dates] = {}
    for n, row in enumerate(reader, start=2):
        ident = (row.get("agency_id") or row.get("agency") or "").strip()
        try:
            year = int(row["year"])
        except (TypeError, ValueError):
            raise ParameterError(name, f"line {n}: year", "a four-digit year") from None
        values = []
        for key in ("published", "filed"):
            raw = (row.get(key) or "").strip()
            try:
                values.append(dt.date.fromisoformat(raw) if raw else None)
            except ValueError:
                raise ParameterError(
                    name, f"line {n}: {key}", f"a date YYYY-MM-DD, not {raw!r}"
                ) from None
        out[(ident, year)] = Dates(*values)
    return out


def check_deadlines(report: Report, pack: Pack, dates: Dates | None = None) -> list[Problem]:
    level = level_of(report, pack)
    deadline = pack.calendar[level]
    published = (dates.published if dates and dates.published else None) or report.published
    out: list[Problem] = []
    who = LEVEL_LABELS[level]
    due = deadline.publish_date(report.year)
    if published is None:
        out.append(
            Problem(
                rule="DATE-UNKNOWN",
                what=f"未给出发布日期，无法核对是否在 {due:%Y年%-m月%-d日} 前发布（{who}）",
                where="发布日期",
                evidence=(("期限", f"{due:%Y-%m-%d}：{deadline.basis}"),),
                fix="在参数文件中填写 published（发布日期），或用 --dates 提供",
                severity="info",
                key=("published", None, None),
            )
        )
    elif published.year <= report.year or published > due:
        early = published.year <= report.year
        what = (
            f"发布日期 {published:%Y-%m-%d} 早于报告年度结束"
            if early
            else f"发布日期 {published:%Y-%m-%d} 晚于{who}的发布期限 {due:%Y-%m-%d}"
            f"（迟 {(published - due).days} 天）"
        )
        out.append(
            Problem(
                rule="DEADLINE",
                what=what,
                where="发布日期",
                evidence=(
                    ("发布日期", f"{published:%Y-%m-%d}"),
                    ("期限", f"{due:%Y-%m-%d}：{deadline.basis}"),
                ),
                fix="按规则包日历的期限发布；已发布的报告核对门户网站上的实际发布日期",
                severity="error",
                key=("published", None, None),
                data={"level": level, "published": published.isoformat(), "due": f"{due:%Y-%m-%d}"},
            )
        )
    filed = dates.filed if dates else None
    file_by = deadline.date(report.year, "file_by")
    if filed is not None and file_by is not None and filed > file_by:
        out.append(
            Problem(
                rule="FILING",
                what=f"报送（备案）日期 {filed:%Y-%m-%d} 晚于期限 {file_by:%Y-%m-%d}"
                f"（迟 {(filed - file_by).days} 天）",
                where="报送日期",
                evidence=(
                    ("报送日期", f"{filed:%Y-%m-%d}"),
                    ("期限", f"{file_by:%Y-%m-%d}：{deadline.basis}"),
                ),
                fix="按期限向政务公开主管部门报送年报（负责人签字并盖章）",
                severity="warning",
            )
        )
    return out
