import subprocess
import time

import pytest

from config.celery import app
from core.models import OutboxEvent, OutboxKind
from tests.core.test_outbox import Receiver
from tests.test_celery_worker import WORKER_COMMAND, worker_env

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: Redis is "down"


def waiting_tasks():
    """Task rows of the outbox: what waits for the broker."""
    return OutboxEvent.objects.filter(kind=OutboxKind.TASK)


def task_row(name, *args, **kwargs):
    """A task the broker refused earlier, as ``outbox_dispatch`` leaves it."""
    return OutboxEvent.objects.create(
        kind=OutboxKind.TASK, topic=name, payload={"args": list(args), "kwargs": kwargs}
    )


def pools_reset():
    """Drop the app's cached broker connections so the next publish uses the new URL."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_until(condition, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


class Broker:
    """The Celery app's broker as a test switch: down (a closed port, not eager), up (back
    to settings: Redis when REDIS_URL is set), or eager (no broker at all)."""

    def __init__(self):
        self.saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def configure(self, **values):
        app.conf.update(values)
        pools_reset()

    def down(self):
        self.configure(broker_url=CLOSED_PORT, task_always_eager=False)

    def up(self):
        self.configure(**self.saved)

    def eager(self):
        self.configure(task_always_eager=True)


@pytest.fixture
def broker():
    switch = Broker()
    yield switch
    switch.up()


@pytest.fixture
def redis_down(settings, broker):
    """REDIS_URL set, nothing listening: the cache and the broker both unreachable."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": settings.REDIS_TIMEOUTS,
        }
    }
    broker.down()


class Worker:
    """A real ``celery worker`` subprocess delivering ERP events to a local receiver;
    ``env`` adds to its environment."""

    def __init__(self):
        self.receiver, self.process, self.env = Receiver(), None, {}

    def start(self):
        self.receiver.start()
        self.process = subprocess.Popen(
            WORKER_COMMAND,
            env=worker_env(self.receiver, **self.env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self.receiver

    def wait_ready(self):
        wait_until(lambda: app.control.ping(timeout=1))

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.receiver.stop()


@pytest.fixture
def worker():
    app.control.purge()  # messages left in the queue by an earlier run
    started = Worker()
    yield started
    started.stop()
