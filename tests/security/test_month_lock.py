"""A month finance confirms while a posting is in flight (issue #7, R-J1): the confirm waits for
the posting, and every posting after it is refused. PostgreSQL row locks."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.errors import StateConflict
from finance.models import MonthEnd
from finance.month_end import month_end_confirm
from inventory.models import LedgerEntry, PostingPeriod
from tests.builders import location, receive, with_roles
from tests.factories import MaterialFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirming_a_month_waits_for_postings_in_flight_then_refuses_new_ones(month_over):
    keeper = with_roles(UserFactory(username="keeper"), "keeper")
    finance = with_roles(UserFactory(username="finance"), "finance")
    material, shelf = MaterialFactory(), location("A")
    month = MonthEnd.objects.create(month=timezone.localdate().replace(day=1))
    period = PostingPeriod.objects.create(month=month.month)  # as computing the month does
    posted, release = threading.Event(), threading.Event()

    def posting_in_flight():
        try:
            with transaction.atomic():
                receive(material, shelf, 5, keeper)
                posted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=posting_in_flight)
    thread.start()
    assert posted.wait(10)
    try:
        # The lock finance's confirm takes cannot be had while the posting is open.
        with pytest.raises(DatabaseError), transaction.atomic():
            PostingPeriod.objects.select_for_update(nowait=True).get(pk=period.pk)
    finally:
        release.set()
        thread.join()

    month_end_confirm(month_end=month, actor=finance)
    assert LedgerEntry.objects.count() == 1
    with pytest.raises(StateConflict):
        receive(material, shelf, 5, keeper)
    assert LedgerEntry.objects.count() == 1
