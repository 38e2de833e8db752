"""Scanner booking under load (issue #17, item 1): ``POST …/issue-scan/`` of a lot label by
16 concurrent HTTP connections (each a handheld with its own device token) against
gunicorn with 3 sync workers (``gunicorn.conf.py``, DEBUG off), timed against a minimal
correct booking written by hand (``bench/booking_wsgi.py``: lock the balance row, insert the
ledger row, update the balance, append the audit row) served by the same gunicorn, rounds
interleaved. Each connection books for a work order of its own; all take from one balance
row (one lot at the line side) and append to the audit streams of their requests, on both
sides. Also counts
the statements of one issue-scan and its CPU in this process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_booking_bench \\
    REDIS_URL=redis://127.0.0.1:6379/1 \\
    .venv/bin/python bench/booking_bench.py --rows 1600 --repeats 3

``--rows``: bookings per side and round; ``--repeats``: rounds. Targets: throughput ≥ 0.5×
the baseline's, p95 ≤ 2.5× (medians of the rounds). Gunicorn's
``max_requests`` restarts are off (GUNICORN_MAX_REQUESTS=0) and the token rate limit is
raised so neither interrupts a round; its Redis round trips are still paid.
"""

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, master_data, script_main  # noqa: E402

THROUGHPUT_TARGET, P95_TARGET = 0.5, 2.5
CONNECTIONS, WORKERS = 16, 3
HOST = "127.0.0.1"
MATERIAL, LOT, LOCATION = "BK-TUBE", "BK-1", "WH-B-01"
STOCK = Decimal(10) ** 9
# gunicorn's (DEBUG off needs one); a benchmark's, not a secret.
BENCH_SECRET_KEY = "booking-bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"


def keeper():
    """The keeper booking at the line side: the keeper role, member of the workshop."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from org.models import Workshop
    from org.services import role_groups_sync

    role_groups_sync()
    user, _ = get_user_model().objects.get_or_create(username="bench-keeper")
    user.groups.add(Group.objects.get(name="keeper"))
    workshop, _ = Workshop.objects.get_or_create(code="WS-BK", defaults={"name": "bench"})
    workshop.members.add(user)
    return user, workshop


def seed():
    """A batch-tracked tube with ample stock of one passed lot at one location, and a
    released work order needing far more than any run issues (idempotent)."""
    from django.conf import settings

    from audit.models import ChainHead
    from inventory.models import InspectionStatus, StockBalance
    from inventory.services import stock_receive
    from materials.models import Bom, BomLine, Location, Material
    from workorders.models import WorkOrder
    from workorders.services.lifecycle import work_order_create, work_order_release

    master_data()  # the benchmarks' unit, category, storage and location
    user, workshop = keeper()
    location = Location.objects.get(code=LOCATION)
    template = Material.objects.get(code="B-00001")
    fields = {name: getattr(template, name) for name in ("uom", "category", "warehouse_category")}
    tube, _ = Material.objects.get_or_create(
        code=MATERIAL, defaults={"name": "bench tube", "tracking": "batch", **fields}
    )
    if not StockBalance.objects.filter(material=tube, quantity__gt=STOCK / 2).exists():
        stock_receive(
            material=tube,
            location=location,
            quantity=STOCK,
            batch_no=LOT,
            lot_fields={"inspection_status": InspectionStatus.PASSED},
            actor=user,
        )
    product, _ = Material.objects.get_or_create(
        code="BK-CHAIR", defaults={"name": "bench chair", **fields}
    )
    bom, _ = Bom.objects.get_or_create(product=product, version=1)
    BomLine.objects.get_or_create(
        bom=bom, material=tube, defaults={"qty_per_unit": 1, "loss_pct": 0}
    )
    work_orders = []
    for n in range(CONNECTIONS):
        work_order = WorkOrder.objects.filter(number=f"WO-BK-{n:03d}").first()
        if work_order is None:
            work_order = work_order_create(
                number=f"WO-BK-{n:03d}",
                product=product,
                bom=bom,
                planned_qty=STOCK / 100,
                workshop=workshop,
                actor=user,
            )
            work_order = work_order_release(work_order=work_order, actor=user)
        work_orders.append(work_order.pk)
    # every audit stream's head, so the baseline's hand-written append finds its own
    ChainHead.objects.bulk_create(
        [ChainHead(stream=stream) for stream in range(settings.AUDIT_STREAMS)],
        ignore_conflicts=True,
    )
    lot = tube.lots.get(batch_no=LOT)
    analyze()
    return user, work_orders, {"material": tube.pk, "lot": lot.pk, "location": location.pk}


def analyze():
    """Fresh planner statistics, as autovacuum keeps them in production: this machine's
    PostgreSQL runs without autovacuum, and on a bench database that grew by earlier runs
    the statistics of the empty tables made the issue's requirement query (the borrowed
    issues of other orders, ``workorders.services.issuing.borrowed_elsewhere``) walk every
    issue entry of the material: 0.3 s a booking after 40,000 entries (BENCHMARKS.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def tokens(user, count):
    """One device token per connection (each handheld has its own rate budget)."""
    from org.services import api_token_issue

    return [
        api_token_issue(
            name=f"bench-{n}", kind="device", user=user, actor=user, device_id=f"BK-{n:02d}"
        )[1]
        for n in range(count)
    ]


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(port, log_path):
    """gunicorn -c gunicorn.conf.py serving ``bench.booking_wsgi`` on this run's database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "0",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_MAX_REQUESTS": "0",
        "API_TOKEN_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }
    root = Path(__file__).resolve().parent.parent
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [*command, "--no-control-socket", "bench.booking_wsgi:application"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_serving(port, server)
            yield
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def wait_until_serving(port, server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}: see its log")
        try:
            post(port, "/api/v1/scan/", {}, {})
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout} s")


def post(port, path, body, headers):
    """One POST on a new connection (sync workers close it anyway); (status, seconds)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started


def load(port, clients, total):
    """``total`` POSTs over the ``clients`` (path, body, headers), one connection each, all
    at once: req/s, p95, failures."""
    latencies, failures, lock = [], [], threading.Lock()
    share = total // len(clients)

    def client(path, body, headers):
        for _ in range(share):
            status, seconds = post(port, path, body, headers)
            with lock:
                latencies.append(seconds)
                if status >= 300:
                    failures.append(status)

    threads = [threading.Thread(target=client, args=request) for request in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "failures": failures,
    }


def one_booking(url, body, raw_key):
    """Statements and CPU seconds of one issue-scan in this process (Django's test client,
    the same middleware and view; no HTTP server)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {raw_key}", HTTP_HOST="localhost")
    client.post(url, body, content_type="application/json")  # stamps the token's first use
    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        response = client.post(url, body, content_type="application/json")
        cpu = time.process_time() - started
    assert response.status_code == 201, response.content
    return len(queries), cpu


def run(*, rows, repeats):
    from bench.booking_wsgi import BASELINE_PATH  # sets up config.wsgi: after django_setup

    user, work_orders, stock = seed()
    keys = tokens(user, CONNECTIONS)
    scan = {"code": f"L:{MATERIAL}|{LOT}", "quantity": "1"}
    url = f"/api/v1/work-orders/{work_orders[0]}/issue-scan/"
    statements, cpu = one_booking(url, scan, keys[0])
    # Each connection is a handheld at its own work order; all take from one balance row.
    sides = {
        "project": [
            (f"/api/v1/work-orders/{pk}/issue-scan/", scan, {"Authorization": f"Token {key}"})
            for pk, key in zip(work_orders, keys, strict=True)
        ],
        "baseline": [
            (BASELINE_PATH, {**stock, "work_order": pk, "quantity": 1}, {}) for pk in work_orders
        ],
    }
    rounds = {side: [] for side in sides}
    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"booking-bench-{port}.log"
    with gunicorn(port, log_path):
        for clients in sides.values():  # warm up every worker
            load(port, clients, CONNECTIONS * 4)
        for _ in range(repeats):
            for side, clients in sides.items():
                rounds[side].append(load(port, clients, rows))
    median = {
        side: {
            "rps": statistics.median(r["rps"] for r in results),
            "p95": statistics.median(r["p95"] for r in results),
            "failures": sum(len(r["failures"]) for r in results),
        }
        for side, results in rounds.items()
    }
    ratios = {
        "throughput": median["project"]["rps"] / median["baseline"]["rps"],
        "p95": median["project"]["p95"] / median["baseline"]["p95"],
    }
    failures = median["project"]["failures"] + median["baseline"]["failures"]
    return {
        "rows": rows,
        "repeats": repeats,
        "statements": statements,
        "cpu": cpu,
        "median": median,
        "ratios": ratios,
        "load": os.getloadavg(),
        "failures": failures,
        "passed": not failures
        and ratios["throughput"] >= THROUGHPUT_TARGET
        and ratios["p95"] <= P95_TARGET,
    }


def report(result):
    def side(name):
        figures = result["median"][name]
        return f"{figures['rps']:.0f} req/s, p95 {figures['p95'] * 1000:.0f} ms"

    ratios = result["ratios"]
    return "\n".join(
        [
            f"machine: {machine()}; load average {' '.join(f'{x:.2f}' for x in result['load'])}",
            f"{result['rows']:,} bookings per side and round, {CONNECTIONS} connections, "
            f"gunicorn {WORKERS} sync workers; medians of {result['repeats']} rounds, interleaved",
            f"issue-scan: {result['statements']} SQL statements, "
            f"{result['cpu'] * 1000:.1f} ms CPU in-process per booking",
            f"project issue-scan: {side('project')}",
            f"baseline minimal booking: {side('baseline')}",
            f"throughput {ratios['throughput']:.2f}x (target >= {THROUGHPUT_TARGET}x), "
            f"p95 {ratios['p95']:.2f}x (target <= {P95_TARGET}x), "
            f"failed requests: {result['failures']}",
            f"verdict: {'PASS' if result['passed'] else 'FAIL'}",
        ]
    )


def main():
    script_main(__doc__, run, report, repeats=5, rows=2_000)


if __name__ == "__main__":
    main()
