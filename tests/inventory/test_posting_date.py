"""Posting date (issue #17 item 6, R-L6): a keeper dates a booking on the day the material
really moved, inside an open month; month-end and stock as of a day follow that date; a
back-dated entry changes no later row; refusals are clear and book nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from audit.models import AuditEvent
from core.errors import StateConflict
from finance.month_end import month_end_compute
from inventory.models import LedgerEntry, MovementType, StockBalance
from inventory.periods import month_shift, posting_period_lock
from inventory.selectors import stock_as_of
from inventory.services import Movement, ledger_post, stock_receive, stock_transfer
from tests.builders import location, receive, with_roles
from tests.factories import MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def last_month_end():
    """The last day of the previous month: a back-dated posting date always allowed."""
    return today().replace(day=1) - timedelta(days=1)


def ledger_rows():
    return list(LedgerEntry.objects.order_by("id").values())


def booked():
    return (
        LedgerEntry.objects.count(),
        list(StockBalance.objects.order_by("id").values_list("quantity", flat=True)),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def keeper(db):
    return with_roles(UserFactory(username="keeper"), "keeper")


@pytest.fixture
def stock(keeper):
    """10 of BOLT on shelf A received today, then 4 moved on to shelf B."""
    bolt, shelf_a, shelf_b = MaterialFactory(code="BOLT"), location("A"), location("B")
    receive(bolt, shelf_a, 10, keeper)
    stock_transfer(
        material=bolt, from_location=shelf_a, to_location=shelf_b, quantity=4, actor=keeper
    )
    return bolt, shelf_a, shelf_b


def test_a_booking_without_a_posting_date_is_dated_today(stock):
    assert set(LedgerEntry.objects.values_list("posting_date", flat=True)) == {today()}


def test_a_back_dated_booking_rewrites_no_later_row(stock, keeper):
    bolt, shelf_a, _shelf_b = stock
    later = ledger_rows()
    entries = receive_dated(bolt, shelf_a, 5, keeper, last_month_end())
    assert ledger_rows()[: len(later)] == later  # the later rows, byte for byte
    assert [e.posting_date for e in entries] == [last_month_end()]
    assert entries[0].id > later[-1]["id"]  # appended, like any other entry
    balance = StockBalance.objects.get(material=bolt, location=shelf_a)
    assert balance.quantity == Decimal(11)  # 10 - 4 + 5: balances are running totals


def receive_dated(material, shelf, quantity, actor, day):
    return stock_receive(
        material=material, location=shelf, quantity=quantity, actor=actor, posting_date=day
    )


def test_stock_as_of_a_day_follows_the_posting_date(stock, keeper):
    bolt, shelf_a, shelf_b = stock
    before = last_month_end() - timedelta(days=1)

    def as_of(day):
        return {
            row["location__code"]: row["quantity"]
            for row in stock_as_of(day).filter(material_id=bolt.pk)
        }

    assert as_of(before) == {} and as_of(last_month_end()) == {}
    receive_dated(bolt, shelf_a, 5, keeper, last_month_end())
    assert as_of(before) == {}  # the day before the back-dated receipt: nothing yet
    assert as_of(last_month_end()) == {"A": Decimal(5)}
    assert as_of(today()) == {"A": Decimal(11), "B": Decimal(4)}  # = the balances
    balances = dict(
        StockBalance.objects.filter(material=bolt).values_list("location__code", "quantity")
    )
    assert as_of(today()) == balances


def test_a_back_dated_return_lands_in_its_own_months_month_end(keeper):
    tube = MaterialFactory(code="TUBE", standard_cost=Decimal("2"))
    receive(tube, location("A"), 100, keeper)
    ledger_post(
        movements=[Movement(tube, location("A"), Decimal(3), MovementType.RETURN)],
        doc_type="return",
        doc_id="RT-9",
        actor=keeper,
        reason_code="LEFTOVER",
        posting_date=last_month_end(),
    )
    previous = month_end_compute(month=last_month_end().replace(day=1))
    current = month_end_compute(month=today().replace(day=1))
    assert [(d.number, d.amount) for d in previous.documents.all()] == [("RT-9", Decimal("6"))]
    assert not current.documents.exists() and not current.lines.exists()
    assert previous.lines.get().quantity == Decimal(3)


def test_the_audit_event_records_the_posting_date(stock, keeper):
    bolt, shelf_a, _shelf_b = stock
    receive_dated(bolt, shelf_a, 5, keeper, last_month_end())
    event = AuditEvent.objects.filter(action="stock.receive").latest("seq")
    assert event.after["posting_date"] == str(last_month_end())


@pytest.mark.parametrize(
    ("day", "error", "message"),
    [
        (lambda: today() + timedelta(days=1), "ValidationError", "is in the future"),
        (
            lambda: month_shift(today().replace(day=1), -1) - timedelta(days=1),
            "ValidationError",
            "too far back: the earliest posting date is",
        ),
        (lambda: last_month_end(), "StateConflict", "closed by finance"),
    ],
    ids=["future", "too-far-back", "locked-month"],
)
def test_refused_posting_dates_book_nothing(stock, keeper, day, error, message):
    bolt, shelf_a, _shelf_b = stock
    posting_period_lock(month=last_month_end().replace(day=1))
    before = booked()
    with pytest.raises(Exception) as refused:
        receive_dated(bolt, shelf_a, 5, keeper, day())
    assert type(refused.value).__name__ == error and message in str(refused.value)
    assert booked() == before


def test_a_month_closed_after_the_posting_date_refuses_it(stock, keeper, settings):
    """Back-dating before a closed month would change that month's stock."""
    settings.POSTING_DATE_MONTHS_BACK = 2
    bolt, shelf_a, _shelf_b = stock
    closed = last_month_end().replace(day=1)
    posting_period_lock(month=closed)
    before = booked()
    two_months_back = closed - timedelta(days=1)
    with pytest.raises(StateConflict) as refused:
        receive_dated(bolt, shelf_a, 5, keeper, two_months_back)
    assert str(refused.value) == (
        f"Month {closed:%Y-%m} is closed by finance: a posting dated {two_months_back} would "
        f"change its stock, so the earliest posting date is {today().replace(day=1)}."
    )
    assert booked() == before


def test_refusals_read_in_chinese(stock, keeper):
    bolt, shelf_a, _shelf_b = stock
    with override("zh-hans"), pytest.raises(Exception) as refused:
        receive_dated(bolt, shelf_a, 5, keeper, today() + timedelta(days=1))
    assert "过账日期" in str(refused.value)


def test_a_back_dated_booking_costs_one_statement_more_whatever_follows_it(
    stock, keeper, django_assert_num_queries
):
    """Only the read of the later months' periods is added; no later row is read or written."""
    bolt, shelf_a, _shelf_b = stock
    with CaptureQueriesContext(connection) as today:
        receive_dated(bolt, shelf_a, 1, keeper, None)
    for _ in range(20):  # more later rows change nothing
        receive(bolt, shelf_a, 1, keeper)
    with django_assert_num_queries(len(today) + 1):
        receive_dated(bolt, shelf_a, 1, keeper, last_month_end())
