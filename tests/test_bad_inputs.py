"""The bad-input corpus (tests/bad_inputs/cases.yaml), and the output folder's paths.

Every corpus case runs through the commands its entry names, in-process through
:func:`govinfo.cli.main`, and must give exactly the outcome written there: exit code, the
one-line error naming file and field or the finding naming rule and location, no traceback,
and nothing written (the whole temporary tree is byte-identical afterwards). The batch cases
share one batch run. The second half checks that agency_id values can never reach the file
system and how symbolic links in the output folder are handled.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SEED, Run

from govinfo.cli import main
from govinfo.files import RESERVED_NAMES, WINDOWS_RESERVED, is_safe_id, output_path
from govinfo.params import parse

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text("utf-8"))["cases"]
COMMANDS = ("validate", "render", "render-allow-invalid", "import")
GOOD_PAGE = b"<!DOCTYPE html>\n<title>the page published before</title>\n"


# --------------------------------------------------------------------------- helpers


def copy_case(case: dict[str, Any], folder: Path) -> list[Path]:
    """The case's files in ``folder``, with ``expand`` applied (big files are built here)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for name in case["files"]:
        data = (CORPUS / name).read_bytes()
        grow = case.get("expand")
        if grow:
            data = data.replace(grow["marker"].encode(), (grow["text"] * grow["times"]).encode())
        (folder / name).write_bytes(data)
        copies.append(folder / name)
    return copies


def agency_id_of(path: Path) -> str | None:
    """The agency_id a corpus file means to have (read as text: the file may not parse)."""
    text = path.read_bytes().decode("utf-8", "replace")
    found = re.search(r"""^\s*"?agency_id"?\s*:\s*"?([^"\s,]+)""", text, re.M)
    return found[1] if found else None


def publish_good_pages(site: Path, files: list[Path]) -> None:
    """A page "published before" for each safe id: a failed run must leave it as it is."""
    for path in files:
        agency_id = agency_id_of(path)
        if agency_id and is_safe_id(agency_id) and agency_id not in RESERVED_NAMES:
            for suffix in (".html", ".ipynb"):
                target = site / "2021" / f"{agency_id}{suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(GOOD_PAGE)


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a hash of its bytes."""
    return {
        str(p.relative_to(root)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        )
        for p in sorted(root.rglob("*"))
    }


def assert_error_line(err: str, path: Path | str, expect: dict[str, Any]) -> None:
    place = f"{path}: {expect['field']}" if expect.get("field") else str(path)
    line = f"error: {place}: {expect['error']}"
    assert line in err.splitlines(), f"expected the line\n{line}\nin\n{err}"


def assert_finding_line(out: str, expect: dict[str, Any]) -> None:
    head = f"{expect['rule']} {expect.get('severity', 'error')} {expect['field']}: "
    lines = [x.strip() for x in out.splitlines() if x.strip().startswith(head)]
    assert lines, f"no line starting {head!r} in\n{out}"
    if expect.get("message"):
        assert any(expect["message"] in x for x in lines), (expect["message"], lines)


def case_params(command: str) -> Iterator[Any]:
    for case in CASES:
        expect = case.get(command)
        if expect is None:
            continue
        marks = []
        if expect.get("xfail"):
            marks.append(pytest.mark.xfail(strict=True, reason=expect["xfail"]))
        yield pytest.param(case, expect, id=case["id"], marks=marks)


def test_every_case_names_existing_files_and_known_commands() -> None:
    known = {"id", "files", "expand", "what", *COMMANDS, "batch"}
    for case in CASES:
        assert set(case) <= known, (case["id"], set(case) - known)
        assert set(case) & {*COMMANDS, "batch"}, case["id"]
        for name in case["files"]:
            assert (CORPUS / name).is_file(), name
    corpus = {p.name for p in CORPUS.iterdir()} - {"cases.yaml"}
    assert corpus == {name for case in CASES for name in case["files"]}  # no orphan file
    assert len({case["id"] for case in CASES}) == len(CASES)


# --------------------------------------------------------------------------- validate, render


@pytest.mark.parametrize(("case", "expect"), list(case_params("validate")))
def test_validate(case: dict[str, Any], expect: dict[str, Any], tmp_path: Path, run: Run) -> None:
    path = copy_case(case, tmp_path / "in")[0]
    before = snapshot(tmp_path)
    code, out, err = run("validate", path)
    assert "Traceback" not in out + err
    assert code == expect["exit"], (out, err)
    if "error" in expect:
        assert_error_line(err, path, expect)
        assert out == ""
    else:
        assert out.startswith(f"{path}: "), out
        if "rule" in expect:
            assert_finding_line(out, expect)
        assert err == ""
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("case", "expect"), list(case_params("render")))
def test_render_publishes_nothing(
    case: dict[str, Any], expect: dict[str, Any], tmp_path: Path, run: Run
) -> None:
    files = copy_case(case, tmp_path / "in")
    publish_good_pages(tmp_path / "site", files)
    before = snapshot(tmp_path)
    code, out, err = run("render", files[0], "-o", tmp_path / "site")
    assert "Traceback" not in out + err
    assert code == expect["exit"], (out, err)
    if "error" in expect:
        assert_error_line(err, files[0], expect)
    else:
        assert f"error: {files[0]}: " in err and "not published" in err, err
        assert_finding_line(out, expect)
    assert len(err.splitlines()) == 1, err  # one line; the findings are on stdout
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("case", "expect"), list(case_params("render-allow-invalid")))
def test_render_allow_invalid_never_writes_outside(
    case: dict[str, Any], expect: dict[str, Any], tmp_path: Path, run: Run
) -> None:
    """Even publishing a draft on purpose, an unsafe agency_id never names a file."""
    files = copy_case(case, tmp_path / "work" / "in")
    site = tmp_path / "work" / "site"
    site.mkdir()
    before, outside = snapshot(tmp_path), Path("/tmp/escaped.html").exists()
    code, out, err = run("render", files[0], "-o", site, "--allow-invalid")
    assert "Traceback" not in out + err
    assert code == expect["exit"], (out, err)
    assert err.splitlines() == [f"error: {files[0]}: {expect['error']}"]
    assert snapshot(tmp_path) == before
    assert Path("/tmp/escaped.html").exists() == outside


# --------------------------------------------------------------------------- import


@pytest.mark.parametrize(("case", "expect"), list(case_params("import")))
def test_import(case: dict[str, Any], expect: dict[str, Any], tmp_path: Path, run: Run) -> None:
    path = copy_case(case, tmp_path / "in")[0]
    if expect.get("output") == "folder":
        out_path = tmp_path / "imported"
        out_path.mkdir()
    else:
        out_path = tmp_path / "imported.yaml"
        out_path.write_text("# a parameter file written before\n", "utf-8")
    before = snapshot(tmp_path)
    code, out, err = run("import", path, *expect.get("args", []), "-o", out_path)
    assert "Traceback" not in out + err
    assert code == expect["exit"], (out, err)
    if "line" in expect:
        assert expect["line"] in err.splitlines(), err
    elif "match" in expect:
        assert any(re.fullmatch(expect["match"], x) for x in err.splitlines()), err
    else:
        assert_error_line(err, path, expect)
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- batch


@dataclass(frozen=True)
class BatchRun:
    params: Path
    site: Path
    code: int
    out: str
    err: str
    entries: dict[str, dict[str, Any]]  # by file as the batch found it
    pages_before: dict[str, str]


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory: pytest.TempPathFactory) -> BatchRun:
    """Every batch case in one batch: each in a folder of its own, pages published before."""
    root = tmp_path_factory.mktemp("bad-batch")
    params, site = root / "params", root / "site"
    for case in CASES:
        if "batch" in case:
            publish_good_pages(site, copy_case(case, params / case["id"]))
    before = snapshot(site)
    out, err = io.StringIO(), io.StringIO()  # capsys is per test: redirect by hand
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["batch", str(params), "-o", str(site), "--no-progress"])
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    entries = {e["file"]: e for e in manifest["agencies"]}
    return BatchRun(params, site, code, out.getvalue(), err.getvalue(), entries, before)


def test_batch_of_bad_files_exits_1_and_keeps_every_page(batch_run: BatchRun) -> None:
    assert "Traceback" not in batch_run.out + batch_run.err
    assert batch_run.code == 1
    assert {e["status"] for e in batch_run.entries.values()} == {"invalid"}
    assert all(e["html"] is None for e in batch_run.entries.values())
    after = snapshot(batch_run.site)
    for name, digest in batch_run.pages_before.items():
        assert after[name] == digest, name  # every page published before is intact
    new_pages = {n for n in after if n.endswith(".html")} - set(batch_run.pages_before)
    # No page for an invalid file; the index (public) and the internal page (the office's).
    assert new_pages == {"index.html", "internal.html", "2021/summary.html"}
    internal = (batch_run.site / "internal.html").read_text("utf-8")
    assert "未通过校验" in internal and "Traceback" not in internal


@pytest.mark.parametrize(("case", "expect"), list(case_params("batch")))
def test_batch_lists_the_file_as_invalid_with_its_reason(
    case: dict[str, Any], expect: dict[str, Any], batch_run: BatchRun
) -> None:
    assert expect["exit"] == batch_run.code
    for name in case["files"]:
        file = str(batch_run.params / case["id"] / name)
        entry = batch_run.entries[file]
        assert entry["status"] == "invalid" and entry["html"] is None, entry
        assert f"invalid {file}: {entry['reason']}" in batch_run.err.splitlines()
        if "error" in expect:
            assert not entry["summable"]
            assert expect["error"] in entry["reason"], entry["reason"]
            if expect.get("field"):
                assert f"{file}: {expect['field']}: " in entry["reason"], entry["reason"]
        else:
            found = [
                f
                for f in entry["findings"]
                if f["rule"] == expect["rule"] and f["where"] == expect["field"]
            ]
            assert found, entry["findings"]
            if expect.get("message"):
                assert any(expect["message"] in f["zh"] + f["en"] for f in found), found
            assert expect["rule"] in entry["reason"] or entry["reason"].startswith("DUPLICATE")


# --------------------------------------------------------------------------- paths


UNSAFE_IDS = [
    "../escaped",
    "../../escaped",
    "/tmp/escaped",
    "..\\escaped",
    "a\\b",
    "bad\x00nul",
    "a/b",
    ".",
    "..",
    "",
    "a" * 81,
    "CON",
    *sorted(WINDOWS_RESERVED),
]


@pytest.mark.parametrize("agency_id", UNSAFE_IDS)
def test_unsafe_ids_are_refused_by_validation_and_by_output_path(
    agency_id: str, tmp_path: Path, seed_data: dict[str, Any]
) -> None:
    seed_data["agency_id"] = agency_id
    report = parse(seed_data)
    rules = [(f.rule, f.where) for f in report.load_findings]
    assert ("AGENCY-ID", "agency_id") in rules
    with pytest.raises(ValueError, match="not a safe file name"):
        output_path(tmp_path / "site", 2021, agency_id, ".html")
    assert list(tmp_path.iterdir()) == []  # output_path creates nothing


@pytest.mark.parametrize("agency_id", ["a", "0", "zezhou-xzsp", "con-1", "com10", "lpt", "a" * 80])
def test_safe_ids_pass_both(agency_id: str, tmp_path: Path, seed_data: dict[str, Any]) -> None:
    seed_data["agency_id"] = agency_id
    assert not [f for f in parse(seed_data).load_findings if f.rule == "AGENCY-ID"]
    assert output_path(tmp_path, 2021, agency_id, ".html").name == f"{agency_id}.html"


def test_outdir_that_is_a_symlink_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real-site"
    real.mkdir()
    (tmp_path / "site").symlink_to(real)
    target = output_path(tmp_path / "site", 2021, "zezhou-xzsp", ".html")
    assert target == real.resolve() / "2021" / "zezhou-xzsp.html"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the site, holding one file that must never change."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "zezhou-xzsp.html").write_bytes(b"not the site's")
    return folder


def test_year_folder_linked_outside_is_refused(tmp_path: Path, elsewhere: Path, run: Run) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "2021").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(elsewhere)
    with pytest.raises(ValueError, match="leads outside the output folder"):
        output_path(site, 2021, "zezhou-xzsp", ".html")
    code, out, err = run("render", SEED, "-o", site)  # fails before any kernel starts
    assert code == 1 and "Traceback" not in out + err
    assert err.splitlines() == [
        f"error: {SEED}: not published: {site}/2021/zezhou-xzsp.html leads outside the output "
        f"folder {site.resolve()} (through a symbolic link?)"
    ]
    from govinfo.publish.summary import render_summary

    with pytest.raises(ValueError, match="leads outside the output folder"):
        render_summary(2021, [], None, site)  # the year's summary page: refused the same way
    assert snapshot(elsewhere) == before


def test_page_linked_outside_is_refused_and_index_link_replaced(
    tmp_path: Path, elsewhere: Path
) -> None:
    site = tmp_path / "site"
    (site / "2021").mkdir(parents=True)
    (site / "2021" / "zezhou-xzsp.html").symlink_to(elsewhere / "zezhou-xzsp.html")
    with pytest.raises(ValueError, match="leads outside the output folder"):
        output_path(site, 2021, "zezhou-xzsp", ".html")
    # Pages with fixed names (index, manifest) are replaced, never written through.
    from govinfo.publish.site import write_index

    (site / "index.html").symlink_to(elsewhere / "zezhou-xzsp.html")
    write_index(site, {"agencies": [], "summaries": []})
    assert not (site / "index.html").is_symlink()
    assert (elsewhere / "zezhou-xzsp.html").read_bytes() == b"not the site's"


def test_batch_into_a_year_folder_linked_outside_writes_nothing_there(
    tmp_path: Path, elsewhere: Path
) -> None:
    """The whole batch: each page and the summary fail with the reason, before any kernel."""
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(SEED, params)
    site = tmp_path / "site"
    site.mkdir()
    (site / "2021").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(elsewhere)
    from govinfo.batch.options import Options
    from govinfo.batch.runner import run_batch

    result = run_batch([params], Options(outdir=site, progress=False, kernels="plain", jobs=1))
    assert result.exit_code == 1
    (entry,) = result.entries
    assert entry.status == "failed" and "leads outside the output folder" in entry.reason
    assert entry.notebook is None
    (summary,) = result.summaries
    assert summary.status == "failed" and "leads outside the output folder" in summary.reason
    assert snapshot(elsewhere) == before
    assert sorted(os.listdir(site)) == ["2021", "index.html", "internal.html", "manifest.json"]
