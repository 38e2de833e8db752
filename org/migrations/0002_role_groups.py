"""The role groups synced again once ``Workshop`` is ``org``'s (org 0001): on a fresh database
core 0005 ran before the move and could not yet grant ``org.*_workshop``."""

from django.db import migrations

from org.roles import groups_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("workorders", "0004_workshop_in_org"),
    ]

    operations = [migrations.RunPython(groups_migrate, migrations.RunPython.noop)]
