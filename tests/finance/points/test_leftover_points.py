# ruff: noqa: F811 - the close-out scenario's fixtures (user, completed, tube) are imported
"""R-W6 with R-J3: leftovers declared consumed count as over-quota loss; above the line's
normal loss allowance the workshop takes the over-quota cell of the points table, once per
declaration (scenario of ``tests/workorders/test_closeout``: 32 TUBE left over, 8 allowed)."""

from decimal import Decimal

import pytest

from finance.models import Behaviour, EntryOrigin, PointEntry
from tests.workorders.test_closeout import completed, tube, user  # noqa: F401 - fixtures
from workorders.services.closing import work_order_declare_leftover

pytestmark = pytest.mark.django_db


def test_declared_above_the_allowance_is_one_over_quota_entry_for_the_workshop(
    user, completed, tube
):
    declaration = work_order_declare_leftover(
        work_order=completed, material=tube, quantity="32", note="bent at the press", actor=user
    )

    [entry] = PointEntry.objects.all()
    assert (entry.behaviour, entry.origin, entry.workshop) == (
        Behaviour.OVER_QUOTA,
        EntryOrigin.AUTOMATIC,
        completed.workshop,
    )
    assert entry.department == "production" and entry.points < 0
    assert entry.source_number == f"{completed.number}#{declaration.pk}"
    assert entry.amount == (Decimal(32 - 8) * tube.standard_cost).quantize(Decimal("0.01"))


def test_declared_within_the_allowance_writes_no_entry(user, completed, tube):
    work_order_declare_leftover(
        work_order=completed, material=tube, quantity=5, note="offcuts", actor=user
    )
    assert not PointEntry.objects.exists()
