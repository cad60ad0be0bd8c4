"""``govinfo batch --pack``: the 年报体检 of the batch's files in OUTDIR/audit/, and the
office's internal page with each agency's predicted score linking its 问题清单."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import ROOT, run_govinfo

from govinfo.publish.internal import AUDIT_COLUMN


def test_batch_with_a_pack_scores_every_agency_on_the_internal_page(tmp_path: Path) -> None:
    params = tmp_path / "parameters"
    for name in ("2021/zezhou-xzsp.yaml", "2022/shili-zrzyj.yaml", "2021/shili-zrzyj.yaml"):
        (params / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "parameters" / name, params / name)
    site = tmp_path / "site"
    code, out, err, _ = run_govinfo("batch", params, "-o", site, "--no-progress")
    assert code == 0, err
    plain = (site / "internal.html").read_text("utf-8")
    assert AUDIT_COLUMN not in plain  # no pack, no column: the page as before

    code, out, err, _ = run_govinfo(
        "batch", params, "-o", site, "--no-progress", "--pack", "national"
    )
    assert code == 0, err
    assert "年报体检 (national): 3 report(s)" in out
    assert (site / "audit" / "index.html").is_file()
    page = BeautifulSoup((site / "internal.html").read_text("utf-8"), "lxml")
    headers = [th.get_text(strip=True) for th in page.find("table").find_all("th")]
    assert any(AUDIT_COLUMN in h for h in headers)
    links = [a["href"] for a in page.find_all("a") if a["href"].startswith("audit/agencies/")]
    assert sorted(links) == [
        "audit/agencies/2021-shili-zrzyj.html",
        "audit/agencies/2021-zezhou-xzsp.html",
        "audit/agencies/2022-shili-zrzyj.html",
    ]
    for href in links:
        assert (site / href).is_file()
    # 示例县自然资源局 2022 says 办结30件、结转下年度3件 where its 表三 has 29 and 4 (C09).
    busy = page.find("a", href="audit/agencies/2022-shili-zrzyj.html")
    assert busy is not None and busy.get_text() != "100/100"
    assert "个问题" in busy.parent.get_text()


def test_a_pack_that_is_no_good_stops_the_batch_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchecks: [1]\n", "utf-8")
    seed = ROOT / "parameters/2021/zezhou-xzsp.yaml"
    code, _out, err, _ = run_govinfo("batch", seed, "-o", tmp_path / "site", "--pack", bad)
    assert code == 2 and str(bad) in err and "Traceback" not in err
    assert not (tmp_path / "site" / "index.html").exists()
