"""Photos and PDFs attached to return and replenish requests for their approvers (issue #6).

Who: the applicant, or a user holding the request model's change permission (superusers,
administrators); the caller has already limited the request to the actor's workshops
(``org.access``). When: while the approvers may still need it — draft, submitted (awaiting
review or approval) or rejected (the applicant answers the rejection before resubmitting).
Removal: only by the uploader and only while the request is a draft; once submitted, an
approver may have decided on it, so it stays.

What: JPEG, PNG or PDF, recognised by the file's first bytes (the name must agree), at most
``ATTACHMENT_MAX_BYTES`` each and ``ATTACHMENT_MAX_PER_REQUEST`` per request. A refused
upload leaves nothing behind: no row, no file on disk.
"""

import hashlib
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.errors import StateConflict
from core.transactions import atomic_service
from returns.models import ReplenishRequest, RequestAttachment, ReturnRequest
from returns.services.common import STATES, Actor, Request, audit, locked

TYPE_REFUSED = _("%(name)s is not a JPEG or PNG photo or a PDF file.")
TOO_BIG = _("%(name)s is %(size)s; an attachment may be at most %(limit)s.")
TOO_MANY = _("%(request)s already has %(limit)s attachments, the most allowed.")
NOT_ATTACHABLE = _(
    "%(request)s is %(state)s: files can be attached only while it is a draft, "
    "submitted or rejected."
)
NOT_APPLICANT = _("Only the applicant of %(request)s can attach files to it.")
NOT_REMOVABLE = _("%(request)s is %(state)s: attachments can be removed only from a draft.")
NOT_UPLOADER = _("Only the person who uploaded %(name)s can remove it.")

# (content type, first bytes, file name endings), the canonical ending first.
SIGNATURES = (
    ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
    ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
    ("application/pdf", b"%PDF-", (".pdf",)),
)
REQUEST_FIELD = {ReturnRequest: "return_request", ReplenishRequest: "replenish_request"}


def attachable_states(model: type[Request]) -> set[str]:
    states = STATES[model]
    return {states.DRAFT, states.SUBMITTED, states.REJECTED}


def original_name(upload: File) -> str:
    return PurePath(upload.name or "").name.strip()[:200] or "attachment"


def sniffed(upload: File, name: str) -> tuple[str, str]:
    """The content type and ending the file's first bytes prove, if its name agrees."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    ending = PurePath(name).suffix.lower()
    for content_type, magic, endings in SIGNATURES:
        if head.startswith(magic) and ending in endings:
            return content_type, endings[0]
    raise ValidationError({"file": TYPE_REFUSED % {"name": name}})


def size_check(upload: File, name: str) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        params = {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        raise ValidationError({"file": TOO_BIG % params})


def sha256_of(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def ensure_may_attach(slip: Request, actor: Actor) -> None:
    if actor.pk != slip.applicant_id and not actor.has_perm(
        f"returns.change_{slip._meta.model_name}"
    ):
        raise PermissionDenied(NOT_APPLICANT % {"request": slip})
    if slip.state not in attachable_states(type(slip)):
        raise StateConflict(
            NOT_ATTACHABLE, params={"request": str(slip), "state": slip.get_state_display()}
        )


def may_attach(slip: Request, user: Actor) -> bool:
    """Whether the upload form is offered to ``user`` (the limits are checked on upload)."""
    try:
        ensure_may_attach(slip, user)
    except (PermissionDenied, StateConflict):
        return False
    return True


def removable(slip: Request) -> bool:
    """Whether the request's attachments can still be removed (by their uploaders)."""
    return slip.state == STATES[type(slip)].DRAFT


def ensure_room(slip: Request) -> None:
    limit = settings.ATTACHMENT_MAX_PER_REQUEST
    if slip.attachments.count() >= limit:
        raise ValidationError({"file": TOO_MANY % {"request": slip, "limit": limit}})


def summary(attachment: RequestAttachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


@atomic_service
def attachment_add(
    *, slip: Request, upload: File, actor: Actor, device: str = ""
) -> RequestAttachment:
    """Store ``upload`` (a Django ``File``) on ``request``; audited as ``<kind>.attach``."""
    name = original_name(upload)
    size_check(upload, name)
    content_type, ending = sniffed(upload, name)
    slip = locked(slip, actor=actor)
    ensure_may_attach(slip, actor)
    ensure_room(slip)
    attachment = RequestAttachment(
        **{REQUEST_FIELD[type(slip)]: slip},
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid4().hex}{ending}", upload, save=False)
    try:
        attachment.save()
        details = {"attachment": summary(attachment)}
        audit(slip, actor=actor, device=device, action="attach", details=details)
    except BaseException:  # the rows roll back: the file must not stay behind either
        attachment.file.delete(save=False)
        raise
    return attachment


@atomic_service
def attachment_remove(*, attachment: RequestAttachment, actor: Actor, device: str = "") -> None:
    """The uploader takes a file off a draft; the file goes once the removal is committed."""
    slip = locked(attachment.request, actor=actor)
    if not removable(slip):
        raise StateConflict(
            NOT_REMOVABLE, params={"request": str(slip), "state": slip.get_state_display()}
        )
    if actor.pk != attachment.uploaded_by_id:
        raise PermissionDenied(NOT_UPLOADER % {"name": attachment.original_name})
    before = summary(attachment)
    storage, stored = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    audit(slip, actor=actor, device=device, action="detach", details={"removed": before})
