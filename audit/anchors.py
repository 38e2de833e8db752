"""Anchors of the audit chain outside the database (issue #12, deliverable 9).

Whoever holds the HMAC key and the database could still rewrite the chain's tail and head
consistently. So each day the verified newest link of every stream (stream, seq, hash) leaves
the database together: one outbox event to the ERP, with a digest over all the links, and one
line in the log. ``verify_audit --anchor [STREAM:]SEQ:HASH`` (or ``--anchors-file`` with those
log lines) then proves each stream still holds its link. Anchors from before streams name a
row of stream 0.
"""

import hashlib
import json
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
# A link in the log line (``stream=`` absent before streams: stream 0), also what
# --anchors-file reads back from a log or an ERP export.
ANCHOR_IN_TEXT = re.compile(r"\b(?:stream=(\d+) )?seq=(\d+) hash=([0-9a-f]{64})\b")
ANCHOR_ARGUMENT = re.compile(r"^(?:(\d+):)?(\d+):([0-9a-f]{64})$")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    stream: int
    seq: int
    hash: str


def anchor_parse(text: str) -> Anchor:
    """``[STREAM:]SEQ:HASH`` as given on the command line; ValueError when it is not one."""
    match = ANCHOR_ARGUMENT.match(text.strip().lower())
    if not match:
        raise ValueError(
            _(
                "An anchor is [STREAM:]SEQ:HASH, the stream (0 when left out), the row number "
                "and its 64 hex digits, not %(text)r."
            )
            % {"text": text}
        )
    return Anchor(int(match[1] or 0), int(match[2]), match[3])


def anchors_in_text(text: str) -> list[Anchor]:
    return [
        Anchor(int(stream or 0), int(seq), digest)
        for stream, seq, digest in ANCHOR_IN_TEXT.findall(text)
    ]


def anchors_digest(links: list[dict]) -> str:
    """One value for the ERP to keep and compare: sha256 over the links sorted by stream."""
    ordered = sorted((link["stream"], link["seq"], link["hash"]) for link in links)
    return hashlib.sha256(json.dumps(ordered).encode()).hexdigest()


def anchor_latest_recorded() -> list[Anchor]:
    """The links of the newest anchor in the outbox: a copy an intruder may have altered too,
    but checking it costs nothing and catches one who did not find it."""
    event = OutboxEvent.objects.filter(topic=ANCHOR_TOPIC).order_by("-id").first()
    if event is None:
        return []
    links = event.payload.get("links") or [{"stream": 0, **event.payload}]  # before streams
    return [Anchor(int(link["stream"]), int(link["seq"]), str(link["hash"])) for link in links]


@transaction.atomic
def audit_anchor_emit(*, events: list[AuditEvent]) -> OutboxEvent:
    """Send the verified newest link of each stream to the ERP and, once committed, to the
    log."""
    at = timezone.now()
    links = [
        {"stream": event.stream, "seq": event.seq, "hash": event.hash, "key_id": event.key_id}
        for event in sorted(events, key=lambda event: event.stream)
    ]
    digest = anchors_digest(links)
    outbox = outbox_emit(topic=ANCHOR_TOPIC, payload={"links": links, "digest": digest, "at": at})
    audit_record(actor=None, action="audit.anchor", obj=outbox, after=outbox.payload)
    text = " ".join(
        "stream={stream} seq={seq} hash={hash} key_id={key_id}".format(**link) for link in links
    )
    transaction.on_commit(
        lambda: logger.info("audit.anchor digest=%s at=%s %s", digest, at.isoformat(), text)
    )
    return outbox
