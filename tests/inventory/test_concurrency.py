"""R-L2 under load: ≥ 8 threads issuing and receiving against the same balance rows on
PostgreSQL end with balances = Σ ledger, never negative, and no deadlock reaching callers."""

import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from inventory.models import LedgerEntry, StockBalance
from inventory.selectors import ledger_balance_mismatches
from tests.builders import batch_material, location, receive, released_work_order
from tests.factories import MaterialFactory, UserFactory
from workorders.services.issuing import IssueLine, work_order_issue

THREADS = 8
ROUNDS = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_and_receipts_keep_the_ledger_exact():
    user = UserFactory(username="keeper")
    plain, batched = MaterialFactory(), batch_material()
    shelf_a, shelf_b = location("A"), location("B")
    for loc in (shelf_a, shelf_b):
        receive(plain, loc, 20, user)
        receive(batched, loc, 20, user, batch_no="LOT1")
    lot = batched.lots.get()
    work_order = released_work_order(user, components=[(plain, 1, 0), (batched, 1, 0)])
    errors, refused = [], []

    def worker(seed):
        rng = random.Random(seed)
        try:
            for _ in range(ROUNDS):
                # Each call touches both shelves in a random order: sorted locking must cope.
                shelves = rng.sample([shelf_a, shelf_b], 2)
                qty = Decimal(rng.randint(1, 4))
                if rng.random() < 0.5:
                    lines = [
                        IssueLine(plain, qty, shelves[0]),
                        IssueLine(batched, qty, shelves[1], lot=lot),
                    ]
                    try:
                        work_order_issue(
                            work_order=work_order, lines=lines, actor=user, borrowed=True
                        )
                    except ValidationError as error:
                        assert "Not enough stock" in str(error), error
                        refused.append(error)
                else:
                    receive(plain, shelves[0], qty, user)
                    receive(batched, shelves[1], qty, user, batch_no="LOT1")
        except Exception as error:  # noqa: BLE001 - any other error fails the test below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ledger_balance_mismatches() == []
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
    issued = LedgerEntry.objects.filter(doc_type="issue").count()
    assert issued > 0 and LedgerEntry.objects.filter(doc_type="receipt").count() > 4
