"""`make run` is the whole product (issue #14 item 1): a Celery worker and beat beside the
web on Kombu's filesystem transport, not eager. The worker and beat are started here with
the command lines and broker the Makefile gives them; a lot near expiry is found by beat's
alert check at start, with nobody running ``check_alerts``, and a task the web dispatches
after its commit reaches the worker through the broker's folder. The acceptance line runs
`make run` itself: it serves, the demo's overdue leftovers are notified, and Ctrl-C leaves
no process behind."""

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from alerts.models import AlertKind, Notification
from config.celery import app
from core.models import IdempotencyKey
from core.outbox_tasks import outbox_dispatch
from core.tasks import idempotency_keys_purge_task
from portal.demo import USERS
from tests.builders import batch_material, days_from_today, location, receive
from tests.factories import UserFactory
from tests.makefile import make, target_env, variable
from tests.test_celery_worker import database_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def make_run_env():
    """The environment `make run` gives its processes when the shell sets nothing."""
    return target_env("run", {"CELERY_BROKER_URL", "REDIS_URL", "DATABASE_URL", "DEBUG"})


def make_command(name):
    """One of the Makefile's command lines (RUN_WORKER, RUN_BEAT), with ``celery`` run by
    this interpreter so the test needs no .venv."""
    words = shlex.split(variable(name))
    assert Path(words[0]).name == "celery", words
    return [sys.executable, "-m", "celery", *words[1:]]


def settings_seen(env, *names):
    """Settings as a process started with ``env`` sees them."""
    code = "from django.conf import settings as s\nfor n in %r: print(repr(getattr(s, n)))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code % (names,)],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-len(names) :]  # after the shell's own notices


def test_make_run_uses_the_filesystem_broker_and_is_not_eager(make_run_env, tmp_path):
    assert make_run_env["CELERY_BROKER_URL"].startswith("filesystem://")
    env = {**make_run_env, "CELERY_BROKER_FOLDER": str(tmp_path)}
    eager, options = settings_seen(
        env, "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_TRANSPORT_OPTIONS"
    )
    assert eager == "False"
    assert str(tmp_path / "queue") in options
    assert (tmp_path / "queue").is_dir() and (tmp_path / "control").is_dir()


def test_without_a_broker_tasks_run_eagerly(tmp_path):
    """The zero-setup default (the test suite without Redis) is unchanged."""
    assert settings_seen({"DEBUG": "1"}, "CELERY_TASK_ALWAYS_EAGER") == ["True"]


def test_make_run_starts_worker_beat_and_web_and_traps_ctrl_c():
    recipe = make("-n", "run", unset={"CELERY_BROKER_URL", "REDIS_URL"}).splitlines()
    started = "\n".join(line for line in recipe if "trap" in line or "&" in line)
    assert "celery -A config worker" in started and "celery -A config beat" in started
    assert "manage.py runserver" in started
    assert "trap" in started and "INT TERM EXIT" in started


@pytest.fixture
def filesystem_broker(make_run_env, tmp_path):
    """This process publishes to the folder the worker reads, as the web does in `make run`."""
    options = {
        "data_folder_in": str(tmp_path / "broker" / "queue"),
        "data_folder_out": str(tmp_path / "broker" / "queue"),
        "control_folder": str(tmp_path / "broker" / "control"),
    }
    for folder in ("queue", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True)
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "broker_transport_options", "task_always_eager")
    }
    app.conf.update(
        broker_url=make_run_env["CELERY_BROKER_URL"],
        broker_transport_options=options,
        task_always_eager=False,
    )
    app._pool = app.amqp._producer_pool = None
    yield tmp_path / "broker"
    app.conf.update(saved)
    app._pool = app.amqp._producer_pool = None


@pytest.fixture
def embedded(make_run_env, filesystem_broker, tmp_path):
    """The worker and beat of `make run`, on this test's database and broker folder."""
    env = {
        **os.environ,
        **make_run_env,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_FOLDER": str(filesystem_broker),
    }
    env.pop("REDIS_URL", None)
    beat = make_command("RUN_BEAT")
    beat = [word for word in beat if not word.startswith("--schedule")]
    beat.append(f"--schedule={tmp_path / 'celerybeat-schedule'}")
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for command in (make_command("RUN_WORKER"), beat)
    ]
    yield processes
    for process in processes:  # what the Makefile's trap does: TERM to each main process
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):  # pool children left behind
                os.killpg(process.pid, signal.SIGKILL)


def wait_until(condition, seconds=40, waiting_for="the condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {waiting_for}"
        time.sleep(0.25)


@pytest.mark.postgres  # the worker's processes share the test database
@pytest.mark.django_db(transaction=True)
def test_beat_raises_the_alerts_at_start_and_the_worker_runs_dispatched_tasks(embedded):
    keeper = UserFactory(username="keeper-run")
    keeper.groups.add(Group.objects.get_or_create(name="keeper")[0])
    glue = batch_material(code="GLUE")
    receive(glue, location("A"), 20, keeper, batch_no="G1", expiry_date=days_from_today(10))
    old = IdempotencyKey.objects.create(scope="user:1", key="old", method="POST", path="/api/")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    notified = Notification.objects.filter(user=keeper, alert__kind=AlertKind.LOT_EXPIRING)
    wait_until(notified.exists)  # beat's start sent alerts-daily; nobody ran check_alerts

    outbox_dispatch(idempotency_keys_purge_task)  # outside a transaction: at once
    wait_until(lambda: not IdempotencyKey.objects.filter(pk=old.pk).exists())

    for process in embedded:  # Ctrl-C in `make run`: the trap sends TERM, both stop
        process.terminate()
    assert [process.wait(timeout=30) for process in embedded] == [0, 0]


def this_database_url():
    """The test database as a DATABASE_URL, on PostgreSQL or on SQLite (a file here)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return database_url()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url):
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        return True  # an answer all the same
    except OSError:
        return False  # not listening yet
    return True


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def make_run(tmp_path):
    """`make run` itself, in its own process group as a terminal runs it; its `demo`
    prerequisite (migrate, seed_demo) is the test's to do (``-o demo``), its processes are
    this interpreter's ``celery`` and ``python`` (``BIN``) on this test's database."""
    port = free_port()
    chosen_by_make = {"CELERY_BROKER_URL", "REDIS_URL", "LOG_LEVEL", "MAKEFLAGS"}
    env = {key: value for key, value in os.environ.items() if key not in chosen_by_make}
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": this_database_url(),
        "CELERY_BROKER_FOLDER": str(tmp_path / "broker"),
    }
    command = ["make", "--no-print-directory", "-o", "demo", "run", f"HOST=127.0.0.1:{port}"]
    command += [f"BIN={Path(sys.executable).parent}", f"RUN_DIR={tmp_path / 'var'}"]
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    process.url, process.log = f"http://127.0.0.1:{port}/", log
    yield process
    with contextlib.suppress(ProcessLookupError):  # whatever a failed test left running
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_make_run_serves_notifies_the_demo_s_overdue_leftovers_and_stops_on_ctrl_c(
    reference_data, request
):
    """The acceptance line through `make run` itself: it prints the home page and the demo
    logins, serves, and beat's alert check at start finds WO-DEMO-005 (completed 30 h ago
    with leftovers, R-W5) and notifies its leader, with nobody running check_alerts; Ctrl-C
    (SIGINT to the whole process group, as a terminal sends it) stops web, worker and beat
    and leaves no process behind."""
    call_command("seed_demo")  # `make run`'s `demo` step, before worker and beat start
    process = request.getfixturevalue("make_run")

    def running(condition):
        assert process.poll() is None, process.log.read_text()
        return condition()

    wait_until(lambda: running(lambda: answers(process.url)), 180, "the home page")
    notified = Notification.objects.filter(
        user__username="leader", alert__kind=AlertKind.LEFTOVER_OVERDUE
    )
    wait_until(lambda: running(notified.exists), 60, "the leader's notification")
    # The worker logs its tasks (LOG_LEVEL INFO under `make run`).
    done = re.compile(r"Task alerts\.tasks\.alerts_check_daily\[[\w-]+\] succeeded")
    wait_until(lambda: running(lambda: done.search(process.log.read_text())), 60, "the task log")

    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
    process.wait(timeout=60)
    wait_until(lambda: not group_alive(process.pid), 30, "no process left in the group")

    output = process.log.read_text()
    assert f"Home page: {process.url}" in output
    logins = next(line for line in output.splitlines() if line.startswith("Demo logins"))
    assert sorted(logins.split("): ", 1)[1].split()) == sorted(USERS)
    assert "password: demo-pass-2026" in logins
    assert notified.get().alert.params["work_order"] == "WO-DEMO-005"
