"""R-A4 (sharpened): the large-quantity rule is on by default, at 500 units.

Versions no approval step used yet (the seeded v1 on a new database, drafts) get the
threshold in place. The routing version, when a decision already used it, is never edited
(R-A5): a copy of it with the threshold is published as the next version, so decisions taken
keep the version that routed them and new requests route with the rule.
"""

from decimal import Decimal

from django.db import migrations, models

LARGE_QUANTITY = Decimal("500")
NOTE = "Large-quantity rule on by default: 500 (R-A4)"


def large_quantity_on(apps, schema_editor):
    PolicyVersion = apps.get_model("approvals", "PolicyVersion")
    ApprovalStep = apps.get_model("approvals", "ApprovalStep")
    used = set(ApprovalStep.objects.values_list("policy_id", flat=True).distinct())
    off = PolicyVersion.objects.filter(large_quantity__isnull=True)
    off.exclude(pk__in=used).update(large_quantity=LARGE_QUANTITY)
    routing = PolicyVersion.objects.filter(is_active=True).order_by("-version").first()
    if routing is None or routing.large_quantity is not None:
        return
    copy_publish(apps, routing)


def copy_publish(apps, routing):
    PolicyVersion = apps.get_model("approvals", "PolicyVersion")
    OrderBand = apps.get_model("approvals", "OrderBand")
    MatrixCell = apps.get_model("approvals", "MatrixCell")
    latest = PolicyVersion.objects.order_by("-version").first()
    policy = PolicyVersion.objects.create(
        version=latest.version + 1,
        is_active=True,
        valuable_amount=routing.valuable_amount,
        large_quantity=LARGE_QUANTITY,
        sla_hours=routing.sla_hours,
        note=NOTE,
    )
    bands = {
        band.pk: OrderBand.objects.create(policy=policy, code=band.code, upper_bound=band.upper_bound)
        for band in OrderBand.objects.filter(policy=routing)
    }
    MatrixCell.objects.bulk_create(
        MatrixCell(
            policy=policy,
            approval_class=cell.approval_class,
            band=bands[cell.band_id],
            tier=cell.tier,
            max_ratio=cell.max_ratio,
        )
        for cell in MatrixCell.objects.filter(policy=routing)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0006_step_workshop_optional"),
    ]

    operations = [
        migrations.AlterField(
            model_name="policyversion",
            name="large_quantity",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                default=Decimal("500"),
                help_text=(
                    "Replenishment lines of more than this quantity also go to the deputy GM "
                    "(R-A4); 500 unless changed; empty: no such rule."
                ),
                max_digits=16,
                null=True,
                verbose_name="large quantity",
            ),
        ),
        migrations.RunPython(large_quantity_on, migrations.RunPython.noop),
    ]
