"""Workflow notifications (R-N1, issue #15) beyond the table of events
(``test_workflow_events``): segregation of duties, a climbing chain, resubmission, the page
in the reader's language, e-mail preferences per kind, the badge and opening a notice."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from alerts.messages import NotificationKind
from alerts.models import Notification
from alerts.services import notification_preferences_set
from alerts.workflow import role_members
from approvals.models import MATRIX_CHAIN, Tier
from approvals.services import approval_decide
from audit.models import AuditEvent
from materials.models import Material
from returns.models import ReturnRequest
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_submit
from tests.builders import with_roles
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import (
    approve_all,
    draft_return,
    keeper_user,
    line,
    pending_step,
    replenishment,
    tier_holder,
)

CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db


def told(message, **filters):
    """Usernames told ``message``, sorted."""
    rows = Notification.objects.filter(message=message, **filters)
    return sorted(rows.values_list("user__username", flat=True))


def role(username, *roles, workshops=(), email=""):
    return with_roles(UserFactory(username=username, email=email), *roles, workshops=workshops)


@pytest.fixture
def other_workshop(db):
    return WorkshopFactory(code="WS2")


@pytest.fixture
def people(workshop, other_workshop):
    """Who works where: plant-wide QC, keeper and material control; a clerk of each
    workshop; an inactive QC inspector."""
    inactive = role("qc-gone", "qc")
    inactive.is_active = False
    inactive.save()
    return {
        "qc": role("qc-1", "qc"),
        "keeper": keeper_user(),
        "mc": role("mc-1", "material_control"),
        "clerk": role("clerk-1", "clerk", workshops=[workshop], email="clerk@example.com"),
        "stranger": role("clerk-2", "clerk", workshops=[other_workshop]),
    }


@pytest.fixture
def supervisors(workshop, other_workshop):
    """A supervisor of WS1, a plant-wide one, and one of WS2 (out of scope)."""
    return {
        "ws1": tier_holder(Tier.SUPERVISOR, workshop),
        "plant": tier_holder(Tier.SUPERVISOR),
        "ws2": tier_holder(Tier.SUPERVISOR, other_workshop),
    }


def submitted_return(work_order, clerk, quantity="10"):
    """A LEFTOVER return of TUBE (the work order's one component): one supervisor step."""
    tube = Material.objects.get(code="TUBE")
    slip = draft_return(work_order, clerk, [line(tube, quantity)])
    return return_submit(return_request=slip, actor=clerk)


# ---------------------------------------------------------------------------- approvals


def test_the_requester_is_never_told_to_approve_their_own_request(work_order, people):
    from approvals.models import TierAssignment

    TierAssignment.objects.create(user=people["clerk"], tier=Tier.SUPERVISOR)
    other = tier_holder(Tier.SUPERVISOR)
    submitted_return(work_order, people["clerk"])
    assert told("step_waiting") == [other.username]


def test_the_next_step_is_told_when_the_one_before_is_approved(work_order, people):
    """A replenishment climbs the chain: each tier hears when its turn comes (R-A3)."""
    holders = [tier_holder(tier) for tier in MATRIX_CHAIN]  # approve_all signs as them
    tube = Material.objects.get(code="TUBE")
    request = replenishment(work_order, people["clerk"], [line(tube, "30")])
    request = replenish_submit(replenish_request=request, actor=people["clerk"])
    tiers = approve_all(request)
    assert len(tiers) >= 2
    waiting = Notification.objects.filter(message="step_waiting").order_by("pk")
    assert [n.params["tier"] for n in waiting] == [str(tier) for tier in tiers]
    assert [n.user for n in waiting] == holders[: len(tiers)]


def test_a_rejection_tells_the_applicant_with_the_reason_each_time(work_order, people, supervisors):
    clerk = people["clerk"]
    slip = submitted_return(work_order, clerk)
    approval_decide(
        step=pending_step(slip), actor=supervisors["ws1"], approve=False, comment="wrong lot"
    )
    notice = Notification.objects.get(message="rejected")
    assert notice.user == clerk and notice.body.endswith("was rejected: wrong lot")
    slip = ReturnRequest.objects.get(pk=slip.pk)
    slip = return_submit(return_request=slip, actor=clerk)  # resubmitted: a new event
    approval_decide(
        step=pending_step(slip), actor=supervisors["plant"], approve=False, comment="still wrong"
    )
    assert told("rejected") == ["clerk-1", "clerk-1"]
    assert told("step_waiting").count("supervisor-WS1") == 2  # one per submission


# ---------------------------------------------------------------------------- scope


def test_role_members_are_only_those_who_reach_the_workshop(workshop, other_workshop, people):
    """A workshop-scoped role is told only in its own workshops; plant-wide roles always;
    the applicant never."""
    assert [u.username for u in role_members(["clerk"], workshop_id=workshop.pk, exclude=[])] == [
        "clerk-1"
    ]
    assert [
        u.username for u in role_members(["clerk"], workshop_id=other_workshop.pk, exclude=[])
    ] == ["clerk-2"]
    assert [
        u.username
        for u in role_members(["qc"], workshop_id=other_workshop.pk, exclude=[people["qc"].pk])
    ] == []


# ---------------------------------------------------------------------------- language


def test_the_reader_sees_the_notice_in_their_language(work_order, people, supervisors, mailoutbox):
    slip = submitted_return(work_order, people["clerk"])
    approval_decide(
        step=pending_step(slip), actor=supervisors["ws1"], approve=False, comment="批次错误"
    )
    notice = Notification.objects.get(message="rejected")
    assert notice.title == f"{slip.number} rejected"  # stored in the site's language
    assert settings.LANGUAGE_CODE == "en"
    with translation.override("zh-hans"):
        title, body = notice.shown_title, notice.shown_body
    assert CJK.search(title) and slip.number in title and "批次错误" in body
    client = Client()
    client.force_login(people["clerk"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert title in page and "rejected" not in page.split("<main")[1]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f"{slip.number} rejected" in client.get(reverse("alerts:notifications")).content.decode()

    waiting = Notification.objects.filter(message="step_waiting").first()
    with translation.override("zh-hans"):
        assert CJK.search(waiting.shown_body) and "supervisor" not in waiting.shown_body


# ---------------------------------------------------------------------------- e-mail


def test_emails_go_after_commit_and_honour_the_kind_preference(
    work_order, people, supervisors, django_capture_on_commit_callbacks, mailoutbox
):
    clerk = people["clerk"]
    notification_preferences_set(
        user=clerk, email_kinds=set(NotificationKind.values) - {NotificationKind.APPROVED}
    )
    assert AuditEvent.objects.filter(action="notification.preferences").count() == 1
    slip = submitted_return(work_order, clerk)
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(step=pending_step(slip), actor=supervisors["ws1"], approve=True)
    assert Notification.objects.filter(user=clerk, message="approved").count() == 1
    assert mailoutbox == []  # turned off
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(
            step=pending_step(submitted_return(work_order, clerk, "5")),
            actor=supervisors["ws1"],
            approve=False,
            comment="no",
        )
    assert [(m.to, m.subject.endswith("rejected")) for m in mailoutbox] == [
        (["clerk@example.com"], True)
    ]


def test_preferences_page_saves_the_choice(people):
    client = Client()
    client.force_login(people["clerk"])
    page = client.get(reverse("alerts:preferences")).content.decode()
    assert page.count('type="checkbox"') == len(NotificationKind.values)
    assert page.count("checked") == len(NotificationKind.values)  # default: all e-mailed
    keep = ["rejected", "posted", "bogus"]
    response = client.post(reverse("alerts:preferences"), {"email": keep})
    assert response.status_code == 302
    page = client.get(reverse("alerts:preferences")).content.decode()
    assert page.count("checked") == 2
    prefs = dict(people["clerk"].notification_preferences.values_list("kind", "email"))
    assert prefs["approved"] is False and "rejected" not in prefs


# ---------------------------------------------------------------------------- badge and links


def test_the_badge_endpoint_answers_in_a_flat_number_of_queries(
    people, django_assert_max_num_queries
):
    from alerts.services import notify

    clerk = people["clerk"]
    client = Client()
    client.force_login(clerk)
    notify(users=[clerk], title="one", body="")
    with django_assert_max_num_queries(3) as one:
        assert "1 unread" in client.get(reverse("alerts:badge")).content.decode()
    for index in range(30):
        notify(users=[clerk], title=f"n{index}", body="")
    with django_assert_max_num_queries(3) as many:
        assert "31 unread" in client.get(reverse("alerts:badge")).content.decode()
    assert len(one.captured_queries) == len(many.captured_queries)
    assert Client().get(reverse("alerts:badge")).status_code == 403


def test_the_header_polls_the_badge(people):
    client = Client()
    client.force_login(people["clerk"])
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert f'hx-get="{reverse("alerts:badge")}"' in page and 'hx-trigger="every 30s"' in page


def test_opening_a_notice_marks_it_read_and_goes_to_its_document(work_order, people, supervisors):
    clerk = people["clerk"]
    slip = submitted_return(work_order, clerk)
    approval_decide(step=pending_step(slip), actor=supervisors["ws1"], approve=True)
    notice = Notification.objects.get(message="approved")
    client = Client()
    client.force_login(clerk)
    response = client.post(reverse("alerts:notification_open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == slip.get_absolute_url()
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(response["Location"]).status_code == 200
    other = Client()
    other.force_login(people["stranger"])
    assert other.post(reverse("alerts:notification_open", args=[notice.pk])).status_code == 404


def test_quantities_are_neutral_in_params(work_order, people):
    """Stored parameters hold numbers and codes only, so any language can show them."""
    tube = Material.objects.get(code="TUBE")
    request = replenishment(work_order, people["clerk"], [line(tube, Decimal("10"))])
    replenish_submit(replenish_request=request, actor=people["clerk"])
    for notice in Notification.objects.filter(message="step_waiting"):
        assert set(notice.params) == {"request", "work_order", "tier"}
        assert notice.params["tier"] in Tier.values
