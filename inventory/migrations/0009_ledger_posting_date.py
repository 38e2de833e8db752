"""The ledger's posting date (issue #17 item 6, R-L6): added empty, filled from each entry's
time in the factory's time zone by one UPDATE, made required in 0010."""

from django.db import migrations, models
from django.db.models.functions import TruncDate

TRIGGER = "inventory_ledgerentry_append_only"


def fill(apps, schema_editor):
    """One UPDATE for the whole ledger; the append-only trigger (0003) is lifted for it only,
    inside this migration's transaction."""
    entries = apps.get_model("inventory", "LedgerEntry").objects.using(
        schema_editor.connection.alias
    )
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE inventory_ledgerentry DISABLE TRIGGER {TRIGGER}")
    entries.update(posting_date=TruncDate("created_at"))
    if postgres:
        schema_editor.execute(f"ALTER TABLE inventory_ledgerentry ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0008_ledger_key_id_indexes")]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="posting_date",
            field=models.DateField(null=True, verbose_name="posting date"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
