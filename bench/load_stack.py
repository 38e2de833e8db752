"""The production-like stack the load test drives, started and stopped by the harness:
gunicorn (``config.wsgi``, DEBUG off), a Celery worker and beat, a slow ERP receiver, and the
chaos that kills web workers. Every process is started in a session of its own so that
``Stack.stop`` can end it and all its children by process-group id, even after Ctrl-C.
"""

import hashlib
import hmac
import http.client
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def stack_env(*, database_url, redis_url, erp_url, erp_secret):
    """The production settings (README "Production"): DEBUG off, the run's random key
    (``load_test.django_setup`` set it, so sessions and audit keys match the seed's)."""
    return {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://{HOST}",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ERP_WEBHOOK_URL": erp_url,
        "ERP_WEBHOOK_SECRET": erp_secret,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


class Receiver:
    """The ERP: answers each event after ``delay`` seconds, records its ``X-Event-Id`` and
    whether the HMAC signature matched the body."""

    def __init__(self, *, port, secret, delay):
        self.secret, self.delay = secret.encode(), delay
        self.received = Counter()
        self.bad_signatures = 0
        self.last_seen = time.monotonic()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.delay)
                receiver.record(
                    self.headers.get("X-Event-Id", ""), body, self.headers.get("X-Signature", "")
                )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # quiet: the harness prints its own table
                pass

        self.server = ThreadingHTTPServer((HOST, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{port}/erp/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def record(self, event_id, body, given):
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        with self.lock:
            self.received[event_id] += 1
            self.bad_signatures += not hmac.compare_digest(expected, given)
            self.last_seen = time.monotonic()

    def start(self):
        self.thread.start()

    def stop(self):
        if self.thread.is_alive():  # shutdown() would wait forever for a loop never started
            self.server.shutdown()
        self.server.server_close()


class Stack:
    """gunicorn + Celery worker + beat on the given database and Redis; ``stop`` ends all."""

    def __init__(self, *, env, port, workers, log_dir):
        self.scratch = tempfile.mkdtemp(prefix="load-stack-")  # static files, beat schedule
        self.env = {**env, "STATIC_ROOT": os.path.join(self.scratch, "static")}
        self.port, self.workers = port, workers
        self.log_dir = Path(log_dir)
        self.processes = {}

    def spawn(self, name, *command):
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = (
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            log,
        )

    def start(self):
        code, output = manage(self.env, "collectstatic", "--noinput", "-v0")
        if code:
            raise RuntimeError(f"collectstatic failed: {output}")
        self.spawn(
            "gunicorn",
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--no-control-socket",  # its default path is shared by every gunicorn on the host
        )
        self.spawn(
            "worker",
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "--concurrency",
            "2",
        )
        self.spawn(
            "beat",
            str(BIN / "celery"),
            "-A",
            "config",
            "beat",
            "-l",
            "warning",
            "--schedule",
            os.path.join(self.scratch, "beat-schedule"),
        )
        self.wait_until_serving(timeout=90)

    def wait_until_serving(self, *, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, (process, _log) in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}: see its log")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/api/v1/work-orders/")
                connection.getresponse().read()  # 401 is fine: the app answers
                connection.close()
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer on port {self.port} within {timeout} s")

    def web_workers(self):
        """The gunicorn master's children (its workers), read from /proc."""
        master = self.processes["gunicorn"][0].pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def server_errors(self):
        """From gunicorn's log: the database errors (class -> count), the 'Internal Server
        Error' lines (a view's 500, possibly retried by core.transactions before answering)
        and the transactions retried after a deadlock or serialization failure."""
        log = (self.log_dir / "gunicorn.log").read_text(errors="replace")
        causes = Counter(re.findall(r"^psycopg2\.errors\.(\w+):", log, re.MULTILINE))
        logged = len(re.findall(r"^Internal Server Error: ", log, re.MULTILINE))
        retried = len(re.findall(r"transaction attempt \d+ failed", log))
        return causes, logged, retried

    def stop(self):
        for _name, (process, _log) in self.processes.items():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, (process, log) in self.processes.items():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            log.close()
        self.processes.clear()
        shutil.rmtree(self.scratch, ignore_errors=True)


class WorkerKiller(threading.Thread):
    """kill -9 a random gunicorn worker every ``every`` seconds until ``deadline``; gunicorn
    forks a replacement, so the clients see dropped connections, never a dead site."""

    def __init__(self, *, stack, every, deadline, seed):
        super().__init__(daemon=True)
        self.stack, self.every, self.deadline = stack, every, deadline
        self.random = random.Random(seed)
        self.kills = 0

    def run(self):
        while time.monotonic() + self.every < self.deadline:
            time.sleep(self.every)
            workers = self.stack.web_workers()
            if workers:
                try:
                    os.kill(self.random.choice(workers), signal.SIGKILL)
                    self.kills += 1
                except ProcessLookupError:  # it was just being replaced
                    pass


def manage(env, *args, timeout=300):
    """``manage.py`` against the stack's settings; returns (exit code, output)."""
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, (done.stdout + done.stderr).strip()
