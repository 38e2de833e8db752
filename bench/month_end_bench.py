"""Month-end (finance.month_end.month_end_compute) over N ledger rows, timed against a
hand-written SQL GROUP BY of the same rows in the same run, interleaved. Target: ≤ 1.5×
(issue #17, BENCHMARKS.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_bench \\
        .venv/bin/python bench/month_end_bench.py --rows 1000000
"""

import sys
from decimal import Decimal
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_MONTH,
    interleaved,
    ledger_fill,
    machine,
    script_main,
)

TARGET = 1.5
# The two aggregations the month-end needs (detail lines and documents), written by hand.
SQL_FILTER = """FROM inventory_ledgerentry e
    JOIN materials_material m ON m.id = e.material_id
    LEFT JOIN workorders_workorder w ON w.id = e.work_order_id
    WHERE e.posting_date >= %s AND e.posting_date < %s
      AND e.movement_type IN ('return', 'replenish')"""
SQL_LINES = f"""SELECT e.movement_type, w.workshop_id, e.reason_code, e.material_id,
    m.approval_class, SUM(e.quantity), SUM(e.quantity * m.standard_cost)
    {SQL_FILTER} GROUP BY 1, 2, 3, 4, 5"""
SQL_DOCUMENTS = f"""SELECT e.movement_type, e.doc_id, w.workshop_id, e.reason_code,
    SUM(e.quantity * m.standard_cost)
    {SQL_FILTER} GROUP BY 1, 2, 3, 4"""


def sql_group_by(month):
    """Both aggregations fetched to the client; returns the per-kind totals of the lines."""
    from django.db import connection

    from finance.month_end import month_bounds

    bounds = [moment.date() for moment in month_bounds(month)]  # posting dates (R-L6)
    totals = {}
    with connection.cursor() as cursor:
        cursor.execute(SQL_DOCUMENTS, bounds)
        cursor.fetchall()
        cursor.execute(SQL_LINES, bounds)
        for kind, *_, quantity, value in cursor.fetchall():
            qty, amount = totals.get(kind, (Decimal(0), Decimal(0)))
            totals[kind] = (qty + abs(quantity), amount + abs(value))
    return {kind: (qty, amount.quantize(Decimal("0.01"))) for kind, (qty, amount) in totals.items()}


def derived_rows_vacuum():
    """What autovacuum does between two recomputations in production: each run leaves the
    previous run's 112 k rows dead, and the next run's DELETE would wade through all of
    them (this machine's PostgreSQL runs with autovacuum off)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM returns_monthendline, returns_monthenddocument")


def summary_totals(month_end):
    totals = {}
    for kind, qty, amount in month_end.lines.values_list("kind", "quantity", "amount"):
        total_qty, total_amount = totals.get(kind, (Decimal(0), Decimal(0)))
        totals[kind] = (total_qty + qty, total_amount + amount)
    return totals


def run(*, rows, repeats):
    """Fill the ledger (if needed), time both, check they agree; returns the results."""
    from finance.models import MonthEnd
    from finance.month_end import month_end_compute

    filled = ledger_fill(rows)
    expected = sql_group_by(BENCH_MONTH)
    runs = interleaved(
        {
            "sql": lambda: sql_group_by(BENCH_MONTH),
            "month_end": lambda: month_end_compute(month=BENCH_MONTH),
        },
        repeats,
        before_round=derived_rows_vacuum,
    )
    sql_times, month_end_times = runs["sql"], runs["month_end"]
    sql_median, month_end_median = median(sql_times), median(month_end_times)
    month_end = MonthEnd.objects.get(month=BENCH_MONTH)  # as the last timed run left it
    totals = summary_totals(month_end)
    # Lines are rounded to cents one by one, the SQL total once: allow a cent per line.
    agree = totals.keys() == expected.keys() and all(
        totals[k][0] == expected[k][0]
        and abs(totals[k][1] - expected[k][1]) <= Decimal("0.01") * month_end.lines.count()
        for k in expected
    )
    # Judged on the best run of each (timeit's rule: slower runs measure other load).
    ratio = min(month_end_times) / min(sql_times)
    return {
        "rows": rows,
        "filled": filled,
        "repeats": repeats,
        "sql_median": sql_median,
        "sql_times": sql_times,
        "month_end_median": month_end_median,
        "month_end_times": month_end_times,
        "ratio": ratio,
        "median_ratio": month_end_median / sql_median,
        "lines": month_end.lines.count(),
        "documents": month_end.documents.count(),
        "totals_agree": agree,
        "passed": agree and ratio <= TARGET,
    }


def report(result):
    seconds = ", ".join(f"{t:.3f}" for t in result["month_end_times"])
    sql_seconds = ", ".join(f"{t:.3f}" for t in result["sql_times"])
    verdict = "PASS" if result["passed"] else "FAIL"
    return "\n".join(
        [
            f"machine: {machine()}",
            f"ledger rows in the month: {result['rows']:,} "
            f"({'generated now' if result['filled'] else 'already there'})",
            f"summary: {result['lines']:,} lines, {result['documents']:,} documents; "
            f"totals equal to SQL: {result['totals_agree']}",
            f"SQL GROUP BY (lines + documents), median of {result['repeats']}: "
            f"{result['sql_median']:.3f} s [{sql_seconds}]",
            f"month_end_compute, median of {result['repeats']}: "
            f"{result['month_end_median']:.3f} s [{seconds}]",
            f"ratio of best runs: {result['ratio']:.2f}x (medians "
            f"{result['median_ratio']:.2f}x; target <= {TARGET}x): {verdict}",
        ]
    )


def main():
    script_main(__doc__, run, report, repeats=5)


if __name__ == "__main__":
    main()
