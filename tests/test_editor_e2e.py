"""End to end: the editor notebook in a real JupyterLab, driven by headless Chromium.

One scenario, because starting JupyterLab and a kernel is the slow part: open
notebooks/editor.ipynb at 1280 × 900 (its code folded away: no line of Python visible before
or after running), run all cells, see choice labels without English, unbalance 表三 in the
自然人 column of its first row, see APP-BALANCE appear in view without scrolling (and the input
turn red), break a rule in the last row and see that finding in view too (the findings stay
at the top while the tables scroll), fix both; type 1.5 into a count and see it stay 1.5 and
flagged (the browser's IntText made it 15); press 打开 with these unsaved edits, see the
confirmation and keep the edits with 取消; save, and read the file on disk (its comments
kept); 生成报告 and follow the link to the page; 新建 next year's report from the fields
(prefilled from the open file, started from it), and a new agency's report from typed
fields; 生成报告 on that blank report says in Chinese what to do.

JupyterLab runs on 127.0.0.1 with a random token and a temporary root holding a copy of the
notebook and the seed parameters; Jupyter's config, data, runtime and IPython folders are
temporary too, so no user setting interferes (the ipywidgets labextension stays visible: it
lives in sys.prefix/share/jupyter/labextensions, which is always on the path).

About 45–70 s here (server ~4 s, page and kernel ~15 s, the scenario ~15 s with one render,
shutdown ~5 s).
Skipped only when GOVINFO_SKIP_E2E=1; CI runs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govinfo.params import load

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "parameters" / "2021" / "zezhou-xzsp.yaml"
NOTEBOOK = ROOT / "notebooks" / "editor.ipynb"
pytestmark = [
    pytest.mark.jupyterlab,
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("GOVINFO_SKIP_E2E") == "1", reason="GOVINFO_SKIP_E2E=1 (CI runs it)"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, token: str, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(
        f"{base}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body = response.read()
    return json.loads(body) if body else None


@contextlib.contextmanager
def jupyter_lab(root: Path, home: Path) -> Iterator[tuple[str, str]]:
    """A JupyterLab server on ``root``; yields (base URL, token); always stopped."""
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ)
    for name, folder in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"),
    ):
        (home / folder).mkdir(parents=True)
        env[name] = str(home / folder)
    env.pop("JUPYTER_PATH", None)
    # only what the editor needs: no language servers, no terminals
    (home / "config" / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": {"jupyter_lsp": False, "jupyter_server_terminals": False}
                }
            }
        ),
        "utf-8",
    )
    # no "fetch news?" toast over the page (the network is closed anyway)
    notification = (
        home / "lab-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
    )
    notification.parent.mkdir(parents=True)
    notification.write_text('{"fetchNews": "false", "checkForUpdates": false}', "utf-8")
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--IdentityProvider.token={token}",  # ServerApp.token is deprecated in 2.x
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    log = (home / "jupyter.log").open("wb")
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a hang guard only: the server answers when ready
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(home / 'jupyter.log').read_text()}")
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                api(base, token, "/api/status")
                break
            if time.monotonic() > deadline:
                raise RuntimeError("jupyter lab did not answer /api/status within 300 s")
            time.sleep(0.2)
        yield base, token
    finally:
        with contextlib.suppress(Exception):  # kernels run in sessions of their own
            for kernel in api(base, token, "/api/kernels"):  # type: ignore[union-attr]
                api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=60)
        log.close()


def test_editor_notebook_in_jupyterlab(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(NOTEBOOK, root / "notebooks" / "editor.ipynb")
    params = root / "parameters" / "2021" / "zezhou-xzsp.yaml"
    params.parent.mkdir(parents=True)
    shutil.copy(SEED, params)

    with jupyter_lab(root, tmp_path / "home") as (base, token):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)  # hang guards, not speed limits
        expect.set_options(timeout=120_000)  # every expect below waits for its state, no more
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            page.goto(f"{base}/lab/tree/notebooks/editor.ipynb?token={token}")
            status = page.locator(".jp-StatusBar-TextItem", has_text="| Idle")
            expect(status).to_be_visible(timeout=300_000)  # the kernel is connected and ready
            # the code is folded away: what shows of the cell is a Chinese comment, no Python
            expect(page.locator(".jp-CodeCell .jp-InputPlaceholder")).to_be_visible()
            expect(page.locator(".jp-CodeCell .jp-InputPlaceholder")).to_contain_text("编辑器")
            expect(page.get_by_text("EditorLauncher")).to_be_hidden()
            expect(page.get_by_text("import", exact=False)).to_be_hidden()
            for attempt in range(2):  # a run requested while the kernel connects can be lost
                page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
                page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
                try:
                    executed = page.locator(".jp-OutputPrompt", has_text=re.compile(r"\[\d+\]"))
                    expect(executed.first).to_be_visible(timeout=60_000)
                    break
                except AssertionError:
                    if attempt:
                        raise

            editor = page.locator(".gi-editor")
            expect(editor).to_be_visible(timeout=300_000)
            expect(page.get_by_text("EditorLauncher")).to_be_hidden()  # still, after running
            expect(page.locator(".jp-CodeCell .jp-Cell-inputWrapper")).to_be_hidden()
            panel = editor.locator(".gi-findings-panel")
            expect(panel).to_contain_text("未发现问题")
            kinds = editor.locator(".gi-cell-kind select option")
            expect(kinds).to_have_text(["政府部门", "人民政府"])  # no English in a choice
            scopes = editor.locator(".gi-cell-scope select option").all_text_contents()
            assert scopes == ["本机关", "本行政区域汇总"]
            editor.get_by_role("tab", name="三 申请情况").click()

            cell = editor.locator(".gi-cell-applications-new-natural_person")
            field = cell.locator("input")
            expect(field).to_be_visible()
            field.click()
            field.press("Control+A")
            field.press_sequentially("3")
            expect(panel.locator(".gi-finding-APP-BALANCE").first).to_be_visible()
            expect(panel).to_contain_text("APP-BALANCE")
            # in view while editing the first row: no scrolling to find out what broke
            expect(panel.locator(".gi-finding-APP-BALANCE").first).to_be_in_viewport()
            expect(panel).to_contain_text("2 个错误")
            expect(field).to_be_in_viewport()
            expect(cell).to_have_class(re.compile(r"\bgi-error\b"))
            expect(editor.locator(".gi-cell-applications-new-total input")).to_have_value("3")
            preview = editor.locator('.gi-preview td[data-row="new"][data-col="natural_person"]')
            expect(preview).to_have_text("3")
            # a finding leads to its cells: from another tab, click the rule
            editor.get_by_role("tab", name="基本信息").click()
            expect(field).to_be_hidden()
            panel.locator(".gi-finding-APP-BALANCE").first.click()
            expect(field).to_be_visible()  # back on 三, the column's ledger cells outlined
            expect(cell).to_have_class(re.compile(r"\bgi-focus\b"))
            # The editor focuses the finding's first cell a frame later: wait for that before
            # typing elsewhere, or a busy machine's late focus takes the keys (a race).
            expect(editor.locator(".gi-focus input:focus")).to_have_count(1)

            fix = editor.locator(".gi-cell-applications-granted-natural_person input")
            fix.click()
            fix.press("Control+A")
            fix.press_sequentially("3")
            expect(panel.locator(".gi-finding-APP-BALANCE")).to_have_count(0)
            expect(panel).to_contain_text("未发现问题")
            expect(editor.locator(".gi-cell-applications-total-total input")).to_have_value("3")
            expect(cell).not_to_have_class(re.compile(r"\bgi-error\b"))

            # the last row, far below: the finding is still in view (the dock stays on top)
            last = editor.locator(".gi-cell-applications-carried_forward-research input")
            last.scroll_into_view_if_needed()
            last.click()
            last.press("Control+A")
            last.press_sequentially("2")
            expect(panel.locator(".gi-finding-APP-BALANCE").first).to_be_in_viewport()
            expect(last).to_be_in_viewport()
            last.press("Control+A")
            last.press_sequentially("0")
            expect(panel.locator(".gi-finding-APP-BALANCE")).to_have_count(0)

            # a decimal in a count stays as typed and is an error until corrected
            research = editor.locator(".gi-cell-applications-new-research")
            odd = research.locator("input")
            odd.click()
            odd.press("Control+A")
            odd.press_sequentially("1.5")
            expect(panel.locator(".gi-finding-NOT-INTEGER")).to_have_count(1)
            expect(odd).to_have_value("1.5")
            expect(research).to_have_class(re.compile(r"\bgi-error\b"))
            odd.press("Control+A")
            odd.press_sequentially("0")
            expect(panel.locator(".gi-finding-NOT-INTEGER")).to_have_count(0)
            expect(panel).to_contain_text("未发现问题")

            # 打开 with unsaved edits asks first; 取消 keeps them
            expect(editor.locator(".gi-title")).to_contain_text("未保存")
            page.locator(".gi-open-button").click()
            question = page.locator(".gi-launcher .gi-confirm").filter(has_text="未保存的修改")
            expect(question).to_be_visible()
            expect(question.locator(".gi-confirm-discard")).to_have_text("放弃修改")
            question.locator(".gi-confirm-cancel").click()
            expect(question).to_be_hidden()
            expect(field).to_have_value("3")
            expect(editor.locator(".gi-title")).to_contain_text("未保存")

            editor.locator(".gi-save-button").click()
            expect(editor.locator(".gi-status")).to_contain_text("已保存")

            # 生成报告 runs beside the kernel and ends with a link to the page
            editor.locator(".gi-file-button").click()
            link = editor.locator(".gi-status a.gi-report-link")
            expect(link).to_have_text("打开报告 zezhou-xzsp.html", timeout=300_000)
            expect(editor.locator(".gi-progress")).to_be_hidden()
            served = page.request.get(f"{base}{link.get_attribute('href')}?token={token}")
            assert served.ok and "泽州县行政审批服务管理局" in served.text()

            # 新建 from the fields: next year's report of the open file, started from it
            launcher = page.locator(".gi-launcher")
            expect(launcher.locator(".gi-new-agency input")).to_have_value(
                "泽州县行政审批服务管理局"
            )
            expect(launcher.locator(".gi-new-year input")).to_have_value("2022")
            from_last = launcher.locator(".gi-from-last-year")
            expect(from_last).to_contain_text("以上年度报告为基础")
            expect(from_last.locator("input")).to_be_checked()
            expect(launcher.locator(".gi-launcher-target")).to_contain_text(
                "parameters/2022/zezhou-xzsp.yaml"
            )
            page.locator(".gi-new-button").click()
            message = launcher.locator(".gi-launcher-message")
            expect(message).to_contain_text("已新建")
            expect(message).to_contain_text("待更新")
            expect(editor.locator(".gi-title")).to_contain_text(
                "泽州县行政审批服务管理局2022年政府信息公开工作年度报告"
            )
            # … and a new agency's report from typed fields
            for name, value in (("agency", "示例县测试局"), ("id", "shili-csj"), ("year", "2024")):
                box = launcher.locator(f".gi-new-{name} input")
                box.fill(value)
                box.press("Tab")  # an IntText takes its value when it loses focus
            expect(from_last).to_be_hidden()  # no 2023 file of shili-csj to start from
            expect(launcher.locator(".gi-launcher-target")).to_contain_text(
                "parameters/2024/shili-csj.yaml"
            )
            page.locator(".gi-new-button").click()
            expect(message).to_contain_text("已新建")
            expect(editor.locator(".gi-title")).to_contain_text("示例县测试局2024年")
            # a blank report cannot be published: said in Chinese, with what to do
            editor.locator(".gi-file-button").click()
            expect(editor.locator(".gi-status")).to_contain_text("未生成报告：文件有")
            expect(editor.locator(".gi-status")).to_contain_text("请按下面“校验结果”逐条改正")
            assert "--" not in editor.locator(".gi-status").inner_text()
            page.screenshot(path=str(tmp_path / "editor-1280.png"))
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print(f"screenshot: {tmp_path / 'failure.png'}; page errors: {errors}")
            raise
        finally:
            expect.set_options(timeout=None)  # back to Playwright's default for other tests
            page.close()

    saved = load(params)
    rows = saved.applications.rows
    assert rows["new"] == (3, 0, 0, 0, 0, 0, 3)
    assert rows["granted"] == (3, 0, 0, 0, 0, 0, 3)
    assert rows["total"] == (3, 0, 0, 0, 0, 0, 3)
    assert rows["carried_forward"] == (0,) * 7
    assert saved.active.get("licensing") == 10727  # the rest is untouched
    assert saved.narrative == load(SEED).narrative
    assert (root / "site" / "2021" / "zezhou-xzsp.html").is_file()
    next_year = load(root / "parameters" / "2022" / "zezhou-xzsp.yaml")
    assert next_year.previous_path == "../2021/zezhou-xzsp.yaml"
    assert next_year.applications.rows["carried_over"] == (0,) * 7  # last year's 结转下年度
    assert next_year.agency == saved.agency and next_year.region == saved.region
    typed = root / "parameters" / "2024" / "shili-csj.yaml"
    assert load(typed).agency == "示例县测试局" and load(typed).previous_path is None
    assert "  # 机关名称" in typed.read_text("utf-8")
    before, after = SEED.read_text("utf-8").splitlines(), params.read_text("utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [  # the comments and every other line as written
        ("    new: [0, 0, 0, 0, 0, 0, 0]", "    new: [3, 0, 0, 0, 0, 0, 3]"),
        ("    granted: [0, 0, 0, 0, 0, 0, 0]", "    granted: [3, 0, 0, 0, 0, 0, 3]"),
        ("    total: [0, 0, 0, 0, 0, 0, 0]", "    total: [3, 0, 0, 0, 0, 0, 3]"),
    ]
