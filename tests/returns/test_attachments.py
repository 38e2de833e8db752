"""Photos and PDFs attached to requests for their approvers (issue #6): who may attach
when, types by their first bytes, size and count limits, nothing left behind when refused,
and the audit trail."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.errors import StateConflict
from returns.models import RequestAttachment, ReturnRequest
from returns.services import attachments as attachment_services
from returns.services.attachments import (
    NOT_APPLICANT,
    NOT_ATTACHABLE,
    NOT_REMOVABLE,
    NOT_UPLOADER,
    TOO_BIG,
    TOO_MANY,
    TYPE_REFUSED,
    attachment_add,
    attachment_remove,
)
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_cancel, return_reject, return_submit
from tests.builders import with_roles
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.attachment_builders import JPEG, PDF, PNG, media_root, stored_files, upload
from tests.returns.builders import draft_return, line, replenishment

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return media_root(settings, tmp_path)


@pytest.fixture
def draft(work_order, clerk, tube, lot):
    return draft_return(work_order, clerk, [line(tube, 10, lot)])


def colleague(request, username):
    """Another clerk of the request's workshop."""
    return with_roles(
        UserFactory(username=username), "clerk", workshops=[request.work_order.workshop]
    )


def refusal(error):
    return error.value.message_dict["file"]


def last_audit():
    return AuditEvent.objects.order_by("-id").first()


def test_a_photo_is_stored_under_a_random_name_and_audited(media, draft, clerk):
    attachment = attachment_add(slip=draft, upload=upload("Defect 1.JPG"), actor=clerk)
    stored = RequestAttachment.objects.get()
    assert (stored.return_request, stored.replenish_request) == (draft, None)
    assert (stored.original_name, stored.content_type, stored.size) == (
        "Defect 1.JPG",
        "image/jpeg",
        len(JPEG),
    )
    assert stored.sha256 == hashlib.sha256(JPEG).hexdigest()
    [path] = stored_files(media)
    assert path.startswith("attachments/") and path.endswith(".jpg") and "Defect" not in path
    assert (media / path).read_bytes() == JPEG
    event = last_audit()
    assert (event.action, event.object_id, event.actor_username) == (
        "return.attach",
        str(draft.pk),
        "clerk",
    )
    assert event.after["attachment"] == {
        "id": attachment.pk,
        "name": "Defect 1.JPG",
        "content_type": "image/jpeg",
        "size": len(JPEG),
        "sha256": stored.sha256,
    }


def test_a_pdf_goes_on_a_replenishment_awaiting_approval(
    media, work_order, clerk, tube, supervisor
):
    request = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 5)]), actor=clerk
    )
    attachment_add(slip=request, upload=upload("qc-report.pdf", PDF), actor=clerk, device="PC")
    stored = request.attachments.get()
    assert (stored.content_type, stored.replenish_request_id) == ("application/pdf", request.pk)
    assert (last_audit().action, last_audit().device_id) == ("replenish.attach", "PC")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("defect.jpg", b"just some text, not a photo"),  # the name lies
        ("defect.jpg", PDF),  # a PDF under a photo's name
        ("defect.png", JPEG),
        ("notes.txt", b"%PDF-1.4 but named .txt"),
        ("defect.jpg", b""),
    ],
)
def test_files_that_are_not_what_their_name_says_are_refused(media, draft, clerk, name, content):
    with pytest.raises(ValidationError) as error:
        attachment_add(slip=draft, upload=upload(name, content), actor=clerk)
    assert refusal(error) == [TYPE_REFUSED % {"name": name}]
    assert not RequestAttachment.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action="return.attach").exists()


def test_a_png_is_accepted(media, draft, clerk):
    attachment_add(slip=draft, upload=upload("scratch.png", PNG), actor=clerk)
    assert draft.attachments.get().content_type == "image/png"


def test_a_file_over_the_size_limit_is_refused(media, draft, clerk, settings):
    settings.ATTACHMENT_MAX_BYTES = len(JPEG)
    attachment_add(slip=draft, upload=upload("exact.jpg", JPEG), actor=clerk)
    with pytest.raises(ValidationError) as error:
        attachment_add(slip=draft, upload=upload("big.jpg", JPEG + b"\x00"), actor=clerk)
    params = {
        "name": "big.jpg",
        "size": filesizeformat(len(JPEG) + 1),
        "limit": filesizeformat(len(JPEG)),
    }
    assert refusal(error) == [TOO_BIG % params]
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["exact.jpg"]
    assert len(stored_files(media)) == 1


def test_a_request_holds_at_most_the_count_limit(media, draft, clerk, settings):
    settings.ATTACHMENT_MAX_PER_REQUEST = 2
    for n in range(2):
        attachment_add(slip=draft, upload=upload(f"{n}.jpg"), actor=clerk)
    with pytest.raises(ValidationError) as error:
        attachment_add(slip=draft, upload=upload("third.jpg"), actor=clerk)
    assert refusal(error) == [TOO_MANY % {"request": draft, "limit": 2}]
    assert draft.attachments.count() == 2 and len(stored_files(media)) == 2


def test_attaching_follows_the_request_until_approval(media, draft, clerk, supervisor):
    submitted = return_submit(return_request=draft, actor=clerk)
    attachment_add(slip=submitted, upload=upload("submitted.jpg"), actor=clerk)
    rejected = return_reject(return_request=submitted, actor=supervisor, reason="show the damage")
    attachment_add(slip=rejected, upload=upload("answer.jpg"), actor=clerk)
    cancelled = return_cancel(return_request=rejected, actor=clerk)
    with pytest.raises(StateConflict) as error:
        attachment_add(slip=cancelled, upload=upload("late.jpg"), actor=clerk)
    assert str(error.value) == NOT_ATTACHABLE % {
        "request": cancelled,
        "state": cancelled.get_state_display(),
    }
    assert draft.attachments.count() == 2 and len(stored_files(media)) == 2


def test_only_the_applicant_or_a_holder_of_the_change_permission_attaches(media, draft, clerk):
    outsider = UserFactory(username="clerk3")  # not of the workshop: the request is unknown
    with pytest.raises(Http404):
        attachment_add(slip=draft, upload=upload(), actor=outsider)
    other = colleague(draft, "clerk2")
    with pytest.raises(PermissionDenied) as error:
        attachment_add(slip=draft, upload=upload(), actor=other)
    assert str(error.value) == NOT_APPLICANT % {"request": draft}
    assert stored_files(media) == []
    admin = UserFactory(username="root", is_superuser=True)
    attachment_add(slip=draft, upload=upload(), actor=admin)
    assert draft.attachments.get().uploaded_by == admin


def test_a_failed_write_leaves_no_file_behind(media, draft, clerk, monkeypatch):
    def audit_fails(*args, **kwargs):
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(attachment_services, "audit", audit_fails)
    with pytest.raises(RuntimeError):
        attachment_add(slip=draft, upload=upload(), actor=clerk)
    assert not RequestAttachment.objects.exists()
    assert stored_files(media) == []


def test_the_uploader_removes_a_file_from_a_draft(
    media, draft, clerk, django_capture_on_commit_callbacks
):
    attachment = attachment_add(slip=draft, upload=upload(), actor=clerk)
    with pytest.raises(PermissionDenied) as error:
        attachment_remove(attachment=attachment, actor=colleague(draft, "clerk2"))
    assert str(error.value) == NOT_UPLOADER % {"name": "defect.jpg"}
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(attachment=attachment, actor=clerk)
    assert not RequestAttachment.objects.exists()
    assert stored_files(media) == []
    assert last_audit().action == "return.detach"
    assert last_audit().after["removed"]["name"] == "defect.jpg"


def test_a_submitted_requests_files_stay(media, draft, clerk):
    attachment = attachment_add(slip=draft, upload=upload(), actor=clerk)
    submitted = return_submit(return_request=draft, actor=clerk)
    with pytest.raises(StateConflict) as error:
        attachment_remove(attachment=attachment, actor=clerk)
    assert str(error.value) == NOT_REMOVABLE % {
        "request": submitted,
        "state": submitted.get_state_display(),
    }
    assert RequestAttachment.objects.count() == 1 and len(stored_files(media)) == 1


# ---------------------------------------------------------------------------- API


def api_as(user, workshop=None):
    if workshop is not None:
        workshop.members.add(user)
    client = APIClient(HTTP_X_DEVICE_ID="HH-09")
    client.force_authenticate(user)
    return client


def attachments_url(request):
    basename = "return" if isinstance(request, ReturnRequest) else "replenishment"
    return reverse(f"{basename}-attachments", args=[request.pk])


def test_the_api_uploads_and_lists_through_the_service(media, draft, clerk, workshop):
    api = api_as(clerk, workshop)
    created = api.post(attachments_url(draft), {"file": upload("qc.pdf", PDF)}, format="multipart")
    assert created.status_code == 201
    attachment = draft.attachments.get()
    assert created.json() == {
        "id": attachment.pk,
        "original_name": "qc.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "uploaded_by": "clerk",
        "uploaded_at": created.json()["uploaded_at"],
        "download_url": f"http://testserver{attachment.get_absolute_url()}",
    }
    assert (last_audit().action, last_audit().device_id) == ("return.attach", "HH-09")
    listed = api.get(attachments_url(draft))
    assert listed.status_code == 200 and listed.json() == [created.json()]


def test_the_api_refuses_like_the_service(media, draft, clerk, workshop):
    api = api_as(clerk, workshop)
    refused = api.post(
        attachments_url(draft), {"file": upload("defect.jpg", b"text")}, format="multipart"
    )
    assert refused.status_code == 400
    assert refused.json()["file"] == [TYPE_REFUSED % {"name": "defect.jpg"}]
    other = api_as(UserFactory(username="clerk2"), workshop)
    assert (
        other.post(attachments_url(draft), {"file": upload()}, format="multipart").status_code
        == 403
    )
    return_cancel(return_request=draft, actor=clerk)
    assert (
        api.post(attachments_url(draft), {"file": upload()}, format="multipart").status_code == 409
    )
    outsider = api_as(UserFactory(username="elsewhere"), WorkshopFactory(code="WS2"))
    assert outsider.get(attachments_url(draft)).status_code == 404
    assert (
        outsider.post(attachments_url(draft), {"file": upload()}, format="multipart").status_code
        == 404
    )
    assert not RequestAttachment.objects.exists() and stored_files(media) == []


def test_the_api_attaches_to_replenishments(media, work_order, clerk, tube, workshop):
    request = replenishment(work_order, clerk, [line(tube, 5)])
    api = api_as(clerk, workshop)
    created = api.post(
        attachments_url(request), {"file": upload("scratch.png", PNG)}, format="multipart"
    )
    assert created.status_code == 201 and created.json()["content_type"] == "image/png"
    assert last_audit().action == "replenish.attach"


def test_an_attachment_belongs_to_exactly_one_request(draft, clerk, work_order, tube):
    other = replenishment(work_order, clerk, [line(tube, 5)])
    row = {
        "file": "attachments/x.pdf",
        "original_name": "x.pdf",
        "content_type": "application/pdf",
        "size": 1,
        "sha256": "0" * 64,
        "uploaded_by": clerk,
    }
    for owners in ({}, {"return_request": draft, "replenish_request": other}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RequestAttachment.objects.create(**owners, **row)
