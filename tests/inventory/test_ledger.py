"""R-L1, R-L2: the ledger is append-only and balances always equal Σ entries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.immutable import AppendOnlyError
from inventory.models import LedgerEntry, MovementType, Serial, SerialStatus, StockBalance
from inventory.selectors import fefo_suggestion, ledger_balance_mismatches
from inventory.services import stock_adjust, stock_transfer
from materials.models import LocationKind, TrackingMode
from tests.builders import batch_material, days_from_today, location, receive
from tests.factories import LocationFactory, MaterialFactory

pytestmark = pytest.mark.django_db


def on_hand(material, loc, lot=None):
    balance = StockBalance.objects.filter(material=material, location=loc, lot=lot).first()
    return balance.quantity if balance else Decimal("0")


def snapshot():
    return LedgerEntry.objects.count(), list(
        StockBalance.objects.values_list("quantity", flat=True)
    )


def test_receipt_writes_entry_and_balance(user):
    material, loc = MaterialFactory(), location()
    [entry] = receive(material, loc, "12.5", user)
    assert entry.movement_type == MovementType.RECEIPT
    assert entry.quantity == Decimal("12.5") and entry.doc_id.startswith("GR-")
    assert on_hand(material, loc) == Decimal("12.5")
    receive(material, loc, "2", user)
    assert on_hand(material, loc) == Decimal("14.5")
    assert StockBalance.objects.filter(material=material).count() == 1
    assert ledger_balance_mismatches() == []


def test_batch_receipt_creates_lot_with_shelf_life_expiry(user):
    material = batch_material(shelf_life_days=30)
    [entry] = receive(
        material, location(), 5, user, batch_no="B1", production_date=days_from_today(-1)
    )
    assert entry.lot.batch_no == "B1"
    assert entry.lot.expiry_date == days_from_today(29)


@pytest.mark.parametrize(
    "quantity, message",
    [("0", "greater than zero"), ("-3", "greater than zero"), ("1.00001", "4 decimal places")],
)
def test_bad_receipt_quantity_writes_nothing(user, quantity, message):
    material, loc = MaterialFactory(), location()
    before = snapshot()
    with pytest.raises(ValidationError, match=message):
        receive(material, loc, quantity, user)
    assert snapshot() == before


def test_batch_material_needs_a_lot_and_untracked_refuses_one(user):
    loc = location()
    with pytest.raises(ValidationError, match="tracked by batch"):
        receive(batch_material(), loc, 1, user)
    with pytest.raises(ValidationError, match="not batch-tracked"):
        receive(MaterialFactory(), loc, 1, user, batch_no="X")
    assert LedgerEntry.objects.count() == 0


def test_expired_lot_cannot_be_received(user):
    with pytest.raises(ValidationError, match="expired"):
        receive(
            batch_material(), location(), 1, user, batch_no="OLD", expiry_date=days_from_today(-1)
        )
    assert LedgerEntry.objects.count() == 0


def test_transfer_moves_stock_and_refuses_more_than_on_hand(user):
    material, a, b = MaterialFactory(), location("A"), location("B")
    receive(material, a, 10, user)
    stock_transfer(
        material=material, from_location=a, to_location=b, quantity=Decimal("4"), actor=user
    )
    assert (on_hand(material, a), on_hand(material, b)) == (6, 4)
    before = snapshot()
    with pytest.raises(ValidationError, match="Not enough stock of .* at A: on hand 6, needed 7"):
        stock_transfer(
            material=material, from_location=a, to_location=b, quantity=Decimal("7"), actor=user
        )
    assert snapshot() == before


def test_adjustment_needs_a_reason_and_never_goes_negative(user):
    material, loc = MaterialFactory(), location()
    receive(material, loc, 3, user)
    with pytest.raises(ValidationError, match="reason"):
        stock_adjust(
            material=material, location=loc, quantity=Decimal("-1"), reason=" ", actor=user
        )
    with pytest.raises(ValidationError, match="Not enough stock"):
        stock_adjust(
            material=material, location=loc, quantity=Decimal("-4"), reason="count", actor=user
        )
    stock_adjust(
        material=material, location=loc, quantity=Decimal("-1"), reason="count", actor=user
    )
    assert on_hand(material, loc) == 2
    assert LedgerEntry.objects.filter(movement_type=MovementType.ADJUSTMENT).get().remark == "count"


def test_serial_units_are_tracked_one_by_one(user):
    material = MaterialFactory(tracking=TrackingMode.SERIAL)
    a, b = location("A"), location("B")
    with pytest.raises(ValidationError, match="2 serial numbers given for a quantity of 3"):
        receive(material, a, 3, user, batch_no="S", serials=["S1", "S2"])
    entries = receive(material, a, 2, user, batch_no="S", serials=["S1", "S2"])
    assert [e.quantity for e in entries] == [1, 1]
    with pytest.raises(ValidationError, match="already exists"):
        receive(material, a, 1, user, batch_no="S", serials=["S1"])
    lot = entries[0].lot
    stock_transfer(
        material=material,
        lot=lot,
        from_location=a,
        to_location=b,
        quantity=Decimal(1),
        serials=["S2"],
        actor=user,
    )
    s2 = Serial.objects.get(serial_no="S2")
    assert (s2.status, s2.location) == (SerialStatus.IN_STOCK, b)
    with pytest.raises(ValidationError, match="S2 is not in stock at A"):
        stock_transfer(
            material=material,
            lot=lot,
            from_location=a,
            to_location=b,
            quantity=Decimal(1),
            serials=["S2"],
            actor=user,
        )
    assert (on_hand(material, a, lot), on_hand(material, b, lot)) == (1, 1)


def test_fefo_picks_earliest_expiry_and_skips_unusable_stock(user):
    material = batch_material()
    loc, scrap = location("A"), LocationFactory(code="SCRAP", kind=LocationKind.SCRAP)
    receive(material, loc, 5, user, batch_no="LATE", expiry_date=days_from_today(90))
    receive(material, loc, 5, user, batch_no="SOON", expiry_date=days_from_today(10))
    receive(
        material,
        loc,
        5,
        user,
        batch_no="HOLD",
        expiry_date=days_from_today(1),
        inspection_status="pending",
    )
    receive(material, scrap, 5, user, batch_no="BAD", expiry_date=days_from_today(2))
    picks, shortfall = fefo_suggestion(material=material, quantity=Decimal("7"))
    assert [(p["lot"].batch_no, p["quantity"]) for p in picks] == [("SOON", 5), ("LATE", 2)]
    assert shortfall == 0
    _, shortfall = fefo_suggestion(material=material, quantity=Decimal("12"))
    assert shortfall == 2


def test_orm_refuses_to_change_or_delete_ledger_rows(user):
    [entry] = receive(MaterialFactory(), location(), 1, user)
    entry.quantity = Decimal("5")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE inventory_ledgerentry SET quantity = 99",
        "DELETE FROM inventory_ledgerentry",
    ],
)
def test_postgres_trigger_refuses_update_and_delete(user, statement):
    receive(MaterialFactory(), location(), 1, user)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert LedgerEntry.objects.get().quantity == 1


def test_check_ledger_fails_when_a_balance_drifts(user):
    material, loc = MaterialFactory(), location()
    receive(material, loc, 5, user)
    call_command("check_ledger")
    StockBalance.objects.filter(material=material).update(quantity=Decimal("4"))
    with pytest.raises(CommandError, match="1 balance"):
        call_command("check_ledger")
