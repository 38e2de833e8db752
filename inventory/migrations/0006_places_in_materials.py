"""Warehouse categories, warehouses and locations are ``materials``' now (materials 0002):
the ledger, serials and balances point there and the models leave this app's state; the
tables, columns and constraints stay. The role groups are synced again so that they hold the
places' permissions under their new label (``materials.add_location`` …)."""

import django.db.models.deletion
from django.db import migrations, models

from org.roles import groups_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_posting_period"),
        ("materials", "0002_places"),
        ("returns", "0007_places_in_materials"),
        ("workorders", "0005_places_in_materials"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="location",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="materials.location",
                        verbose_name="location",
                    ),
                ),
                migrations.AlterField(
                    model_name="serial",
                    name="location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="materials.location",
                        verbose_name="location",
                    ),
                ),
                migrations.AlterField(
                    model_name="stockbalance",
                    name="location",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="balances",
                        to="materials.location",
                        verbose_name="location",
                    ),
                ),
                migrations.DeleteModel(name="Location"),
                migrations.DeleteModel(name="Warehouse"),
                migrations.DeleteModel(name="WarehouseCategory"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(groups_migrate, migrations.RunPython.noop),
    ]
