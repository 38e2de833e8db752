"""The role groups of org.roles with their permissions (issue #7). Idempotent: running the
sync again changes nothing; a later change of org.roles adds a migration calling it again.

Since issue #13 it does nothing: core, the bottom layer, imports no app above it, and org's
migrations (org 0002 onwards, the last after every app's latest migration) run the same
idempotent sync, so a fresh database ends with the same groups; databases migrated before
keep what it ran. The dependencies stay so the migration graph keeps its order."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_outbox"),
        ("audit", "0002_append_only_trigger"),
        ("materials", "0001_initial"),
        ("inventory", "0004_ledger_reason_code"),
        ("workorders", "0003_workshop_members"),
        ("returns", "0004_action_permissions"),
        ("approvals", "0003_large_quantity_optional"),
    ]

    operations = []
