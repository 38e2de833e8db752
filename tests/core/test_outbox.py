"""ERP outbox: events survive the receiver being down and arrive later, in order, once
per event id, signed with HMAC-SHA256."""

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from core.models import DeliveryAttempt, OutboxEvent
from core.outbox import outbox_deliver, outbox_emit, outbox_replay

pytestmark = pytest.mark.django_db
SECRET = "erp-shared-secret"


class Receiver:
    """A local ERP endpoint that can be down, fail, or record what it got."""

    def __init__(self):
        self.received, self.failing = [], False
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
