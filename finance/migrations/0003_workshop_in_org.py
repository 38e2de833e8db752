"""Workshops are ``org``'s (org 0001): the month-end rows' foreign keys point there, in the
state only (the table is still ``workorders_workshop``)."""

import django.db.models.deletion
from django.db import migrations, models


def workshop_field():
    return models.ForeignKey(
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="org.workshop",
        verbose_name="workshop",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0002_posting_periods"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="monthenddocument", name="workshop", field=workshop_field()
                ),
                migrations.AlterField(
                    model_name="monthendline", name="workshop", field=workshop_field()
                ),
            ],
            database_operations=[],
        ),
    ]
