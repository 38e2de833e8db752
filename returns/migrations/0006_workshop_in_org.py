"""Workshops are ``org``'s (org 0001): the foreign keys point there, in the state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0005_request_attachments"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="monthenddocument",
                    name="workshop",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.workshop",
                        verbose_name="workshop",
                    ),
                ),
                migrations.AlterField(
                    model_name="monthendline",
                    name="workshop",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.workshop",
                        verbose_name="workshop",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
