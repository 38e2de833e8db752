"""Warehouses and locations moved from ``inventory`` to ``materials`` in the state only
(materials 0002, inventory 0006): a database migrated before the move keeps its rows, and
the permissions its groups and users hold keep their rows under the new label."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from materials.models import Location

# Run inside the test's transaction: PostgreSQL rolls schema changes back, SQLite cannot.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BEFORE_THE_MOVE = [("materials", "0001_initial")]


def migrate(targets=None):
    """Migrate to ``targets`` (default: the latest); the historical models of that point."""
    executor = MigrationExecutor(connection)
    with connection.cursor() as cursor:  # later migrations alter tables these rows reference
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    applied = MigrationExecutor(connection).loader.applied_migrations
    return executor.loader.project_state(list(applied)).apps


def test_the_move_keeps_rows_and_the_permissions_groups_and_users_hold():
    old = migrate(BEFORE_THE_MOVE)
    categories = old.get_model("inventory", "WarehouseCategory").objects
    warehouse = old.get_model("inventory", "Warehouse").objects.create(
        code="W1", name="Main", category=categories.create(code="RAW", name="Raw")
    )
    old.get_model("inventory", "Location").objects.create(warehouse=warehouse, code="W1-01")
    permissions = old.get_model("auth", "Permission").objects.filter(
        content_type__app_label="inventory"
    )
    view_location = permissions.get(codename="view_location")
    change_warehouse = permissions.get(codename="change_warehouse")
    old.get_model("auth", "Group").objects.create(name="stores-readers").permissions.add(
        view_location
    )
    old.get_model("auth", "User").objects.create(username="stores").user_permissions.add(
        change_warehouse
    )

    migrate()

    location = Location.objects.select_related("warehouse__category").get(code="W1-01")
    assert location.warehouse.category.code == "RAW"
    moved = Group.objects.get(name="stores-readers").permissions.get()
    assert (moved.pk, moved.content_type.app_label) == (view_location.pk, "materials")
    assert get_user_model().objects.get(username="stores").has_perm("materials.change_warehouse")
    assert not ContentType.objects.filter(app_label="inventory", model="location").exists()
    admin = Group.objects.get(name="admin")
    assert admin.permissions.filter(pk=Permission.objects.get(codename="add_location").pk)
