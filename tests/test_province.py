"""The synthetic province (issue 20): five kinds of report with valid codes, and a small
province published by the batch with a summary page per region, C18 at each level, links up
and down, and a rebuild after one change that renders that page and the regions above it."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import run_govinfo

from govinfo import divisions
from govinfo.examples import example_province, main, write_province
from govinfo.params.collect import check_all, find_parameter_files, load_all
from govinfo.province import Shape, shape_for

SMALL = Shape(cities=2, counties=2, departments=2, townships=1)  # 25 reports, 7 regions


def _kind(report: Any) -> str:
    """What a report is, by its code's level and its scope and kind."""
    level = divisions.level(report.region_code)
    if report.scope == "region":
        return f"{level} government"
    if report.kind == "government":
        return "township"
    return f"{level} department"


def test_the_generator_makes_five_kinds_of_report_with_valid_codes() -> None:
    reports = example_province(SMALL)
    assert len(reports) == SMALL.reports == 25
    assert all(divisions.problem(r.region_code) is None for r in reports)
    kinds = Counter(_kind(r) for r in reports)
    assert kinds == {
        "province government": 1, "province department": 2,
        "city government": 2, "city department": 4,
        "county government": 4, "county department": 8, "township": 4,
    }  # fmt: skip
    townships = [r for r in reports if _kind(r) == "township"]
    assert all("镇人民政府" in r.agency and r.region_code[4:] != "00" for r in townships)
    assert len({r.agency_id for r in reports}) == len(reports)
    assert len({r.agency for r in reports}) == len(reports)  # names unique across counties
    assert all("示例" in r.agency for r in reports)


def test_the_command_writes_about_n_valid_reports(tmp_path: Path) -> None:
    assert main([str(tmp_path), "--province", "60"]) == 0
    files = find_parameter_files([tmp_path])
    assert len(files) == shape_for(60).reports and 45 <= len(files) <= 75
    reports, problems = load_all(files)
    assert problems == {}
    errors = {p: [f for f in fs if f.is_error] for p, fs in check_all(reports).items()}
    assert {p: e for p, e in errors.items() if e} == {}
    assert shape_for(20_000).reports == pytest.approx(20_000, rel=0.05)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("province")
    write_province(SMALL, root / "params")
    code, out, err, _ = run_govinfo("batch", root / "params", "-o", root / "site", "--no-progress")
    return {"root": root, "code": code, "out": out, "err": err}


def _page(site: dict[str, Any], code: str) -> BeautifulSoup:
    path = site["root"] / "site" / "2021" / f"summary.{code}.html"
    return BeautifulSoup(path.read_text("utf-8"), "lxml")


REGIONS = ["320000", "320100", "320101", "320102", "320200", "320201", "320202"]


def test_a_small_province_publishes_a_summary_for_every_region(site: dict[str, Any]) -> None:
    assert site["code"] == 0, site["out"] + site["err"]
    pages = sorted(p.name for p in (site["root"] / "site" / "2021").glob("summary.*.html"))
    assert pages == [f"summary.{code}.html" for code in REGIONS]
    for code in REGIONS:  # C18 at each level: every government's report adds up
        text = _page(site, code).text
        assert "逐格核对（C18）" in text and "各格均与汇总数一致" in text, code
    index = BeautifulSoup((site["root"] / "site" / "index.html").read_text("utf-8"), "lxml")
    assert [a["href"] for a in index.select("p.gi-summary-link a")] == [
        "2021/summary.html",
        "2021/summary.320000.html",
    ]


def test_each_level_links_down_and_up(site: dict[str, Any]) -> None:
    province = _page(site, "320000")
    assert [a["href"] for a in province.select("tr[data-region] a")] == [
        "summary.320100.html",
        "summary.320200.html",
    ]
    city = _page(site, "320100")
    assert city.select_one("p.gi-up a")["href"] == "summary.320000.html"
    assert [a["href"] for a in city.select("tr[data-region] a")] == [
        "summary.320101.html",
        "summary.320102.html",
    ]
    county = _page(site, "320101")
    crumbs = [a["href"] for a in county.select("nav.gi-breadcrumb a")]
    assert crumbs == ["../index.html", "summary.320000.html", "summary.320100.html"]
    units = sorted(tr["data-agency"] for tr in county.select("tr[data-agency]"))
    assert units == ["sl320101-fgj", "sl320101-t01", "sl320101-zfb"]
    counted = re.search(r"共计入 (\d+) 份报告", province.text)
    assert counted and int(counted[1]) == 2 + 2 * (2 + 2 * 3)  # every unit, once


def test_one_change_renders_its_page_and_the_regions_above_only(site: dict[str, Any]) -> None:
    """Last in this module: it edits the province the other tests read."""
    work = site["root"]
    code, out, err, _ = run_govinfo("batch", work / "params", "-o", work / "site")
    assert code == 0 and "up to date, nothing rendered" in out, out + err
    changed = work / "params" / "2021" / "sl320102-fgj.yaml"
    changed.write_text(changed.read_text("utf-8").replace("other: ", "other: （更正）", 1), "utf-8")
    code, out, err, _ = run_govinfo("batch", work / "params", "-o", work / "site")
    assert code == 0, out + err
    rendered = sorted(
        f"{line.split()[1]}" for line in out.splitlines() if re.match(r"2021 .* rendered", line)
    )
    assert rendered == [
        "sl320102-fgj",
        "summary.320000",
        "summary.320100",
        "summary.320102",
    ]


# --------------------------------------------------------------------------- validation, again


def _validated(folder: Path, known: dict[str, Any] | None) -> tuple[list[dict[str, Any]], int]:
    """validate() over ``folder``: (the entries as the manifest keeps them, files read)."""
    import govinfo.params as params
    from govinfo.batch.manifest import file_sha
    from govinfo.batch.plan import validate

    files = find_parameter_files([folder])
    shas = {str(p.resolve()): file_sha(p) for p in files}
    reads: list[Path] = []
    load = params.load

    def counting(path: Any, **kwargs: Any) -> Any:
        reads.append(Path(path))
        return load(path, **kwargs)

    params.load = counting  # type: ignore[assignment]
    try:
        entries = validate(files, shas, known)
    finally:
        params.load = load  # type: ignore[assignment]
    return [e.to_json() for e in entries], len(reads)


def test_validation_reads_again_only_what_changed_and_finds_the_same(tmp_path: Path) -> None:
    """The example county, both years (2022 names 2021 as ``previous``): after one 2021 file
    changes, the entries of the files that did not are reused, the changed file and the file
    whose continuity depends on it are read again, and the findings equal a full validation."""
    from govinfo.batch.manifest import Entry

    folder = tmp_path / "parameters"
    shutil.copytree(Path(__file__).resolve().parents[1] / "parameters", folder)
    first, reads = _validated(folder, None)
    assert reads >= len(first)
    known = {e["source"]: Entry.from_json(e) for e in first}
    again, reads = _validated(folder, known)
    assert again == first and reads == 0
    changed = folder / "2021" / "shili-jyj.yaml"
    text = changed.read_text("utf-8")
    changed.write_text(re.sub(r"carried_forward: \[(\d+)", r"carried_forward: [9\1", text), "utf-8")
    full, _ = _validated(folder, None)
    incremental, reads = _validated(folder, known)
    assert incremental == full
    assert 2 <= reads <= 4  # the changed file and its 2022 successor (with their previous)
    jyj = {e["year"]: e for e in full if e["agency_id"] == "shili-jyj"}
    assert any(f["rule"] == "CONTINUITY" for f in jyj[2022]["findings"])
