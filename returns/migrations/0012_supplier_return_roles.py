"""The role groups synced again: the keeper and material control handle supplier returns
(``returns.handle_supplier_return``, R-S2)."""

from django.db import migrations

from org.roles import groups_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0011_supplier_return"),
        ("org", "0003_role_groups_every_model"),
    ]

    operations = [migrations.RunPython(groups_migrate, migrations.RunPython.noop)]
