"""The role groups synced again now that the auditor's view permissions derive from the models
(``org.roles.view_all``): the auditor also reads the models the hand-kept list had missed
(login lockouts, posting periods, notifications, export jobs). Runs after every app's
latest migration, so every model exists."""

from django.db import migrations

from org.roles import groups_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_jobs_folded"),
        ("audit", "0003_key_id_and_keyed_from"),
        ("org", "0002_role_groups"),
        ("materials", "0002_places"),
        ("inventory", "0006_places_in_materials"),
        ("workorders", "0005_places_in_materials"),
        ("returns", "0007_places_in_materials"),
        ("finance", "0003_workshop_in_org"),
        ("approvals", "0004_workshop_in_org"),
        ("alerts", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(groups_migrate, migrations.RunPython.noop)]
