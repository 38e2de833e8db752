"""What both benchmarks share: Django set-up against a dedicated PostgreSQL database, fast
generation of valid ledger rows, and timing helpers.

The ledger is filled with one ``INSERT … SELECT generate_series`` (bypassing the services
is fine for a benchmark; the rows still reference real materials, work orders, locations and
reason codes, and the append-only trigger only refuses UPDATE/DELETE). A database is only
(re)filled when it does not already hold exactly the requested rows, so reruns are quick.
"""

import os
import platform
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_MONTH = date(2026, 1, 1)
MATERIALS, WORKSHOPS, WORK_ORDERS, LINES_PER_DOCUMENT = 500, 8, 400, 10


def django_setup():
    """Configure Django for a script run from the checkout (``python bench/….py``)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Benchmarks need PostgreSQL: set DATABASE_URL=postgres://…/mr_bench")
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Use a database of its own whose name contains 'bench' (it is truncated).")
    call_command("migrate", verbosity=0)


def master_data():
    """Materials with varied costs, workshops and released work orders (idempotent)."""
    from materials.models import (
        Bom,
        Location,
        Material,
        MaterialCategory,
        UnitOfMeasure,
        Warehouse,
        WarehouseCategory,
    )
    from org.models import Workshop
    from workorders.models import WorkOrder

    uom, _ = UnitOfMeasure.objects.get_or_create(code="PCS", defaults={"name": "pieces"})
    category, _ = MaterialCategory.objects.get_or_create(
        code="BENCH", defaults={"name": "bench", "approval_class": "B"}
    )
    storage, _ = WarehouseCategory.objects.get_or_create(code="RAW", defaults={"name": "raw"})
    warehouse, _ = Warehouse.objects.get_or_create(
        code="WH-B", defaults={"name": "bench", "category": storage}
    )
    Location.objects.get_or_create(code="WH-B-01", defaults={"warehouse": warehouse})
    Material.objects.bulk_create(
        [
            Material(
                code=f"B-{n:05d}",
                name=f"bench material {n}",
                uom=uom,
                category=category,
                approval_class="ABC"[n % 3],
                warehouse_category=storage,
                standard_cost=Decimal(n % 97 + 1) / 8,
            )
            for n in range(MATERIALS)
        ],
        ignore_conflicts=True,
    )
    Workshop.objects.bulk_create(
        [Workshop(code=f"WS-B{n}", name=f"workshop {n}") for n in range(WORKSHOPS)],
        ignore_conflicts=True,
    )
    product = Material.objects.get(code="B-00000")
    bom, _ = Bom.objects.get_or_create(product=product, version=1)
    workshops = list(Workshop.objects.filter(code__startswith="WS-B"))
    WorkOrder.objects.bulk_create(
        [
            WorkOrder(
                number=f"WO-B{n:05d}",
                product=product,
                bom=bom,
                planned_qty=100,
                workshop=workshops[n % WORKSHOPS],
                status="released",
            )
            for n in range(WORK_ORDERS)
        ],
        ignore_conflicts=True,
    )


LEDGER_INSERT = """
WITH ids AS (
    SELECT (SELECT array_agg(id ORDER BY id) FROM materials_material
             WHERE code LIKE 'B-%%') AS materials,
           (SELECT array_agg(id ORDER BY id) FROM workorders_workorder
             WHERE number LIKE 'WO-B%%') AS work_orders,
           (SELECT id FROM inventory_location WHERE code = 'WH-B-01') AS location,
           (SELECT array_agg(code ORDER BY code) FROM returns_reasoncode
             WHERE kind = 'return') AS return_reasons,
           (SELECT array_agg(code ORDER BY code) FROM returns_reasoncode
             WHERE kind = 'replenish') AS replenish_reasons
), numbered AS (
    SELECT i, i / %(per_doc)s AS doc, (i / %(per_doc)s) %% 2 = 0 AS is_return,
           %(start)s + (i::float / %(rows)s) * (%(end)s - %(start)s) AS at
    FROM generate_series(0, %(rows)s - 1) AS i
)
INSERT INTO inventory_ledgerentry (
    material_id, location_id, quantity, movement_type, work_order_id, doc_type, doc_id,
    doc_line, reason_code, remark, device_id, created_at, posting_date
)
SELECT ids.materials[1 + (i::bigint * 7919) %% cardinality(ids.materials)],
       ids.location,
       (CASE WHEN is_return THEN 1 ELSE -1 END) * ((i %% 40) + 1) * 0.25,
       CASE WHEN is_return THEN 'return' ELSE 'replenish' END,
       ids.work_orders[1 + doc %% cardinality(ids.work_orders)],
       CASE WHEN is_return THEN 'return' ELSE 'replenish' END,
       CASE WHEN is_return THEN 'RT-' ELSE 'RP-' END || lpad(doc::text, 7, '0'),
       i %% %(per_doc)s + 1,
       CASE WHEN is_return
            THEN ids.return_reasons[1 + doc %% cardinality(ids.return_reasons)]
            ELSE ids.replenish_reasons[1 + doc %% cardinality(ids.replenish_reasons)] END,
       '', 'BENCH',
       at, (at AT TIME ZONE %(zone)s)::date
FROM numbered, ids
"""


def ledger_fill(rows):
    """Exactly ``rows`` return/replenish entries in BENCH_MONTH, about 10 per document."""
    from django.conf import settings
    from django.db import connection, transaction

    from finance.month_end import month_bounds
    from inventory.models import LedgerEntry

    if LedgerEntry.objects.count() == rows:
        return False
    master_data()
    start, end = month_bounds(BENCH_MONTH)
    with transaction.atomic(), connection.cursor() as cursor:
        # TRUNCATE is not refused by the append-only trigger (it is not a row change); the
        # database is the benchmark's own (django_setup checks its name).
        # Deferred foreign-key checks of an earlier fill in the same transaction (a test
        # filling twice) would make TRUNCATE refuse: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE inventory_ledgerentry")
        cursor.execute(
            LEDGER_INSERT,
            {
                "rows": rows,
                "per_doc": LINES_PER_DOCUMENT,
                "start": start,
                "end": end,
                "zone": settings.TIME_ZONE,
            },
        )
        cursor.execute("ANALYZE inventory_ledgerentry")
    return True


def interleaved(calls, repeats, *, before_round=lambda: None):
    """name → seconds of each run; every name runs once per round, so all see the same
    machine load. ``before_round`` runs untimed before each round."""
    runs = {name: [] for name in calls}
    for round_number in range(-1, repeats):  # round -1 warms up: caches, plans, templates
        before_round()
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            if round_number >= 0:
                runs[name].append(time.perf_counter() - started)
    return runs


def statements(call):
    """SQL statements one call runs (a figure the machine's load does not blur)."""
    from django.db import connection

    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        call()
    return count


def machine():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, PostgreSQL {server}"
    )


def script_main(doc: str, run, report, *, repeats: int, rows: int = 1_000_000) -> None:
    """The command line every benchmark shares: ``--rows``/``--repeats``, run, print the
    report, exit non-zero when a target is missed."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--repeats", type=int, default=repeats)
    args = parser.parse_args()
    django_setup()
    result = run(rows=args.rows, repeats=args.repeats)
    print(report(result))
    sys.exit(0 if result["passed"] else 1)
