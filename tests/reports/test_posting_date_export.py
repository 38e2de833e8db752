"""The ledger export shows each entry's posting date and filters by it (issue #17 item 6,
R-L6): a receipt dated back is found by its posting date, not by the time it was booked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.services import stock_receive
from reports.ledger import ledger_workbook
from tests.builders import location
from tests.factories import MaterialFactory
from tests.reports.conftest import body, column
from tests.reports.test_ledger import export

pytestmark = pytest.mark.django_db


def test_the_ledger_export_shows_and_filters_by_posting_date(user):
    today = timezone.localdate()
    back = today.replace(day=1) - timedelta(days=1)
    bolt, shelf = MaterialFactory(code="BOLT"), location("A")
    stock_receive(material=bolt, location=shelf, quantity=2, actor=user)
    stock_receive(material=bolt, location=shelf, quantity=3, actor=user, posting_date=back)

    def posting_dates(params):
        sheet = export(ledger_workbook, "ledger", params)[1]["Ledger"]
        return [row[column(sheet, "Posting date") - 1].date() for row in body(sheet)]

    assert posting_dates({}) == [today, back]  # in booking order
    assert posting_dates({"posted_to": back.isoformat()}) == [back]
    assert posting_dates({"posted_from": today.isoformat()}) == [today]
    assert posting_dates({"date_to": (today - timedelta(days=1)).isoformat()}) == []
