"""Reason codes of seed 002 §3 with responsibility and penalty points (附件 奖罚措施)."""

from django.db import migrations

# kind, code, name, 中文, responsible party, points ≤1000 / >1000 yuan, defect, technical
REASONS = [
    ("return", "SUPPLIER_DEFECT", "Material quality defect", "来料不良", "supplier", 0, 0,
     "supplier", False),
    ("return", "PROCESS_DEFECT", "Process defect", "制程不良", "production", 1, 3,
     "process", False),
    ("return", "SPEC_MISMATCH", "Specification mismatch", "规格不符", "warehouse", 1, 2, "",
     False),
    ("return", "OVER_ISSUE", "Over-issued", "超领/多领", "warehouse", 1, 2, "", False),
    ("return", "BOM_CHANGE", "BOM change", "BOM变更", "technical", 0, 1, "", True),
    ("return", "LEFTOVER", "Saving / leftover", "节约余料", "production", 0, 0, "", False),
    ("return", "NOT_NEEDED", "Not needed", "不再需要", "planning", 0, 1, "", False),
    ("return", "ORDER_REDUCED", "Order reduced or cancelled", "订单减少/取消", "planning", 0, 1,
     "", False),
    ("return", "COUNT_SURPLUS", "Stock-count surplus", "盘点盈余", "warehouse", 0, 1, "", False),
    ("return", "PROCESS_OPTIMISATION", "Process optimisation", "工艺优化", "technical", 0, 0,
     "", False),
    ("return", "PLAN_CHANGE", "Plan change", "计划变更", "planning", 0, 1, "", False),
    ("replenish", "OPERATOR_SCRAP", "Operator scrap", "工废", "production", 2, 5, "process",
     False),
    ("replenish", "MATERIAL_DEFECT", "Material defect", "料废", "supplier", 0, 0, "supplier",
     False),
    ("replenish", "OVER_QUOTA", "Over-quota loss", "超定额损耗", "production", 2, 4, "", False),
    ("replenish", "SUPPLIER_SHORT", "Supplier short delivery", "供应商短装", "supplier", 0, 0,
     "", False),
    ("replenish", "WAREHOUSE_MISCOUNT", "Warehouse miscount", "仓库发料差错", "warehouse", 2, 4,
     "", False),
    ("replenish", "BOM_ERROR", "BOM error", "BOM错误", "technical", 2, 4, "", False),
    ("replenish", "ORDER_INCREASE", "Plan change / order increase", "计划变更/订单增加",
     "planning", 0, 1, "", False),
    ("replenish", "CROSS_ORDER", "Cross-order borrowing", "窜单挪料", "production", 2, 4, "",
     False),
]


def seed(apps, schema_editor):
    ReasonCode = apps.get_model("returns", "ReasonCode")
    for kind, code, name, name_zh, party, small, large, defect, technical in REASONS:
        ReasonCode.objects.update_or_create(kind=kind, code=code, defaults={
            "name": name, "name_zh": name_zh, "responsible_party": party,
            "points_small": small, "points_large": large, "defect_kind": defect,
            "needs_technical": technical,
        })


def unseed(apps, schema_editor):
    apps.get_model("returns", "ReasonCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
