"""The role groups synced again (core 0005): the auditor also reads request attachments
(returns 0005) and alerts (alerts 0001).

Since issue #13 it does nothing: core, the bottom layer, imports no app above it, and org's
migrations (org 0002 onwards, the last after every app's latest migration) run the same
idempotent sync, so a fresh database ends with the same groups; databases migrated before
keep what it ran. The dependencies stay so the migration graph keeps its order."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_role_groups"),
        ("returns", "0005_request_attachments"),
        ("alerts", "0001_initial"),
    ]

    operations = []
