"""Policy version 1: SPEC R-A2's table exactly (percent of the order's need, inclusive)."""

from decimal import Decimal

from django.db import migrations

BANDS = [("le1000", Decimal("1000")), ("le5000", Decimal("5000")), ("gt5000", None)]
TIERS = ["workshop_director", "production_manager", "production_director", "executive_gm"]
# class -> band -> max percent per tier above; the GM approves anything above.
PERCENT = {
    "A": {"le1000": [1, 3, 5, 10], "le5000": [0.5, 1, 3, 5], "gt5000": [0.2, 0.5, 1, 3]},
    "B": {"le1000": [2, 4, 8, 12], "le5000": [1, 3, 5, 10], "gt5000": [0.5, 2, 4, 8]},
    "C": {"le1000": [3, 5, 10, 15], "le5000": [2, 4, 6, 10], "gt5000": [1, 3, 5, 10]},
}


def seed(apps, schema_editor):
    PolicyVersion = apps.get_model("approvals", "PolicyVersion")
    OrderBand = apps.get_model("approvals", "OrderBand")
    MatrixCell = apps.get_model("approvals", "MatrixCell")
    policy = PolicyVersion.objects.create(
        version=1, is_active=True, valuable_amount=Decimal("1000"), sla_hours=24,
        note="Seed 002 审批权限表",
    )
    bands = {code: OrderBand.objects.create(policy=policy, code=code, upper_bound=upper)
             for code, upper in BANDS}
    MatrixCell.objects.bulk_create([
        MatrixCell(policy=policy, approval_class=approval_class, band=bands[band], tier=tier,
                   max_ratio=Decimal(str(percent)) / 100)
        for approval_class, by_band in PERCENT.items()
        for band, percents in by_band.items()
        for tier, percent in zip(TIERS, percents, strict=True)
    ])


def unseed(apps, schema_editor):
    apps.get_model("approvals", "PolicyVersion").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
