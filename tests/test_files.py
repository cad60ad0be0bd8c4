"""Atomic writes and output paths that cannot leave their folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, write_yaml

from govinfo import files
from govinfo.files import atomic_write, output_path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_atomic_write_text_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "report.html"
    atomic_write(target, "政府信息公开")
    assert target.read_text("utf-8") == "政府信息公开"
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert leftovers(target.parent) == ["report.html"]


def test_new_files_are_world_readable_and_modes_are_kept(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.html"
    atomic_write(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # mkstemp alone would give 0600
    private = tmp_path / "private.yaml"
    private.write_text("old")
    private.chmod(0o600)
    atomic_write(private, "new")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "report.yaml"
    target.write_text("old content", "utf-8")

    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, failing, boom)
    with pytest.raises(OSError, match="No space left") as caught:
        atomic_write(target, "new content that never lands")
    monkeypatch.undo()
    assert caught.value.filename == str(target)  # the one line names the file
    assert target.read_text("utf-8") == "old content"
    assert leftovers(tmp_path) == ["report.yaml"]  # the temporary file is gone too


def test_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "new.yaml", "x")
    monkeypatch.undo()
    assert leftovers(tmp_path) == []


def test_output_path_stays_in_its_folder(tmp_path: Path) -> None:
    target = output_path(tmp_path, 2021, "zezhou-xzsp", ".html")
    assert target == (tmp_path / "2021" / "zezhou-xzsp.html").resolve()
    assert output_path(tmp_path, 2022, "0", ".ipynb").name == "0.ipynb"
    assert output_path(tmp_path, 2022, "a" * 80, ".html").parent.name == "2022"


@pytest.mark.parametrize(
    "agency_id",
    [
        "../x",
        "/abs",
        "a\\b",
        "",
        "CON",
        "Zezhou",
        "a/b",
        ".x",
        "-x",
        "a b",
        "a\nb",
        "泽州",
        "a" * 81,
    ],
)
def test_output_path_refuses_unsafe_ids(tmp_path: Path, agency_id: str) -> None:
    with pytest.raises(ValueError, match="not a safe file name"):
        output_path(tmp_path, 2021, agency_id, ".html")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("year", [99, 3000, "2021", "../2021"])
def test_output_path_refuses_odd_years(tmp_path: Path, year: object) -> None:
    with pytest.raises(ValueError, match="four-digit year"):
        output_path(tmp_path, year, "zezhou-xzsp", ".html")  # type: ignore[arg-type]


def test_no_stray_files_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    atomic_write(Path("plain.txt"), "x")  # a bare file name: its folder is the current one
    assert leftovers(tmp_path) == ["plain.txt"]
    assert os.access(tmp_path / "plain.txt", os.R_OK)


def test_scratch_left_by_a_dead_writer_is_removed_and_nothing_else(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    host = files._host()
    fd, ours = files.scratch_file(tmp_path, "shili-jyj", ".ipynb")  # this live process
    os.close(fd)
    names = {
        "killed": f".shili-jyj.{dead.stdout.strip()}@{host}.k2j4h6g8.ipynb",
        "killed_write": f".index.html.{dead.stdout.strip()}@{host}.ab_cd123.tmp",
        "other_host": f".shili-jyj.{dead.stdout.strip()}@{host}x.k2j4h6g8.ipynb",
        "page": "shili-jyj.html",
        "hidden_but_ours_not": ".htaccess",
    }
    for name in names.values():
        (tmp_path / name).write_text("x")
    removed = files.remove_stale_scratch(tmp_path)
    assert sorted(p.name for p in removed) == sorted([names["killed"], names["killed_write"]])
    assert leftovers(tmp_path) == sorted(
        [Path(ours).name, names["other_host"], names["page"], names["hidden_but_ours_not"]]
    )


def test_a_zombie_writer_counts_as_gone() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert files._running(child.pid)
        child.kill()
        # Wait for the exit without reaping it (WNOWAIT): dead, not yet reaped, a zombie.
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert not files._running(child.pid)
    finally:
        child.kill()
        child.wait()


# --------------------------------------------------------------------------- reserved names


@pytest.mark.parametrize("name", sorted(files.RESERVED_NAMES))
def test_the_sites_own_names_are_refused_as_agency_ids(name: str, tmp_path: Path) -> None:
    assert not files.is_safe_id(name)
    with pytest.raises(ValueError, match="reserved for the site's own pages"):
        files.output_path(tmp_path, 2021, name, ".html")
    # the site itself may write its summary page
    assert files.output_path(tmp_path, 2021, "summary", ".html", site_page=True).name == (
        "summary.html"
    )


def test_a_report_named_summary_never_replaces_the_region_summary(
    tmp_path: Path, run: Run, seed_data: dict[str, Any]
) -> None:
    """Found: ``agency_id: summary`` passed validate, and render wrote
    ``site/2021/summary.html`` over the year's summary, even without --allow-invalid."""
    site = tmp_path / "site"
    summary = site / "2021" / "summary.html"
    summary.parent.mkdir(parents=True)
    summary.write_text("<html>the region summary</html>", "utf-8")
    seed_data["agency_id"] = "summary"
    path = write_yaml(tmp_path / "summary.yaml", seed_data)
    code, out, _ = run("validate", path)
    assert code == 1 and "AGENCY-ID" in out, out
    for extra in ([], ["--allow-invalid"]):
        code, out, err = run("render", path, "-o", site, *extra)
        assert code != 0 and "Traceback" not in err, err
        assert "AGENCY-ID" in out + err or "reserved" in err, err
    assert summary.read_text("utf-8") == "<html>the region summary</html>"
    assert sorted(p.name for p in summary.parent.iterdir()) == ["summary.html"]
