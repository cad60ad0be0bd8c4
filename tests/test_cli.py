"""``govinfo validate`` and ``govinfo new``: exit codes, messages, JSON output.

Called in-process through :func:`govinfo.cli.main`; one test runs ``python -m govinfo`` in a
real subprocess to see exactly what a user's terminal would show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, SEED, Run

Data = dict[str, Any]


def add_three_natural_persons(data: Data) -> None:
    data["applications"]["rows"]["new"][0] += 3  # 自然人 in 本年新收, nothing else


# --------------------------------------------------------------------------- validate


def test_bundled_parameters_validate(run: Run) -> None:
    code, out, err = run("validate", ROOT / "parameters")
    assert (code, err) == (0, "")
    assert f"{SEED}: 0 error(s), 0 warning(s)" in out


def test_app_balance_exits_1_naming_the_column_and_both_sums(
    run: Run, seed_data: Data, write_copy: Callable[..., Path]
) -> None:
    path = write_copy(seed_data, add_three_natural_persons)
    code, out, err = run("validate", path)
    assert code == 1 and err == ""
    line = next(x for x in out.splitlines() if "APP-BALANCE" in x and "natural_person" in x)
    assert line.strip().startswith("APP-BALANCE error applications/natural_person: ")
    assert "新收 3 + 上年结转 0 = 3" in line and "总计 0 + 结转下年度 0 = 0" in line
    assert (
        "new 3 + carried over 0 = 3" in line and "total outcomes 0 + carried forward 0 = 0" in line
    )
    assert f"{path}: 2 error(s), 0 warning(s)" in out  # and APP-TOTAL-COL for the new row


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "schema: govinfo/annual-report@1\nagency: [泽州\nyear: 2021\n",
            "line 3, column 5: YAML 格式错误 / malformed YAML: expected ',' or ']'",
        ),
        (None, "applications.rows.new[0]: 应为数字 / expected a number, got '三'"),
    ],
)
def test_unreadable_files_exit_2_with_one_line(
    run: Run,
    tmp_path: Path,
    seed_data: Data,
    write_copy: Callable[..., Path],
    content: str | None,
    expected: str,
) -> None:
    if content is None:  # a string where a number belongs
        seed_data["applications"]["rows"]["new"][0] = "三"
        path = write_copy(seed_data)
    else:
        path = tmp_path / "bad.yaml"
        path.write_text(content, "utf-8")
    code, out, err = run("validate", path)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {path}: {expected}") and err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_file_exits_2(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "2021" / "nope.yaml"
    code, out, err = run("validate", missing)
    assert (code, out) == (2, "")
    assert err == f"error: {missing}: 文件不存在 / file not found\n"


def test_one_unreadable_file_does_not_hide_the_others(run: Run, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [", "utf-8")
    code, out, err = run("validate", SEED, tmp_path / "bad.yaml")
    assert code == 2
    assert f"{SEED}: 0 error(s)" in out and "bad.yaml" in err


def test_folders_are_searched_recursively_skipping_hidden_ones(
    run: Run, tmp_path: Path, seed_data: Data
) -> None:
    from conftest import write_yaml

    write_yaml(tmp_path / "2021" / "a" / "zezhou.yaml", seed_data)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "broken.yaml").write_text("a: [", "utf-8")
    (tmp_path / "notes.txt").write_text("not a parameter file", "utf-8")
    code, out, err = run("validate", tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{tmp_path / '2021' / 'a' / 'zezhou.yaml'}: 0 error(s), 0 warning(s)"
    ]


def test_empty_folder_exits_2(run: Run, tmp_path: Path) -> None:
    code, _, err = run("validate", tmp_path)
    assert code == 2 and "no parameter files found" in err


def test_years_side_by_side_are_checked_for_continuity(
    run: Run, tmp_path: Path, seed_data: Data
) -> None:
    from conftest import write_yaml

    last = dict(seed_data, year=2020)
    last["applications"] = {
        "rows": {"new": [2, 0, 0, 0, 0, 0, 2], "carried_forward": [2, 0, 0, 0, 0, 0, 2]}
    }
    write_yaml(tmp_path / "2020" / "zezhou-xzsp.yaml", last)
    write_yaml(tmp_path / "2021" / "zezhou-xzsp.yaml", seed_data)
    code, out, _ = run("validate", tmp_path)
    assert code == 1
    where = "CONTINUITY error applications/carried_over/natural_person"
    assert f"{where}: 自然人：上年结转 0，但 2020 年报告" in out


def test_json_output_parses_and_has_the_findings(
    run: Run, tmp_path: Path, seed_data: Data, write_copy: Callable[..., Path]
) -> None:
    path = write_copy(seed_data, add_three_natural_persons)
    (tmp_path / "bad.yaml").write_text("a: [", "utf-8")
    code, out, err = run("validate", "--format", "json", path, tmp_path / "bad.yaml")
    assert code == 2 and err == ""
    entries = {Path(e["file"]).name: e for e in json.loads(out)}
    assert "malformed YAML" in entries["bad.yaml"]["error"]
    report = entries[path.name]
    assert (report["errors"], report["warnings"]) == (2, 0)
    balance = next(f for f in report["findings"] if f["rule"] == "APP-BALANCE")
    assert balance == {
        "rule": "APP-BALANCE",
        "severity": "error",
        "section": "applications",
        "row": None,
        "column": "natural_person",
        "zh": "自然人：新收 3 + 上年结转 0 = 3，但办理结果总计 0 + 结转下年度 0 = 0",
        "en": "natural_person: new 3 + carried over 0 = 3, "
        "but total outcomes 0 + carried forward 0 = 0",
        "file": str(path),
        "where": "applications/natural_person",
    }


def test_strict_turns_warnings_into_exit_1(
    run: Run, seed_data: Data, write_copy: Callable[..., Path]
) -> None:
    path = write_copy(seed_data, lambda d: d["narrative"].__setitem__("problems", "无"))
    code, out, _ = run("validate", path)
    assert code == 0 and "PROBLEMS-EMPTY warning" in out
    assert run("validate", "--strict", path)[0] == 1
    assert run("validate", "--strict", SEED)[0] == 0


# --------------------------------------------------------------------------- new


def test_new_writes_a_complete_skeleton_that_is_not_yet_valid(run: Run, tmp_path: Path) -> None:
    """Every cell present and null (not filled in), every narrative part the placeholder:
    validate names each section to fill in, one finding per block, and exits 1."""
    target = tmp_path / "2024" / "shili-jyj.yaml"
    code, out, err = run(
        "new", "--agency", "示例县教育局", "--id", "shili-jyj", "--year", "2024", "-o", target
    )
    assert (code, out, err) == (0, f"wrote {target}\n", "")
    data = yaml.safe_load(target.read_text("utf-8"))
    assert (data["agency"], data["agency_id"], data["year"]) == ("示例县教育局", "shili-jyj", 2024)
    assert len(data["applications"]["rows"]) == 25
    assert all(values == [None] * 7 for values in data["applications"]["rows"].values())
    assert data["active"]["rules"] == {"issued": None, "repealed": None, "in_force": None}
    assert data["narrative"]["problems"] == "（待填写）"
    code, out, _ = run("validate", "--format", "json", target)
    assert code == 1
    [entry] = json.loads(out)
    found = sorted((f["rule"], f["where"]) for f in entry["findings"])
    assert found == [
        ("MISSING", "active"),
        ("MISSING", "applications"),
        ("MISSING", "processing_fees"),
        ("MISSING", "review_litigation"),
        ("NARRATIVE-EMPTY", "narrative/other"),
        ("NARRATIVE-EMPTY", "narrative/overview"),
        ("NARRATIVE-EMPTY", "narrative/problems"),
    ]


def test_new_refuses_to_overwrite_without_force(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("keep me", "utf-8")
    args = ("new", "--agency", "示例局", "--id", "shili", "--year", "2024", "-o", target)
    code, _, err = run(*args)
    assert code == 2 and err == f"error: {target} exists; use --force to replace it\n"
    assert target.read_text("utf-8") == "keep me"
    assert run(*args, "--force")[0] == 0
    assert "agency: 示例局" in target.read_text("utf-8")


def test_new_prints_to_stdout_without_output(run: Run) -> None:
    code, out, _ = run(
        "new", "--agency", "示例局", "--id", "shili", "--year", "2024", "--region", "示例省"
    )
    assert code == 0
    data = yaml.safe_load(out)
    assert data["region"] == "示例省" and data["processing_fees"] == {
        "notices": None,
        "notice_amount_yuan": None,
        "collected_yuan": None,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--id", "Shili_JYJ", "--year", "2024"),
            "error: --id 'Shili_JYJ': rule AGENCY-ID: an id must match [a-z0-9][a-z0-9-]* (at "
            "most 80 characters) and not be a name the site uses for its own pages (summary, "
            "index, manifest …) or a Windows device name\n",
        ),
        (
            ("--id", "shili", "--year", "1999"),
            "error: year: year must be a whole number between 2000 and 2100: 1999\n",
        ),
    ],
)
def test_new_refuses_bad_values_and_writes_nothing(
    run: Run, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run("new", "--agency", "示例局", *args, "-o", tmp_path / "x.yaml")
    assert (code, out, err) == (2, "", message)
    assert list(tmp_path.iterdir()) == []


def test_version(run: Run) -> None:
    with pytest.raises(SystemExit) as info:
        run("--version")
    assert info.value.code == 0


# --------------------------------------------------------------------------- real process


def test_python_m_govinfo_in_a_subprocess(
    tmp_path: Path, seed_data: Data, write_copy: Callable[..., Path]
) -> None:
    balance = write_copy(seed_data, add_three_natural_persons, name="balance.yaml")
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("agency: 泽州\n  year: 2021\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "govinfo", "validate", str(balance), str(malformed)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2  # unreadable beats failing
    assert "APP-BALANCE error applications/natural_person" in done.stdout
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {malformed}: line 2, column ")
