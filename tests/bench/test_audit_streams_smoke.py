"""bench/audit_streams_bench.py still runs (tiny counts, no timing asserted): its booking
connections commit on their own, so the test database is a real one, not a test transaction.
PostgreSQL only, like the benchmark (pg_stat_activity)."""

import pytest

from audit.models import AuditEvent, ChainHead
from bench import audit_streams_bench

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_audit_streams_bench_books_in_one_chain_and_in_streams():
    result = audit_streams_bench.run(rows=3, repeats=1, connections=4, streams=8)
    assert result["connections"] == 4 and result["problems"] == []
    kinds = {(kind, count) for kind in ("audited booking", "stock_receive") for count in (1, 8)}
    assert set(result["rate"]) == set(result["share"]) == kinds
    # per kind: warm-up 4 + a round of 12 in one chain + one of 12 in streams
    assert AuditEvent.objects.filter(action="bench.booking").count() == 28
    assert AuditEvent.objects.filter(action="stock.receive", device_id="BENCH").count() == 28
    assert ChainHead.objects.exclude(stream=0).exists()
    assert "lock-wait share" in audit_streams_bench.report(result)
