"""Locations are ``materials``' now (materials 0002): the line-side location points there in
the state; the column and its constraint stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0004_workshop_in_org"),
        ("materials", "0002_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="productionline",
                    name="line_side_location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="materials.location",
                        verbose_name="line-side location",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
