"""Posting periods (issue #13): the ledger's own lock on a month, written only through
``inventory.periods`` (finance's month-end confirms through it)."""

import pytest
from django.utils import timezone

from core.errors import StateConflict
from inventory.models import LedgerEntry
from inventory.periods import posting_period_lock
from tests.builders import location, receive, with_roles
from tests.factories import MaterialFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_locked_period_refuses_postings_dated_in_it():
    keeper = with_roles(UserFactory(username="keeper"), "keeper")
    material, shelf = MaterialFactory(), location("A")
    receive(material, shelf, 5, keeper)
    posting_period_lock(month=timezone.localdate().replace(day=1))
    with pytest.raises(StateConflict, match="closed by finance"):
        receive(material, shelf, 5, keeper)
    assert LedgerEntry.objects.count() == 1
