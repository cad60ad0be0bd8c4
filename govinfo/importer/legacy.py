"""The 2019 trial format (国办公开办函〔2019〕60号) and other published label variants.

These are the *old* or non-standard labels the importer must recognise (format.md §1, §7);
the 2021 labels themselves always come from :mod:`govinfo.layout`. Reports for 2020 and
earlier used the 2019 format: table 二 had other columns (so only the 处理决定数量 of
行政许可, 行政处罚 and 行政强制 carries over), and table 三 had a single （六）其他处理 row
where 2021 has three.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import layout as L

# Headings that published reports use instead of the official ones (format.md §1).
SECTION_VARIANTS: dict[str, tuple[str, ...]] = {
    "problems": ("存在问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
}

# Labels of table 二 that exist only in the 2019 format: finding one means the old table.
OLD_ACTIVE_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "其他对外管理服务事项",
    "政府集中采购",
)
OLD_NORMATIVE_DOCS = "规范性文件"  # 2021: 行政规范性文件


@dataclass(frozen=True)
class OldRow:
    """A row of the 2019 table 二: its label, its number of cells, and which of its cells
    (by index) carries over to which 2021 single-value item."""

    label: str
    cells: int
    maps: dict[int, str] = field(default_factory=dict)


def old_active_rows() -> tuple[OldRow, ...]:
    """The 2019 table 二, rows in order; labels shared with 2021 come from the layout."""
    label = {item.key: item.label for group in L.ACTIVE_GROUPS for item in group.items}
    return (
        OldRow(label["rules"], 3),
        OldRow(OLD_NORMATIVE_DOCS, 3),
        OldRow(label["licensing"], 3, {2: "licensing"}),
        OldRow("其他对外管理服务事项", 3),
        OldRow(label["punishment"], 3, {2: "punishment"}),
        OldRow(label["coercion"], 3, {2: "coercion"}),
        OldRow(label["fees_10k_yuan"], 2),
        OldRow("政府集中采购", 2),
    )


# Table 三 in 2019: （六）其他处理 is one row with numbers, where 2021 has three sub-rows.
OLD_OTHER_KEY = "old_other"
OLD_OTHER_LABEL = L.OTHER.label
