"""Two-transaction choreography on PostgreSQL: run a step in its own thread (own connection),
and wait until a backend is blocked on a lock, so an interleaving is forced, not hoped for."""

import threading
import time

from django.db import connection, connections

WAIT_LIMIT_SECONDS = 20


class Session(threading.Thread):
    """``work(session)`` in a thread with its own database connection; ``pid`` is its
    backend, ``error`` what it raised (the tests assert on it), ``result`` what it returned."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.pid, self.result, self.error = work, None, None, None
        self.started_work = threading.Event()

    def run(self):
        try:
            self.pid = backend_pid()
            self.started_work.set()
            self.result = self.work(self)
        except Exception as error:  # noqa: BLE001 - the test asserts on what was raised
            self.error = error
        finally:
            self.started_work.set()
            connections.close_all()

    def begin(self):
        self.start()
        self.started_work.wait()
        return self


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_blocked(pid):
    """Poll (from another connection) until backend ``pid`` waits for a lock."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while time.monotonic() < deadline:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError(f"backend {pid} never blocked on a lock")
