"""The ledger export (reports.ledger.ledger_workbook: ORM rows, number formats, totals,
frozen header) over N ledger rows, against raw openpyxl write-only writing the same rows,
timed in the same run. Targets: ≤ 1.5× and peak memory < 200 MB (BENCHMARKS.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_bench \\
        .venv/bin/python bench/export_bench.py --rows 100000

Each measurement runs in a fresh child process, so its peak RSS (ru_maxrss) is the
export's own, Django and all.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_setup, ledger_fill, machine  # noqa: E402

TIME_TARGET, MEMORY_TARGET_MB = 1.5, 200
# The same fifteen columns the export writes, read with one hand-written query.
SQL_ROWS = """SELECT e.created_at, e.movement_type, m.code, m.name, l.batch_no, s.serial_no,
    loc.code, e.quantity, ROUND(e.quantity * m.standard_cost, 2), e.doc_type, e.doc_id,
    w.number, e.reason_code, u.username, e.device_id
FROM inventory_ledgerentry e
JOIN materials_material m ON m.id = e.material_id
JOIN inventory_location loc ON loc.id = e.location_id
LEFT JOIN inventory_lot l ON l.id = e.lot_id
LEFT JOIN inventory_serial s ON s.id = e.serial_id
LEFT JOIN workorders_workorder w ON w.id = e.work_order_id
LEFT JOIN auth_user u ON u.id = e.actor_id
ORDER BY e.created_at, e.id"""


def raw_rows():
    """The rows as plain tuples (server-side cursor, so they stream like the export's)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.connection.cursor(name="raw_rows") as cursor:
        cursor.itersize = 2000
        cursor.execute(SQL_ROWS)
        for row in cursor:
            yield (row[0].replace(tzinfo=None), *row[1:])


def raw_openpyxl(target):
    """The baseline: openpyxl write-only, values appended as they come, nothing else."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ledger")
    count = 0
    for row in raw_rows():
        sheet.append(row)
        count += 1
    workbook.save(target)
    return count


def ledger_export(target):
    from reports.ledger import ledger_workbook

    return ledger_workbook({}, target)


CHILDREN = {"export": ledger_export, "openpyxl": raw_openpyxl}


def child(name):
    """Run one measurement in this (fresh) process and print it as JSON."""
    django_setup()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
        started = time.perf_counter()
        rows = CHILDREN[name](target.name)
        seconds = time.perf_counter() - started
        size = Path(target.name).stat().st_size
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb, "bytes": size}))


def measure(name):
    output = subprocess.run(
        [sys.executable, __file__, "--child", name], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(*, rows, repeats):
    filled = ledger_fill(rows)
    runs = {name: [] for name in CHILDREN}
    for _ in range(repeats):  # interleaved, so both see the same machine load
        for name in CHILDREN:
            runs[name].append(measure(name))
    median = {name: statistics.median(r["seconds"] for r in runs[name]) for name in runs}
    best = {name: min(r["seconds"] for r in runs[name]) for name in runs}
    peak_mb = max(r["peak_mb"] for r in runs["export"])
    # Judged on the best run of each (timeit's rule: slower runs measure other load).
    ratio = best["export"] / best["openpyxl"]
    written = {r["rows"] for name in runs for r in runs[name]}
    return {
        "rows": rows,
        "filled": filled,
        "repeats": repeats,
        "runs": runs,
        "median": median,
        "best": best,
        "median_ratio": median["export"] / median["openpyxl"],
        "ratio": ratio,
        "peak_mb": peak_mb,
        "baseline_peak_mb": max(r["peak_mb"] for r in runs["openpyxl"]),
        "rows_written": written,
        "passed": written == {rows} and ratio <= TIME_TARGET and peak_mb < MEMORY_TARGET_MB,
    }


def report(result):
    def seconds(name):
        return ", ".join(f"{r['seconds']:.2f}" for r in result["runs"][name])

    verdict = "PASS" if result["passed"] else "FAIL"
    size_mb = result["runs"]["export"][0]["bytes"] / 1e6
    return "\n".join(
        [
            f"machine: {machine()}",
            f"ledger rows exported: {result['rows']:,} "
            f"({'generated now' if result['filled'] else 'already there'}); "
            f"rows written per run: {sorted(result['rows_written'])}; file {size_mb:.1f} MB",
            f"raw openpyxl write-only (SQL rows), best / median of {result['repeats']}: "
            f"{result['best']['openpyxl']:.2f} / {result['median']['openpyxl']:.2f} s "
            f"[{seconds('openpyxl')}], peak RSS {result['baseline_peak_mb']:.0f} MB",
            f"ledger export, best / median of {result['repeats']}: "
            f"{result['best']['export']:.2f} / {result['median']['export']:.2f} s "
            f"[{seconds('export')}], peak RSS {result['peak_mb']:.0f} MB",
            f"ratio of best runs: {result['ratio']:.2f}x (medians "
            f"{result['median_ratio']:.2f}x; target <= {TIME_TARGET}x), peak RSS "
            f"{result['peak_mb']:.0f} MB (target < {MEMORY_TARGET_MB} MB): {verdict}",
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    django_setup()
    result = run(rows=args.rows, repeats=args.repeats)
    print(report(result))
    sys.exit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
