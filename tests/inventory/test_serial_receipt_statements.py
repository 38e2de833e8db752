"""Issue #17: 500 serial units received in one document cost the same statements as 50 —
units are inserted in their final state (in stock at the location), never locked and
flipped one CASE at a time; a transfer flips its units with one UPDATE."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import LedgerEntry, Serial, SerialStatus, StockBalance
from inventory.services import stock_transfer
from materials.models import TrackingMode
from tests.builders import location, receive
from tests.factories import MaterialFactory

# PostgreSQL's counts (SQLite splits a 500-row insert into batches of its variable limit).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MAX_STATEMENTS = 16


def received(count, user, material, where):
    """The statements of one receipt of ``count`` new units (each run its own lot)."""
    serials = [f"{material.code}-{count}-{n:04d}" for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        receive(material, where, count, user, batch_no=f"L{count}", serials=serials)
    return queries


def test_a_serial_receipt_costs_the_same_statements_at_50_and_500_units(user):
    material, where = MaterialFactory(tracking=TrackingMode.SERIAL), location("A")
    received(1, user, material, where)  # the first event ever creates the audit chain head
    fifty, five_hundred = received(50, user, material, where), received(500, user, material, where)
    assert len(five_hundred) == len(fifty) <= MAX_STATEMENTS, [q["sql"][:120] for q in five_hundred]
    assert not [q for q in five_hundred if q["sql"].startswith('UPDATE "inventory_serial"')]
    units = Serial.objects.filter(material=material)
    assert units.count() == 551
    assert set(units.values_list("status", "location")) == {(SerialStatus.IN_STOCK, where.pk)}
    assert LedgerEntry.objects.filter(material=material).count() == 551
    assert (
        sum(StockBalance.objects.filter(material=material).values_list("quantity", flat=True))
        == 551
    )


def test_a_serial_transfer_flips_its_units_with_one_update(user):
    material, a, b = MaterialFactory(tracking=TrackingMode.SERIAL), location("A"), location("B")
    entries = receive(material, a, 200, user, batch_no="T", serials=[f"T{n}" for n in range(200)])
    moved = [f"T{n}" for n in range(150)]
    with CaptureQueriesContext(connection) as queries:
        stock_transfer(
            material=material,
            lot=entries[0].lot,
            from_location=a,
            to_location=b,
            quantity=Decimal(150),
            serials=moved,
            actor=user,
        )
    updates = [q for q in queries if q["sql"].startswith('UPDATE "inventory_serial"')]
    assert len(updates) == 1 and "CASE WHEN" not in updates[0]["sql"]
    at = dict(Serial.objects.filter(material=material).values_list("serial_no", "location"))
    assert {at[s] for s in moved} == {b.pk} and at["T199"] == a.pk
