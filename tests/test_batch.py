"""govinfo batch: the example county end to end, failures that stay contained, the incremental
rebuild, and the same jobs on a Dask cluster.

The full batch over the examples (~27 reports) runs once per test session, into a temporary
copy of ``parameters/``: the session fixture ``county`` (tests/conftest.py) is shared with
``test_site.py`` and ``test_summary.py``.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import nbformat
import pytest
from conftest import County
from conftest import run_govinfo as govinfo

from govinfo.batch import workers
from govinfo.batch.manifest import environment, file_sha, manifest_data, up_to_date
from govinfo.batch.options import Options
from govinfo.batch.runner import Runner, run_batch, validate
from govinfo.batch.tasks import ReportTask

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = ROOT / "parameters"
HEAVY = (
    "pandas",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "dask",
    "distributed",
    "tqdm",
)


def manifest(site: Path) -> dict:
    return json.loads((site / "manifest.json").read_text("utf-8"))


# --------------------------------------------------------------------------- the county


def test_batch_publishes_every_example_agency(county: County) -> None:
    assert county.returncode == 0, county.stderr[-3000:]
    files = sorted(county.params.rglob("*.yaml"))
    assert len(files) == 27
    for path in files:
        year, agency_id = path.parent.name, path.stem
        for suffix in (".html", ".ipynb"):
            assert (county.site / year / f"{agency_id}{suffix}").is_file(), (year, agency_id)
        assert f"rendered {year}/{agency_id}" in county.stderr
    for year in ("2021", "2022"):
        assert (county.site / year / "summary.html").is_file()
    assert (county.site / "index.html").is_file()
    # The end-of-run table: one line per agency and summary, then the counts.
    assert "27 file(s): 27 published, 0 invalid, 0 failed; 29 page(s) rendered" in county.stdout
    assert re.search(r"2022\s+shili-zrzyj\s+示例县自然资源局\s+published", county.stdout)


def test_manifest_records_hashes_status_and_outputs(county: County) -> None:
    data = manifest(county.site)
    assert data["schema"] == "govinfo/batch-manifest@1"
    assert set(data["environment"]) >= {"govinfo", "library", "font", "template"}
    entries = {(e["year"], e["agency_id"]): e for e in data["agencies"]}
    assert len(entries) == 27
    entry = entries[(2022, "shili-zrzyj")]
    source = county.params / "2022" / "shili-zrzyj.yaml"
    assert entry["source"] == str(source.resolve())
    assert entry["file_sha"] == file_sha(source)
    assert entry["previous"] == str((county.params / "2021" / "shili-zrzyj.yaml").resolve())
    assert entry["previous_sha"] == file_sha(county.params / "2021" / "shili-zrzyj.yaml")
    assert re.fullmatch(r"[0-9a-f]{64}", entry["hash"])
    assert entry["status"] == "published" and entry["errors"] == 0
    assert entry["html"] == "2022/shili-zrzyj.html"
    assert entry["notebook"] == "2022/shili-zrzyj.ipynb"
    assert entry["seconds"] > 0 and entry["findings"] == []
    for name in ("2022/shili-zrzyj.html", "2022/shili-zrzyj.ipynb"):  # what was written
        assert entry["outputs"][name]["sha256"] == file_sha(county.site / name)
    assert len({e["hash"] for e in data["agencies"]}) == 27
    years = [s["year"] for s in data["summaries"]]
    assert years == [2021, 2022]
    assert all(s["status"] == "published" for s in data["summaries"])


def test_second_run_renders_and_writes_nothing_and_imports_nothing_heavy(county: County) -> None:
    before = manifest(county.site)
    stamp = (county.site / "manifest.json").stat().st_mtime_ns
    code, out, err, _ = govinfo("batch", county.params, "-o", county.site)
    assert code == 0, err
    assert "up to date, nothing rendered" in out
    assert "rendered 20" not in err
    assert (county.site / "manifest.json").stat().st_mtime_ns == stamp  # nothing written
    assert manifest(county.site) == before
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "govinfo",
            "batch",
            county.params,
            "-o",
            county.site,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if "|" in line
    }
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_touching_one_file_rerenders_that_one_only(county: County) -> None:
    target = county.params / "2022" / "shili-jyj.yaml"
    text = target.read_text("utf-8")
    before = {(e["year"], e["agency_id"]): e for e in manifest(county.site)["agencies"]}
    summaries_before = {s["year"]: s for s in manifest(county.site)["summaries"]}
    target.write_text(text.replace("  other: ", "  other: 本年度新增政务公开意见箱。", 1), "utf-8")
    code, out, err, _ = govinfo("batch", county.params, "-o", county.site)
    assert code == 0, err
    after = {(e["year"], e["agency_id"]): e for e in manifest(county.site)["agencies"]}
    changed = {key for key in after if after[key]["rendered_at"] != before[key]["rendered_at"]}
    assert changed == {(2022, "shili-jyj")}
    assert after[(2022, "shili-jyj")]["hash"] != before[(2022, "shili-jyj")]["hash"]
    summaries = {s["year"]: s for s in manifest(county.site)["summaries"]}
    assert summaries[2021]["rendered_at"] == summaries_before[2021]["rendered_at"]
    assert summaries[2022]["rendered_at"] != summaries_before[2022]["rendered_at"]
    assert "2 page(s) rendered" in out
    assert "本年度新增政务公开意见箱" in (county.site / "2022" / "shili-jyj.html").read_text(
        "utf-8"
    )


# --------------------------------------------------------------------------- failures


RAISING_CELL = """\
import os
if agency_id == "shili-gaj":
    raise RuntimeError("deliberate failure for shili-gaj")
if agency_id == "shili-mzj":
    os._exit(1)  # the kernel dies
"""


def test_broken_agencies_fail_alone_and_are_reported_by_name(tmp_path: Path) -> None:
    params = tmp_path / "parameters" / "2021"
    params.mkdir(parents=True)
    for key in ("jyj", "gaj", "mzj"):
        shutil.copy(PARAMETERS / "2021" / f"shili-{key}.yaml", params)
    broken = (PARAMETERS / "2021" / "shili-rsj.yaml").read_text("utf-8")
    broken = re.sub(r"    new: \[(\d+)", lambda m: f"    new: [{int(m[1]) + 5}", broken, count=1)
    (params / "shili-rsj.yaml").write_text(broken, "utf-8")
    template = nbformat.read(ROOT / "notebooks" / "annual_report.ipynb", as_version=4)
    setup = next(i for i, c in enumerate(template.cells) if c.get("id") == "setup")
    cell = nbformat.v4.new_code_cell(RAISING_CELL, metadata={"tags": ["remove_cell"]})
    template.cells.insert(setup + 1, cell)
    nbformat.write(template, tmp_path / "raising.ipynb")
    site = tmp_path / "site"

    code, out, err, _ = govinfo(
        "batch",
        tmp_path / "parameters",
        "-o",
        site,
        "--template",
        tmp_path / "raising.ipynb",
        "-j",
        "2",
    )

    assert code == 1
    entries = {e["agency_id"]: e for e in manifest(site)["agencies"]}
    assert entries["shili-jyj"]["status"] == "published"
    assert (site / "2021" / "shili-jyj.html").is_file()
    gaj = entries["shili-gaj"]
    assert gaj["status"] == "failed"
    assert "RuntimeError: deliberate failure for shili-gaj" in gaj["reason"]
    assert gaj["notebook"] == "2021/shili-gaj.failed.ipynb" and gaj["html"] is None
    assert (site / "2021" / "shili-gaj.failed.ipynb").is_file()
    assert not (site / "2021" / "shili-gaj.html").exists()
    assert entries["shili-mzj"]["status"] == "failed"
    assert re.search(r"Dead|died", entries["shili-mzj"]["reason"]), entries["shili-mzj"]["reason"]
    rsj = entries["shili-rsj"]
    assert rsj["status"] == "invalid" and rsj["errors"] >= 1
    assert rsj["reason"].startswith("APP-BALANCE applications/")
    assert not (site / "2021" / "shili-rsj.html").exists()
    assert "FAILED 2021/shili-gaj: " in err and "FAILED 2021/shili-mzj: " in err
    assert re.search(r"shili-rsj\s+示例县人力资源和社会保障局\s+invalid\s+\d+.*APP-BALANCE", out)
    assert "4 file(s): 1 published, 1 invalid, 2 failed" in out
    summary = (site / "2021" / "summary.html").read_text("utf-8")
    assert "生成失败的单位" in summary and "示例县公安局" in summary
    index = (site / "index.html").read_text("utf-8")  # public: published reports only
    assert "示例县公安局" not in index and ".ipynb" not in index
    internal = (site / "internal.html").read_text("utf-8")  # the office's page: failures
    assert 'href="2021/shili-gaj.failed.ipynb"' in internal
    assert "deliberate failure for shili-gaj" in internal


def test_duplicate_year_and_id_is_an_error_naming_both_files(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(PARAMETERS / "2021" / "shili-jyj.yaml", tmp_path / folder / "jyj.yaml")
    files = [tmp_path / "a" / "jyj.yaml", tmp_path / "b" / "jyj.yaml"]
    shas = {str(p.resolve()): file_sha(p) for p in files}
    entries = validate(files, shas)
    for entry, other in zip(entries, reversed(files), strict=True):
        assert entry.errors == 1 and not entry.summable
        assert entry.reason == f"DUPLICATE: 2021/shili-jyj also in {other}"
        assert entry.findings[-1]["rule"] == "DUPLICATE"
        assert str(other) in entry.findings[-1]["en"]


def test_reserved_agency_id_is_refused(tmp_path: Path) -> None:
    text = (PARAMETERS / "2021" / "shili-jyj.yaml").read_text("utf-8")
    path = tmp_path / "summary.yaml"
    path.write_text(text.replace("agency_id: shili-jyj", "agency_id: summary"), "utf-8")
    (entry,) = validate([path], {str(path.resolve()): file_sha(path)})
    assert entry.errors == 1
    assert "reserved" in entry.findings[-1]["en"]


def test_unreadable_file_is_invalid_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "2021" / "bad.yaml"
    path.parent.mkdir()
    path.write_text("agency: 示例县某局\nyear: 2021\nactive: {licensing: 十}\n", "utf-8")
    (entry,) = validate([path], {str(path.resolve()): file_sha(path)})
    assert entry.status == "invalid" and not entry.summable
    assert entry.year == 2021 and entry.agency == "示例县某局"
    assert "active.licensing" in entry.reason


def test_failed_entries_and_changed_environment_are_not_up_to_date(county: County) -> None:
    data = manifest(county.site)
    files = [Path(e["source"]) for e in data["agencies"]]
    shas = {e["source"]: e["file_sha"] for e in data["agencies"]}
    env = data["environment"]
    assert up_to_date(data, county.site, files, shas, env) is not None
    assert up_to_date(data, county.site, files, shas, {**env, "template": "x"}) is None
    failed = json.loads(json.dumps(data))
    failed["agencies"][0]["status"] = "failed"
    assert up_to_date(failed, county.site, files, shas, env) is None
    # A batch over fewer files is up to date and keeps the others (test_site_consistency.py),
    fewer = dict(list(shas.items())[1:])
    given, kept, _ = up_to_date(data, county.site, files[1:], fewer, env)
    assert len(given) == len(files) - 1 and [e.source for e in kept] == [str(files[0])]
    # unless one of them is gone from a folder it was given: that one is dropped.
    gone = json.loads(json.dumps(data))
    gone["agencies"][0]["source"] = str(files[0].parent / "gone.yaml")
    assert up_to_date(gone, county.site, files[1:], fewer, env, [files[0].parent]) is None


def test_queued_pages_count_as_failed_until_rendered(tmp_path: Path) -> None:
    """An interrupted run leaves a manifest the next run does not take for up to date."""
    path = tmp_path / "shili-jyj.yaml"
    shutil.copy(PARAMETERS / "2021" / "shili-jyj.yaml", path)
    shas = {str(path.resolve()): file_sha(path)}
    options = Options(outdir=tmp_path / "site")
    env = environment()
    entries = validate([path], shas)
    runner = Runner(options, entries, {}, env)
    runner.plan_reports({})
    assert (entries[0].status, entries[0].run) == ("failed", "queued")
    assert [t.agency_id for t in runner.queue if isinstance(t, ReportTask)] == ["shili-jyj"]
    data = manifest_data(options.outdir, env, entries, [])
    assert up_to_date(data, options.outdir, [path], shas, env) is None


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    code, _, err, _ = govinfo("batch", tmp_path, "-o", tmp_path / "site")
    assert code == 2 and err.strip() == f"error: no parameter files found in {tmp_path}"
    code, _, err, _ = govinfo(
        "batch",
        PARAMETERS / "2021" / "zezhou-xzsp.yaml",
        "-o",
        tmp_path / "site",
        "--executor",
        "dask",
    )
    assert code == 2 and err.strip() == "error: --executor dask needs --scheduler tcp://HOST:PORT"


def test_worker_function_returns_small_results(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    task = ReportTask("k", 2021, "x", missing, str(tmp_path), timeout=10)
    assert len(pickle.dumps(task)) < 1000  # crosses to a worker for every agency
    result = workers.run_task(task)
    assert result.ok is False and result.key == "k"
    assert "file not found" in result.reason
    assert len(pickle.dumps(result)) < 500 and len(json.dumps(asdict(result))) < 500


# --------------------------------------------------------------------------- Dask


def test_dask_cluster_runs_the_same_jobs(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    params = tmp_path / "parameters" / "2021"
    params.mkdir(parents=True)
    for name in ("shili-jyj.yaml", "zezhou-xzsp.yaml"):
        shutil.copy(PARAMETERS / "2021" / name, params)
    site = tmp_path / "site"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        options = Options(
            outdir=site, executor="dask", scheduler=cluster.scheduler_address, progress=False
        )
        result = run_batch([tmp_path / "parameters"], options)
    assert result.exit_code == 0, [(e.label, e.reason) for e in result.entries]
    assert {e.status for e in result.entries} == {"published"}
    for name in ("shili-jyj", "zezhou-xzsp", "summary"):
        assert (site / "2021" / f"{name}.html").is_file()
    assert (site / "index.html").is_file()
    assert manifest(site)["agencies"][0]["seconds"] > 0
    assert os.stat(site / "manifest.json").st_size > 0
