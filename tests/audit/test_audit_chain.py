"""R-U1: every service leaves a tamper-evident audit event."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_record
from tests.builders import location, receive
from tests.factories import MaterialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(user):
    for n in range(3):
        audit_record(
            actor=user,
            action="test.event",
            object_type="thing",
            object_id=n,
            after={"n": n, "qty": "1.5"},
            device="HH-07",
        )
    return list(AuditEvent.objects.order_by("seq"))


def behind_the_triggers_back(sql, params=()):
    """Change audit rows the way an intruder with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_events_form_a_chain_with_actor_and_device(three_events, user):
    first, second, third = three_events
    assert [e.seq for e in three_events] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert (third.actor, third.device_id, third.after) == (user, "HH-07", {"n": 2, "qty": "1.5"})
    call_command("verify_audit")


def test_a_stock_service_records_its_event(user):
    receive(MaterialFactory(code="M1"), location("A"), 2, user)
    event = AuditEvent.objects.get(action="stock.receive")
    assert event.actor_username == user.username
    assert event.after["entries"][0] == {
        "material": "M1",
        "lot": None,
        "serial": None,
        "location": "A",
        "quantity": "2",
        "type": "receipt",
    }


def test_verify_names_an_altered_row(three_events):
    behind_the_triggers_back("UPDATE audit_auditevent SET after = %s WHERE seq = 2", ['{"n": 99}'])
    with pytest.raises(CommandError, match="#2 .* was altered"):
        call_command("verify_audit")


def test_verify_names_a_missing_row(three_events):
    behind_the_triggers_back("DELETE FROM audit_auditevent WHERE seq = 2")
    with pytest.raises(CommandError, match="#2 is missing"):
        call_command("verify_audit")


def test_verify_notices_rows_cut_off_the_end(three_events):
    behind_the_triggers_back("DELETE FROM audit_auditevent WHERE seq = 3")
    with pytest.raises(CommandError, match="after #2 are missing"):
        call_command("verify_audit")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'forged'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_postgres_trigger_refuses_update_and_delete(three_events, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="test.event").count() == 3
