"""Version 1 of the points and rewards table, read from seed 002 附件 退、补料奖罚措施
(R-J3 sharpened). The extraction of the table is garbled; how each cell was read back is in
``tests/finance/test_point_table.py`` (its docstring) and in each rule's ``source``."""

from django.db import migrations

K = 1000  # the table's amount limit, yuan
EACH = [("each", None, None)]
UNUSED_LOSS = [("unused", None, None), ("loss", None, K), ("loss", K, None)]
LOSS = [("loss", None, K), ("loss", K, None)]
OVER_QUOTA = [("over_quota", None, K), ("over_quota", K, None)]
SAVING = [("saving", None, K), ("saving", K, 5000), ("saving", 5000, None)]
P5_10_20 = [("per_occurrence", 5), ("per_occurrence", 10), ("per_occurrence", 20)]
PAGE6 = "p.6 退料"
PAGE7 = "p.7 补料"

# section, department, behaviour, bands, cells, where the cells come from
TABLE = [
    ("return", "production", "defect_used", UNUSED_LOSS, P5_10_20, f"{PAGE6} 退料不及时 1"),
    ("return", "production", "wrong_spec_kept", UNUSED_LOSS, P5_10_20, f"{PAGE6} 退料不及时 2"),
    ("return", "production", "over_issue_kept", UNUSED_LOSS, P5_10_20, f"{PAGE6} 退料不及时 3"),
    ("return", "production", "surplus_not_returned", UNUSED_LOSS, P5_10_20,
     f"{PAGE6} 退料不及时 4"),
    ("return", "production", "order_cut_not_returned", UNUSED_LOSS, P5_10_20,
     f"{PAGE6} 退料不及时 5"),
    ("return", "production", "irregular_slip", EACH, [("per_occurrence", 5)],
     f"{PAGE6} 手续不规范"),
    ("return", "production", "other", EACH, [("per_occurrence", 5)], f"{PAGE6} 其他"),
    ("return", "production", "saving", SAVING, [("reward", None)] * 3, f"{PAGE6} 节约材料退库"),
    ("return", "warehouse", "warehouse_over_issue", UNUSED_LOSS, P5_10_20,
     f"{PAGE6} 材料超定额发料导致退库"),
    ("return", "warehouse", "unchecked_issue", UNUSED_LOSS, P5_10_20, f"{PAGE6} 核对不严"),
    ("return", "technical", "bom_change", UNUSED_LOSS, P5_10_20, f"{PAGE6} BOM资料变更导致退料"),
    ("return", "planning", "plan_change", UNUSED_LOSS, P5_10_20, f"{PAGE6} 订单计划变更导致退料"),
    ("replenish", "production", "operator_scrap", LOSS,
     [("per_occurrence", 10), ("management_decides", None)], f"{PAGE7} 工废补料"),
    ("replenish", "production", "defect_not_processed", [("not_in_time", None, None)],
     [("production_bears", None)], f"{PAGE7} 料废补料 (生产部门)"),
    ("replenish", "production", "over_quota", OVER_QUOTA,
     [("department", 50), ("department", 100)], f"{PAGE7} 超定额补料"),
    ("replenish", "warehouse", "short_miscount", UNUSED_LOSS, P5_10_20, f"{PAGE7} 材料短缺补料"),
    ("replenish", "warehouse", "lax_authority_check", EACH, [("per_occurrence", 5)],
     f"{PAGE7} 审核不严"),
    ("replenish", "warehouse", "wrong_issue", UNUSED_LOSS,
     [("per_occurrence", 5), ("per_occurrence", 10), ("management_decides", None)],
     f"{PAGE7} 材料错发"),
    ("replenish", "technical", "bom_error", UNUSED_LOSS, P5_10_20, f"{PAGE7} BOM资料错误"),
    ("replenish", "qc", "lax_inspection", UNUSED_LOSS, P5_10_20, f"{PAGE7} 料废补料 (品质部)"),
    ("replenish", "planning", "plan_change_replenish", UNUSED_LOSS, P5_10_20,
     f"{PAGE7} 计划变更补料"),
]

# kind, reason code ("" = any), trigger, behaviour
MAPPINGS = [
    ("return", "SPEC_MISMATCH", "posted", "unchecked_issue"),
    ("return", "OVER_ISSUE", "posted", "warehouse_over_issue"),
    ("return", "BOM_CHANGE", "posted", "bom_change"),
    ("return", "ORDER_REDUCED", "posted", "plan_change"),
    ("return", "PLAN_CHANGE", "posted", "plan_change"),
    ("return", "LEFTOVER", "late", "surplus_not_returned"),
    ("return", "NOT_NEEDED", "late", "surplus_not_returned"),
    ("return", "COUNT_SURPLUS", "late", "surplus_not_returned"),
    ("return", "OVER_ISSUE", "late", "over_issue_kept"),
    ("return", "ORDER_REDUCED", "late", "order_cut_not_returned"),
    ("return", "", "refused", "irregular_slip"),
    ("replenish", "OPERATOR_SCRAP", "posted", "operator_scrap"),
    ("replenish", "MATERIAL_DEFECT", "posted", "lax_inspection"),
    ("replenish", "OVER_QUOTA", "posted", "over_quota"),
    ("replenish", "WAREHOUSE_MISCOUNT", "posted", "short_miscount"),
    ("replenish", "BOM_ERROR", "posted", "bom_error"),
    ("replenish", "ORDER_INCREASE", "posted", "plan_change_replenish"),
    ("replenish", "CROSS_ORDER", "posted", "other"),
]


def seed(apps, schema_editor):
    scheme_model = apps.get_model("finance", "PointScheme")
    rule_model = apps.get_model("finance", "PointRule")
    mapping_model = apps.get_model("finance", "ReasonBehaviour")
    scheme, _created = scheme_model.objects.get_or_create(
        version=1,
        defaults={
            "name": "Seed 002 附件 退、补料奖罚措施",
            "note": "Reward cells for saving material carry no number in the seed: "
            "management decides until an administrator sets them in a new version.",
        },
    )
    rules = []
    for kind, department, behaviour, bands, cells, source in TABLE:
        for (band, above, up_to), (cell, points) in zip(bands, cells, strict=True):
            rules.append(
                rule_model(
                    scheme=scheme,
                    kind=kind,
                    department=department,
                    behaviour=behaviour,
                    band=band,
                    above=above,
                    up_to=up_to,
                    cell=cell,
                    points=points,
                    source=source,
                )
            )
    rule_model.objects.bulk_create(rules)
    mapping_model.objects.bulk_create(
        mapping_model(
            scheme=scheme, kind=kind, reason_code=code, trigger=trigger, behaviour=behaviour
        )
        for kind, code, trigger, behaviour in MAPPINGS
    )


def unseed(apps, schema_editor):
    """Children first, each by its own query: a cascade from the scheme would collect the
    rules through models of another migration state when a test migrates far back."""
    for name in ("ReasonBehaviour", "PointRule"):
        apps.get_model("finance", name).objects.filter(scheme__version=1)._raw_delete(
            schema_editor.connection.alias
        )
    apps.get_model("finance", "PointScheme").objects.filter(version=1)._raw_delete(
        schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("finance", "0006_points_and_spot_checks")]

    operations = [migrations.RunPython(seed, unseed)]
