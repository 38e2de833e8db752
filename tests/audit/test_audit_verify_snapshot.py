"""A check of the audit trail while bookings commit reads one moment: the heads and the rows
it walks come from the same snapshot, so rows committed during the check are neither
reported missing nor read past their head."""

import threading

import pytest
from django.db import connection, transaction

from audit.selectors import audit_chain_problems
from audit.services import audit_record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_check_while_events_commit_reports_nothing():
    stop = threading.Event()
    written = []

    def writer() -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    audit_record(actor=None, action="test.event", object_type="thing", object_id=1)
                written.append(1)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    checks = []
    try:
        while len(written) < 100 and thread.is_alive():
            checks.append(audit_chain_problems())
    finally:
        stop.set()
        thread.join()
    assert len(written) >= 100 and len(checks) > 10  # checks ran while events committed
    assert [problems for problems in checks if problems] == []
