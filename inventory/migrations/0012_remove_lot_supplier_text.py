"""The free-text supplier is gone once 0011 copied it into the supplier master; a migration
of its own, since PostgreSQL refuses to alter a table with the copy's deferred foreign-key
checks still pending."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inventory", "0011_lot_supplier_master")]

    operations = [migrations.RemoveField("lot", "supplier_text")]
