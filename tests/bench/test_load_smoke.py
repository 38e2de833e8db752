"""The load test (bench/load_test.py, BENCHMARKS.md) still runs end to end: a few seconds of
traffic from four clients against its own stack, with dropped responses and worker kills.
Every row must pass: no 5xx, no refused operation, every integrity check, the baseline's
drift (a few seconds prove little about rare deadlocks: the 5-minute run does)."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
LOAD_REDIS_DB = 14
MUST_PASS = [
    "5xx responses",
    "operations refused (4xx)",
    "drift (check_ledger)",
    "negative balances",
    "duplicate bookings",
    "acknowledged but not booked",
    "events delivered exactly once",
    "naive baseline shows drift",
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def own_redis_url():
    """The load test flushes its Redis database: a database of its own on the suite's
    server, never the suite's (CI's is 15, which the load test refuses)."""
    return urlparse(os.environ["REDIS_URL"])._replace(path=f"/{LOAD_REDIS_DB}").geturl()


def test_load_test_runs_and_judges():
    done = subprocess.run(
        [
            sys.executable,
            "bench/load_test.py",
            "--seconds",
            "6",
            "--clients",
            "4",
            "--kill-every",
            "2",
            "--erp-delay",
            "0.05",
            "--drain-seconds",
            "120",
            "--baseline-moves",
            "40",
            "--port",
            str(free_port()),
            "--erp-port",
            str(free_port()),
            "--redis-url",
            own_redis_url(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = dict(re.findall(r"^(.+?)\s+(PASS|FAIL)\s", done.stdout, re.MULTILINE))
    assert {check: results.get(check) for check in MUST_PASS} == dict.fromkeys(MUST_PASS, "PASS"), (
        done.stdout
    )
    assert re.search(r"web workers killed: [1-9]", done.stdout), done.stdout
