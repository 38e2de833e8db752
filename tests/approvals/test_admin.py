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
from approvals.routing import active_policy
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


def publish(client, *policies):
    """The changelist's "Publish" action, as the page posts it."""
    return client.post(
        url(PolicyVersion, "changelist"),
        {"action": "publish", "_selected_action": [p.pk for p in policies]},
        follow=True,
    )


def test_publishing_a_draft_with_an_incomplete_matrix_shows_the_error_and_changes_nothing(
    client, superuser
):
    draft = policy_publish(version_data=policy_data(is_active=False), actor=superuser)
    draft.cells.first().delete()  # one limit missing
    events = AuditEvent.objects.count()
    response = publish(client, draft)
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"Version {draft.version} was not published: Class ")
    assert "an active policy needs a limit for every class" in message
    version = draft.version
    draft.refresh_from_db()
    assert (draft.version, draft.is_active, draft.cells.count()) == (version, False, 35)
    assert AuditEvent.objects.count() == events


def test_the_refusal_is_shown_in_chinese(client, superuser):
    draft = policy_publish(version_data=policy_data(is_active=False), actor=superuser)
    draft.bands.get(code="gt5000").delete()  # no open top band
    client.cookies["django_language"] = "zh-hans"
    response = publish(client, draft)
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"版本 {draft.version} 未发布：")
    assert not PolicyVersion.objects.get(pk=draft.pk).is_active


def test_publishing_a_complete_draft_activates_it_as_the_newest_version_and_audits_it(
    client, superuser
):
    draft = policy_publish(version_data=policy_data(is_active=False), actor=superuser)
    newer = policy_publish(version_data=policy_data(), actor=superuser)
    response = publish(client, draft)
    newest = newer.version + 1
    assert [str(m) for m in response.context["messages"]] == [
        f"Draft published as version {newest}."
    ]
    draft.refresh_from_db()
    assert (draft.version, draft.is_active, draft.cells.count()) == (newest, True, 36)
    event = AuditEvent.objects.filter(action="policyversion.publish").latest("id")
    assert (event.object_id, event.actor_username, event.device_id) == (
        str(draft.pk),
        "boss",
        "PC-9",
    )
    assert event.after["version"] == newest and len(event.after["cells"]) == 36
    assert active_policy() == draft != newer


def test_a_published_version_is_read_only_and_cannot_be_published_again(client, superuser):
    published = policy_publish(version_data=policy_data(), actor=superuser)
    page = client.get(url(PolicyVersion, "change", published.pk))
    assert not page.context["has_change_permission"]
    assert not any(f.has_change_permission for f in page.context["inline_admin_formsets"])
    form = {"valuable_amount": "1", "sla_hours": "1", "note": "edited"}
    assert client.post(url(PolicyVersion, "change", published.pk), form).status_code == 403
    response = publish(client, published)
    [message] = [str(m) for m in response.context["messages"]]
    assert "only a draft" in message
    version = published.version
    published.refresh_from_db()
    assert (published.version, published.note, published.valuable_amount) == (version, "", 1000)


def test_a_version_added_in_the_admin_is_a_draft(client, superuser):
    newest = policy_publish(version_data=policy_data(), actor=superuser).version
    form = {
        "is_active": "on",  # read-only: ignored
        "valuable_amount": "500",
        "large_quantity": "",
        "sla_hours": "8",
        "note": "draft",
        "bands-TOTAL_FORMS": "0",
        "bands-INITIAL_FORMS": "0",
        "cells-TOTAL_FORMS": "0",
        "cells-INITIAL_FORMS": "0",
    }
    response = client.post(url(PolicyVersion, "add"), form)
    assert response.status_code == 302, response.context["errors"]
    draft = PolicyVersion.objects.get(note="draft")
    assert (draft.version, draft.is_active) == (newest + 1, False)
    assert AuditEvent.objects.filter(action="policyversion.create").exists()
