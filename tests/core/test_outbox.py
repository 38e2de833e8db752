"""ERP outbox: events survive the receiver being down and arrive later, in order, once
per event id, signed with HMAC-SHA256; overlapping runs never send an event twice or out of
order, and a run killed mid-send is taken over within seconds (#12 deliverable 5)."""

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.outbox import outbox_replay
from core.models import DeliveryAttempt, OutboxEvent
from core.outbox import RUN_SECONDS, outbox_deliver, outbox_emit
from core.tasks import outbox_deliver_task

pytestmark = pytest.mark.django_db
SECRET = "erp-shared-secret"


class Receiver:
    """A local ERP endpoint that can be down, fail, or record what it got; it can answer
    slowly (``delay`` seconds) and hold its answer to request number ``hold_at`` until
    ``resume`` is set (a send in flight)."""

    def __init__(self):
        self.received, self.failing = [], False
        self.delay, self.hold_at, self.resume = 0.0, None, threading.Event()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/events"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failing:
                    self.send_response(503)
                else:
                    expected = (
                        "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                    )
                    receiver.received.append(
                        {
                            "id": self.headers["X-Event-Id"],
                            "body": json.loads(body),
                            "signed": hmac.compare_digest(expected, self.headers["X-Signature"]),
                        }
                    )
                    if len(receiver.received) == receiver.hold_at:
                        receiver.resume.wait(30)
                    time.sleep(receiver.delay)
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver(settings):
    receiver = Receiver()
    settings.ERP_WEBHOOK_URL, settings.ERP_WEBHOOK_SECRET = receiver.url, SECRET
    yield receiver
    receiver.stop()


def make_due():
    """Let the backoff pass (instead of waiting for it)."""
    OutboxEvent.objects.update(next_attempt_at=timezone.now())


def test_events_arrive_after_the_receiver_comes_back_in_order_once(receiver):
    events = [
        outbox_emit(topic="return.posted", payload={"number": f"RT-202611-000{n}"})
        for n in (1, 2, 3)
    ]
    assert outbox_deliver() == 0  # nobody listening: connection refused
    first = OutboxEvent.objects.get(pk=events[0].pk)
    assert first.attempts == 1 and first.next_attempt_at > timezone.now() and first.last_error
    assert OutboxEvent.objects.filter(attempts=0).count() == 2  # the rest wait their turn

    receiver.start()
    assert outbox_deliver() == 0  # still backing off
    make_due()
    assert outbox_deliver() == 3
    assert [r["id"] for r in receiver.received] == [str(e.event_id) for e in events]
    assert all(r["signed"] for r in receiver.received)
    assert receiver.received[0]["body"]["payload"] == {"number": "RT-202611-0001"}
    assert outbox_deliver() == 0 and len(receiver.received) == 3  # never twice
    assert DeliveryAttempt.objects.filter(event=events[0]).count() == 2


def test_a_failure_stops_the_run_to_keep_order(receiver):
    receiver.start()
    outbox_emit(topic="shortage.opened", payload={"n": 1})
    assert outbox_deliver() == 1
    receiver.failing = True
    outbox_emit(topic="shortage.opened", payload={"n": 2})
    outbox_emit(topic="shortage.opened", payload={"n": 3})
    assert outbox_deliver() == 0
    assert OutboxEvent.objects.get(payload={"n": 2}).last_error == "HTTP 503"
    receiver.failing = False
    make_due()
    assert outbox_deliver() == 2
    assert [r["body"]["payload"]["n"] for r in receiver.received] == [1, 2, 3]


def test_replay_sends_the_same_event_id_again(receiver, admin):
    receiver.start()
    event = outbox_emit(topic="month.closed", payload={"month": "2026-10"})
    outbox_deliver()
    outbox_replay(events=[event], actor=admin)
    assert outbox_deliver() == 1
    assert [r["id"] for r in receiver.received] == [str(event.event_id)] * 2


def test_without_a_url_nothing_is_sent(settings):
    settings.ERP_WEBHOOK_URL = ""
    outbox_emit(topic="return.posted", payload={})
    assert outbox_deliver() == 0 and OutboxEvent.objects.get().attempts == 0


def test_delivery_task_limits_fit_the_minute_beat(settings):
    """Soft below hard, both set and within the global limits, and a run (its last send
    included) ends before the soft limit, so publishing the task never raises."""
    task = outbox_deliver_task
    assert settings.CELERY_BEAT_SCHEDULE["outbox-deliver"]["schedule"] == 60
    assert RUN_SECONDS + settings.ERP_WEBHOOK_TIMEOUT < 60 < task.soft_time_limit
    assert task.soft_time_limit < task.time_limit <= settings.CELERY_TASK_SOFT_TIME_LIMIT


def emitted(count):
    return [outbox_emit(topic="return.posted", payload={"n": n}) for n in range(count)]


def received_ids(receiver):
    return [r["id"] for r in receiver.received]


def ids(events):
    return [str(e.event_id) for e in events]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_stops_at_an_event_another_run_holds(receiver):
    """The second event is free but never overtakes the first, held by another run."""
    receiver.start()
    events = emitted(2)
    locked, release = threading.Event(), threading.Event()

    def other_run():
        try:
            with transaction.atomic():
                OutboxEvent.objects.select_for_update().get(pk=events[0].pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=other_run)
    holder.start()
    assert locked.wait(30)
    try:
        assert outbox_deliver() == 0 and receiver.received == []
    finally:
        release.set()
        holder.join()
    assert outbox_deliver() == 2 and received_ids(receiver) == ids(events)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_every_event_once_in_order(receiver):
    """Three workers' beats overlapping on a slow ERP (0.3 s a request), each run short so
    runs hand over to each other mid-queue."""
    receiver.delay = 0.3
    receiver.start()
    events = emitted(8)
    start = threading.Barrier(3)

    def worker_beats():
        start.wait()
        delivered = 0
        try:
            while OutboxEvent.objects.filter(delivered_at__isnull=True).exists():
                delivered += outbox_deliver(seconds=0.4)
                time.sleep(0.05)
        finally:
            connection.close()
        return delivered

    with ThreadPoolExecutor(max_workers=3) as pool:
        counts = [f.result() for f in [pool.submit(worker_beats) for _ in range(3)]]
    assert received_ids(receiver) == ids(events)
    assert sum(counts) == 8 and DeliveryAttempt.objects.count() == 8


DELIVER = "import django; django.setup(); from core.outbox import outbox_deliver; outbox_deliver()"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_send_is_taken_over_within_seconds(receiver, settings):
    """kill -9 while the ERP holds the second event: PostgreSQL drops the dead run's row lock
    with its connection, the next run sends the rest, and only the event in flight arrives
    twice (the same X-Event-Id, which the ERP drops)."""
    # Imported here: both modules import this one's Receiver.
    from tests.outbox.conftest import wait_until
    from tests.test_celery_worker import database_url

    receiver.hold_at = 2
    receiver.start()
    events = emitted(4)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ERP_WEBHOOK_URL": receiver.url,
        "ERP_WEBHOOK_SECRET": SECRET,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    run = subprocess.Popen([sys.executable, "-c", DELIVER], env=env, cwd=settings.BASE_DIR)
    try:
        wait_until(lambda: len(receiver.received) == 2, seconds=60)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    receiver.resume.set()
    wait_until(lambda: outbox_deliver() == 3, seconds=10)
    assert received_ids(receiver) == ids(events[:2]) + ids(events[1:])
    assert [e.attempts for e in OutboxEvent.objects.all()] == [1, 1, 1, 1]
