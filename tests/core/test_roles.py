from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.test.utils import isolate_apps

from config.api_router import api_apps
from core.project import project_app_configs
from org.roles import ROLES, groups_apply, role_permissions, view_all

pytestmark = pytest.mark.django_db


def test_migrations_leave_every_role_group_with_exactly_its_permissions():
    """The data migrations (core 0005, 0006) ran on the test database: syncing again
    changes nothing, and the auditor reads the latest models too."""
    assert groups_apply(group_model=Group, permission_model=Permission) == {}
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    auditor = Group.objects.get(name="auditor")
    readable = set(auditor.permissions.values_list("codename", flat=True))
    assert {"view_requestattachment", "view_alert", "view_auditevent"} <= readable


def test_the_auditor_reads_every_model_of_the_project_apps():
    """Derived from the app registry (org.roles.view_all), not a hand-kept list."""
    readable = set(Group.objects.get(name="auditor").permissions.values_list("codename", flat=True))
    for config in project_app_configs():
        for model in config.get_models():
            assert f"view_{model._meta.model_name}" in readable, model
    assert "view_user" not in readable  # Django's own apps are not the project's


@isolate_apps("org")
def test_a_new_model_is_covered_without_editing_the_roles():
    class Probe(models.Model):
        class Meta:
            app_label = "org"

        def __str__(self):
            return "probe"

    registry = Probe._meta.apps
    assert view_all(registry) == ["org.view_probe"]
    assert role_permissions("auditor", registry) == ["org.view_probe"]


def test_every_permission_a_role_names_exists():
    """``groups_apply`` skips a permission not created yet (migration history); after the last
    migration none may be missing, or a renamed or moved model would silently drop out."""
    existing = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    for code in ROLES:
        assert set(role_permissions(code)) <= existing, code


def test_the_api_router_finds_every_app_api_by_itself():
    found = {path.parent.parent.name for path in Path(settings.BASE_DIR).glob("*/api/urls.py")}
    assert set(api_apps()) == found
    assert {"returns", "approvals", "org"} <= found


def test_sync_puts_back_what_a_role_group_lost_or_gained_and_audits_it():
    from audit.models import AuditEvent
    from org.services import role_groups_sync

    keeper = Group.objects.get(name="keeper")
    lost = keeper.permissions.first()
    keeper.permissions.remove(lost)
    keeper.permissions.add(Permission.objects.get(codename="delete_group"))
    Group.objects.get(name="qc").delete()

    role_groups_sync()

    event = AuditEvent.objects.get(action="roles.sync")
    assert set(event.after) == {"keeper", "qc"}
    assert lost in keeper.permissions.all()
    assert not keeper.permissions.filter(codename="delete_group").exists()
    assert Group.objects.filter(name="qc").exists()
    assert groups_apply(group_model=Group, permission_model=Permission) == {}
