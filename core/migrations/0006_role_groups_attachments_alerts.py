"""The role groups synced again (core 0005): the auditor also reads request attachments
(returns 0005) and alerts (alerts 0001)."""

from django.db import migrations

from org.roles import groups_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_role_groups"),
        ("returns", "0005_request_attachments"),
        ("alerts", "0001_initial"),
    ]

    operations = [migrations.RunPython(groups_migrate, migrations.RunPython.noop)]
