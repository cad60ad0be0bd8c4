"""Text from files never acts on the user's terminal; bidi and zero-width characters in names
are findings; nonsense option values are refused; a failed render's diagnosis notebook is
whole or absent.

The terminal tests run the real CLI (``python -m govinfo`` in a subprocess where the bytes
matter, ``main()`` in-process otherwise) on files that hold ESC sequences, C1 controls and
bidi/zero-width characters, and look at every character printed. Only the batch test starts
a kernel (the year's summary page); the full-disk tests run papermill on a one-cell template.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import SEED, Run, write_yaml

from govinfo import files
from govinfo.batch.manifest import Entry
from govinfo.batch.options import Options
from govinfo.batch.runner import Runner
from govinfo.cli import build_parser
from govinfo.findings import ERROR, WARNING, Finding
from govinfo.params import parse
from govinfo.publish import pipeline
from govinfo.rules import check

Data = dict[str, Any]

# An agency name that clears the screen, retitles the window, rings the bell, reverses
# what follows, hides characters and sends a C1 CSI: every kind the issue names.
HOSTILE = "泽州县\x1b[2J\x1b]0;pwned\x07行政\u202e审批\u200b服务\u2066管理\u2069局\ufeff\x9b31m"
HOSTILE_REGION = "山西省\u200e晋城市\u2060泽州县"
BAD_NAME = "evil\x1b[2J\u202efile"  # a file name can hold them too (Linux)


def raw_controls(text: str) -> list[str]:
    """Characters a terminal acts on or hides (line feeds apart): none may be printed."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if c != "\n" and unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"}
    ]


def govinfo(*args: object) -> tuple[int, str, str]:
    """``python -m govinfo ARGS``: exit code and the exact text of stdout and stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "govinfo", *map(str, args)],
        capture_output=True,
        timeout=600,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def hostile(seed_data: Data, agency_id: str = "hostile") -> Data:
    data = copy.deepcopy(seed_data)
    data.update(agency=HOSTILE, region=HOSTILE_REGION, agency_id=agency_id)
    return data


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --------------------------------------------------------------------------- safe()


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x1b", "\\x1b"),
        ("\x07", "\\x07"),
        ("\x00", "\\x00"),
        ("\r", "\\x0d"),
        ("\n", "\\x0a"),
        ("\x7f", "\\x7f"),
        ("\x85", "\\x85"),
        ("\x9b", "\\x9b"),
        ("\u200b", "\\u200b"),
        ("\u200c", "\\u200c"),
        ("\u200d", "\\u200d"),
        ("\u200e", "\\u200e"),
        ("\u200f", "\\u200f"),
        *((chr(c), f"\\u{c:04x}") for c in range(0x202A, 0x202F)),
        *((chr(c), f"\\u{c:04x}") for c in range(0x2066, 0x206A)),
        ("\u2060", "\\u2060"),
        ("\ufeff", "\\ufeff"),
        ("\u2028", "\\u2028"),
        ("\udcff", "\\udcff"),  # an undecodable byte of a file name
        ("\U000e0041", "\\U000e0041"),  # a tag character
    ],
)
def test_safe_escapes_controls_bidi_and_zero_width(char: str, shown: str) -> None:
    from govinfo.terminal import safe

    assert safe(f"局{char}名") == f"局{shown}名"


def test_safe_keeps_cjk_full_width_punctuation_and_line_breaks_when_asked() -> None:
    from govinfo.terminal import safe

    text = "山西省晋城市泽州县行政审批服务管理局（试行）：“一、二”　，。！ﾃｽﾄ ㈠ 𠀋 é"
    assert safe(text) == text
    assert safe("一\n二\x1b", lines=True) == "一\n二\\x1b"


def test_safe_json_is_the_same_value_and_prints_no_control() -> None:
    from govinfo.terminal import safe_json

    value = {"agency": HOSTILE + "\U000e0041", "n": [1, 2]}
    text = safe_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert raw_controls(text) == [] and json.loads(text) == value
    assert "泽州县" in text  # CJK stays readable


# --------------------------------------------------------------------------- the CLI


def test_batch_prints_no_raw_control_and_keeps_its_table_aligned(
    tmp_path: Path, seed_data: Data
) -> None:
    """One file holding them in agency and region (a TEXT-CONTROL error: listed, not
    rendered), one unreadable file whose raw agency still reaches the table. The year's
    summary renders, so the log line of a render goes through the same filter."""
    params = tmp_path / "params"
    write_yaml(params / "hostile.yaml", hostile(seed_data))
    broken = hostile(seed_data, "broken")
    broken["applications"]["rows"]["new"][0] = "三\x1b[5m"  # not a number: unreadable
    write_yaml(params / f"{BAD_NAME}.yaml", broken)
    site = tmp_path / "site"
    code, out, err = govinfo("batch", params, "-o", site, "--no-progress", "-j", "1")
    assert code == 1, err
    assert raw_controls(out) == [] and raw_controls(err) == [], (out, err)
    assert "Traceback" not in err
    shown = "泽州县\\x1b[2J\\x1b]0;pwned\\x07行政\\u202e审批\\u200b服务\\u2066管理\\u2069局"
    assert shown in out  # escaped, not dropped: the user sees what the file holds
    invalid = [line for line in err.splitlines() if line.startswith("invalid ")]
    assert len(invalid) == 2, err
    assert any("TEXT-CONTROL agency: " in line and "U+202E" in line for line in invalid)
    assert any("evil\\x1b[2J\\u202efile.yaml" in line for line in invalid)
    # The table: every row's status column starts at the same place on the screen.
    table = out.splitlines()[:-1]
    assert table[0].startswith("year") and len(table) == 4, out
    header = table[0].index("status")
    for line in table[1:]:
        found = [line.find(f"  {s} ") for s in ("invalid", "published", "failed")]
        status = min(at for at in found if at >= 0) + 2
        assert display_width(line[:status]) == header, (line, table[0])
    # The manifest keeps the real text (the index and pages HTML-escape it).
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    agencies = {e["agency_id"]: e for e in manifest["agencies"]}
    assert agencies["hostile"]["agency"] == HOSTILE
    assert agencies["hostile"]["region"] == HOSTILE_REGION


def test_runner_log_line_of_a_failure_prints_no_raw_control(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FAILED line quotes the render's error, which may quote a file's text."""
    entry = Entry(file="x.yaml", source=str(tmp_path / "x.yaml"), file_sha="", year=2021)
    entry.agency_id, entry.seconds = "x", 1.5
    entry.reason = f"notebook failed in cell 3: ValueError: {HOSTILE}"
    runner = Runner(Options(outdir=tmp_path, progress=False), [entry], {}, {})
    runner._log(entry, False)
    runner._log(entry, True)
    err = capsys.readouterr().err
    assert raw_controls(err) == [], err
    failed, rendered = err.splitlines()
    assert failed.startswith("FAILED 2021/x: notebook failed in cell 3: ValueError: 泽州县\\x1b[2J")
    assert rendered == "rendered 2021/x (1.5 s)"


def test_validate_prints_no_raw_control_in_text_or_json(tmp_path: Path, seed_data: Data) -> None:
    data = hostile(seed_data)
    data["\x1b]0;pwned\x07x"] = 1  # UNKNOWN-KEY quotes the key
    path = write_yaml(tmp_path / f"{BAD_NAME}.yaml", data)
    code, out, err = govinfo("validate", path)
    assert code == 1 and err == "", err
    assert raw_controls(out) == [], out
    assert f"{tmp_path}/evil\\x1b[2J\\u202efile.yaml: 3 error(s)" in out
    assert "UNKNOWN-KEY error report: 未知字段 report.\\x1b]0;pwned\\x07x | " in out

    code, out, err = govinfo("validate", "--format", "json", path)
    assert code == 1 and err == "" and raw_controls(out) == [], out
    (result,) = json.loads(out)
    assert result["file"] == str(path)  # the JSON value is the real one
    assert {f["rule"] for f in result["findings"]} == {"TEXT-CONTROL", "UNKNOWN-KEY"}


def test_render_and_import_print_no_raw_control(tmp_path: Path, seed_data: Data, run: Run) -> None:
    """render: an unreadable file and an invalid one; import: a report whose title and file
    name hold them, and a missing file named so."""
    broken = hostile(seed_data) | {"narrative": "\x9b"}  # text where a mapping belongs
    unreadable = write_yaml(tmp_path / f"{BAD_NAME}-1.yaml", broken)
    invalid = write_yaml(tmp_path / f"{BAD_NAME}-2.yaml", hostile(seed_data))
    code, out, err = run("render", unreadable, invalid, "-o", tmp_path / "site")
    assert code == 2
    assert raw_controls(err) == [] and raw_controls(out) == [], (out, err)
    assert "evil\\x1b[2J\\u202efile-1.yaml: narrative: " in err
    assert "evil\\x1b[2J\\u202efile-2.yaml: 2 error(s); not published" in err
    assert out.startswith("  TEXT-CONTROL error agency: ")  # the findings, on stdout
    assert not (tmp_path / "site").exists()

    report = tmp_path / f"{BAD_NAME}.txt"
    report.write_text(f"{HOSTILE}2021年政府信息公开工作年度报告\n一、总体情况\n正文。\n", "utf-8")
    code, out, err = run("import", report, tmp_path / f"{BAD_NAME}.missing", "-o", tmp_path / "i")
    assert code == 2, err
    assert raw_controls(err) == [], err
    assert "evil\\x1b[2J\\u202efile.txt: " in err and "evil\\x1b[2J\\u202efile.missing" in err


# --------------------------------------------------------------------------- TEXT-CONTROL


def findings(data: Data) -> list[Finding]:
    return check(parse(data, source=Path("report.yaml")))


def of_rule(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.rule == "TEXT-CONTROL"]


@pytest.mark.parametrize("key", ["agency", "region"])
@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u2060", "U+2060 WORD JOINER"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\x1b", "U+001B CONTROL"),
        ("\x85", "U+0085 CONTROL"),
    ],
)
def test_text_control_fires_on_agency_and_region(
    seed_data: Data, key: str, char: str, named: str
) -> None:
    data = copy.deepcopy(seed_data)
    data[key] = f"泽州县{char}行政审批服务管理局"
    (finding,) = of_rule(findings(data))
    assert (finding.section, finding.row, finding.column) == (key, None, None)
    assert finding.severity == ERROR
    for message in (finding.zh, finding.en):
        assert key in message and named in message and char not in message


def test_text_control_names_each_kind_once(seed_data: Data) -> None:
    (finding,) = of_rule(findings(hostile(seed_data) | {"region": ""}))
    assert "U+202E" in finding.en and "U+200B" in finding.en and "U+001B" in finding.en
    assert finding.en.count("U+001B") == 1  # three ESCs, one name


def test_text_control_quiet_on_ordinary_names(seed_data: Data) -> None:
    data = copy.deepcopy(seed_data)
    data["agency"] = "晋城市泽州县行政审批服务管理局（市场监督管理局）·试点"
    data["region"] = "山西省　晋城市　泽州县"  # full-width spaces are ordinary text
    assert of_rule(findings(data)) == []


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda n: n.__setitem__("problems", "存在问题：\u202e门户网站更新不及时。"), "problems"),
        (lambda n: n["overview"].__setitem__("active", "主动公开\u2067文件\u2069。"), "overview"),
    ],
)
def test_text_control_warns_on_bidi_controls_in_the_narrative(
    seed_data: Data, edit: Callable[[Data], object], where: str
) -> None:
    data = copy.deepcopy(seed_data)
    data["narrative"].setdefault("overview", {})
    edit(data["narrative"])
    (finding,) = of_rule(findings(data))
    assert finding.severity == WARNING
    assert finding.section == "narrative" and finding.row == where
    assert "U+202E" in finding.en + finding.zh or "U+2067" in finding.en + finding.zh


def test_text_control_quiet_on_ordinary_narrative(seed_data: Data) -> None:
    data = copy.deepcopy(seed_data)
    data["narrative"]["problems"] = "一是更新不及时；\n\t二是解读不足。"
    assert of_rule(findings(data)) == []


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize("command", ["render", "batch"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "1e999", "soon"])
def test_timeout_must_be_a_positive_finite_number(
    command: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from govinfo.cli import main

    with pytest.raises(SystemExit) as exited:
        main([command, "missing.yaml", "-o", "out", f"--timeout={value}"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.splitlines()[-1] == (
        f"govinfo {command}: error: argument --timeout: must be a number of seconds "
        f"above 0, not {value!r}"
    )
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "many"])
def test_jobs_must_be_at_least_one(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from govinfo.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["batch", "missing.yaml", "-o", "out", "-j", value])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"govinfo batch: error: argument -j/--jobs: must be a whole number of at least 1, "
        f"not {value!r}"
    )


def test_sensible_timeout_and_jobs_are_taken() -> None:
    args = build_parser().parse_args(["batch", "p", "-o", "o", "--timeout", "0.5", "-j", "3"])
    assert (args.timeout, args.jobs) == (0.5, 3)
    assert build_parser().parse_args(["render", "p", "-o", "o"]).timeout == 600


def test_batch_help_says_a_template_must_be_trusted(capsys: pytest.CaptureFixture[str]) -> None:
    from govinfo.cli import main

    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "use only a template you trust" in help_text
    assert "--template TEMPLATE report template notebook" in help_text


# --------------------------------------------------------------------------- full disk


def one_cell_template(folder: Path) -> Path:
    """A template papermill runs quickly (the report's own would take seconds)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def assert_whole_or_absent(path: Path) -> None:
    if path.exists():
        nbformat.validate(nbformat.read(path, as_version=4))


def test_full_disk_while_papermill_writes_keeps_no_half_notebook(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """papermill writes the executed notebook in place: the disk fills half-way through.
    Before, the truncated file was kept as ``.failed.ipynb`` and the line named no file."""
    import papermill.iorw

    monkeypatch.setattr(pipeline, "DEFAULT_NOTEBOOK", one_cell_template(tmp_path))

    def half_then_full(self: Any, buf: str, path: str) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(buf[: len(buf) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(papermill.iorw.LocalHandler, "write", half_then_full)
    site = tmp_path / "site"
    failed = (site / "2021" / "zezhou-xzsp.failed.ipynb").resolve()
    failed.parent.mkdir(parents=True)
    failed.write_text("{}", "utf-8")  # an earlier failure's: not this one's diagnosis
    code, out, err = run("render", SEED, "-o", site)
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        f"error: {SEED}: notebook execution failed: OSError: [Errno 28] No space left on "
        f"device (executed notebook not kept: {failed} could not be written whole)"
    ]
    assert_whole_or_absent(failed)
    assert sorted(p.name for p in failed.parent.iterdir()) == []  # no scratch either


def test_full_disk_while_keeping_the_diagnosis_notebook(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cell failed and papermill wrote its notebook whole; the disk fills while it is kept
    as ``.failed.ipynb``. Then, with room again, it is kept whole and valid."""
    executed = nbformat.v4.new_notebook()
    executed.cells = [nbformat.v4.new_code_cell("1 / 0")]

    def execute(notebook: Path, parameters: Data, output: Path, **_: Any) -> Any:
        nbformat.write(executed, output)
        raise pipeline.RenderError("notebook failed in cell 0 (1 / 0): ZeroDivisionError")

    monkeypatch.setattr(pipeline, "execute", execute)
    real_fsync, calls = os.fsync, []

    def fsync_once_full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync_once_full)
    site = tmp_path / "site"
    failed = (site / "2021" / "zezhou-xzsp.failed.ipynb").resolve()
    code, out, err = run("render", SEED, "-o", site)
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.splitlines() == [
        f"error: {SEED}: notebook failed in cell 0 (1 / 0): ZeroDivisionError (executed "
        f"notebook not kept: cannot write {failed}: No space left on device)"
    ]
    assert calls and sorted(p.name for p in failed.parent.iterdir()) == []

    code, out, err = run("render", SEED, "-o", site)  # the disk has room again
    assert err.splitlines() == [
        f"error: {SEED}: notebook failed in cell 0 (1 / 0): ZeroDivisionError (executed "
        f"notebook: {failed})"
    ]
    assert sorted(p.name for p in failed.parent.iterdir()) == [failed.name]
    assert nbformat.read(failed, as_version=4) == executed
