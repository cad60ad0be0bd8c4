"""The site is one consistent whole (issue 13, item 5).

* One batch or render at a time per output folder: a second is refused in one line naming
  the holder, and a holder killed with -9 leaves no stuck lock.
* A batch over some files keeps the other agencies' manifest entries, index rows and summary
  membership; only an agency whose file is gone from a folder the batch was given leaves.
* Pages are not trusted because they exist: a page that no longer matches its recorded
  SHA-256 (even with its size and mtime put back) is rendered again.
* ``govinfo render`` into a batch's site records its page in the manifest, so the next batch
  starts from what is on disk (and renders the year's summary again).

A small county (three 2021 agencies, one 2022) is rendered once per module; each test starts
from a fresh copy of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Run
from conftest import run_govinfo as govinfo
from test_faults import gate_template, wait_for

from govinfo.batch.manifest import Entry, file_sha, split_entries
from govinfo.files import LOCK_NAME, site_lock

PARAMETERS = ROOT / "parameters"
FILES = ("2021/shili-jyj.yaml", "2021/shili-zrzyj.yaml", "2021/zezhou-xzsp.yaml")
FILES_2022 = ("2022/shili-zrzyj.yaml",)
PAGES = ("2021/shili-jyj", "2021/shili-zrzyj", "2021/zezhou-xzsp", "2022/shili-zrzyj")


@dataclass(frozen=True)
class Site:
    params: Path
    site: Path


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small county rendered once, in ``county/``, and kept as it was in ``pristine/``."""
    root = tmp_path_factory.mktemp("small-county").resolve()
    params = root / "county" / "params"
    for name in (*FILES, *FILES_2022):
        (params / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PARAMETERS / name, params / name)
    code, _, err, _ = govinfo("batch", params, "-o", root / "county" / "site", "--no-progress")
    assert code == 0, err[-3000:]
    shutil.copytree(root / "county", root / "pristine")
    return root


@pytest.fixture
def county(pristine: Path) -> Site:
    """The small county as rendered, for one test: restored at the same paths (the manifest
    and the summaries' hashes name the files by absolute path), as new files (new inodes)."""
    work = pristine / "county"
    shutil.rmtree(work)
    shutil.copytree(pristine / "pristine", work)
    return Site(work / "params", work / "site")


def manifest(site: Path) -> dict[str, Any]:
    return json.loads((site / "manifest.json").read_text("utf-8"))


def entries(site: Path) -> dict[str, dict[str, Any]]:
    """The manifest's agencies by ``year/agency_id``."""
    return {f"{e['year']}/{e['agency_id']}": e for e in manifest(site)["agencies"]}


def summaries(site: Path) -> dict[int, dict[str, Any]]:
    return {s["year"]: s for s in manifest(site)["summaries"]}


def without_stat(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry with its file's and its outputs' stat left out (a copied site has new
    inodes and ctimes)."""
    outputs = {k: v["sha256"] for k, v in entry.get("outputs", {}).items()}
    return {**entry, "outputs": outputs, "file_stat": None}


def linked(site: Path) -> set[str]:
    """The agency pages the index links to."""
    index = (site / "index.html").read_text("utf-8")
    return {page for page in PAGES if f'href="{page}.html"' in index}


def batch(*args: object) -> tuple[int, str, str]:
    code, out, err, _ = govinfo("batch", *args, "--no-progress")
    return code, out, err


# --------------------------------------------------------------------------- one site, one writer


def test_a_second_batch_or_render_is_refused_naming_the_holder(county: Site, run: Run) -> None:
    """The lock is held here (as a running batch would hold it); both commands are refused
    in one line with exit 2, and write nothing. Released, the batch runs."""
    before = (county.site / "manifest.json").read_bytes()
    holder = "govinfo batch all/2021 -o s"
    with site_lock(county.site, holder):
        for command in ("batch", "render"):
            code, out, err = run(command, county.params / FILES[0], "-o", county.site)
            assert code == 2 and out == "", (command, err)
            (line,) = err.splitlines()
            assert line.startswith(f"error: {county.site} is in use by another govinfo run ("), line
            assert f"pid {os.getpid()} on {socket.gethostname()}, since 20" in line, line
            assert f": {holder})" in line and line.endswith("try again when it has finished")
        assert (county.site / "manifest.json").read_bytes() == before
    assert not (county.site / LOCK_NAME).exists()  # the holder removes it when done
    code, out, err = run("batch", county.params / FILES[0], "-o", county.site, "--no-progress")
    assert code == 0, err
    assert "up to date, nothing rendered" in out


HOLDER = """\
import sys, time
from pathlib import Path
from govinfo.files import site_lock

site, gate = Path(sys.argv[1]), Path(sys.argv[2])
with site_lock(site, "holder"):
    (gate / "ready").touch()
    while not (gate / "never").exists():
        time.sleep(0.05)
"""


def test_a_holder_killed_with_kill_9_leaves_no_stuck_lock(county: Site, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(county.site), str(gate)], start_new_session=True
    )
    try:
        wait_for(lambda: (gate / "ready").exists() or holder.poll() is not None, "the lock")
        assert holder.poll() is None, "the holder ended before it was killed"
        code, _, err = batch(county.params, "-o", county.site)
        assert code == 2 and f"(pid {holder.pid} on " in err and ": holder)" in err, err
    finally:
        holder.kill()  # SIGKILL: no clean-up runs in the holder
        holder.wait()
    assert (county.site / LOCK_NAME).exists()  # left behind, but not locked
    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0, err
    assert "up to date, nothing rendered" in out
    assert not (county.site / LOCK_NAME).exists()


def test_a_batch_killed_with_kill_9_leaves_no_stuck_lock(county: Site, tmp_path: Path) -> None:
    """A real batch, held inside a gated cell while it renders one page: a second batch is
    refused naming it; once the batch's own process is killed with -9 (its workers, fork
    server and kernel may still be ending), the site can be locked at once: none of them
    inherited the lock."""
    import psutil

    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "hold").touch()
    template = gate_template(gate, "shili-jyj", tmp_path)
    command = [sys.executable, "-m", "govinfo", "batch", str(county.params), "-o", str(county.site)]
    log = (tmp_path / "batch.log").open("w")
    proc = subprocess.Popen(
        [*command, "-j", "1", "--template", str(template)],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    tree: list[Any] = []
    try:

        def held() -> bool:
            if proc.poll() is not None:
                raise AssertionError((tmp_path / "batch.log").read_text("utf-8")[-3000:])
            return (gate / "reached-shili-jyj").exists()

        wait_for(held, "the batch inside the gated cell")
        code, _, err = batch(county.params, "-o", county.site)
        assert code == 2 and f"(pid {proc.pid} on " in err and " batch " in err, err
        tree = psutil.Process(proc.pid).children(recursive=True)
        os.kill(proc.pid, signal.SIGKILL)  # the batch only: its children are not killed here
        proc.wait()
        with site_lock(county.site, "test"):  # would raise SiteBusy if a child held it
            pass
    finally:
        (gate / "hold").unlink(missing_ok=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
        wait_for(
            lambda: not [p for p in tree if p.is_running() and p.status() != "zombie"],
            "the killed batch's processes to end",
        )


# --------------------------------------------------------------------------- the whole site


def test_a_batch_over_one_file_or_one_year_keeps_the_rest_of_the_site(county: Site) -> None:
    before = {key: without_stat(e) for key, e in entries(county.site).items()}
    summaries_before = summaries(county.site)
    assert sorted(before) == sorted(PAGES) and linked(county.site) == set(PAGES)

    code, out, err = batch(county.params / FILES[0], "-o", county.site)
    assert code == 0, err
    assert "up to date, nothing rendered" in out
    assert "3 other file(s) of the site kept as they were" in out
    assert {key: without_stat(e) for key, e in entries(county.site).items()} == before
    assert linked(county.site) == set(PAGES)

    code, out, err = batch(county.params / "2022", "-o", county.site)  # one year's folder
    assert code == 0, err
    assert "up to date, nothing rendered" in out
    assert sorted(entries(county.site)) == sorted(PAGES)
    assert linked(county.site) == set(PAGES)

    # One file changed, a batch over it alone: its year's summary still counts every agency.
    path = county.params / FILES[0]
    text = path.read_text("utf-8").replace("  other: ", "  other: 本年度新增政务公开意见箱。", 1)
    path.write_text(text, "utf-8")
    code, out, err = batch(path, "-o", county.site)
    assert code == 0, err
    assert "rendered 2021/shili-jyj" in err and "rendered 2021/summary" in err
    after = entries(county.site)
    assert sorted(after) == sorted(PAGES) and linked(county.site) == set(PAGES)
    assert after["2021/shili-jyj"]["file_sha"] == file_sha(path)
    for key in ("2021/shili-zrzyj", "2021/zezhou-xzsp", "2022/shili-zrzyj"):
        assert without_stat(after[key]) == before[key]
    now = summaries(county.site)
    assert now[2021]["rendered_at"] != summaries_before[2021]["rendered_at"]
    assert now[2022]["rendered_at"] == summaries_before[2022]["rendered_at"]
    summary = (county.site / "2021" / "summary.html").read_text("utf-8")
    for name in ("示例县教育局", "示例县自然资源局", "山西省晋城市泽州县"):
        assert name in summary, name


def test_an_agency_deleted_from_a_folder_the_batch_was_given_leaves_the_site(
    county: Site,
) -> None:
    """Gone from a folder the batch was not given: kept (that batch was not asked about it).
    Gone from a folder it was given: dropped from manifest, index and summary; its pages
    stay on disk (govinfo never deletes a published report)."""
    (county.params / FILES[2]).unlink()
    code, out, err = batch(county.params / "2022", "-o", county.site)
    assert code == 0, err
    assert "up to date, nothing rendered" in out
    assert sorted(entries(county.site)) == sorted(PAGES)

    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0, err
    assert "dropped from the site (parameter file deleted; pages left in place): " in err
    assert "2021/zezhou-xzsp" in err
    assert sorted(entries(county.site)) == [
        "2021/shili-jyj",
        "2021/shili-zrzyj",
        "2022/shili-zrzyj",
    ]
    assert linked(county.site) == set(PAGES) - {"2021/zezhou-xzsp"}
    assert "rendered 2021/summary" in err
    assert "山西省晋城市泽州县" not in (county.site / "2021" / "summary.html").read_text("utf-8")
    assert (county.site / "2021" / "zezhou-xzsp.html").is_file()


def test_a_page_that_no_longer_matches_its_hash_is_rendered_again(county: Site) -> None:
    # The copy has new inodes: its outputs are hashed once, and their stat remembered.
    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0 and "up to date, nothing rendered" in out, err
    stamp = (county.site / "manifest.json").stat().st_mtime_ns
    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0 and "up to date, nothing rendered" in out, err
    assert (county.site / "manifest.json").stat().st_mtime_ns == stamp  # nothing written

    # Changed in place with the same size and mtime: the ctime still tells.
    page = county.site / "2021" / "shili-jyj.html"
    good = page.read_bytes()
    tampered = good.replace("示例县教育局".encode(), "示例县教育厅".encode())
    assert len(tampered) == len(good) and tampered != good
    stat = page.stat()
    page.write_bytes(tampered)
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (page.stat().st_size, page.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    (county.site / "2022" / "shili-zrzyj.ipynb").unlink()  # a notebook gone
    summary = county.site / "2022" / "summary.html"
    summary.write_bytes(summary.read_bytes() + b"\n")  # a summary changed

    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0, err
    rendered = sorted(line.split()[1] for line in err.splitlines() if line.startswith("rendered "))
    assert rendered == ["2021/shili-jyj", "2022/shili-zrzyj", "2022/summary"], err
    assert "示例县教育厅" not in page.read_text("utf-8")
    assert (county.site / "2022" / "shili-zrzyj.ipynb").is_file()
    for e in [*entries(county.site).values(), *summaries(county.site).values()]:
        for relative, record in e["outputs"].items():
            assert file_sha(county.site / relative) == record["sha256"], relative
    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0 and "up to date, nothing rendered" in out, err


def test_render_into_a_batch_site_records_its_page_in_the_manifest(county: Site) -> None:
    """The issue's case: a page rewritten by ``govinfo render`` with an edit that is then
    discarded. The manifest follows render, so the next batch renders the page again."""
    path = county.params / FILES[0]
    original = path.read_text("utf-8")
    path.write_text(original.replace("  other: ", "  other: 临时修改，随后放弃。", 1), "utf-8")
    edited_sha = file_sha(path)
    before = entries(county.site)

    code, out, err, _ = govinfo("render", path, "-o", county.site)
    assert code == 0, err
    page = county.site / "2021" / "shili-jyj.html"
    assert "临时修改" in page.read_text("utf-8")
    entry = entries(county.site)["2021/shili-jyj"]
    assert entry["written_by"] == "render" and entry["status"] == "published"
    assert entry["file_sha"] == edited_sha
    assert entry["rendered_at"] != before["2021/shili-jyj"]["rendered_at"]
    assert entry["html"] == "2021/shili-jyj.html"
    assert entry["outputs"]["2021/shili-jyj.html"]["sha256"] == file_sha(page)
    assert entry["outputs"]["2021/shili-jyj.ipynb"]["sha256"] == file_sha(
        page.with_suffix(".ipynb")
    )
    assert sorted(entries(county.site)) == sorted(PAGES) and linked(county.site) == set(PAGES)
    assert summaries(county.site)[2021]["hash"] == ""  # stale: its sums may have changed
    assert summaries(county.site)[2022]["hash"] != ""

    # The next batch keeps render's page (same file, same template) and renders the summary.
    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0, err
    assert "rendered 2021/shili-jyj" not in err and "rendered 2021/summary" in err
    assert entries(county.site)["2021/shili-jyj"]["written_by"] == "batch"

    path.write_text(original, "utf-8")  # the edit is discarded
    code, out, err = batch(county.params, "-o", county.site)
    assert code == 0, err
    assert "rendered 2021/shili-jyj" in err and "up to date" not in out
    assert "临时修改" not in page.read_text("utf-8")


# --------------------------------------------------------------------------- which entries stay


def test_split_entries_keeps_what_the_batch_was_not_given(tmp_path: Path) -> None:
    here, elsewhere = tmp_path / "county", tmp_path / "other"
    for folder in (here, elsewhere):
        folder.mkdir()
    given = here / "a.yaml"
    kept_gone = elsewhere / "gone.yaml"  # gone, but not under a folder the batch was given
    kept = elsewhere / "b.yaml"
    dropped = here / "gone.yaml"
    for path in (given, kept):
        path.write_text("x", "utf-8")

    def entry(path: Path) -> Entry:
        return Entry(file=str(path), source=str(path), file_sha="", year=2021, agency_id=path.stem)

    known = [entry(p) for p in (given, kept_gone, kept, dropped)]
    shas = {str(given): file_sha(given)}
    mine, others, gone = split_entries(known, shas, [here])
    assert list(mine) == [str(given)]
    assert [e.source for e in others] == [str(kept_gone), str(kept)]
    assert all(e.run == "kept" for e in others)
    assert [e.source for e in gone] == [str(dropped)]
    # Given files only (no folder): nothing is dropped.
    assert split_entries(known, shas, [])[2] == []


def test_the_lock_message_survives_a_holder_that_has_not_written_yet(tmp_path: Path) -> None:
    """Between taking the lock and writing its name a holder's file is empty: the refusal
    still reads as one line."""
    import fcntl

    from govinfo.files import SiteBusy

    tmp_path.joinpath(LOCK_NAME).write_text("", "utf-8")
    with open(tmp_path / LOCK_NAME, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        with pytest.raises(SiteBusy) as caught, site_lock(tmp_path):
            pass
    message = str(caught.value)
    assert "\n" not in message and "a process that has not yet written its name" in message
    with site_lock(tmp_path) as lock:
        details = json.loads(lock.read_text("utf-8"))
    assert details["pid"] == os.getpid() and details["host"] == socket.gethostname()
    assert details["command"] and details["since"].startswith("20")
