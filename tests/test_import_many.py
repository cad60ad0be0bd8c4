"""``govinfo import`` over many files (issue 18, items 5 and 7): folders walked, files read
in parallel with results in input order, and several files of one report resolved to the
most complete one instead of refusing the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from govinfo.cli import main
from govinfo.importer import many
from govinfo.importer.many import Outcome, inputs, read_all, resolve

DATA = Path(__file__).resolve().parent / "data" / "import"
PORTAL = DATA / "shili-jtys-2022.portal.html"  # 200/200 cells
ONE_LINE = DATA / "shili-jtys-2022.one-line.txt"  # 194/200: six digit runs stay ambiguous
SEED = DATA / "zezhou-xzsp-2021.txt"
MZJ = DATA / "shili-mzj-2020.format-2019.txt"


def _copy(folder: Path, source: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(source, target)
    return target


def _cells(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("imported ")]


# --------------------------------------------------------------------------- inputs


def test_folders_are_walked_for_report_files(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name in ("b.html", "a.txt", "c.md", "d.PDF", "e.docx", "f.xlsx", "g.htm"):
        (root / "sub").mkdir(parents=True, exist_ok=True)
        (root / "sub" / name).write_text("x", "utf-8")
    for name in ("notes.json", ".hidden.html", "~$locked.docx", "image.png"):
        (root / name).write_text("x", "utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.html").write_text("x", "utf-8")
    single = root / "given.json"  # a file given by name is read whatever its suffix
    single.write_text("x", "utf-8")
    (tmp_path / "empty").mkdir()
    files, empty = inputs(
        [str(root), str(single), str(root / "sub" / "a.txt"), str(tmp_path / "empty")]
    )
    names = [os.path.relpath(f, root) for f in files]
    assert names == [
        "sub/a.txt", "sub/b.html", "sub/c.md", "sub/d.PDF", "sub/e.docx", "sub/f.xlsx",
        "sub/g.htm", "given.json",
    ]  # fmt: skip
    assert empty == [str(tmp_path / "empty")]


def test_an_empty_folder_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "none").mkdir()
    assert main(["import", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {tmp_path / 'none'}: no reports found")


# --------------------------------------------------------------------------- in parallel


def test_parallel_run_gives_the_same_files_and_messages_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    _copy(folder, SEED, "a-zezhou-xzsp-2021.txt")
    _copy(folder, MZJ, "b-shili-mzj-2020.txt")
    _copy(folder, PORTAL, "c-shili-jtys-2022.html")
    (folder / "d-broken.html").write_bytes(b"%PDF-1.4 not really")
    runs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        code = main(["import", str(folder), "-o", str(out), "-j", str(jobs), "--no-progress"])
        err = capsys.readouterr().err
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.yaml")}
        runs[jobs] = (code, _cells(err).copy(), files)
        assert err.splitlines()[-1].startswith("imported 4 files in ")
        assert "1 with cells not read, 1 not readable, 0 duplicate(s)" in err.splitlines()[-1]
    assert runs[1][0] == runs[2][0] == 2  # the broken file
    assert sorted(runs[1][2]) == [
        "2020/b-shili-mzj.yaml",
        "2021/a-zezhou-xzsp.yaml",
        "2022/c-shili-jtys.yaml",
    ]
    assert runs[1][2] == runs[2][2]
    assert [line.replace("out1", "outN") for line in runs[1][1]] == [
        line.replace("out2", "outN") for line in runs[2][1]
    ]
    order = [line.split(":")[0] for line in runs[2][1] if line.startswith(str(folder))]
    assert order == sorted(order)  # summaries in input order, whatever finished first


def test_read_all_keeps_input_order_and_reports_each_file() -> None:
    names = [str(SEED), str(DATA / "missing.txt"), str(PORTAL), str(MZJ)]
    finished: list[str] = []
    outcomes = read_all(names, jobs=2, done=lambda o: finished.append(o.name))
    assert [o.name for o in outcomes] == names
    assert sorted(finished) == sorted(names)
    assert outcomes[1].error is not None and "file not found" in outcomes[1].error
    assert outcomes[0].result.mapping["agency_id"] == "zezhou-xzsp"
    assert all(o.error is None for i, o in enumerate(outcomes) if i != 1)


def test_a_reader_killed_names_only_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies (killed, out of memory) breaks the pool: the files in flight are
    read again each alone, so only the file that kills its reader fails."""
    import govinfo.importer as importer

    real = importer.import_file

    def dying(name: Any, **kwargs: Any) -> Any:
        if str(name).endswith("zezhou-xzsp-2021.txt"):
            os._exit(9)  # the forked worker inherits this patch
        return real(name, **kwargs)

    monkeypatch.setattr(importer, "import_file", dying)
    names = [str(PORTAL), str(SEED), str(MZJ), str(ONE_LINE)]
    outcomes = read_all(names, jobs=2)
    assert [o.name for o in outcomes] == names
    assert outcomes[1].error is not None and "ended unexpectedly" in outcomes[1].error
    assert [o.error for i, o in enumerate(outcomes) if i != 1] == [None, None, None]


def test_progress_bar_on_request_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    _copy(folder, SEED, "zezhou-xzsp-2021.txt")
    _copy(folder, MZJ, "shili-mzj-2020.txt")
    assert main(["import", str(folder), "-o", str(tmp_path / "a"), "--progress"]) == 1
    assert "govinfo import: " in capsys.readouterr().err
    assert main(["import", str(folder), "-o", str(tmp_path / "b"), "--no-progress"]) == 1
    assert "govinfo import: " not in capsys.readouterr().err
    assert main(["import", str(folder), "-o", str(tmp_path / "c")]) == 1  # not a terminal
    assert "govinfo import: " not in capsys.readouterr().err


def test_jobs_must_be_a_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", str(SEED), "-j", "0"])
    assert exc.value.code == 2
    assert "must be a whole number of at least 1" in capsys.readouterr().err


# --------------------------------------------------------------------------- duplicates


def test_several_files_of_one_report_write_the_most_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    txt = _copy(folder, ONE_LINE, "shili-jtys-2022.txt")
    html = _copy(folder, PORTAL, "shili-jtys-2022.html")
    out = tmp_path / "out"
    assert main(["import", str(txt), str(html), "-o", str(out)]) == 0  # by the chosen one
    err = capsys.readouterr().err
    assert (
        f"2022 shili-jtys: read from {html} (200/200); also given: {txt} (194/200) — not written"
        in err
    )
    assert "exists" not in err
    written = out / "2022" / "shili-jtys.yaml"
    assert "from " + str(html) in written.read_text("utf-8").splitlines()[0]
    assert [p.name for p in out.rglob("*.yaml")] == ["shili-jtys.yaml"]
    assert f"{txt}: " not in err  # the file not written gets no summary of its own

    # a file on disk from before the run is still refused without --force
    assert main(["import", str(txt), str(html), "-o", str(out)]) == 2
    assert f"error: {written} exists; use --force to replace it" in capsys.readouterr().err
    assert main(["import", str(txt), str(html), "-o", str(out), "--force"]) == 0


def test_duplicate_to_standard_output_prints_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    txt = _copy(tmp_path, ONE_LINE, "shili-jtys-2022.txt")
    html = _copy(tmp_path, PORTAL, "shili-jtys-2022.html")
    assert main(["import", str(html), str(txt)]) == 0
    out, err = capsys.readouterr()
    assert out.count("agency_id: shili-jtys") == 1 and "---" not in out
    assert "also given: " in err


def _fake(name: str, read: int, problems: int, form: str) -> Outcome:
    """A result with ``read`` of 表三's cells filled, the rest unread."""
    from govinfo import layout as L

    values = iter([1] * read + ["unread"] * 300)
    rows = {r: [next(values) for _ in L.APPLICATION_COLUMN_KEYS] for r in L.APPLICATION_ROW_KEYS}
    mapping = {"agency_id": "x", "year": 2024, "applications": {"rows": rows}}
    result = SimpleNamespace(mapping=mapping, problems=[None] * problems, form=form, source=name)
    return Outcome(name, result)


def test_duplicates_rank_by_cells_then_findings_then_format_then_name() -> None:
    cases = [
        ([_fake("a.txt", 10, 0, "text"), _fake("b.pdf", 11, 9, "pdf")], "b.pdf"),
        ([_fake("a.txt", 10, 3, "text"), _fake("b.pdf", 10, 2, "pdf")], "b.pdf"),
        ([_fake("a.txt", 10, 2, "text"), _fake("b.pdf", 10, 2, "pdf")], "b.pdf"),
        ([_fake("a.pdf", 10, 2, "pdf"), _fake("b.docx", 10, 2, "docx")], "b.docx"),
        ([_fake("z.html", 10, 2, "html"), _fake("b.docx", 10, 2, "docx")], "z.html"),
        ([_fake("b.html", 10, 2, "html"), _fake("a.html", 10, 2, "html")], "a.html"),
    ]
    for outcomes, chosen in cases:
        kept, found = resolve(outcomes)
        assert [o.name for o in kept] == [chosen]
        assert found[0].chosen.name == chosen and len(found[0].others) == 1
    workbook = SimpleNamespace(
        mapping=_fake("w", 10, 0, "text").result.mapping, findings=(), source="w.xlsx"
    )
    kept, _ = resolve([_fake("a.html", 10, 0, "html"), Outcome("w.xlsx", workbook)])
    assert [o.name for o in kept] == ["w.xlsx"]  # typed numbers before any layout


def test_files_without_year_or_id_are_never_merged() -> None:
    a, b = _fake("a.txt", 1, 0, "text"), _fake("b.txt", 1, 0, "text")
    a.result.mapping["year"] = b.result.mapping["year"] = None
    assert resolve([a, b])[0] == [a, b]
    assert many.completeness(_fake("c", 7, 0, "text").result) == (7, 200)


def test_duplicates_are_resolved_before_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A year given twice still lends its neighbour continuity: the copy is set aside first."""
    layouts = DATA.parent / "import_layouts"
    y2023 = _copy(tmp_path, layouts / "huaian-2023.years.md", "huaian-2023.years.md")
    y2024 = _copy(tmp_path, layouts / "huaian-2024.years.txt", "huaian-2024.years.txt")
    again = _copy(tmp_path, layouts / "huaian-2024.years.txt", "huaian-2024.again.txt")
    out = tmp_path / "out"
    main(["import", str(y2023), str(y2024), str(again), "-o", str(out)])
    err = capsys.readouterr().err
    assert f"read from {again} " in err and f"also given: {y2024} " in err  # (name order)
    assert "IMPORT-CONTINUITY active/rules" in err
    assert "IMPORT-CONTINUITY" in (out / "2024" / "huaian.yaml").read_text("utf-8")
