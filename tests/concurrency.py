"""Two-transaction choreography on PostgreSQL: run a step in its own thread (own connection),
and wait until a backend is blocked on a lock, so an interleaving is forced, not hoped for."""

import threading
import time

from django.db import connection, connections, transaction

WAIT_LIMIT_SECONDS = 20


class Session(threading.Thread):
    """``work(session)`` in a thread with its own database connection; ``pid`` is its
    backend, ``error`` what it raised (the tests assert on it), ``result`` what it returned."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.pid, self.result, self.error = work, None, None, None
        self.started_work, self.ready = threading.Event(), threading.Event()

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


def deadlock_once(*, victim_pid, first, then):
    """A second transaction that takes ``first`` (a callable taking a lock), waits until
    backend ``victim_pid`` blocks behind it, then takes ``then``, a lock the victim holds: a
    real deadlock. Its own ``deadlock_timeout`` is long, so PostgreSQL cancels the victim
    (40P01); this one then gets its lock and commits. Wait for ``ready`` before the victim."""

    def work(session):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL deadlock_timeout = '30s'")
            first()
            session.ready.set()
            wait_until_blocked(victim_pid)
            then()

    session = Session(work).begin()
    session.ready.wait()
    return session
