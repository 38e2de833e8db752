"""A real Celery worker (CI's PostgreSQL run, Redis): a task published while a request is
served runs with that request's id, so its JSON log lines name the request (issue #14)."""

import json
import os
import subprocess
import sys
import time

import pytest

from core.request_id import bound
from core.tasks import outbox_deliver_task
from tests.test_celery_worker import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def json_worker(tmp_path):
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "ERP_WEBHOOK_URL": "",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", "celery"]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    yield log
    process.terminate()
    process.wait(timeout=30)


def json_lines(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            yield json.loads(line)


def test_a_tasks_log_lines_carry_the_request_id_that_caused_it(json_worker):
    with bound("req-from-web-42"):
        result = outbox_deliver_task.delay()
    unrelated = outbox_deliver_task.delay()  # published outside any request
    assert result.get(timeout=60) == 0 and unrelated.get(timeout=60) == 0
    deadline = time.monotonic() + 10
    done = {}
    while time.monotonic() < deadline and len(done) < 2:
        done = {
            task_id: line["request_id"]
            for line in json_lines(json_worker)
            for task_id in (result.id, unrelated.id)
            if task_id in line["message"] and "succeeded" in line["message"]
        }
        time.sleep(0.2)
    assert done == {result.id: "req-from-web-42", unrelated.id: "-"}
