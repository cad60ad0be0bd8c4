"""The sheet 填表说明: how to fill in the collection workbook, and the 勾稽关系 it checks."""

from __future__ import annotations

from typing import Any

from .. import layout as L
from . import layout_cells as C
from . import style as S

ISSUED, REPEALED, IN_FORCE = (label for _, label in L.ACTIVE_MEASURES)


def guide_lines(year: int) -> list[str]:
    """The instructions, one paragraph each, built from the layout's labels."""
    r = L.ROW_BY_KEY
    parts = "、".join(o.label for o in L.REVIEW_OUTCOMES if o.key in L.REVIEW_PARTS)
    return [
        f"本表用于填报{year}年度政府信息公开工作年度报告的数据，表格与《中华人民共和国政府信息公开"
        "工作年度报告格式》（国办公开办函〔2021〕30号）一致。",
        "一、浅黄色的格是填写处；其他格（标题、总计、校验）已锁定。工作表保护没有密码，但请不要"
        "改动表格结构，也不要增删行列，否则无法导入。",
        "二、每一格都要填写：没有的填 0，不要留空。留空的格视为“未填写”，不会当作 0，"
        "报告不能发布。",
        f"三、件数填不小于 0 的整数；{L.active_label(L.FEE_KEY)}以万元为单位，可有小数；"
        "信息处理费的金额以元为单位。格中不要写“件”“元”等单位，也不要写公式或引用其他文件。",
        f"四、“{L.COLUMN_BY_KEY[L.TOTAL].label}”列、“{r[L.TOTAL].label}”行和表四各组的“总计”由公式自动计算，请勿改写；"
        "某一行（列）有格未填时，总计显示为空。",
        "五、各表下方（表三还有右侧一列）的“校验”区按下列勾稽关系自动核对，显示“通过”、“未填完”，"
        "或“不平衡：差N”（N 为等式左边减右边）。请在报送前使各项都显示“通过”。各表第 2 行和"
        f"“{C.BASIC}”表下方汇总显示填写和校验情况。",
        f"　　1. 表三每一列：{r['new'].label} + {r['carried_over'].label} = {r[L.TOTAL].label} + "
        f"{r['carried_forward'].label}（{L.APPLICATION_NOTE.strip('（）')}）。",
        f"　　2. 表三每一列：{r[L.TOTAL].label} = （一）至（六）各项之和。",
        f"　　3. 表三每一行：{L.COLUMN_BY_KEY[L.TOTAL].label} = 六类申请人之和。",
        f"　　4. 表四每一组：总计 = {parts}。",
        f"　　5. 由上年报告生成本表时：{r['carried_over'].label} = "
        f"上年报告的{r['carried_forward'].label}（不一致为错误）；"
        f"{IN_FORCE} = 上年{IN_FORCE} + {ISSUED} − {REPEALED}（请核对）。",
        f"六、“{C.BASIC}”中的文件标识和报告年度不能修改：本表只能用于{year}年度。",
        "七、正文（一、五、六）可在“基本信息”中填写，也可以以后在参数文件中填写。",
        "八、填好后请保存为 .xlsx 格式（不要另存为 .xls、.et 或 .ods，不要加密码），"
        "报送政府信息公开工作主管部门，由其用 govinfo import 导入。",
    ]


def write_guide(ws: Any, year: int) -> None:
    S.title(ws, "填表说明", 1)
    ws.column_dimensions["A"].width = 100
    S.fit_width(ws)
    for n, text in enumerate(guide_lines(year), start=3):
        cell = ws.cell(n, 1)
        cell.value = text
        cell.alignment = S.LEFT
