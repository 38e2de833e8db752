"""Finance decides the ledger's posting period (issue #13): computing a month opens its
period row, confirming it locks the period."""

from datetime import date

import pytest

from finance.month_end import month_end_compute, month_end_confirm
from inventory.models import PostingPeriod, PostingPeriodState
from tests.builders import with_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_month_end_opens_the_period_on_compute_and_locks_it_on_confirm():
    finance = with_roles(UserFactory(username="finance"), "finance")
    month = date(2026, 10, 1)
    month_end = month_end_compute(month=month)
    assert PostingPeriod.objects.get(month=month).state == PostingPeriodState.OPEN
    month_end_confirm(month_end=month_end, actor=finance)
    assert PostingPeriod.objects.get(month=month).state == PostingPeriodState.LOCKED
