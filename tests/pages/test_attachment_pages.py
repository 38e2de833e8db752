"""Attachments on the request page and in the approval inbox (issue #6): upload with the
service's messages and statuses, scoped downloads that never let the browser guess the
type, removal from a draft."""

import pytest
from django.contrib.auth.models import Group
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from approvals.models import Tier
from audit.models import AuditEvent
from returns.models import RequestAttachment, ReturnState
from returns.services.attachments import NOT_APPLICANT, NOT_ATTACHABLE, TYPE_REFUSED, attachment_add
from tests.approvals.builders import holds, open_steps, return_request, work_order
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.attachment_builders import JPEG, PDF, media_root, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return media_root(settings, tmp_path)


def member(username, role, workshop):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    workshop.members.add(user)
    return user


@pytest.fixture
def clerk(roles):
    return UserFactory(username="clerk")


@pytest.fixture
def slip(clerk):
    """A submitted return of workshop WS1, raised by a clerk of WS1."""
    order = work_order(clerk, number="WO-1", workshop="WS1")
    clerk.groups.add(Group.objects.get(name="clerk"))
    order.workshop.members.add(clerk)
    return return_request(clerk, order)


def detail_url(slip):
    return reverse("returns:request_detail", kwargs={"kind": "return", "pk": slip.pk})


def add_url(slip):
    return reverse("returns:attachment_add", kwargs={"kind": "return", "pk": slip.pk})


def post_file(client, slip, name="defect.jpg", content=JPEG):
    return client.post(add_url(slip), {"file": upload(name, content)})


def test_the_applicant_attaches_a_photo_and_the_page_lists_it(client, media, slip, clerk):
    client.force_login(clerk)
    response = post_file(client, slip)
    assert response.status_code == 302 and response["Location"] == detail_url(slip)
    attachment = slip.attachments.get()
    page = client.get(detail_url(slip)).content.decode()
    assert f'<a href="{attachment.get_absolute_url()}"' in page and "defect.jpg" in page
    assert len(stored_files(media)) == 1
    assert AuditEvent.objects.filter(action="return.attach", object_id=str(slip.pk)).exists()


def test_a_text_file_named_jpg_is_refused_with_the_reason(client, media, slip, clerk):
    client.force_login(clerk)
    response = post_file(client, slip, "defect.jpg", b"not a photo at all")
    assert response.status_code == 400
    assert str(TYPE_REFUSED % {"name": "defect.jpg"}) in response.content.decode()
    assert not RequestAttachment.objects.exists() and stored_files(media) == []


def test_a_finished_request_refuses_files_with_409(client, media, slip, clerk):
    slip.state = ReturnState.CANCELLED
    slip.save()
    client.force_login(clerk)
    response = post_file(client, slip)
    assert response.status_code == 409
    expected = NOT_ATTACHABLE % {"request": slip, "state": slip.get_state_display()}
    assert str(expected) in response.content.decode()
    assert response.context["attachment_form"] is None  # no upload form offered any more
    assert not RequestAttachment.objects.exists() and stored_files(media) == []


def test_another_clerks_request_refuses_files_with_403(client, media, slip):
    other = member("clerk2", "clerk", slip.work_order.workshop)
    client.force_login(other)
    assert client.get(detail_url(slip)).context["attachment_form"] is None
    response = post_file(client, slip)
    assert response.status_code == 403
    assert str(NOT_APPLICANT % {"request": slip}) in response.content.decode()
    assert not RequestAttachment.objects.exists() and stored_files(media) == []


def test_downloads_are_scoped_and_never_sniffed(client, media, slip, clerk):
    report = attachment_add(slip=slip, upload=upload("qc report.pdf", PDF), actor=clerk)
    photo = attachment_add(slip=slip, upload=upload("defect.jpg", JPEG), actor=clerk)
    client.force_login(member("leader", "team_leader", slip.work_order.workshop))
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="qc report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    shown = client.get(photo.get_absolute_url())
    assert shown["Content-Type"] == "image/jpeg" and shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Disposition"] == 'inline; filename="defect.jpg"'
    wrong_kind = reverse(
        "returns:attachment_download",
        kwargs={"kind": "replenish", "pk": slip.pk, "attachment": report.pk},
    )
    assert client.get(wrong_kind).status_code == 404


def test_an_attachment_outside_the_users_workshops_is_404(client, media, slip, clerk):
    report = attachment_add(slip=slip, upload=upload("qc.pdf", PDF), actor=clerk)
    client.force_login(member("leader", "team_leader", WorkshopFactory(code="WS2")))
    assert client.get(report.get_absolute_url()).status_code == 404
    client.logout()
    response = client.get(report.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_uploader_removes_a_file_from_a_draft(
    client, media, slip, clerk, django_capture_on_commit_callbacks
):
    slip.state = ReturnState.DRAFT
    slip.save()
    attachment = attachment_add(slip=slip, upload=upload(), actor=clerk)
    client.force_login(clerk)
    remove = reverse(
        "returns:attachment_remove",
        kwargs={"kind": "return", "pk": slip.pk, "attachment": attachment.pk},
    )
    assert f'action="{remove}"' in client.get(detail_url(slip)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove)
    assert response.status_code == 302
    assert not RequestAttachment.objects.exists() and stored_files(media) == []


def test_the_inbox_lists_each_requests_attachments(client, media, slip, clerk):
    director = member("dir1", "workshop_director", slip.work_order.workshop)
    holds(director, Tier.WORKSHOP_DIRECTOR, slip.work_order.workshop)
    [step] = open_steps(slip, [Tier.WORKSHOP_DIRECTOR])
    report = attachment_add(slip=slip, upload=upload("qc report.pdf", PDF), actor=clerk)
    client.force_login(director)
    page = client.get(reverse("approvals:inbox")).content.decode()
    card = page[page.index(f'data-step="{step.pk}"') :]
    assert f'<a href="{report.get_absolute_url()}"' in card and "qc report.pdf" in card
    assert str(filesizeformat(len(PDF))) in card
    assert client.get(report.get_absolute_url()).status_code == 200


def test_an_approver_of_the_workshop_opens_its_files_without_being_a_member(
    client, media, slip, clerk
):
    """The inbox shows the card to whoever holds the tier; its links must open for them."""
    director = UserFactory(username="dir9")  # holds the tier, no workshop membership
    holds(director, Tier.WORKSHOP_DIRECTOR, slip.work_order.workshop)
    report = attachment_add(slip=slip, upload=upload("qc.pdf", PDF), actor=clerk)
    client.force_login(director)
    assert client.get(report.get_absolute_url()).status_code == 200
