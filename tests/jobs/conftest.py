import os
import subprocess
import sys
import time

import pytest

from config.celery import app
from tests.core.test_outbox import SECRET, Receiver
from tests.test_celery_worker import database_url

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: Redis is "down"


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


class Worker:
    """A real ``celery worker`` subprocess delivering ERP events to a local receiver."""

    def __init__(self):
        self.receiver, self.process = Receiver(), None

    def start(self):
        self.receiver.start()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ERP_WEBHOOK_URL": self.receiver.url,
            "ERP_WEBHOOK_SECRET": SECRET,
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            "celery",
        ]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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
