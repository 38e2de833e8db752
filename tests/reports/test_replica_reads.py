"""Reads that can leave the primary (issue #14 item 4): with a replica configured, exports,
the month-end workbook and the ERP's ledger pulls read it; writes, and reads inside a
service's transaction, stay on the primary. The ``replica`` alias mirrors the test database
(tests/conftest.py), so data written on the primary is there; transactional tests commit
what they write, so the replica's own connection sees it."""

from io import BytesIO

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.db import PRIMARY, REPLICA, reader
from finance.month_end import month_end_compute
from finance.workbook import month_end_workbook
from inventory.models import LedgerEntry, Location
from inventory.services import stock_transfer
from reports.services import export_inline
from tests.finance.test_month_end import month  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True, databases={PRIMARY, REPLICA})


@pytest.fixture
def replica_reads(settings):
    settings.DATABASE_REPLICA_READS = True


class Queries:
    """The SQL each alias ran inside the block."""

    def __enter__(self):
        self.captures = {
            alias: CaptureQueriesContext(connections[alias]) for alias in (PRIMARY, REPLICA)
        }
        for capture in self.captures.values():
            capture.__enter__()
        return self

    def __exit__(self, *exc):
        for capture in self.captures.values():
            capture.__exit__(*exc)

    def on(self, alias, table, verb="SELECT"):
        def runs(sql):
            sql = sql.lstrip().upper()
            # A write may sit in a data-modifying CTE ("WITH … INSERT INTO …", issue #17).
            return sql.startswith(verb) or (sql.startswith("WITH") and f"({verb} " in sql)

        return [
            q["sql"] for q in self.captures[alias].captured_queries
            if runs(q["sql"]) and f'"{table}"' in q["sql"]
        ]  # fmt: skip


def test_reader_is_the_replica_only_outside_a_transaction(settings, db):
    settings.DATABASE_REPLICA_READS = False
    assert reader() == PRIMARY  # configured, but reads kept on the primary
    settings.DATABASE_REPLICA_READS = True
    assert reader() == REPLICA
    with transaction.atomic():
        assert reader() == PRIMARY
    assert router.db_for_write(LedgerEntry) == PRIMARY
    assert not router.allow_migrate(REPLICA, "inventory")
    assert router.allow_migrate(PRIMARY, "inventory")


def test_the_ledger_export_reads_the_replica_and_audits_on_the_primary(replica_reads, admin, floor):
    with Queries() as queries:
        content = export_inline(user=admin, kind="ledger", params={})
    assert len(list(load_workbook(BytesIO(content))["Ledger"].iter_rows())) > 1
    assert queries.on(REPLICA, "inventory_ledgerentry")
    assert not queries.on(PRIMARY, "inventory_ledgerentry")
    # The export's audit event is a write: primary only.
    assert queries.on(PRIMARY, "audit_auditevent", "INSERT")
    assert not queries.on(REPLICA, "audit_auditevent", "INSERT")
    assert not queries.on(REPLICA, "audit_chainhead", "UPDATE")


def test_the_variance_and_recall_exports_read_the_replica(replica_reads, admin, floor):
    with Queries() as queries:
        export_inline(user=admin, kind="variance", params={})
        export_inline(user=admin, kind="recall", params={"lot": "T1", "material": "TUBE"})
    assert queries.on(REPLICA, "workorders_workorderline")
    assert not queries.on(PRIMARY, "workorders_workorderline")
    assert queries.on(REPLICA, "inventory_ledgerentry")
    assert not queries.on(PRIMARY, "inventory_ledgerentry")


def test_the_erp_ledger_pull_reads_the_replica(replica_reads, api, floor):
    with Queries() as queries:
        response = api.get("/api/v1/ledger/")
    assert response.status_code == 200 and response.json()["results"]
    assert queries.on(REPLICA, "inventory_ledgerentry")
    assert not queries.on(PRIMARY, "inventory_ledgerentry")


def test_the_month_end_workbook_reads_the_replica(replica_reads, month):  # noqa: F811
    month_end = month_end_compute(month=month)
    with Queries() as queries:
        month_end_workbook(month_end, BytesIO())
    assert queries.on(REPLICA, "returns_monthendline")
    assert not queries.on(PRIMARY, "returns_monthendline")


def test_a_service_never_writes_or_reads_through_the_replica(replica_reads, floor):
    with Queries() as queries:
        stock_transfer(
            material=floor.tube,
            from_location=floor.shelf,
            to_location=floor.line_side,
            quantity=1,
            actor=floor.user,
            lot=floor.t1,
        )
    assert queries.captures[REPLICA].captured_queries == []
    assert queries.on(PRIMARY, "inventory_ledgerentry", "INSERT")


def test_a_row_read_from_the_replica_is_saved_on_the_primary(replica_reads, floor):
    shelf = Location.objects.using(REPLICA).get(pk=floor.shelf.pk)
    shelf.name = "Shelf A (renamed)"
    with Queries() as queries:
        shelf.save()
    assert queries.on(PRIMARY, "inventory_location", "UPDATE")
    assert queries.captures[REPLICA].captured_queries == []
