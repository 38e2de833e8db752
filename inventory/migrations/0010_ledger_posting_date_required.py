"""The posting date required, today's by default, indexed for month-end (issue #17 item 6).
Its own migration: PostgreSQL alters the table only after 0009's UPDATE has committed."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inventory", "0009_ledger_posting_date")]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="posting_date",
            field=models.DateField(
                default=django.utils.timezone.localdate, verbose_name="posting date"
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["posting_date", "id"], name="ledger_posting_date_id_idx"),
        ),
    ]
