"""Approvals admin: a policy version used by a step is read-only (R-A5), tiers and delegations
are audited master data, steps are read-only, and changelists don't query per row."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import ApprovalStep, Delegation, PolicyVersion, Tier, TierAssignment
from approvals.policy import policy_publish
from audit.models import AuditEvent
from tests.approvals.builders import (
    delegate,
    holds,
    open_steps,
    policy_data,
    replenish_request,
    return_request,
    work_order,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [PolicyVersion, TierAssignment, Delegation, ApprovalStep]


def url(model, view, *args):
    return reverse(f"admin:approvals_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="boss", password="pw-for-tests-1")


@pytest.fixture
def client(superuser):
    client = Client(HTTP_X_DEVICE_ID="PC-9")
    client.force_login(superuser)
    return client


def add_rows(tag, superuser):
    clerk, director = UserFactory(username=f"clerk-{tag}"), UserFactory(username=f"dir-{tag}")
    order = work_order(clerk, number=f"WO-{tag}", workshop=f"WS-{tag}")
    holds(director, Tier.WORKSHOP_DIRECTOR, order.workshop)
    delegate(director, clerk)
    open_steps(replenish_request(clerk, order), [Tier.WORKSHOP_DIRECTOR])
    open_steps(return_request(clerk, order), [Tier.SUPERVISOR])
    policy_publish(version_data=policy_data(is_active=False), actor=superuser)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_pages_open_and_changelists_do_not_query_per_row(client, superuser, model):
    add_rows("A", superuser)
    assert client.get(url(model, "change", model.objects.first().pk)).status_code == 200
    client.get(url(model, "changelist"))  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(model, "changelist")).status_code == 200
    add_rows("B", superuser)
    add_rows("C", superuser)
    with CaptureQueriesContext(connection) as three:
        assert client.get(url(model, "changelist")).status_code == 200
    assert len(three) == len(one), "\n".join(q["sql"] for q in three)


def test_a_policy_version_used_by_a_step_is_read_only(client, superuser):
    add_rows("A", superuser)  # steps use v1; v2 is unused
    used, unused = PolicyVersion.objects.get(version=1), PolicyVersion.objects.get(version=2)
    page = client.get(url(PolicyVersion, "change", used.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert all(
        not (f.has_add_permission or f.has_change_permission or f.has_delete_permission)
        for f in page.context["inline_admin_formsets"]
    )
    assert client.post(url(PolicyVersion, "change", used.pk), {"note": "x"}).status_code == 403
    assert client.post(url(PolicyVersion, "delete", used.pk), {"post": "yes"}).status_code == 403
    editable = client.get(url(PolicyVersion, "change", unused.pk))
    assert editable.context["has_change_permission"]
    bands = editable.context["inline_admin_formsets"][1].formset.forms[0].fields["band"]
    assert set(bands.queryset) == set(unused.bands.all())


def test_a_tier_assignment_added_in_the_admin_is_audited(client):
    user = UserFactory(username="newdir")
    response = client.post(
        url(TierAssignment, "add"), {"user": user.pk, "tier": Tier.GM, "workshop": ""}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="tierassignment.create")
    assert (event.actor_username, event.device_id) == ("boss", "PC-9")


def test_approval_steps_cannot_be_added_or_changed(client, superuser):
    add_rows("A", superuser)
    step = ApprovalStep.objects.first()
    assert client.get(url(ApprovalStep, "add")).status_code == 403
    assert client.post(url(ApprovalStep, "change", step.pk), {}).status_code == 403


def test_bands_and_cells_of_an_unused_version_are_saved_through_the_audited_services(
    client, superuser
):
    policy = policy_publish(version_data=policy_data(is_active=False), actor=superuser)
    band = policy.bands.get(code="gt5000")
    form = {
        "version": policy.version,
        "valuable_amount": "1000",
        "large_quantity": "",
        "sla_hours": "12",
        "note": "night shift",
        "bands-TOTAL_FORMS": "2",
        "bands-INITIAL_FORMS": "1",
        "bands-0-id": band.pk,
        "bands-0-policy": policy.pk,
        "bands-0-code": "gt5000",
        "bands-0-upper_bound": "",
        "bands-1-policy": policy.pk,
        "bands-1-code": "spare",
        "bands-1-upper_bound": "9000",
        "cells-TOTAL_FORMS": "0",
        "cells-INITIAL_FORMS": "0",
    }
    response = client.post(url(PolicyVersion, "change", policy.pk), form)
    assert response.status_code == 302, response.context["errors"]
    assert policy.bands.filter(code="spare").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"policyversion.change", "orderband.create"} <= actions


def policy_form(policy, is_active):
    """The change form as the admin page posts it: the version, its bands and cells unchanged."""
    form = {
        "version": policy.version,
        "is_active": "on" if is_active else "",
        "valuable_amount": "1000",
        "large_quantity": "",
        "sla_hours": "24",
        "note": "",
        "bands-TOTAL_FORMS": "0",
        "bands-INITIAL_FORMS": "0",
    }
    cells = list(policy.cells.select_related("band"))
    form.update({"cells-TOTAL_FORMS": len(cells), "cells-INITIAL_FORMS": len(cells)})
    for n, cell in enumerate(cells):
        form.update(
            {
                f"cells-{n}-id": cell.pk,
                f"cells-{n}-policy": policy.pk,
                f"cells-{n}-approval_class": cell.approval_class,
                f"cells-{n}-band": cell.band_id,
                f"cells-{n}-tier": cell.tier,
                f"cells-{n}-max_ratio": str(cell.max_ratio),
            }
        )
    return form


def test_activating_a_version_with_an_incomplete_matrix_is_refused(client, superuser):
    policy = policy_publish(version_data=policy_data(is_active=False), actor=superuser)
    form = policy_form(policy, is_active=True)
    form["cells-0-DELETE"] = "on"  # one limit removed in the same save
    response = client.post(url(PolicyVersion, "change", policy.pk), form)
    assert response.status_code == 200
    assert "an active policy needs a limit for every class" in response.content.decode()
    policy.refresh_from_db()
    assert not policy.is_active and policy.cells.count() == 36


def test_activating_a_complete_version_is_saved(client, superuser):
    policy = policy_publish(version_data=policy_data(is_active=False), actor=superuser)
    response = client.post(url(PolicyVersion, "change", policy.pk), policy_form(policy, True))
    assert response.status_code == 302, response.context["errors"]
    policy.refresh_from_db()
    assert policy.is_active
