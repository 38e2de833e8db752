"""The role groups synced again after issues #18 and #19 (org.roles): the keeper and
material control handle supplier returns (R-S2); supervisors record points, the GM office
proposes them and finance and management read them (R-J3, R-J4); the administrator keeps
suppliers and the points table; the auditor reads the new models. Runs after every app's
latest migration, so every model exists."""

from django.db import migrations

from org.roles import groups_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_role_groups_every_model"),
        ("core", "0011_idempotency_location"),
        ("audit", "0005_streams"),
        ("materials", "0003_supplier"),
        ("inventory", "0012_remove_lot_supplier_text"),
        ("workorders", "0006_leftover_quantity_carry_over"),
        ("returns", "0011_supplier_return"),
        ("finance", "0007_seed_point_scheme"),
        ("approvals", "0007_large_quantity_on_by_default"),
        ("alerts", "0005_supplier_claim_overdue_kind"),
        ("reports", "0002_supplier_quality_export"),
    ]

    operations = [migrations.RunPython(groups_migrate, migrations.RunPython.noop)]
