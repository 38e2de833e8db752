"""R-W6: a leftover declared consumed carries its quantity; leftovers carried over to the next
work order (LeftoverCarryOver).

Existing declarations get the line's excess (net issued − standard − allowance for the
output, as ``workorders.closeout`` defines it) **at the time they were declared** (ledger
entries and output reports created up to ``declared_at``); when that is not positive, the
line's excess now; when neither is positive (or the material is not on the order), 0 — such
a declaration cleared nothing and counts no over-quota consumption.
"""

import django.db.models.deletion
from decimal import Decimal

from django.db.models import Sum
from django.conf import settings
from django.db import migrations, models


QTY = Decimal("0.0001")
COUNTED = ("issue", "replenish", "return")


def excess(apps, line, at):
    """The line's excess as ``workorders.closeout.line_usage`` computes it, up to ``at``."""
    entries = apps.get_model("inventory", "LedgerEntry").objects.filter(
        work_order_id=line.work_order_id, material_id=line.material_id, movement_type__in=COUNTED
    )
    outputs = apps.get_model("workorders", "OutputReport").objects.filter(
        work_order_id=line.work_order_id
    )
    if at is not None:
        entries, outputs = entries.filter(created_at__lte=at), outputs.filter(created_at__lte=at)
    totals = outputs.aggregate(good=Sum("good_qty"), scrap=Sum("scrap_qty"))
    produced = (totals["good"] or 0) + (totals["scrap"] or 0)
    standard = (produced * line.qty_per_unit).quantize(QTY)
    allowance = (produced * line.qty_per_unit * line.loss_pct / 100).quantize(QTY)
    # issue and replenish entries are negative, returns positive: consumed = −Σ
    actual = -(entries.aggregate(total=Sum("quantity"))["total"] or 0)
    return actual - standard - allowance


def fill_quantities(apps, schema_editor):
    Declaration = apps.get_model("workorders", "LeftoverDeclaration")
    Line = apps.get_model("workorders", "WorkOrderLine")
    for declaration in Declaration.objects.all():
        line = Line.objects.filter(
            work_order_id=declaration.work_order_id, material_id=declaration.material_id
        ).first()
        quantity = Decimal(0)
        if line is not None:
            quantity = excess(apps, line, declaration.declared_at)
            if quantity <= 0:
                quantity = excess(apps, line, None)
        declaration.quantity = max(quantity, Decimal(0))
        declaration.save(update_fields=["quantity"])


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_initial"),
        ("materials", "0003_supplier"),
        ("workorders", "0005_places_in_materials"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LeftoverCarryOver",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=20, unique=True, verbose_name="number")),
                (
                    "quantity",
                    models.DecimalField(
                        decimal_places=4,
                        default=Decimal("0"),
                        max_digits=16,
                        verbose_name="quantity",
                    ),
                ),
                ("borrowed", models.BooleanField(default=False, verbose_name="borrowed surplus")),
                (
                    "carried_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="carried over"),
                ),
            ],
            options={
                "verbose_name": "leftover carry-over",
                "verbose_name_plural": "leftover carry-overs",
                "ordering": ["id"],
            },
        ),
        migrations.AddField(
            model_name="leftoverdeclaration",
            name="quantity",
            field=models.DecimalField(
                decimal_places=4,
                default=Decimal("0"),
                max_digits=16,
                verbose_name="quantity declared consumed",
            ),
        ),
        migrations.RunPython(fill_quantities, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="leftoverdeclaration",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gte", 0)),
                name="leftover_declaration_qty_not_negative",
            ),
        ),
        migrations.AddField(
            model_name="leftovercarryover",
            name="carried_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="carried over by",
            ),
        ),
        migrations.AddField(
            model_name="leftovercarryover",
            name="material",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="materials.material",
                verbose_name="material",
            ),
        ),
        migrations.AddField(
            model_name="leftovercarryover",
            name="to_work_order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="leftover_carry_ins",
                to="workorders.workorder",
                verbose_name="to work order",
            ),
        ),
        migrations.AddField(
            model_name="leftovercarryover",
            name="work_order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="leftover_carry_overs",
                to="workorders.workorder",
                verbose_name="from work order",
            ),
        ),
        migrations.AddConstraint(
            model_name="leftovercarryover",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gt", 0)), name="carry_over_qty_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="leftovercarryover",
            constraint=models.CheckConstraint(
                condition=models.Q(("work_order", models.F("to_work_order")), _negated=True),
                name="carry_over_other_order",
            ),
        ),
    ]
