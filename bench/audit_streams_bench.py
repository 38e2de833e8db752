"""Audited bookings at 16 connections, the audit trail in one chain (as before issue #17 item 7)
against it split into streams, in the same run: throughput and the share of booking time
spent waiting on row locks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_streams_bench \\
        .venv/bin/python bench/audit_streams_bench.py --rows 200 --repeats 3

``--rows``: bookings per connection and round. A booking is one transaction on a connection
of its own, bound to a request id of its own as the API binds one: it locks its balance row
(each connection books a different material) and appends the audit event with the real
``audit_record``. The same is measured for the real ``stock_receive`` (document number,
ledger row, balance, audit event), informative only: every receipt also takes the month's
document-number row (``core.services.document_number_next``, gap-free numbers). Meanwhile
another connection samples ``pg_stat_activity`` of the booking connections: the lock-wait
share is the samples waiting on a lock (``wait_event_type = 'Lock'``) over the samples inside
a transaction. Rounds alternate one stream and ``AUDIT_STREAMS`` streams, so both see the
same machine load. Target: for the audited booking, streams cut the lock-wait share to at
most half of one chain's; the chain verifies afterwards.
"""

import functools
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, master_data, script_main  # noqa: E402

CONNECTIONS = 16
STREAMS = 32
SHARE_TARGET = 0.5  # streams' lock-wait share at most half of one chain's
SAMPLE_SECONDS = 0.002
SAMPLE_QUERY = (
    "SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = ANY(%s) "
    "AND state IN ('active', 'idle in transaction')"
)


@dataclass
class Round:
    streams: int
    seconds: float
    bookings: int
    in_transaction: int = 0  # samples of a booking connection inside a transaction
    lock_waits: int = 0  # … of which waiting on a lock

    @property
    def per_second(self) -> float:
        return self.bookings / self.seconds

    @property
    def lock_share(self) -> float:
        return self.lock_waits / self.in_transaction if self.in_transaction else 0.0


def bench_keeper():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="bench-streams")[0]


def balances(count: int) -> list[int]:
    """Ids of ``count`` balance rows on the bench shelf, one material each (received once)."""
    from inventory.models import StockBalance
    from inventory.services import stock_receive
    from materials.models import Location, Material

    master_data()
    keeper = bench_keeper()
    shelf = Location.objects.get(code="WH-B-01")
    materials = list(Material.objects.filter(code__startswith="B-").order_by("code")[1 : count + 1])
    for material in materials:
        if not StockBalance.objects.filter(material=material, location=shelf).exists():
            stock_receive(material=material, location=shelf, quantity=1000, actor=keeper)
    rows = StockBalance.objects.filter(material__in=materials, location=shelf, lot=None)
    return list(rows.order_by("id").values_list("id", flat=True))


def book(balance_id: int, n: int) -> None:
    """One audited booking: the balance row locked, then the audit event (its head last)."""
    from django.db import transaction

    from audit.services import audit_record
    from core.request_id import bound, new_request_id
    from inventory.models import StockBalance

    with bound(new_request_id()), transaction.atomic():
        balance = StockBalance.objects.select_for_update().get(pk=balance_id)
        audit_record(
            actor=None,
            action="bench.booking",
            obj=balance,
            after={"n": n},
            device="BENCH",
        )


@functools.cache
def receipt_target(balance_id: int):
    """The balance's material and shelf and the keeper, read once (not part of a booking)."""
    from inventory.models import StockBalance

    balance = StockBalance.objects.select_related("material", "location").get(pk=balance_id)
    return balance.material, balance.location, bench_keeper()


def receive(balance_id: int, n: int) -> None:
    """The real posting service on the balance's material and shelf, in a request of its own."""
    from core.request_id import bound, new_request_id
    from inventory.services import stock_receive

    material, location, keeper = receipt_target(balance_id)
    with bound(new_request_id()):
        stock_receive(
            material=material, location=location, quantity=1, actor=keeper, device="BENCH"
        )


BOOKINGS = {"audited booking": book, "stock_receive": receive}


def sample(pids: list[int], done: threading.Event, counts: Round) -> None:
    """Tally the booking connections' states until ``done`` (on a connection of its own)."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            while not done.is_set():
                cursor.execute(SAMPLE_QUERY, [pids])
                for _state, wait_type in cursor.fetchall():
                    counts.in_transaction += 1
                    counts.lock_waits += wait_type == "Lock"
                time.sleep(SAMPLE_SECONDS)
    finally:
        connection.close()


def booking_round(balance_ids: list[int], bookings: int, streams: int, booking=book) -> Round:
    """Every connection books ``bookings`` times on its own balance row, all at once."""
    from django.conf import settings
    from django.db import connection

    settings.AUDIT_STREAMS = streams  # read by audit_record on every event, in every thread
    pids: list[int] = [0] * len(balance_ids)
    errors: list[BaseException] = []
    ready = threading.Barrier(len(balance_ids) + 1)

    def worker(index: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[index] = cursor.fetchone()[0]
            ready.wait()
            for n in range(bookings):
                booking(balance_ids[index], n)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            ready.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(balance_ids))]
    for thread in threads:
        thread.start()
    ready.wait()
    counts = Round(streams=streams, seconds=0.0, bookings=bookings * len(threads))
    done = threading.Event()
    sampler = threading.Thread(target=sample, args=(pids, done, counts))
    started = time.perf_counter()
    sampler.start()
    for thread in threads:
        thread.join()
    counts.seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if errors:
        raise errors[0]
    return counts


def run(*, rows: int, repeats: int, connections: int = CONNECTIONS, streams: int = STREAMS):
    from django.conf import settings

    from audit.selectors import audit_chain_problems

    balance_ids = balances(connections)
    receipt_target.cache_clear()  # another run (a test) may have had other rows
    configured = settings.AUDIT_STREAMS
    rounds = {(kind, count): [] for kind in BOOKINGS for count in (1, streams)}
    try:
        for booking in BOOKINGS.values():  # warm-up: connections, heads, plans
            booking_round(balance_ids, 1, streams, booking)
        for _ in range(repeats):
            for kind, count in rounds:
                rounds[kind, count].append(booking_round(balance_ids, rows, count, BOOKINGS[kind]))
    finally:
        settings.AUDIT_STREAMS = configured
    share = {key: statistics.median(r.lock_share for r in runs) for key, runs in rounds.items()}
    rate = {key: statistics.median(r.per_second for r in runs) for key, runs in rounds.items()}
    ratios = {
        kind: {
            "rate": rate[kind, streams] / rate[kind, 1],
            "share": share[kind, streams] / share[kind, 1] if share[kind, 1] else 0.0,
        }
        for kind in BOOKINGS
    }
    problems = audit_chain_problems()
    return {
        "connections": len(balance_ids),
        "rows": rows,
        "repeats": repeats,
        "streams": streams,
        "share": share,
        "rate": rate,
        "ratios": ratios,
        "problems": problems,
        "passed": not problems and ratios["audited booking"]["share"] <= SHARE_TARGET,
    }


def report(result) -> str:
    streams, share, rate = result["streams"], result["share"], result["rate"]
    lines = [
        f"machine: {machine()}",
        f"{result['connections']} connections x {result['rows']} bookings each, "
        f"medians of {result['repeats']} interleaved rounds",
    ]
    for kind, ratios in result["ratios"].items():
        target = f" (target <= {SHARE_TARGET}x)" if kind == "audited booking" else ""
        lines += [
            f"{kind}, baseline 1 stream: {rate[kind, 1]:.0f}/s, "
            f"lock-wait share {share[kind, 1]:.1%}",
            f"{kind}, project {streams} streams: {rate[kind, streams]:.0f}/s, "
            f"lock-wait share {share[kind, streams]:.1%}",
            f"{kind}, ratio: throughput {ratios['rate']:.2f}x, "
            f"lock-wait share {ratios['share']:.2f}x{target}",
        ]
    return "\n".join(
        [
            *lines,
            f"chain after the run: {'; '.join(result['problems']) or 'intact'}",
            f"verdict: {'PASS' if result['passed'] else 'FAIL'}",
        ]
    )


def main():
    script_main(__doc__, run, report, repeats=3)


if __name__ == "__main__":
    main()
