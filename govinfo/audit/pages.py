"""The audit's pages: ``index.html`` (agencies ranked by predicted score, deductions by
category, sortable and filterable) and one page per agency with its 问题清单.

Self-contained like every site page (:mod:`govinfo.publish.page_kit`: inlined styles, a CSP
that loads nothing, the sort script); everything from a report is escaped. On a phone
(390 px) the ranking scrolls in its own box with the agency's name kept in view, and each
problem is a card whose evidence pairs stack (side by side from 700 px).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from html import escape
from typing import Any

from ..files import is_safe_id
from ..publish.page_kit import cell, page_html, table
from .engine import AgencyResult, AuditRun
from .packs import LEVEL_LABELS

TITLE = "政府信息公开工作年度报告体检"
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
CATEGORY_ORDER = ("时效", "要素", "数据", "文表一致", "重复", "信息处理费", "读取", "其他")

CSS = """
.ga-lead { color: var(--gi-muted, #555); }
.ga-filters { display: flex; flex-wrap: wrap; gap: .5em 1em; margin: .6em 0;
  align-items: flex-end; }
.ga-filters label { display: flex; flex-direction: column; font-size: .9em; gap: .2em; }
.ga-filters input, .ga-filters select { font: inherit; min-width: 8em; max-width: 100%;
  padding: .2em; }
.ga-score { font-weight: 700; }
.ga-problem { border: 1px solid #ccc; border-left: 5px solid #767676; padding: .6em .8em;
  margin: .8em 0; break-inside: avoid; page-break-inside: avoid; }
.ga-problem h3 { font-size: 1em; margin: 0 0 .4em; }
.ga-error { border-left-color: #c81e1e; }
.ga-warning { border-left-color: #8a6100; }
.ga-info { border-left-color: #2f6fde; }
.ga-badge { display: inline-block; font-size: .85em; padding: 0 .4em; border-radius: 3px;
  background: #eee; margin-right: .3em; white-space: nowrap; }
.ga-problem dl { margin: 0; }
.ga-problem dt { font-weight: 600; margin-top: .4em; }
.ga-problem dd { margin: 0 0 0 .2em; overflow-wrap: anywhere; }
.ga-evidence { display: grid; grid-template-columns: 1fr; gap: .4em; }
@media (min-width: 700px) { .ga-evidence.ga-pair { grid-template-columns: 1fr 1fr; } }
.ga-evidence figure { margin: 0; padding: .4em .6em; background: #f4f4f4; }
.ga-evidence figcaption { font-size: .85em; color: #444; }
.ga-evidence blockquote { margin: .2em 0 0; overflow-wrap: anywhere; }
.ga-notes li { overflow-wrap: anywhere; }
"""

FILTER_SCRIPT = """
(function () {
  var form = document.getElementById("ga-filter");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#ga-ranking tbody tr"));
  function has(list, word) { return (" " + list + " ").indexOf(" " + word + " ") >= 0; }
  function apply() {
    var q = form.elements.q.value.trim(), y = form.elements.year.value;
    var c = form.elements.cat.value, s = form.elements.sev.value, shown = 0;
    rows.forEach(function (row) {
      var ok = (!q || row.getAttribute("data-name").indexOf(q) >= 0)
        && (!y || row.getAttribute("data-year") === y)
        && (!c || has(row.getAttribute("data-cats"), c))
        && (!s || has(row.getAttribute("data-sev"), s));
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("ga-count").textContent = String(shown);
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
})();
"""


def agency_file(result: AgencyResult) -> str:
    """``agencies/<year>-<agency_id>.html``; an id that is not a safe slug is hashed."""
    ident = result.agency_id
    if not is_safe_id(ident):
        ident = "agency-" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:10]
    return f"agencies/{result.year}-{ident}.html"


def categories(run: AuditRun) -> list[str]:
    found = {d.category for r in run.results for d in r.deductions}
    return [c for c in CATEGORY_ORDER if c in found] + sorted(found - set(CATEGORY_ORDER))


def _by_category(result: AgencyResult) -> dict[str, float]:
    out: dict[str, float] = {}
    for d in result.deductions:
        out[d.category] = round(out.get(d.category, 0) + d.points, 2)
    return out


def _points(value: float) -> str:
    return f"{value:g}"


def index_html(run: AuditRun) -> str:
    pack = run.pack
    cats = categories(run)
    years = sorted({r.year for r in run.results}, reverse=True)
    entries: list[dict[str, Any]] = [{"result": r, "agency_id": r.agency_id} for r in run.results]

    def row(entry: Mapping[str, Any]) -> str:
        r: AgencyResult = entry["result"]
        by_cat = _by_category(r)
        counts = r.counts
        sev = " ".join(k for k, v in counts.items() if v)
        name = (
            f'<th scope="row" data-sort="{escape(r.agency)}"><a href="{escape(agency_file(r))}">'
            f"{escape(r.agency)}</a><br><small>{escape(r.agency_id)}</small></th>"
        )
        cells = [
            name,
            cell(str(r.year)),
            cell(LEVEL_LABELS[r.level]),
            cell(_points(r.score), _points(r.score), "gi-num ga-score"),
            *(
                cell(
                    _points(by_cat[c]) if c in by_cat else "—", _points(by_cat.get(c, 0)), "gi-num"
                )
                for c in cats
            ),
            cell(str(counts["error"]), counts["error"], "gi-num"),
            cell(str(counts["warning"]), counts["warning"], "gi-num"),
            cell("参数文件" if r.form == "parameters" else "已发布报告"),
        ]
        attrs = (
            f' data-name="{escape(r.agency + " " + r.agency_id)}" data-year="{r.year}"'
            f' data-cats="{escape(" ".join(by_cat))}" data-sev="{sev}"'
        )
        return f"<tr{attrs}>{''.join(cells)}</tr>"

    columns = (
        ("机关", True),
        ("年度", True),
        ("层级", True),
        ("预测得分", True),
        *((f"扣分·{c}", True) for c in cats),
        ("错误", True),
        ("警告", True),
        ("来源", True),
    )
    ranking = table(
        entries,
        f"各单位预测得分（满分 {_points(pack.max_score)}，按得分排序）",
        columns,
        row,
        key=lambda e: (-e["result"].year, -e["result"].score, e["agency_id"]),
    )
    ranking = ranking.replace(
        '<table class="gi-table gi-sortable">',
        '<table class="gi-table gi-sortable" id="ga-ranking">',
        1,
    )
    options = "".join(f'<option value="{y}">{y}</option>' for y in years)
    cat_options = "".join(f'<option value="{escape(c)}">{escape(c)}</option>' for c in cats)
    filters = (
        '<form id="ga-filter" class="ga-filters" role="search" aria-label="筛选">'
        '<label>机关名称或标识<input name="q" type="search" autocomplete="off"></label>'
        f'<label>年度<select name="year"><option value="">全部</option>{options}</select></label>'
        '<label>扣分类别<select name="cat"><option value="">全部</option>'
        f"{cat_options}</select></label>"
        '<label>问题程度<select name="sev"><option value="">全部</option>'
        '<option value="error">有错误</option><option value="warning">有警告</option>'
        "</select></label>"
        f'<p>显示 <output id="ga-count">{len(run.results)}</output> 个</p></form>'
    )
    body = [
        f"<h1>{TITLE}</h1>",
        f'<p class="ga-lead">规则包：{escape(pack.title)}（{escape(pack.name)}）</p>'
        f"<details><summary>规则包依据</summary><p>{escape(pack.notice)}</p></details>",
        f'<p class="ga-lead">预测得分 = 满分 {_points(pack.max_score)} − 各项扣分；'
        "每项扣分可在各单位的问题清单中追溯到具体问题。"
        f"共 {len(run.results)} 份报告，"
        f"{sum(len(r.problems) for r in run.results)} 个问题。下载："
        '<a href="audit.xlsx" download>audit.xlsx</a>、'
        '<a href="problems.csv" download>problems.csv</a>、'
        '<a href="audit.json" download>audit.json</a></p>',
        "<section><h2>各单位得分</h2>",
        filters,
        ranking,
        "</section>",
        _category_table(run, cats),
        _notes(run),
    ]
    return page_html(
        f"{TITLE} · 总览", "".join(body), css=CSS + "", cls="gi-index ga-audit"
    ).replace("</main>\n<script>", f"</main>\n<script>{FILTER_SCRIPT}</script>\n<script>", 1)


def _category_table(run: AuditRun, cats: list[str]) -> str:
    entries = []
    for c in cats:
        hit = [r for r in run.results if any(d.category == c for d in r.deductions)]
        points = sum(d.points for r in run.results for d in r.deductions if d.category == c)
        rules = sorted({d.rule for r in run.results for d in r.deductions if d.category == c})
        entries.append(
            {
                "agency_id": c,
                "cat": c,
                "n": len(hit),
                "points": round(points, 2),
                "rules": "、".join(rules),
            }
        )

    def row(e: Mapping[str, Any]) -> str:
        return (
            f'<tr><th scope="row" data-sort="{escape(e["cat"])}">{escape(e["cat"])}</th>'
            f"{cell(str(e['n']), e['n'], 'gi-num')}"
            f"{cell(_points(e['points']), e['points'], 'gi-num')}"
            f"{cell(e['rules'])}</tr>"
        )

    if not entries:
        return "<section><h2>扣分类别</h2><p>没有扣分。</p></section>"
    columns = (("类别", True), ("扣分单位数", True), ("扣分合计", True), ("规则", False))
    return (
        "<section><h2>扣分类别</h2>"
        + table(entries, "各类扣分", columns, row, key=lambda e: -e["points"])
        + "</section>"
    )


def _notes(run: AuditRun) -> str:
    items = [
        f"<li>无法读取：{escape(path)}：{escape(why)}</li>" for path, why in run.unreadable.items()
    ]
    items += [f"<li>{escape(note)}</li>" for note in run.notes]
    if not items:
        return ""
    return f'<section><h2>未体检的文件</h2><ul class="ga-notes">{"".join(items)}</ul></section>'


def agency_html(run: AuditRun, r: AgencyResult) -> str:
    pack = run.pack
    counts = r.counts
    head = (
        f'<p><a href="../index.html">← 返回总览</a></p>'
        f"<h1>{escape(r.agency)} {r.year} 年度报告体检结果</h1>"
        f'<p class="ga-lead">{escape(LEVEL_LABELS[r.level])} · '
        f"{'参数文件' if r.form == 'parameters' else '已发布报告'}：{escape(r.path)}</p>"
        f'<p>预测得分 <strong class="ga-score">{_points(r.score)}</strong> / {_points(r.max_score)}'
        f"（规则包：{escape(pack.title)}）· 错误 {counts['error']} · 警告 {counts['warning']} · "
        f"提示 {counts['info']}</p>"
    )
    if r.deductions:
        rows = "".join(
            f'<tr><th scope="row">{escape(d.rule)}</th><td>{escape(d.category)}</td>'
            f'<td class="gi-num">{d.count}</td><td class="gi-num">{_points(d.points)}</td>'
            f"<td>{escape(d.basis)}</td></tr>"
            for d in r.deductions
        )
        deductions = (
            '<section><h2>扣分明细</h2><div class="gi-table-wrap" role="region" tabindex="0" '
            'aria-label="扣分明细"><table class="gi-table">'
            "<caption>扣分明细（每项对应下方问题清单）</caption>"
            '<thead><tr><th scope="col">规则</th><th scope="col">类别</th>'
            '<th scope="col">问题数</th>'
            f'<th scope="col">扣分</th><th scope="col">依据</th></tr></thead><tbody>{rows}</tbody>'
            "</table></div></section>"
        )
    else:
        deductions = "<section><h2>扣分明细</h2><p>没有扣分。</p></section>"
    cards = "".join(_problem_card(n, p) for n, p in enumerate(r.problems, start=1))
    cards = cards or "<p>未发现问题。</p>"
    listing = f"<section><h2>问题清单（{len(r.problems)} 项）</h2>{cards}</section>"
    return page_html(
        f"{r.agency} {r.year} · {TITLE}",
        head + deductions + listing,
        css=CSS,
        cls="gi-index ga-audit",
    )


def _problem_card(n: int, p: Any) -> str:
    evidence = ""
    if p.evidence:
        pairs = len(p.evidence) >= 2 and len(p.evidence) % 2 == 0
        figures = "".join(
            f"<figure><figcaption>{escape(label)}</figcaption><blockquote>{escape(text)}</blockquote></figure>"
            for label, text in p.evidence
        )
        evidence = (
            f'<dt>证据</dt><dd><div class="ga-evidence{" ga-pair" if pairs else ""}">'
            f"{figures}</div></dd>"
        )
    deduction = f'<span class="ga-badge">扣 {_points(p.deduction)} 分</span>' if p.deduction else ""
    return (
        f'<article class="ga-problem ga-{p.severity}" id="p{n}">'
        f'<h3>{n}. <span class="ga-badge">{SEVERITY_LABELS[p.severity]}</span>'
        f'<span class="ga-badge">{escape(p.category)}</span>{deduction}{escape(p.what)}</h3>'
        f"<dl><dt>位置</dt><dd>{escape(p.where)}</dd>{evidence}"
        + (f"<dt>整改建议</dt><dd>{escape(p.fix)}</dd>" if p.fix else "")
        + f"<dt>规则</dt><dd>{escape(p.rule)}</dd></dl></article>"
    )
