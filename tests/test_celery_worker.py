"""One real Celery worker against Redis and PostgreSQL (CI's PostgreSQL run): a task
dispatched from the web side is picked up, runs a service and its result comes back."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from config.celery import app
from core.models import OutboxEvent
from core.outbox import outbox_emit
from core.tasks import outbox_deliver_task
from tests.core.test_outbox import SECRET, Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# One solo worker on the default queue, quiet, without the cluster chatter tests don't need.
WORKER_COMMAND = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "config",
    "worker",
    "--pool=solo",
    "--concurrency=1",
    "--loglevel=WARNING",
    "--without-heartbeat",
    "--without-gossip",
    "--without-mingle",
    "-Q",
    "celery",
]


def worker_env(receiver, **extra):
    """The worker's environment: this test database, ``receiver`` as the ERP."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ERP_WEBHOOK_URL": receiver.url,
        "ERP_WEBHOOK_SECRET": SECRET,
        **extra,
    }


@pytest.fixture
def worker(settings):
    receiver = Receiver()
    receiver.start()
    process = subprocess.Popen(
        WORKER_COMMAND, env=worker_env(receiver), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    yield receiver
    process.terminate()
    process.wait(timeout=30)
    receiver.stop()


def test_worker_delivers_the_outbox(worker):
    app.control.purge()
    event = outbox_emit(topic="return.posted", payload={"number": "RT-202611-0001"})
    result = outbox_deliver_task.delay()
    assert result.get(timeout=60) == 1
    deadline = time.monotonic() + 10
    while not OutboxEvent.objects.get(pk=event.pk).delivered_at and time.monotonic() < deadline:
        time.sleep(0.2)
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None
    assert [r["id"] for r in worker.received] == [str(event.event_id)]
