"""What the load test judges once the traffic stopped and the outbox drained, and the naive
baseline that proves the judging can see drift. Each check returns ``(passed, figure, note)``.
"""

import threading
import time
from collections import Counter, defaultdict

import psycopg2

POSTED = {"posted", "confirmed"}
NAIVE_SCHEMA = """
DROP TABLE IF EXISTS load_naive_ledger, load_naive_balance;
CREATE TABLE load_naive_balance (id int PRIMARY KEY, quantity numeric NOT NULL);
CREATE TABLE load_naive_ledger (id bigserial PRIMARY KEY, quantity numeric NOT NULL);
INSERT INTO load_naive_balance VALUES (1, 0);
"""


def naive_baseline(*, dsn, clients, moves, seconds):
    """The InvenTree #12478 pattern: each client appends a ledger row and then writes the
    balance it read before, without a lock. Returns (moves made, balance, Σ ledger)."""
    with psycopg2.connect(dsn) as setup, setup.cursor() as cursor:
        cursor.execute(NAIVE_SCHEMA)
    deadline = time.monotonic() + seconds
    made = Counter()

    def client(number):
        connection = psycopg2.connect(dsn)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                for _ in range(moves):
                    if time.monotonic() > deadline:
                        return
                    cursor.execute("SELECT quantity FROM load_naive_balance WHERE id = 1")
                    (on_hand,) = cursor.fetchone()
                    cursor.execute("INSERT INTO load_naive_ledger (quantity) VALUES (1)")
                    time.sleep(0.001)  # the work a service does between reading and writing
                    cursor.execute(
                        "UPDATE load_naive_balance SET quantity = %s WHERE id = 1", [on_hand + 1]
                    )
                    made[number] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT quantity FROM load_naive_balance WHERE id = 1),"
            " (SELECT COALESCE(SUM(quantity), 0) FROM load_naive_ledger)"
        )
        balance, ledger = cursor.fetchone()
        cursor.execute("DROP TABLE load_naive_ledger, load_naive_balance")
    return sum(made.values()), int(balance), int(ledger)


def booked_per_key():
    """How many documents each load-test key produced, per kind of operation."""
    from inventory.models import LedgerEntry
    from returns.models import ReturnRequest
    from workorders.models import MaterialIssue

    issues = Counter(
        MaterialIssue.objects.filter(note__startswith="issue-").values_list("note", flat=True)
    )
    transfers = defaultdict(set)
    for remark, doc_id in LedgerEntry.objects.filter(
        doc_type="transfer", remark__startswith="transfer-"
    ).values_list("remark", "doc_id"):
        transfers[remark].add(doc_id)
    returns = Counter(
        ReturnRequest.objects.filter(explanation__startswith="return.create-").values_list(
            "explanation", flat=True
        )
    )
    return {
        "issue": issues,
        "transfer": Counter({key: len(docs) for key, docs in transfers.items()}),
        "return.create": returns,
    }


def slip_bookings():
    """Per return slip id: its line count, state and RETURN ledger rows."""
    from django.db.models import Count

    from inventory.models import LedgerEntry
    from returns.models import ReturnRequest

    slips = ReturnRequest.objects.filter(explanation__startswith="return.create-").annotate(
        line_count=Count("lines")
    )
    rows = Counter(LedgerEntry.objects.filter(doc_type="return").values_list("doc_id", flat=True))
    return {
        slip.pk: (slip.line_count, slip.state, rows.get(slip.number or "", 0)) for slip in slips
    }


def duplicates_check(operations):
    """Each key booked at most once; each acknowledged operation booked exactly once.
    Returns (duplicates, acknowledged but missing, table rows per kind)."""
    booked = booked_per_key()
    slips = slip_bookings()
    duplicates, missing, table = 0, 0, []
    by_kind = defaultdict(list)
    for operation in operations:
        by_kind[operation.kind].append(operation)
    for kind, counts in booked.items():
        ops = by_kind.get(kind, [])
        duplicates += sum(1 for n in counts.values() if n > 1)
        missing += sum(1 for op in ops if op.acked and counts.get(op.key, 0) == 0)
        table.append((kind, len(ops), sum(op.acked for op in ops), sum(counts.values())))
    lines_added = {op.detail.get("slip") for op in by_kind.get("return.line", []) if op.acked}
    posted = {op.detail.get("slip") for op in by_kind.get("return.post", []) if op.acked}
    for slip_id, (line_count, state, rows) in slips.items():
        duplicates += line_count > 2 or rows > line_count
        missing += (slip_id in lines_added and line_count < 2) or (
            slip_id in posted and (state not in POSTED or rows < line_count)
        )
    booked_lines = sum(max(count - 1, 0) for count, _state, _rows in slips.values())
    booked_posts = sum(1 for _count, _state, rows in slips.values() if rows)
    for kind, done, booked_count in (
        ("return.line", lines_added, booked_lines),
        ("return.post", posted, booked_posts),
    ):
        table.append((kind, len(by_kind.get(kind, [])), len(done), booked_count))
    return duplicates, missing, table


def negative_balances():
    from inventory.models import StockBalance

    return StockBalance.objects.filter(quantity__lt=0).count()


def events_check(received):
    """Every outbox event delivered exactly once: (missing, duplicated, unknown, undelivered)."""
    from core.models import OutboxEvent

    ids = {str(event_id) for event_id in OutboxEvent.objects.values_list("event_id", flat=True)}
    return {
        "events": len(ids),
        "missing": len(ids - set(received)),
        "duplicated": sum(1 for n in received.values() if n > 1),
        "unknown": len(set(received) - ids),
        "undelivered": OutboxEvent.objects.filter(delivered_at__isnull=True).count(),
    }


def undelivered_count():
    from core.models import OutboxEvent

    return OutboxEvent.objects.filter(delivered_at__isnull=True).count()
