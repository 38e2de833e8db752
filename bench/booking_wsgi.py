"""The WSGI application of the scanner-booking benchmark (bench/booking_bench.py): the
project's own (``config.wsgi``) plus, at ``BASELINE_PATH``, the baseline of issue #17 — a
minimal correct booking written by hand: one transaction that locks the balance row,
inserts the ledger row, updates the balance and appends the (HMAC-chained) audit row.
No authentication, no validation beyond "enough on hand": it is the floor, not a rival.
Only the benchmark's gunicorn loads this module."""

import json
import uuid

from django.db import connection, transaction
from django.utils import timezone

from config.wsgi import application as project

BASELINE_PATH = "/bench/minimal-booking/"

LOCK_BALANCE = """SELECT id, quantity FROM inventory_stockbalance
WHERE material_id = %s AND lot_id = %s AND location_id = %s FOR UPDATE"""
INSERT_ENTRY = """INSERT INTO inventory_ledgerentry (material_id, lot_id, location_id, quantity,
movement_type, work_order_id, doc_type, doc_id, doc_line, reason_code, remark, device_id,
created_at, posting_date) VALUES (%s, %s, %s, %s, 'issue', %s, 'issue', %s, 1, '', '', 'BENCH',
%s, %s) RETURNING id"""
UPDATE_BALANCE = "UPDATE inventory_stockbalance SET quantity = %s, updated_at = %s WHERE id = %s"
LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_chainhead WHERE stream = %s FOR UPDATE"
INSERT_EVENT = """INSERT INTO audit_auditevent (stream, seq, created_at, actor_username,
device_id, action, object_type, object_id, object_repr, before, after, prev_hash, hash, key_id,
request_id) VALUES (%s, %s, %s, '', 'BENCH', 'bench.booking', 'inventory.ledgerentry', %s, '',
'null', %s, %s, %s, %s, %s)"""
UPDATE_HEAD = "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE stream = %s"


def audit_append(cursor, entry_id: int, after: dict, now) -> None:
    """The audit row, chained and signed like ``audit.services.audit_record``'s, in the
    stream of a request id of its own (the project's request ids spread the same way). The
    benchmark creates every stream's head before it starts."""
    from audit.keys import audit_key_signing  # models: after config.wsgi has set Django up
    from audit.models import AuditEvent
    from audit.services import event_hash, stream_for

    request_id = uuid.uuid4().hex
    stream = stream_for(request_id)
    cursor.execute(LOCK_HEAD, [stream])
    last_seq, last_hash = cursor.fetchone()
    event = AuditEvent(
        stream=stream,
        request_id=request_id,
        seq=last_seq + 1,
        created_at=now,
        device_id="BENCH",
        action="bench.booking",
        object_type="inventory.ledgerentry",
        object_id=str(entry_id),
        after=after,
        prev_hash=last_hash,
    )
    event.key_id, key = audit_key_signing()
    event.hash = event_hash(event, key)
    cursor.execute(
        INSERT_EVENT,
        [
            *(stream, event.seq, now, str(entry_id), json.dumps(after)),
            *(last_hash, event.hash, event.key_id, request_id),
        ],
    )
    cursor.execute(UPDATE_HEAD, [event.seq, event.hash, stream])


def minimal_booking(body: dict) -> tuple[str, dict]:
    """Book ``quantity`` out of one balance row for a work order; (status, answer)."""
    key = [body["material"], body["lot"], body["location"]]
    quantity = int(body["quantity"])
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LOCK_BALANCE, key)
        balance_id, on_hand = cursor.fetchone()
        if on_hand < quantity:
            return "409 Conflict", {"detail": "not enough stock"}
        cursor.execute(
            INSERT_ENTRY,
            [*key, -quantity, body["work_order"], "BENCH", now, timezone.localdate(now)],
        )
        (entry_id,) = cursor.fetchone()
        cursor.execute(UPDATE_BALANCE, [on_hand - quantity, now, balance_id])
        audit_append(cursor, entry_id, {"quantity": -quantity, "balance": balance_id}, now)
    return "201 Created", {"id": entry_id}


def application(environ, start_response):
    if environ.get("PATH_INFO") != BASELINE_PATH:
        return project(environ, start_response)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    status, answer = minimal_booking(json.loads(environ["wsgi.input"].read(length)))
    payload = json.dumps(answer).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
