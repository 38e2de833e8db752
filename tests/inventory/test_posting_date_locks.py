"""Posting date under concurrency (issue #17 item 6, R-L6), PostgreSQL: a booking dated back
before a month holds that month's period row shared, so finance's lock of the month waits
for it to commit; afterwards the month refuses bookings dated before it."""

import threading
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.errors import StateConflict
from inventory.models import LedgerEntry, PostingPeriod, PostingPeriodState
from inventory.periods import posting_period_lock
from inventory.services import stock_receive
from tests.builders import location
from tests.concurrency import Session, wait_until_blocked
from tests.factories import MaterialFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_locking_a_month_waits_for_a_booking_dated_before_it(settings):
    settings.POSTING_DATE_MONTHS_BACK = 2
    keeper, bolt, shelf = UserFactory(username="keeper"), MaterialFactory(), location("A")
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    closing = last_month.replace(day=1)
    PostingPeriod.objects.create(month=closing)  # month-end computed it: its row exists
    two_months_back = closing - timedelta(days=1)
    booked, commit = threading.Event(), threading.Event()

    def book_and_hold(session):
        with transaction.atomic():
            stock_receive(
                material=bolt,
                location=shelf,
                quantity=2,
                actor=keeper,
                posting_date=two_months_back,
            )
            booked.set()
            commit.wait()

    booking = Session(book_and_hold).begin()
    booked.wait()
    finance = Session(lambda session: posting_period_lock(month=closing)).begin()
    try:
        wait_until_blocked(finance.pid)  # the lock waits for the booking dated before it
    finally:
        commit.set()  # a failed wait must not leave the booking's transaction open
        booking.join(), finance.join()

    assert (booking.error, finance.error) == (None, None)
    assert LedgerEntry.objects.get().posting_date == two_months_back
    assert PostingPeriod.objects.get(month=closing).state == PostingPeriodState.LOCKED
    with pytest.raises(StateConflict, match="closed by finance"):
        stock_receive(
            material=bolt, location=shelf, quantity=1, actor=keeper, posting_date=two_months_back
        )
