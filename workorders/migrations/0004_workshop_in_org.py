"""``Workshop`` is ``org``'s now (org 0001): lines and work orders point there and the model
leaves this app's state; the table stays."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0003_workshop_members"),
        ("org", "0001_initial"),
        ("approvals", "0004_workshop_in_org"),
        ("finance", "0003_workshop_in_org"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="workorder",
                    name="workshop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="work_orders",
                        to="org.workshop",
                        verbose_name="workshop",
                    ),
                ),
                migrations.AlterField(
                    model_name="productionline",
                    name="workshop",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="org.workshop",
                        verbose_name="workshop",
                    ),
                ),
                migrations.DeleteModel(name="Workshop"),
            ],
            database_operations=[],
        ),
    ]
