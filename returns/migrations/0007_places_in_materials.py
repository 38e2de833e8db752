"""Locations and warehouse categories are ``materials``' now (materials 0002): the relations
point there in the state; the columns and their constraints stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0006_month_end_to_finance"),
        ("materials", "0002_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="returnline",
                    name="location",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Recorded by the keeper; empty means the original location (R-M5).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="materials.location",
                        verbose_name="put-away location",
                    ),
                ),
                migrations.AlterField(
                    model_name="returnrequest",
                    name="warehouse_category",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="materials.warehousecategory",
                        verbose_name="warehouse category",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
