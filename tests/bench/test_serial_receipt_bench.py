"""bench/serial_receipt_bench.py still runs (tiny counts, no timing asserted): both receipts
book their units and cost the same statements."""

import pytest

from bench import serial_receipt_bench
from inventory.models import Serial

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_serial_receipt_bench_receives_both_sizes_in_the_same_statements():
    result = serial_receipt_bench.run(rows=20, repeats=2)
    counts = result["statements"]
    assert counts["small"] == counts["large"] <= serial_receipt_bench.MAX_STATEMENTS
    # warm-up, two measured and one counted receipt of each size
    assert Serial.objects.filter(material__code=serial_receipt_bench.MATERIAL).count() == 4 * 22
    assert "time ratio" in serial_receipt_bench.report(result)
