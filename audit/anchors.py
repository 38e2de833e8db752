"""Anchors of the audit chain outside the database (issue #12, deliverable 9).

Whoever holds the HMAC key and the database could still rewrite the chain's tail and head
consistently. So each day the verified newest link (seq, hash) leaves the database: an outbox
event to the ERP and a line in the log. ``verify_audit --anchor SEQ:HASH`` (or
``--anchors-file`` with those log lines) then proves the chain still holds that link.
"""

import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from core.models import OutboxEvent
from core.outbox import outbox_emit

ANCHOR_TOPIC = "audit.anchor"
# The log line's link, also what --anchors-file reads back from a log or an ERP export.
ANCHOR_IN_TEXT = re.compile(r"\bseq=(\d+) hash=([0-9a-f]{64})\b")
ANCHOR_ARGUMENT = re.compile(r"^(\d+):([0-9a-f]{64})$")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str


def anchor_parse(text: str) -> Anchor:
    """``SEQ:HASH`` as given on the command line; ValueError when it is not one."""
    match = ANCHOR_ARGUMENT.match(text.strip().lower())
    if not match:
        raise ValueError(
            _("An anchor is SEQ:HASH, the row number and its 64 hex digits, not %(text)r.")
            % {"text": text}
        )
    return Anchor(int(match[1]), match[2])


def anchors_in_text(text: str) -> list[Anchor]:
    return [Anchor(int(seq), digest) for seq, digest in ANCHOR_IN_TEXT.findall(text)]


def anchor_latest_recorded() -> Anchor | None:
    """The newest anchor in the outbox: a copy an intruder may have altered too, but checking
    it costs nothing and catches one who did not find it."""
    event = OutboxEvent.objects.filter(topic=ANCHOR_TOPIC).order_by("-id").first()
    if event is None:
        return None
    return Anchor(int(event.payload["seq"]), str(event.payload["hash"]))


@transaction.atomic
def audit_anchor_emit(*, event: AuditEvent) -> OutboxEvent:
    """Send one verified link to the ERP and, once committed, to the log."""
    at = timezone.now()
    payload = {"seq": event.seq, "hash": event.hash, "at": at, "key_id": event.key_id}
    outbox = outbox_emit(topic=ANCHOR_TOPIC, payload=payload)
    audit_record(actor=None, action="audit.anchor", obj=outbox, after=outbox.payload)
    transaction.on_commit(
        lambda: logger.info(
            "audit.anchor seq=%s hash=%s key_id=%s at=%s",
            event.seq,
            event.hash,
            event.key_id,
            at.isoformat(),
        )
    )
    return outbox
