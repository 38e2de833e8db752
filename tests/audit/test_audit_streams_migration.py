"""Issue #17 item 7: a database migrated before streams keeps its audit rows and head as
stream 0, unrewritten, and they still verify (audit 0005)."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from audit.models import AuditEvent, ChainHead
from audit.services import audit_record
from tests.materials.test_places_move import migrate

# Run inside the test's transaction: PostgreSQL rolls schema changes back, SQLite cannot.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BEFORE_STREAMS = [("audit", "0004_request_id")]
# A row as the code before streams signed it under "k1:secret-before-streams" (computed with
# that code, so the test does not rely on today's formula to agree with itself).
LEGACY = {
    "seq": 1,
    "created_at": datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    "actor_username": "keeper",
    "device_id": "HH-1",
    "action": "stock.receive",
    "object_type": "receipt",
    "object_id": "GR-202612-0001",
    "after": {"qty": "2"},
    "prev_hash": "0" * 64,
    "key_id": "k1",
    "request_id": "req-legacy",
    "hash": "ee25f46bb389d2b26d5c01277bb114f599bc8dc6c558c03f9bf8f7ca45157117",
}


def test_rows_and_head_from_before_streams_become_stream_zero_and_verify(settings):
    settings.AUDIT_HMAC_KEYS = "k1:secret-before-streams"
    old = migrate(BEFORE_STREAMS)
    old.get_model("audit", "AuditEvent").objects.create(**LEGACY)
    old.get_model("audit", "ChainHead").objects.create(
        pk=1, last_seq=1, last_hash=LEGACY["hash"], keyed_from=1
    )

    migrate()

    row = AuditEvent.objects.get()
    assert (row.stream, row.seq, row.hash) == (0, 1, LEGACY["hash"])
    head = ChainHead.objects.get()
    assert (head.stream, head.last_seq, head.last_hash) == (0, 1, LEGACY["hash"])
    call_command("verify_audit", "--anchor", f"1:{LEGACY['hash']}")
    audit_record(actor=None, action="test.after", object_type="thing", object_id=1)
    assert AuditEvent.objects.get(action="test.after").seq == 2  # stream 0 goes on
    call_command("verify_audit")
