"""A back-dated booking (issue #17 item 6, R-L6) with N later ledger rows of the same
material and location, timed against the same booking dated today in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_posting_bench \\
        .venv/bin/python bench/posting_date_bench.py --rows 100000

Both are goods receipts through ``stock_receive`` (document number, lock, ledger row,
balance, audit event), each its own transaction, interleaved. The back-dated one is dated
the last day of the previous month, before every one of the N rows. Target: ≤ 1.1×, and the
N later rows unchanged (balances are running totals per key, never stored on entries).
"""

import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    interleaved,
    machine,
    master_data,
    script_main,
    statements,
)

TARGET = 1.1
LATER = "bench-later"  # the doc_type of the rows dated after the back-dated booking
# N receipts of one material into one location, dated from the current month's first day
# up to now: every one of them is later than the back-dated booking.
LATER_INSERT = """
INSERT INTO inventory_ledgerentry (
    material_id, location_id, quantity, movement_type, doc_type, doc_id, doc_line,
    reason_code, remark, device_id, created_at, posting_date
)
SELECT %(material)s, %(location)s, 1, 'receipt', %(later)s, 'GR-L' || i, 1, '', '', 'BENCH',
       at, (at AT TIME ZONE %(zone)s)::date
FROM (SELECT i, %(start)s + (i::float / %(rows)s) * (%(end)s - %(start)s) AS at
      FROM generate_series(0, %(rows)s - 1) AS i) AS numbered
"""


def later_fill(rows, material, location):
    """Exactly ``rows`` later receipts of ``material`` into ``location`` (refilled each
    run: earlier runs' bookings are cleared too); the balance is their sum."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from finance.month_end import month_bounds
    from inventory.models import StockBalance

    start, _end = month_bounds(timezone.localdate().replace(day=1))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE inventory_ledgerentry")  # the benchmark's own database
        cursor.execute(
            LATER_INSERT,
            {
                "material": material.pk,
                "location": location.pk,
                "later": LATER,
                "zone": settings.TIME_ZONE,
                "start": start,
                "end": timezone.now(),
                "rows": rows,
            },
        )
        cursor.execute("ANALYZE inventory_ledgerentry")
    StockBalance.objects.filter(material=material).delete()
    StockBalance.objects.create(material=material, location=location, quantity=rows)


def later_rows_digest():
    """What must not change: the later rows' count, sum, ids and dates."""
    from django.db.models import Count, Max, Min, Sum

    from inventory.models import LedgerEntry

    return LedgerEntry.objects.filter(doc_type=LATER).aggregate(
        Count("id"), Sum("quantity"), Min("id"), Max("id"), Min("posting_date"), Max("created_at")
    )


def run(*, rows, repeats):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inventory.models import LedgerEntry, StockBalance
    from inventory.services import stock_receive
    from materials.models import Location, Material

    master_data()
    material = Material.objects.get(code="B-00001")
    location = Location.objects.get(code="WH-B-01")
    actor, _ = get_user_model().objects.get_or_create(username="bench-keeper")
    later_fill(rows, material, location)
    before = later_rows_digest()
    back = timezone.localdate().replace(day=1) - timedelta(days=1)

    def booking(posting_date):
        return lambda: stock_receive(
            material=material, location=location, quantity=1, actor=actor, posting_date=posting_date
        )

    calls = {"today": booking(None), "back_dated": booking(back)}
    runs = interleaved(calls, repeats)
    counts = {name: statements(call) for name, call in calls.items()}
    best = {name: min(times) for name, times in runs.items()}
    median = {name: statistics.median(times) for name, times in runs.items()}
    ratios = {
        "best": best["back_dated"] / best["today"],
        "median": median["back_dated"] / median["today"],
    }
    untouched = later_rows_digest() == before
    balance = StockBalance.objects.get(material=material, location=location).quantity
    booked = LedgerEntry.objects.filter(material=material).exclude(doc_type=LATER)
    return {
        "rows": rows,
        "repeats": repeats,
        "best": best,
        "median": median,
        "ratios": ratios,
        "statements": counts,
        "untouched": untouched,
        # the warm-up, the measured bookings and the one whose statements were counted
        "back_dated_rows": booked.filter(posting_date=back).count(),
        "balance_agrees": balance == rows + booked.count(),
        "passed": ratios["median"] <= TARGET and untouched,
    }


def report(result):
    ms = {name: f"{seconds * 1000:.2f} ms" for name, seconds in result["best"].items()}
    med = {name: f"{seconds * 1000:.2f}" for name, seconds in result["median"].items()}
    ratios = result["ratios"]
    return "\n".join(
        [
            f"machine: {machine()}",
            f"later rows of the same material and location: {result['rows']:,}; "
            f"{result['repeats']} bookings each, interleaved; best [median]",
            f"receipt dated today (baseline): {ms['today']} [{med['today']}]",
            f"receipt dated back before all of them (project): {ms['back_dated']} "
            f"[{med['back_dated']}]",
            f"SQL statements per booking: today {result['statements']['today']}, "
            f"dated back {result['statements']['back_dated']}",
            f"ratio of medians: {ratios['median']:.2f}x, of best runs: {ratios['best']:.2f}x "
            f"(target <= {TARGET}x)",
            f"later rows unchanged: {result['untouched']}; balance = Σ ledger: "
            f"{result['balance_agrees']}",
            f"verdict: {'PASS' if result['passed'] else 'FAIL'}",
        ]
    )


def main():
    script_main(__doc__, run, report, repeats=200, rows=100_000)


if __name__ == "__main__":
    main()
