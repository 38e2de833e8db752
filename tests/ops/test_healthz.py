"""``/healthz`` (issue #14): JSON, 200 when the database, cache, broker and disk answer,
503 naming what failed otherwise; no login, no Host check, no HTTPS redirect; fast."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.health import DiskSpace

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {"Database(alias='default')", "Cache(alias='default')", "CeleryBroker()", "DiskSpace()"}


def test_healthz_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": dict.fromkeys(CHECKS, "ok")}
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_healthz_skips_the_host_check_and_the_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["matreturns.example.com"]
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_a_full_disk_is_unhealthy(client, db, settings):
    settings.HEALTH_DISK_MAX_PERCENT = 0
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["DiskSpace()"] == "unavailable"
    assert body["checks"]["Database(alias='default')"] == "ok"
    assert DiskSpace().max_usage_percent == 0


@pytest.mark.django_db(transaction=True)
def test_healthz_under_concurrent_load_never_errors(live_server):
    def probe(_):
        started = time.monotonic()
        with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10) as answer:
            return answer.status, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(probe, range(40)))
    assert {status for status, _ in results} == {200}
    assert max(seconds for _, seconds in results) < 5


def django_with_database_stopped(*args):
    """``manage.py`` whose database is a port nothing listens on (a stopped PostgreSQL)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/stopped",
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_healthz_is_503_json_with_the_database_stopped():
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, json.dumps(r.json(), sort_keys=True))\n"
    )
    result = django_with_database_stopped("-c", code)
    status, _, body = result.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503", result.stdout + result.stderr
    assert '"Database(alias=\'default\')": "unavailable"' in body
    assert '"status": "fail"' in body
    assert "127.0.0.1" not in body  # the reason is logged, not shown


def test_the_compose_probe_command_fails_with_the_database_stopped():
    result = django_with_database_stopped("manage.py", "health_check", "healthz", "--no-http")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Database(alias='default')" in result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_answers_503_over_http_with_the_database_stopped(tmp_path):
    """The image's own server (its CMD), DEBUG off, a real HTTP GET: no test client."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/stopped",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "MEDIA_ROOT": str(tmp_path),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "config.wsgi:application",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
            except urllib.error.HTTPError as error:
                status, body = error.code, json.loads(error.read())
                break
            except OSError:  # not listening yet
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.25)
            else:
                pytest.fail("/healthz answered 200 with the database stopped")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["Database(alias='default')"] == "unavailable"
    assert body["checks"]["DiskSpace()"] == "ok"
