"""A synthetic province for the region hierarchy and the load benchmark (issue 20): a province
with cities, counties, departments at every level and townships, each with its GB/T 2260
``region_code``, and a 本行政区域汇总 report at every level that adds up (C18).

Five kinds of report, from the top: the province's (its government and departments), the
cities', the counties', the townships' (a township government is one of its county's units:
it has no six-digit code of its own, :mod:`govinfo.divisions`) and, at each of the three
upper levels, departments. A government's report sums its own units and the sums of the
regions directly below it, never their government reports as well: the rule the summaries
follow (:mod:`govinfo.publish.hierarchy`).

Every name is marked as an example (示例省, 示例3市, 示例17县 …; codes under 32, so they
look like real ones). How one department's or township's numbers and prose are made is the
example county's (:mod:`govinfo.examples`, which calls :func:`province_reports` with its own
makers): this module lays out the province and adds up the governments' reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import Report
from .publish.region import sum_reports

PROVINCE_CODE = "32"
PROVINCE_NAME = "示例省"
# Per region (county or above) for a province of a thousand reports and more: the shape of
# a region stays the same as N grows, only the number of counties does (memory flat in N).
DEPARTMENTS = 30
TOWNSHIPS = 12


@dataclass(frozen=True)
class Shape:
    """How many of each: cities, counties per city, departments per region, townships per
    county. ``reports`` is what :func:`province_reports` makes for one year."""

    cities: int
    counties: int
    departments: int
    townships: int

    @property
    def reports(self) -> int:
        per_county = 1 + self.departments + self.townships
        per_city = 1 + self.departments + self.counties * per_county
        return 1 + self.departments + self.cities * per_city


def shape_for(reports: int) -> Shape:
    """About ``reports`` reports a year: 30 departments and 12 townships a county from a
    thousand up (fewer below), cities and counties in proportion (at most 99 each: codes)."""
    if reports >= 1000:
        departments, townships = DEPARTMENTS, TOWNSHIPS
    else:
        departments = max(1, min(DEPARTMENTS, reports // 35))
        townships = max(1, departments * 2 // 5)
    per_county = 1 + departments + townships
    cities = max(1, min(99, round(math.sqrt(reports / per_county))))
    top = (1 + departments) * (cities + 1)
    counties = max(1, min(99, round((reports - top) / (cities * per_county))))
    return Shape(cities, counties, departments, townships)


@dataclass(frozen=True)
class Place:
    """A region of the province, in the shape the example generator takes a county in."""

    number: int  # seeds its reports' numbers (the code as a number: unique)
    name: str  # 示例3市, 示例17县 (its agencies' names start with it)
    region: str  # the region text of its reports: 示例省示例3市示例17县
    prefix: str  # agency ids: <prefix>-<key>
    code: str  # GB/T 2260

    @classmethod
    def of(cls, code: str, name: str, region: str) -> Place:
        return cls(int(code), name, region, f"sl{code}", code)


def places(shape: Shape) -> list[tuple[Place, list[tuple[Place, list[Place]]]]]:
    """The province, its cities, their counties: [(province, [(city, [county, …]), …])]."""
    province = Place.of(f"{PROVINCE_CODE}0000", PROVINCE_NAME, PROVINCE_NAME)
    cities = []
    number = 0
    for c in range(1, shape.cities + 1):
        city_name = f"示例{c}市"
        city = Place.of(f"{PROVINCE_CODE}{c:02d}00", city_name, PROVINCE_NAME + city_name)
        counties = []
        for k in range(1, shape.counties + 1):
            number += 1
            name = f"示例{number}县"
            counties.append(Place.of(f"{city.code[:4]}{k:02d}", name, city.region + name))
        cities.append((city, counties))
    return [(province, cities)]


# What the province is made with: the reports of a region's i-th department or township (one
# per year given), and a government's report summing the given reports for a year.
Units = Callable[[Place, int], Sequence[Report]]
Government = Callable[[Place, int, Sequence[Report]], Report]


def province_reports(
    shape: Shape,
    department: Units,
    township: Units,
    government: Government,
    years: Sequence[int],
    emit: Callable[[Report], object] | None = None,
) -> list[Report]:
    """Every report of the province for ``years``, each with its region's code: departments
    at every level, townships in counties, and governments whose reports are the sums of
    their own units plus the sums of the regions below (C18 holds at every level).

    With ``emit``, each report is handed to it as soon as it is made and none is kept
    (20,000 reports need not be in memory at once to be written): the list is empty."""
    reports: list[Report] = []
    out = emit or reports.append

    def region_sum(
        place: Place, own: list[Report], below: list[dict[int, Report]]
    ) -> dict[int, Report]:
        """The region's units handed out, its government's report, its sums per year."""
        coded = [r.replace(region_code=place.code) for r in own if r.year in years]
        sums = {}
        for year in years:
            parts = [r for r in coded if r.year == year] + [b[year] for b in below]
            sums[year] = sum_reports(parts, year=year, region=place.region)
            out(government(place, year, parts).replace(region_code=place.code))
        for report in coded:
            out(report)
        return sums

    for province, cities in places(shape):
        city_sums = []
        for city, counties in cities:
            county_sums = []
            for county in counties:
                own = [r for i in range(shape.departments) for r in department(county, i)]
                own += [
                    r.replace(kind="government")
                    for i in range(shape.townships)
                    for r in township(county, i)
                ]
                county_sums.append(region_sum(county, own, []))
            own = [r for i in range(shape.departments) for r in department(city, i)]
            city_sums.append(region_sum(city, own, county_sums))
        own = [r for i in range(shape.departments) for r in department(province, i)]
        region_sum(province, own, city_sums)
    return reports
