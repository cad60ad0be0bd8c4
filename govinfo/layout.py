"""The official layout of the annual report (国办公开办函〔2021〕30号), written once.

Every label, row, column, numbering and identity of the format lives here and nowhere else.
The model, the rules, the HTML tables, the charts, the importer and the editor all derive
their rows, columns and labels from these declarations, so a change to the format is a
change to this file alone. Keys are the canonical snake_case keys of ``spec/model.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCHEMA = "govinfo/annual-report@1"
TITLE_SUFFIX = "政府信息公开工作年度报告"

# The top-level keys of a parameter file (model.md) that hold the tables, the fees, the
# narrative and the contact, named once: findings, marks and pages use the same keys.
ACTIVE, APPLICATIONS, REVIEW_LITIGATION = "active", "applications", "review_litigation"
PROCESSING_FEES_KEY, NARRATIVE, CONTACT = "processing_fees", "narrative", "contact"


@dataclass(frozen=True)
class Section:
    """One of the six numbered sections; ``key`` names its narrative or table."""

    key: str
    numeral: str
    title: str

    @property
    def heading(self) -> str:
        return f"{self.numeral}、{self.title}"


SECTIONS: tuple[Section, ...] = (
    Section("overview", "一", "总体情况"),
    Section("active", "二", "主动公开政府信息情况"),
    Section("applications", "三", "收到和处理政府信息公开申请情况"),
    Section("review_litigation", "四", "政府信息公开行政复议、行政诉讼情况"),
    Section("problems", "五", "存在的主要问题及改进情况"),
    Section("other", "六", "其他需要报告的事项"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}

# 一、总体情况 subsections, in the order practice (and S4) uses.
OVERVIEW_PARTS: tuple[tuple[str, str], ...] = (
    ("active", "（一）主动公开"),
    ("requests", "（二）依申请公开"),
    ("management", "（三）政府信息管理"),
    ("platform", "（四）政府信息公开平台建设"),
    ("oversight", "（五）监督保障"),
)
OVERVIEW_KEYS = ("intro", *(key for key, _ in OVERVIEW_PARTS))

KINDS = {"department": "政府部门", "government": "人民政府"}
SCOPES = {"agency": "本机关", "region": "本行政区域汇总"}

# ---------------------------------------------------------------------------------------
# 表二 主动公开政府信息情况: four caption groups, 10 cells.


@dataclass(frozen=True)
class ActiveItem:
    """A row of table 二: ``columns`` are measure keys, empty for a single-value row."""

    key: str
    label: str


@dataclass(frozen=True)
class ActiveGroup:
    caption: str
    measures: tuple[tuple[str, str], ...]  # (key, label); one unkeyed measure spans 3 cols
    items: tuple[ActiveItem, ...]

    @property
    def is_single(self) -> bool:
        return len(self.measures) == 1


ACTIVE_ITEM_HEADER = "信息内容"
ACTIVE_GROUPS: tuple[ActiveGroup, ...] = (
    ActiveGroup(
        "第二十条第（一）项",
        (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
        (ActiveItem("rules", "规章"), ActiveItem("normative_docs", "行政规范性文件")),
    ),
    ActiveGroup(
        "第二十条第（五）项",
        (("", "本年处理决定数量"),),
        (ActiveItem("licensing", "行政许可"),),
    ),
    ActiveGroup(
        "第二十条第（六）项",
        (("", "本年处理决定数量"),),
        (ActiveItem("punishment", "行政处罚"), ActiveItem("coercion", "行政强制")),
    ),
    ActiveGroup(
        "第二十条第（八）项",
        (("", "本年收费金额（单位：万元）"),),
        (ActiveItem("fees_10k_yuan", "行政事业性收费"),),
    ),
)
ACTIVE_MEASURES = ACTIVE_GROUPS[0].measures  # issued / repealed / in_force
ACTIVE_DOC_ITEMS = tuple(item.key for item in ACTIVE_GROUPS[0].items)
ACTIVE_SINGLE_ITEMS = tuple(item.key for g in ACTIVE_GROUPS[1:] for item in g.items)
FEE_KEY = "fees_10k_yuan"


def active_cells() -> tuple[tuple[str, str | None], ...]:
    """The 10 cells of table 二 as (item, measure) keys, measure None for single values."""
    cells: list[tuple[str, str | None]] = []
    for group in ACTIVE_GROUPS:
        for item in group.items:
            if group.is_single:
                cells.append((item.key, None))
            else:
                cells.extend((item.key, measure) for measure, _ in group.measures)
    return tuple(cells)


def active_label(item: str, measure: str | None = None) -> str:
    """Human label of a table 二 cell, e.g. ``规章·本年制发件数``."""
    for group in ACTIVE_GROUPS:
        for it in group.items:
            if it.key == item:
                if measure is None:
                    return it.label
                return f"{it.label}·{dict(group.measures)[measure]}"
    raise KeyError(item)


# ---------------------------------------------------------------------------------------
# 表三 收到和处理政府信息公开申请情况: 7 columns × 25 rows.


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    short: str  # for messages and chart legends


APPLICANT_HEADER = "申请人情况"
ORGANISATION_HEADER = "法人或其他组织"
APPLICATION_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

APPLICATION_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人", "自然人"),
    Column("commercial", "商业企业", "商业企业"),
    Column("research", "科研机构", "科研机构"),
    Column("social_welfare", "社会公益组织", "社会公益组织"),
    Column("legal_services", "法律服务机构", "法律服务机构"),
    Column("other", "其他", "其他"),
    Column("total", "总计", "总计"),
)
APPLICATION_COLUMN_KEYS = tuple(c.key for c in APPLICATION_COLUMNS)
APPLICANT_KEYS = APPLICATION_COLUMN_KEYS[:-1]  # the six that add up to 总计
ORGANISATION_KEYS = APPLICANT_KEYS[1:]  # under 法人或其他组织
TOTAL = "total"


@dataclass(frozen=True)
class Group:
    """A row-spanning group label of table 三 (no numbers of its own)."""

    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """A numeric row of table 三.

    ``groups`` are the enclosing group labels from the outside in (三、本年度办理结果, then
    （三）不予公开 …); ``label`` is the row's own text including its numbering.
    """

    key: str
    label: str
    short: str
    groups: tuple[Group, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        """The official labels from the outermost group down to this row."""
        return (*(g.label for g in self.groups), self.label)

    @property
    def full_label(self) -> str:
        return "".join(self.path)


RESULTS = Group("results", "三、本年度办理结果")
WITHHELD = Group("withheld", "（三）不予公开")
UNABLE = Group("unable", "（四）无法提供")
NOT_PROCESSED = Group("not_processed", "（五）不予处理")
OTHER = Group("other", "（六）其他处理")


def _leaves(group: Group, prefix: str, items: tuple[tuple[str, str, str], ...]) -> list[Row]:
    return [
        Row(f"{prefix}_{key}", f"{n}.{label}", short, (RESULTS, group))
        for n, (key, label, short) in enumerate(items, start=1)
    ]


APPLICATION_ROWS: tuple[Row, ...] = (
    Row("new", "一、本年新收政府信息公开申请数量", "本年新收"),
    Row("carried_over", "二、上年结转政府信息公开申请数量", "上年结转"),
    Row("granted", "（一）予以公开", "予以公开", (RESULTS,)),
    Row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "部分公开",
        (RESULTS,),
    ),
    *_leaves(
        WITHHELD,
        "withheld",
        (
            ("state_secret", "属于国家秘密", "国家秘密"),
            ("law_prohibited", "其他法律行政法规禁止公开", "法律法规禁止"),
            ("three_safety_one_stability", "危及“三安全一稳定”", "三安全一稳定"),
            ("third_party", "保护第三方合法权益", "第三方权益"),
            ("internal_affairs", "属于三类内部事务信息", "内部事务"),
            ("process_info", "属于四类过程性信息", "过程性信息"),
            ("enforcement_file", "属于行政执法案卷", "执法案卷"),
            ("administrative_query", "属于行政查询事项", "行政查询"),
        ),
    ),
    *_leaves(
        UNABLE,
        "unable",
        (
            ("not_held", "本机关不掌握相关政府信息", "不掌握"),
            ("needs_creation", "没有现成信息需要另行制作", "需另行制作"),
            ("unclear_after_correction", "补正后申请内容仍不明确", "补正后仍不明确"),
        ),
    ),
    *_leaves(
        NOT_PROCESSED,
        "not_processed",
        (
            ("petition", "信访举报投诉类申请", "信访举报投诉"),
            ("duplicate", "重复申请", "重复申请"),
            ("publication", "要求提供公开出版物", "公开出版物"),
            ("excessive", "无正当理由大量反复申请", "大量反复申请"),
            ("confirmation", "要求行政机关确认或重新出具已获取信息", "确认或重新出具"),
        ),
    ),
    *_leaves(
        OTHER,
        "other",
        (
            (
                "no_correction",
                "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "逾期不补正",
            ),
            (
                "no_fee",
                "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "逾期未缴费",
            ),
            ("other", "其他", "其他"),
        ),
    ),
    Row("total", "（七）总计", "办理结果总计", (RESULTS,)),
    Row("carried_forward", "四、结转下年度继续办理", "结转下年度"),
)
APPLICATION_ROW_KEYS = tuple(r.key for r in APPLICATION_ROWS)
ROW_BY_KEY = {r.key: r for r in APPLICATION_ROWS}
COLUMN_BY_KEY = {c.key: c for c in APPLICATION_COLUMNS}

# Outcome rows that add up to （七）总计 (identity I2): every row under 三 but the total.
OUTCOME_KEYS = tuple(r.key for r in APPLICATION_ROWS if r.groups and r.key != TOTAL)


def strip_numbering(label: str) -> str:
    """Drop a leading official numbering such as ``（三）``, ``三、`` or ``1.``."""
    return re.sub(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+\.)", "", label)


def _outcome_categories() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The six outcome categories (（一）…（六）) with the leaf rows each one sums."""
    categories: dict[str, list[str]] = {}
    for row in APPLICATION_ROWS:
        if row.key not in OUTCOME_KEYS:
            continue
        name = row.short if len(row.groups) == 1 else strip_numbering(row.groups[-1].label)
        categories.setdefault(name, []).append(row.key)
    return tuple((name, tuple(keys)) for name, keys in categories.items())


# Outcome categories for charts and summaries: (label, row keys).
OUTCOME_CATEGORIES = _outcome_categories()

# ---------------------------------------------------------------------------------------
# 表四 行政复议、行政诉讼: 15 columns in three groups.

REVIEW_OUTCOMES: tuple[Column, ...] = (
    Column("maintained", "结果维持", "维持"),
    Column("corrected", "结果纠正", "纠正"),
    Column("other", "其他结果", "其他"),
    Column("pending", "尚未审结", "未审结"),
    Column("total", "总计", "总计"),
)
REVIEW_OUTCOME_KEYS = tuple(c.key for c in REVIEW_OUTCOMES)
REVIEW_OUTCOME_BY_KEY = {c.key: c for c in REVIEW_OUTCOMES}
REVIEW_PARTS = REVIEW_OUTCOME_KEYS[:-1]  # add up to 总计 (identities I5a–c)

REVIEW_HEADER = "行政复议"
LITIGATION_HEADER = "行政诉讼"


@dataclass(frozen=True)
class CaseGroup:
    key: str
    label: str  # the group's own header (行政复议, 未经复议直接起诉, 复议后起诉)
    parent: str | None  # 行政诉讼 for the two litigation groups

    @property
    def full_label(self) -> str:
        return f"{self.parent}·{self.label}" if self.parent else self.label


CASE_GROUPS: tuple[CaseGroup, ...] = (
    CaseGroup("review", REVIEW_HEADER, None),
    CaseGroup("litigation_direct", "未经复议直接起诉", LITIGATION_HEADER),
    CaseGroup("litigation_after_review", "复议后起诉", LITIGATION_HEADER),
)
CASE_GROUP_KEYS = tuple(g.key for g in CASE_GROUPS)
CASE_GROUP_BY_KEY = {g.key: g for g in CASE_GROUPS}

# ---------------------------------------------------------------------------------------
# 信息处理费 (六): fields of processing_fees and their labels.

PROCESSING_FEES: tuple[tuple[str, str], ...] = (
    ("notices", "发出收费通知的件数"),
    ("notice_amount_yuan", "收费通知的总金额（元）"),
    ("collected_yuan", "实际收取的总金额（元）"),
)
PROCESSING_FEE_KEYS = tuple(k for k, _ in PROCESSING_FEES)

# Top-level keys of a parameter file, in the order they are written.
TOP_LEVEL_KEYS = (
    "schema",
    "agency",
    "agency_id",
    "region",
    "region_code",
    "kind",
    "scope",
    "year",
    "published",
    "contact",
    "narrative",
    "processing_fees",
    "active",
    "applications",
    "review_litigation",
    "previous",
)
NARRATIVE_KEYS = ("overview", "problems", "other")
NARRATIVE_PLACEHOLDER = "（待填写）"  # what ``govinfo new`` writes; counts as empty
# What ``govinfo new --from`` puts before each part of last year's narrative: a part that
# still starts with it has not been updated and counts as empty (rule NARRATIVE-EMPTY).
NARRATIVE_CARRIED = "（待更新）"

# contact: the details real reports end with, after the 落款 (all optional text).
CONTACT_FIELDS: tuple[tuple[str, str], ...] = (
    ("address", "地址"),
    ("postcode", "邮编"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
)
CONTACT_KEYS = tuple(k for k, _ in CONTACT_FIELDS)


# The conventional, unnumbered preamble (basis, the six parts, 统计期限) and the 信息处理费
# statement of 六 (国办函〔2020〕109号). Filled in by govinfo.publish.document.
PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开"
    "办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）"
    "要求编制，包括{parts}等{count}部分内容。本报告所列数据的统计期限为{period}。"
)
FEES_STATEMENT = (
    "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），{year}年度本机关发出收费通知"
    "{notices}件，收费通知总金额{notice_amount}元，实际收取信息处理费{collected}元。"
)
FEES_NONE = "{year}年度本机关未发出信息处理费收费通知，未收取信息处理费。"
NO_APPLICATIONS = "本年度未收到政府信息公开申请。"
NO_NEW_APPLICATIONS = "本年度未新收政府信息公开申请。"
NO_DECISIONS = "本年度无行政许可、行政处罚、行政强制处理决定。"
NO_CASES = "本年度未发生政府信息公开行政复议、行政诉讼案件。"
TRENDS_HEADING = "附：与上年度数据对比"
FINDINGS_HEADING = "附：数据校验结果"
INVALID_STAMP = "本页数据未通过勾稽关系校验（{errors}项错误），仅供核对，不得作为正式发布版本。"


def title(agency: str, year: int) -> str:
    """The report title as practice writes it: ``{机关}{YYYY}年政府信息公开工作年度报告``."""
    return f"{agency}{year}年{TITLE_SUFFIX}"


def period(year: int) -> str:
    """统计期限 of the preamble."""
    return f"{year}年1月1日至{year}年12月31日"
