"""The example county: reproducible, valid, balanced, and summing up to its government report."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from govinfo import layout as L
from govinfo.examples import (
    COUNTY_SIZE,
    HANDWRITTEN,
    YEARS,
    example_reports,
    write_example_county,
    write_reports,
)
from govinfo.params.collect import check_all, find_parameter_files, load_all
from govinfo.rules import check, check_region

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = ROOT / "parameters"


@pytest.fixture(scope="module")
def county() -> dict[Path, object]:
    files = find_parameter_files([PARAMETERS])
    reports, problems = load_all(files)
    assert not problems
    return {path: report for path, report in reports.items() if report.agency_id != "zezhou-xzsp"}


def test_committed_county_is_what_the_generator_writes(tmp_path: Path) -> None:
    for year in YEARS:
        for key in HANDWRITTEN:
            name = f"shili-{key}.yaml"
            (tmp_path / str(year)).mkdir(parents=True, exist_ok=True)
            shutil.copy(PARAMETERS / str(year) / name, tmp_path / str(year) / name)
    written = write_example_county(tmp_path)
    assert len(written) == 2 * (COUNTY_SIZE - len(HANDWRITTEN) + 1)
    for path in written:
        committed = PARAMETERS / path.relative_to(tmp_path)
        assert path.read_bytes() == committed.read_bytes(), f"{committed} differs: regenerate"


def test_every_example_passes_every_rule_without_warnings() -> None:
    reports, problems = load_all(find_parameter_files([PARAMETERS]))
    assert not problems
    results = check_all(reports)
    noisy = {str(p): [str(f) for f in fs] for p, fs in results.items() if fs}
    assert noisy == {}


def test_government_report_equals_the_sum_of_its_departments(county: dict) -> None:
    for year in YEARS:
        mine = [r for r in county.values() if r.year == year]
        (government,) = [r for r in mine if r.scope == "region"]
        units = [r for r in mine if r.scope == "agency"]
        assert government.kind == "government"
        assert len(units) == COUNTY_SIZE
        assert check_region(government, units) == []
        assert government.applications.total("new") == sum(
            u.applications.total("new") for u in units
        )


def test_examples_are_marked_and_linked_year_to_year(county: dict) -> None:
    for path, report in county.items():
        assert report.agency.startswith("示例县"), report.agency
        assert report.region == "示例省示例市示例县"
        assert path.name == f"{report.agency_id}.yaml"
        assert path.parent.name == str(report.year)
        if report.year == YEARS[-1]:
            assert report.previous is not None, path
            assert report.previous.agency_id == report.agency_id
            assert report.previous.year == report.year - 1
        else:
            assert report.previous_path is None


def test_examples_are_varied_and_balanced(county: dict) -> None:
    units = [r for r in county.values() if r.scope == "agency"]
    new = [r.applications.total("new") for r in units]
    assert min(new) < 10 < max(new), new  # quiet and busy departments
    withheld = Counter(
        key
        for r in units
        for key in L.APPLICATION_ROW_KEYS
        if key.startswith("withheld_") and r.applications.total(key)
    )
    assert len(withheld) >= 5, withheld
    with_cases = [r for r in units if r.review_litigation.cell("review", "total")]
    without_cases = [
        r for r in units if not any(r.review_litigation.cell(g, "total") for g in L.CASE_GROUP_KEYS)
    ]
    assert len(with_cases) >= 4 and len(without_cases) >= 4
    licensing = sorted(r.active.get("licensing") for r in units)
    assert licensing[0] < 500 and licensing[-1] > 5000
    assert any(r.processing_fees and r.processing_fees.notices for r in units)
    texts = {r.narrative.overview.intro for r in units}
    assert len(texts) == len(units)  # no two departments share an introduction


def test_benchmark_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    reports = example_reports(30)
    assert [r.agency_id for r in reports] == [r.agency_id for r in example_reports(30)]
    per_year = Counter(r.year for r in reports if r.scope == "agency")
    assert per_year == {year: 30 for year in YEARS}
    ids = Counter((r.year, r.agency_id) for r in reports)
    assert max(ids.values()) == 1
    regions = {r.region for r in reports}
    assert len(regions) == 3 and all("示例" in region for region in regions)
    written = write_reports(reports, tmp_path)
    loaded, problems = load_all(written)
    assert not problems
    assert not [f for r in loaded.values() for f in check(r) if f.is_error]
