"""The scanner-booking benchmark (bench/booking_bench.py, BENCHMARKS.md) still runs end to
end on tiny counts: its own gunicorn on the test database, both sides answering without a
failed request (no timing asserted). PostgreSQL only, like the benchmark."""

import pytest

from bench import booking_bench
from inventory.models import LedgerEntry
from tests.api.test_booking_statements import ISSUE_SCAN

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_booking_bench_books_through_both_sides(reference_data):
    result = booking_bench.run(rows=32, repeats=1)
    assert result["failures"] == 0
    assert set(result["median"]) == {"project", "baseline"}
    assert result["statements"] == ISSUE_SCAN[0]  # PostgreSQL's
    # warm-up (4 per connection a side), the two in-process bookings and 32 a side
    booked = LedgerEntry.objects.filter(doc_type="issue").count()
    assert booked == 2 * (4 * booking_bench.CONNECTIONS + 32) + 2
    assert "throughput" in booking_bench.report(result)
