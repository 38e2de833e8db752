"""R-S1: a lot names its supplier from the supplier master instead of free text.

Every distinct supplier text already on a lot becomes a supplier (code ``S0001``, ``S0002``…
in name order, the text as its name) so no lot loses what it said; rename the codes in the
admin or re-import the suppliers with theirs."""

from django.db import migrations, models


def suppliers_from_text(apps, schema_editor):
    Lot = apps.get_model("inventory", "Lot")
    Supplier = apps.get_model("materials", "Supplier")
    names = (
        Lot.objects.exclude(supplier_text="")
        .values_list("supplier_text", flat=True)
        .distinct()
        .order_by("supplier_text")
    )
    for number, name in enumerate(names, start=1):
        supplier = Supplier.objects.create(code=f"S{number:04d}", name=name.strip()[:120])
        Lot.objects.filter(supplier_text=name).update(supplier=supplier)


def text_from_suppliers(apps, schema_editor):
    Lot = apps.get_model("inventory", "Lot")
    for lot in Lot.objects.exclude(supplier=None).select_related("supplier"):
        Lot.objects.filter(pk=lot.pk).update(supplier_text=lot.supplier.name)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0010_ledger_posting_date_required"),
        ("materials", "0003_supplier"),
    ]

    operations = [
        migrations.RenameField("lot", "supplier", "supplier_text"),
        migrations.AddField(
            model_name="lot",
            name="supplier",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="lots",
                to="materials.supplier",
                verbose_name="supplier",
            ),
        ),
        migrations.RunPython(suppliers_from_text, text_from_suppliers),
    ]
