import pytest
from django.contrib.auth.models import Group, Permission

from org.roles import ROLES, groups_apply

pytestmark = pytest.mark.django_db


def test_migrations_leave_every_role_group_with_exactly_its_permissions():
    """The data migrations (core 0005, 0006) ran on the test database: syncing again
    changes nothing, and the auditor reads the latest models too."""
    assert groups_apply(group_model=Group, permission_model=Permission) == {}
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    auditor = Group.objects.get(name="auditor")
    readable = set(auditor.permissions.values_list("codename", flat=True))
    assert {"view_requestattachment", "view_alert", "view_auditevent"} <= readable


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
