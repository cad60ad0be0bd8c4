"""The batch's region hierarchy: which region pages a year needs, in which order, and which
are current (issue 20; the sums and the page are :mod:`govinfo.publish.hierarchy`).

Every parameter file with a ``region_code`` belongs to its region and, through the code, to
every region above it (320813 → 320800 → 320000, :mod:`govinfo.divisions`). Each region gets
a page of its own, rendered by a :class:`RegionTask` once its sub-regions' pages are done
(their sums are its input): counties first, then cities, then the province, as results
arrive, so both cores stay busy. A region's hash covers its own members (their files,
statuses and first errors), last year's members, its name and those above it, and its
sub-regions' hashes: one changed file renders its page and the regions above it, no other.
Files without a code keep the year's flat summary (:mod:`govinfo.publish.summary`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..divisions import lineage, parent
from ..status import FAILED, PUBLISHED
from .manifest import RegionEntry, digest, outputs_match, record_outputs
from .options import Options
from .record import relative, timestamp
from .tasks import TaskResult
from .workers import Rendered, register_task_kind, run_task


@dataclass(frozen=True)
class RegionTask:
    """Render one region's page (:func:`govinfo.publish.hierarchy.render_region`)."""

    kind: ClassVar[str] = "region"
    site_page: ClassVar[bool] = True

    key: str  # "region:<year>:<code>"
    year: int
    code: str
    name: str
    lineage: list[list[str]]  # (code, name) of every region above, from the top
    members: list[dict[str, Any]]  # this year's files of the region itself
    previous: list[dict[str, Any]] | None  # last year's, when the batch had them
    children: list[dict[str, Any]]  # code, name, ok (False: its page failed this run)
    outdir: str
    template: str | None = None
    timeout: float | None = None
    engine_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return f"summary.{self.code}"


def _render(task: RegionTask, engine_kwargs: dict[str, Any]) -> Rendered:
    from ..publish.hierarchy import render_region

    return render_region(
        task.year,
        task.code,
        task.name,
        task.members,
        task.children,
        task.outdir,
        lineage=task.lineage,
        previous=task.previous,
        template=task.template,
        timeout=task.timeout,
        **engine_kwargs,
    )


# Unpickling a RegionTask in a worker (a process of the pool, a Dask worker) imports this
# module, so the kind is registered wherever one runs.
register_task_kind(RegionTask.kind, _render)


def run_region(task: RegionTask) -> TaskResult:
    """What the batch submits for a region: :func:`govinfo.batch.workers.run_task`, which
    never raises and dispatches on the task's kind."""
    return run_task(task)  # type: ignore[arg-type]  # a registered kind beside Task's two


@dataclass
class Node:
    code: str
    members: list[dict[str, Any]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    name: str = ""
    hash: str = ""
    render: bool = False


def region_name(code: str, members: Sequence[dict[str, Any]]) -> str:
    """The region's display name: its 本行政区域汇总 report's ``region`` text, else the text
    most of its members give, else its code (a region known only from those below it)."""
    heads = [m["region"] for m in members if m.get("scope") == "region" and m.get("region")]
    if heads:
        return str(heads[0])
    texts = Counter(str(m["region"]) for m in members if m.get("region"))
    return texts.most_common(1)[0][0] if texts else f"行政区划 {code}"


class Hierarchy:
    """The runner's view of the region pages: planning per year, results, release order."""

    def __init__(self, options: Options, old: Sequence[RegionEntry], env: dict[str, Any]) -> None:
        self.options = options
        self.outdir = options.outdir
        self.old = {(e.year, e.code): e for e in old}
        self.env = {k: env.get(k) for k in ("govinfo", "library", "font")}
        self.entries: dict[tuple[int, str], RegionEntry] = {}
        self.nodes: dict[tuple[int, str], Node] = {}
        self.previous: dict[tuple[int, str], list[dict[str, Any]] | None] = {}
        self.waiting: dict[tuple[int, str], int] = {}  # sub-regions still rendering
        self.failed: set[tuple[int, str]] = set()
        self.held = 0  # planned, not yet released to the queue
        self.planned_years: set[int] = set()  # years whose regions this run has planned

    def plan(
        self,
        year: int,
        members: Sequence[dict[str, Any]],
        previous: Sequence[dict[str, Any]] | None,
        shas: dict[str, str],
    ) -> tuple[list[RegionTask], int]:
        """The year's regions: (the tasks ready now, how many will render in all)."""
        self.planned_years.add(year)
        nodes: dict[str, Node] = {}
        for member in members:
            chain = lineage(str(member["region_code"]))
            for up, down in itertools.pairwise(chain):
                nodes.setdefault(up, Node(up))
                if down not in nodes[up].children:
                    nodes[up].children.append(down)
            nodes.setdefault(chain[-1], Node(chain[-1])).members.append(member)
        before: dict[str, list[dict[str, Any]]] = {}
        for member in previous or ():
            before.setdefault(str(member["region_code"]), []).append(member)
        for code, node in nodes.items():
            node.children.sort()
            node.name = region_name(code, node.members)
            self.nodes[(year, code)] = node
            self.previous[(year, code)] = before.get(code, []) if previous is not None else None
        planned = 0
        ready: list[RegionTask] = []
        for code in sorted(nodes, key=lambda c: (-len(lineage(c)), c)):  # the deepest first
            node = nodes[code]
            key = (year, code)
            children = [nodes[c] for c in node.children]
            node.hash = digest(
                {
                    "members": node.members,
                    "shas": sorted(shas.get(m["file"]) or "" for m in node.members),
                    "previous": self.previous[key],
                    "lineage": self._lineage(year, code, nodes),
                    "children": [[c.code, c.name, c.hash] for c in children],
                    "env": self.env,
                }
            )
            old = self.old.get(key)
            node.render = (
                self.options.force
                or any(c.render for c in children)
                or old is None
                or old.hash != node.hash
                or old.status != PUBLISHED
                or not outputs_match(self.outdir, old)
            )
            if not node.render:
                assert old is not None
                old.run, old.name, old.parent = "unchanged", node.name, parent(code) or ""
                self.entries[key] = old
                continue
            planned += 1
            self.entries[key] = RegionEntry(
                year, hash=node.hash, code=code, name=node.name, parent=parent(code) or "",
                run="queued",
            )  # fmt: skip
            self.waiting[key] = sum(c.render for c in children)
            if self.waiting[key]:
                self.held += 1
            else:
                ready.append(self.task(year, code))
        return ready, planned

    def _lineage(self, year: int, code: str, nodes: dict[str, Node]) -> list[list[str]]:
        return [[up, nodes[up].name] for up in lineage(code)[:-1]]

    def task(self, year: int, code: str) -> RegionTask:
        node = self.nodes[(year, code)]
        nodes = {c: n for (y, c), n in self.nodes.items() if y == year}
        o = self.options
        return RegionTask(
            key=f"region:{year}:{code}",
            year=year,
            code=code,
            name=node.name,
            lineage=self._lineage(year, code, nodes),
            members=node.members,
            previous=self.previous[(year, code)],
            children=[
                {"code": c, "name": nodes[c].name, "ok": (year, c) not in self.failed}
                for c in node.children
            ],
            outdir=str(self.outdir.resolve()),
            template=None,
            timeout=o.timeout,
            engine_kwargs=o.engine_kwargs,
        )

    def record(self, task: RegionTask, result: TaskResult) -> tuple[RegionEntry, list[RegionTask]]:
        """Record a region's result; returns its entry and the region above when it is now
        ready (every sub-region that rendered has answered, well or not)."""
        key = (task.year, task.code)
        entry = self.entries[key]
        entry.status = PUBLISHED if result.ok else FAILED
        entry.run = "rendered" if result.ok else "failed"
        entry.seconds, entry.rendered_at = result.seconds, timestamp()
        if result.ok:
            assert result.html and result.notebook
            entry.html = relative(self.outdir, result.html)
            entry.notebook = relative(self.outdir, result.notebook)
            entry.documents = {k: relative(self.outdir, v) for k, v in result.documents.items()}
            entry.outputs = record_outputs(
                self.outdir, entry.html, entry.notebook, *entry.documents.values()
            )
            entry.reason = ""
        else:
            self.failed.add(key)
            entry.html, entry.outputs, entry.documents, entry.notebook = None, {}, {}, None
            failed = Path(self.outdir) / str(task.year) / f"{task.stem}.failed.ipynb"
            if failed.is_file():
                entry.notebook = relative(self.outdir, str(failed))
            entry.reason = result.reason
        up = parent(task.code)
        if up is None or (task.year, up) not in self.waiting:
            return entry, []
        self.waiting[(task.year, up)] -= 1
        if self.waiting[(task.year, up)]:
            return entry, []
        self.held -= 1
        return entry, [self.task(task.year, up)]

    def all_entries(self, years: Sequence[int]) -> list[RegionEntry]:
        """Every region entry to keep in the manifest: this run's, and the earlier ones of
        a year this run did not get to plan (interrupted), for the years of the site."""
        merged = {**{k: e for k, e in self.old.items() if k[0] not in self.planned_years}}
        merged.update(self.entries)
        return [e for (year, _), e in merged.items() if year in years]
