"""The batch's seams: executors and task kinds plug in through registries, tasks and results
are small frozen dataclasses. An engine registered here runs a real batch (pages recorded in
the manifest, index written) without any change to the runner."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from govinfo.batch import executors, workers
from govinfo.batch.executors import Pool, executor_kind, register_executor, start_fork_server
from govinfo.batch.options import BatchError, Options
from govinfo.batch.runner import run_batch
from govinfo.batch.tasks import ReportTask, SummaryTask, TaskResult
from govinfo.cli import build_parser

PARAMETERS = ROOT / "parameters" / "2021"


def _fake_render(
    task: ReportTask | SummaryTask, engine_kwargs: dict[str, Any]
) -> tuple[Path, Path]:
    """Stands in for papermill: writes the two outputs where the real renderer would."""
    folder = Path(task.outdir) / str(task.year)
    folder.mkdir(parents=True, exist_ok=True)
    html, notebook = folder / f"{task.stem}.html", folder / f"{task.stem}.ipynb"
    html.write_text(f"<p>{task.kind} {task.key}</p>", "utf-8")
    notebook.write_text("{}", "utf-8")
    return html, notebook


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """An executor "inline" (one thread of this process) and fake renderers for both task
    kinds, registered for one test; returns the sizes the factory was asked for."""
    asked: list[int] = []

    def factory(options: Options, tasks: int) -> Pool:
        asked.append(tasks)
        pool = ThreadPoolExecutor(1)
        return Pool(pool, 1, lambda: pool.shutdown(wait=True))

    monkeypatch.setitem(executors.EXECUTORS, "inline", None)  # removed again after the test
    register_executor("inline", factory)
    for kind in ("report", "summary"):
        monkeypatch.setitem(workers.TASK_KINDS, kind, workers.TASK_KINDS[kind])
        workers.register_task_kind(kind, _fake_render)
    return asked


def test_a_registered_executor_and_task_kinds_run_a_batch(
    tmp_path: Path, inline: list[int]
) -> None:
    params = tmp_path / "parameters"
    params.mkdir()
    for name in ("shili-jyj.yaml", "zezhou-xzsp.yaml"):
        shutil.copy(PARAMETERS / name, params)
    site = tmp_path / "site"
    options = Options(outdir=site, executor="inline", progress=False)
    assert start_fork_server(options) is None  # not a local executor: no fork server
    result = run_batch([params], options)
    assert inline == [3]  # two agencies and the year's summary
    assert result.exit_code == 0, [(e.label, e.reason) for e in result.entries]
    assert {(e.status, e.run) for e in result.entries} == {("published", "rendered")}
    assert [(s.status, s.html) for s in result.summaries] == [("published", "2021/summary.html")]
    page = (site / "2021" / "zezhou-xzsp.html").read_text("utf-8")
    assert page == f"<p>report {(params / 'zezhou-xzsp.yaml').resolve()}</p>"
    assert (site / "index.html").is_file()


def test_the_cli_offers_the_registered_executors(inline: list[int]) -> None:
    args = build_parser().parse_args(["batch", "x", "-o", "site", "--executor", "inline"])
    assert args.executor == "inline"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["batch", "x", "-o", "site", "--executor", "nowhere"])
    assert executor_kind("process").local and not executor_kind("dask").local


def test_an_unknown_executor_is_one_line() -> None:
    with pytest.raises(BatchError, match=r"^unknown executor 'nowhere' \(known: process, dask"):
        executor_kind("nowhere")


def test_tasks_and_results_are_frozen_and_small(tmp_path: Path) -> None:
    task = SummaryTask("summary:2021", 2021, [{"agency": "甲"}], None, str(tmp_path))
    result = TaskResult("summary:2021", True, html="a.html", notebook="a.ipynb", seconds=1.5)
    for value in (task, result):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.key = "other"  # type: ignore[misc]  # the point: frozen
        assert pickle.loads(pickle.dumps(value)) == value
        assert len(pickle.dumps(value)) < 500
    assert (task.kind, task.stem, task.site_page) == ("summary", "summary", True)
