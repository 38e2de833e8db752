"""Serial receipt (issue #17 item 5): one goods receipt of 500 serial units against one of
50, interleaved, each its own transaction through ``stock_receive`` (document number, lot,
units inserted in their final state, ledger rows, balance, audit event). Targets: the same
statements for both (≤ 16) and 500 units in ≤ 5× the time of 50.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_serial_bench \\
        .venv/bin/python bench/serial_receipt_bench.py --rows 500 --repeats 20
"""

import itertools
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    interleaved,
    machine,
    master_data,
    script_main,
    statements,
)

MAX_STATEMENTS = 16
TARGET = 5.0  # 10× the units in at most 5× the time
MATERIAL = "BS-SERIAL"


def run(*, rows, repeats):
    """Receipts of ``rows`` and ``rows // 10`` new units, each run its own lot."""
    from django.contrib.auth import get_user_model

    from inventory.models import InspectionStatus
    from inventory.services import stock_receive
    from materials.models import Location, Material

    master_data()
    template = Material.objects.get(code="B-00001")
    fields = {name: getattr(template, name) for name in ("uom", "category", "warehouse_category")}
    material, _ = Material.objects.get_or_create(
        code=MATERIAL, defaults={"name": "bench serial unit", "tracking": "serial", **fields}
    )
    location = Location.objects.get(code="WH-B-01")
    actor, _ = get_user_model().objects.get_or_create(username="bench-keeper")
    lots = itertools.count(material.lots.count())

    def receipt(units):
        def call():
            lot = f"BS-{next(lots):06d}"
            stock_receive(
                material=material,
                location=location,
                quantity=units,
                batch_no=lot,
                serials=[f"{lot}-{n:04d}" for n in range(units)],
                lot_fields={"inspection_status": InspectionStatus.PASSED},
                actor=actor,
            )

        return call

    small, large = max(rows // 10, 1), rows
    calls = {"small": receipt(small), "large": receipt(large)}
    runs = interleaved(calls, repeats)
    counts = {name: statements(call) for name, call in calls.items()}
    best = {name: min(times) for name, times in runs.items()}
    median = {name: statistics.median(times) for name, times in runs.items()}
    ratio = median["large"] / median["small"]
    same = counts["small"] == counts["large"] <= MAX_STATEMENTS
    return {
        "units": {"small": small, "large": large},
        "repeats": repeats,
        "best": best,
        "median": median,
        "ratio": ratio,
        "statements": counts,
        "passed": same and ratio <= TARGET,
    }


def report(result):
    units, counts = result["units"], result["statements"]
    lines = [f"machine: {machine()}", f"{result['repeats']} receipts each, interleaved"]
    for name in ("small", "large"):
        lines.append(
            f"{units[name]} serial units: best {result['best'][name] * 1000:.1f} ms, "
            f"median {result['median'][name] * 1000:.1f} ms, {counts[name]} statements"
        )
    lines += [
        f"time ratio (medians): {result['ratio']:.2f}x for {units['large'] // units['small']}x "
        f"the units (target <= {TARGET}x); statements equal and <= {MAX_STATEMENTS}",
        f"verdict: {'PASS' if result['passed'] else 'FAIL'}",
    ]
    return "\n".join(lines)


def main():
    script_main(__doc__, run, report, repeats=20, rows=500)


if __name__ == "__main__":
    main()
