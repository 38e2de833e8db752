"""Workshops are ``org``'s (org 0001): the foreign keys point there, in the state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0003_large_quantity_optional"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="approvalstep",
                    name="workshop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.workshop",
                        verbose_name="workshop",
                    ),
                ),
                migrations.AlterField(
                    model_name="tierassignment",
                    name="workshop",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="org.workshop",
                        verbose_name="workshop",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
