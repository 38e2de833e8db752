"""The only writer of the audit trail. Call ``audit_record`` last in a service's transaction:
it locks its stream's head, and taking no other lock after it keeps services deadlock-free
(the lock order is written down on ``audit_record``)."""

import hashlib
import hmac
import json
import zlib
from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.sql import InsertQuery
from django.utils import timezone

from audit.keys import audit_key_signing
from audit.models import AuditEvent, ChainHead
from core.request_id import current_request_id
from core.transactions import atomic_service

HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "device_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "prev_hash",
)


def to_json_value(value: Any) -> Any:
    """Decimals, dates and UUIDs as the strings JSONField gives back, so hashes are stable."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(event: AuditEvent, key: bytes | None) -> str:
    """HMAC-SHA256 of the event's content under ``key`` (the secret of its ``key_id``);
    ``key=None`` gives the plain sha256 that rows written before keyed hashing carry."""
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["created_at"] = event.created_at.astimezone(UTC).isoformat()
    if event.stream:  # stream 0 holds the rows from before streams, with their hashes
        content["stream"] = event.stream
    if event.request_id:  # rows written before issue #14 have none and keep their hash
        content["request_id"] = event.request_id
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    if key is None:
        return hashlib.sha256(payload.encode()).hexdigest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def parent_checks_now() -> None:
    """Run the foreign-key checks this transaction has deferred, and check the rest at once.

    Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``: left alone, their checks
    lock the referenced rows (``FOR KEY SHARE``) at COMMIT, after the chain head, while a
    service holding such a row ``FOR UPDATE`` waits for the chain head (issue #12).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def stream_for(request_id: str) -> int:
    """The stream of an event: one per request (of ``AUDIT_STREAMS``), stream 0 outside one.

    All events of a request, hence of a transaction, share a stream, so a transaction locks
    one head and two transactions never wait for each other's heads in opposite orders."""
    if not request_id:
        return 0
    return zlib.crc32(request_id.encode()) % settings.AUDIT_STREAMS


def chain_head_locked(stream: int) -> ChainHead:
    """The stream's head, locked, in one statement: an upsert that creates it on the stream's
    first event and otherwise changes nothing but takes its row lock (as FOR UPDATE would),
    so a new stream costs no more statements than a warm one."""
    fresh = ChainHead(stream=stream)
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (stream, last_seq, last_hash, keyed_from) "
            "VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (stream) DO UPDATE SET last_seq = {table}.last_seq "
            "RETURNING last_seq, last_hash, keyed_from",
            [stream, fresh.last_seq, fresh.last_hash, fresh.keyed_from],
        )
        fresh.last_seq, fresh.last_hash, fresh.keyed_from = cursor.fetchone()
    fresh._state.adding = False  # a row of the table now: save() updates it
    return fresh


def event_append(event: AuditEvent, head: ChainHead) -> None:
    """Insert ``event`` and move its stream's ``head`` to it. On PostgreSQL one statement (a
    data-modifying CTE: the INSERT Django's ``save()`` would send, then the head's UPDATE),
    issue #17; the head is already locked (``chain_head_locked``), so nothing can come
    between the two, and either both happen or the statement fails. SQLite: two."""
    head.last_seq, head.last_hash = event.seq, event.hash
    if connection.vendor != "postgresql":
        event.save()
        head.save(update_fields=["last_seq", "last_hash"])
        return
    fields = [f for f in AuditEvent._meta.local_concrete_fields if not f.primary_key]
    query = InsertQuery(AuditEvent)
    query.insert_values(fields, [event])
    [(insert_sql, params)] = query.get_compiler(connection=connection).as_sql()
    pk = connection.ops.quote_name(AuditEvent._meta.pk.column)
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH event AS ({insert_sql} RETURNING {pk}) "
            f"UPDATE {table} SET last_seq = %s, last_hash = %s WHERE stream = %s "
            f"RETURNING (SELECT {pk} FROM event)",
            [*params, head.last_seq, head.last_hash, head.stream],
        )
        (event.pk,) = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias


@atomic_service
def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    device: str = "",
) -> AuditEvent:
    """Append one event: who (actor, device) did what (action) to which object, before/after.

    Lock order (issue #12): every row lock a service needs comes first (balances in key
    order, documents, work orders), then the parent rows of everything written (the deferred
    foreign-key checks, run here), and the head of the request's audit stream last. A service
    that must record an event before it posts takes the posting's locks first (``returns``
    receive-scan).
    """
    parent_checks_now()
    request_id = current_request_id()
    head = chain_head_locked(stream_for(request_id))
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        stream=head.stream,
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=getattr(actor, "username", "") or "",
        device_id=device or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=str(obj)[:200] if obj is not None else "",
        before=to_json_value(before),
        after=to_json_value(after),
        prev_hash=head.last_hash,
        request_id=request_id,
    )
    event.key_id, key = audit_key_signing()
    event.hash = event_hash(event, key)
    event_append(event, head)
    return event
