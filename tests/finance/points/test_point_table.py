"""R-J3 (sharpened): the points table of seed 002 附件 退、补料奖罚措施, read from the seed
(not from the code), checked cell by cell on both sides of every band boundary.

How the garbled extraction was read back (seed 002, the lines after "首次发布实施日期 第一次
修订日期 执行总经理 …" and the page fragments marked 第4页 / 第6页 / 第7页):

- Rows (page 6, 退料): 生产部门 · 退料不及时 with five 问题描述 (发现材料不合格但仍继续生产;
  规格型号不符仍继续生产或积压; 仓库多发料不及时退回; 盘盈或不需用材料未及时退回; 订单计划
  减少、取消多领不及时退回), 手续不规范, 其他, 节约材料退库; 仓储部 · 材料超定额发料导致退库,
  核对不严; 技术部 · BOM资料变更导致退料; 计划部 · 订单计划变更导致退料.
  Rows (page 7, 补料): 生产部门 · 工废补料, 料废补料, 超定额补料; 仓储部 · 材料短缺补料,
  审核不严, 材料错发; and (the fragment before "第4页") 技术部 · BOM资料错误, 品质部 · 料废补料
  (因品质检验不严), 计划部 · 计划变更补料.
- The only cell values the extraction kept are the nine of the 补料 production and
  warehouse block, printed after its band labels "损失≤1000 元 损失>1000 元 | 未及时到仓库办理
  退料、补料手续 | 超定额≤1000 元 超定额>1000 元 | 未使用 损失≤1000 元":
  "部门负激励 100 分 公司研究决定 / 每次负激励 10 分 部门负激励 50 分 / 生产部门承担 /
  每次负激励 5 分 / 每次负激励 5 分 每次负激励 10 分 每次负激励 20 分". Nine labels (2 + 1 + 2 +
  3 with 损失>1000 of 材料短缺 + 1 for 审核不严), nine cells; the ≤ cells print on one line
  (10, 50) and the > cells on another (公司研究决定, 100), so:
  工废补料 损失≤1000 → 每次 10, 损失>1000 → 公司研究决定; 料废补料 (生产部门) 未及时办理手续 →
  生产部门承担; 超定额补料 ≤1000 → 部门 50, >1000 → 部门 100; 材料短缺补料 未使用 / ≤1000 /
  >1000 → 每次 5 / 10 / 20; 审核不严 → 每次 5 (one cell, no band).
- 材料错发: the line "损失>1000 元 公司研究决定" that follows → >1000 management decides; its
  未使用 / ≤1000 cells were lost and are read as the 材料短缺 row's 5 / 10.
- Every other row with the columns 未使用 (未被使用) / 损失≤1000 (已使用且损失≤1000) /
  损失>1000 lost its cells in the extraction; they are read as the one complete triple the
  table prints, 每次负激励 5 / 10 / 20 分. 手续不规范 and 其他 (one cell each) are read as
  审核不严's 每次负激励 5 分.
- 节约材料退库 has three bands, 节约≤1000 / 节约>1000≤5000 / 节约>5000 (page 7's last
  lines); the extraction kept no reward numbers, so the three cells are rewards whose size
  management decides (an administrator enters them in a new version).
"""

from decimal import Decimal

import pytest

from finance.models import Behaviour, CellKind, PointRule, PointScheme, ReasonBehaviour
from finance.points.scheme import rule_for, scheme_active

pytestmark = pytest.mark.django_db

EACH = "per_occurrence"
DEPT = "department"
DECIDES = "management_decides"
BEARS = "production_bears"
REWARD = "reward"
# behaviour → (department, {band: (cell, points)}): "unused", "≤1000", ">1000" for the loss
# columns; "≤1000"/">1000" for over quota; "≤1000"/"≤5000"/">5000" for savings; "each".
FIVE_TEN_TWENTY = {"unused": (EACH, 5), "≤1000": (EACH, 10), ">1000": (EACH, 20)}
SEED_TABLE = {
    # 退料 · 生产部门 · 退料不及时
    "defect_used": ("production", FIVE_TEN_TWENTY),
    "wrong_spec_kept": ("production", FIVE_TEN_TWENTY),
    "over_issue_kept": ("production", FIVE_TEN_TWENTY),
    "surplus_not_returned": ("production", FIVE_TEN_TWENTY),
    "order_cut_not_returned": ("production", FIVE_TEN_TWENTY),
    # 退料 · 生产部门 · 手续不规范 / 其他 / 节约材料退库
    "irregular_slip": ("production", {"each": (EACH, 5)}),
    "other": ("production", {"each": (EACH, 5)}),
    "saving": (
        "production",
        {"≤1000": (REWARD, None), "≤5000": (REWARD, None), ">5000": (REWARD, None)},
    ),
    # 退料 · 仓储部 / 技术部 / 计划部
    "warehouse_over_issue": ("warehouse", FIVE_TEN_TWENTY),
    "unchecked_issue": ("warehouse", FIVE_TEN_TWENTY),
    "bom_change": ("technical", FIVE_TEN_TWENTY),
    "plan_change": ("planning", FIVE_TEN_TWENTY),
    # 补料 · 生产部门
    "operator_scrap": ("production", {"≤1000": (EACH, 10), ">1000": (DECIDES, None)}),
    "defect_not_processed": ("production", {"each": (BEARS, None)}),
    "over_quota": ("production", {"≤1000": (DEPT, 50), ">1000": (DEPT, 100)}),
    # 补料 · 仓储部
    "short_miscount": ("warehouse", FIVE_TEN_TWENTY),
    "lax_authority_check": ("warehouse", {"each": (EACH, 5)}),
    "wrong_issue": (
        "warehouse",
        {"unused": (EACH, 5), "≤1000": (EACH, 10), ">1000": (DECIDES, None)},
    ),
    # 补料 · 技术部 / 品质部 / 计划部
    "bom_error": ("technical", FIVE_TEN_TWENTY),
    "lax_inspection": ("qc", FIVE_TEN_TWENTY),
    "plan_change_replenish": ("planning", FIVE_TEN_TWENTY),
}
# band → amounts on both sides of its boundaries that fall inside it
AMOUNTS = {
    "≤1000": [Decimal("0.00"), Decimal("1000.00")],
    ">1000": [Decimal("1000.01"), Decimal("999999.99")],
    "≤5000": [Decimal("1000.01"), Decimal("5000.00")],
    ">5000": [Decimal("5000.01")],
    "each": [Decimal("0.00"), Decimal("1000.00"), Decimal("1000.01")],
}


def cases():
    for behaviour, (department, cells) in SEED_TABLE.items():
        for band, expected in cells.items():
            if band == "unused":
                yield behaviour, department, None, False, expected
                continue
            for amount in AMOUNTS[band]:
                yield behaviour, department, amount, True, expected


@pytest.mark.parametrize(("behaviour", "department", "amount", "used", "expected"), list(cases()))
def test_every_cell_on_both_sides_of_its_band_boundaries(
    behaviour, department, amount, used, expected
):
    rule = rule_for(scheme=scheme_active(), behaviour=behaviour, amount=amount, used=used)
    assert (rule.department, rule.cell, rule.points) == (department, *expected)


def test_the_seeded_version_has_exactly_the_seed_rows_and_every_behaviour():
    scheme = scheme_active()
    assert scheme.version == 1 and scheme.leftover_deadline_hours == 24
    seeded = set(scheme.rules.values_list("behaviour", flat=True))
    assert seeded == set(SEED_TABLE) == set(Behaviour.values)
    assert scheme.rules.count() == sum(len(cells) for _d, cells in SEED_TABLE.values())


def test_signs_penalties_negative_rewards_positive_open_cells_zero():
    scheme = scheme_active()
    assert rule_for(scheme=scheme, behaviour="over_quota", amount=Decimal("1000.01")) \
        .signed_points() == -100  # fmt: skip
    assert rule_for(scheme=scheme, behaviour="saving", amount=Decimal(10)).signed_points() == 0
    reward = PointRule(cell=CellKind.REWARD, points=8)
    assert reward.signed_points() == 8


def test_reason_codes_map_to_behaviours_as_data():
    """Attribution as the seed writes it: 料废 → QC's lax inspection, miscount → warehouse,
    工废 → production; leftovers after the deadline → 退料不及时; a refusal → 手续不规范."""
    scheme = scheme_active()
    mapped = {
        (m.kind, m.reason_code, m.trigger): m.behaviour
        for m in ReasonBehaviour.objects.filter(scheme=scheme)
    }
    assert mapped[("replenish", "MATERIAL_DEFECT", "posted")] == "lax_inspection"
    assert mapped[("replenish", "WAREHOUSE_MISCOUNT", "posted")] == "short_miscount"
    assert mapped[("replenish", "OPERATOR_SCRAP", "posted")] == "operator_scrap"
    assert mapped[("return", "LEFTOVER", "late")] == "surplus_not_returned"
    assert mapped[("return", "", "refused")] == "irregular_slip"
    assert mapped[("return", "SPEC_MISMATCH", "posted")] == "unchecked_issue"


def test_a_new_version_keeps_the_old_one_for_its_entries(admin):
    from finance.points.scheme import point_scheme_copy

    old = scheme_active()
    new = point_scheme_copy(scheme=old, name="2027 table", actor=admin)
    new.rules.filter(behaviour="saving").update(points=3)
    assert scheme_active() == new and new.version == 2
    assert not PointScheme.objects.get(pk=old.pk).is_active
    assert rule_for(scheme=new, behaviour="saving", amount=Decimal(1)).signed_points() == 3
    assert rule_for(scheme=old, behaviour="saving", amount=Decimal(1)).points is None
