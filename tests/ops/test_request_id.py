"""One request id (issue #14): accepted from the caller or made, sent back on every answer,
written on the log lines, stored on the audit event (and hashed there), carried into the
Celery tasks the request publishes."""

import io
import json
import logging

import pytest
from celery import signals

from audit.keys import audit_keys
from audit.models import AuditEvent
from audit.selectors import audit_chain_problems
from audit.services import audit_record, event_hash
from core.logging import JsonFormatter, RequestIdFilter
from core.outbox_tasks import outbox_dispatch, outbox_tasks_send
from core.request_id import (
    REQUEST_ID_HEADER,
    TASK_HEADER,
    _add_header,
    accepted_or_new,
    bound,
    current_request_id,
)
from core.tasks import outbox_deliver_task
from tests.materials_api.test_api import MATERIALS, material_payload  # noqa: F401
from tests.outbox.conftest import Broker

pytestmark = pytest.mark.django_db


def test_a_plain_caller_id_is_kept_anything_else_is_replaced():
    assert accepted_or_new("lb-7f3a.2:x@y") == "lb-7f3a.2:x@y"
    for bad in ("", None, "a b", "x" * 65, "<script>", "id\nforged"):
        made = accepted_or_new(bad)
        assert made != bad and len(made) == 32


def test_the_id_is_bound_only_inside_its_block():
    assert current_request_id() == ""
    with bound("outer"):
        with bound("inner"):
            assert current_request_id() == "inner"
        assert current_request_id() == "outer"
    assert current_request_id() == ""


def test_pages_and_api_answers_send_the_callers_id_back(client, api):
    page = client.get("/accounts/login/", HTTP_X_REQUEST_ID="trace-123")
    assert page[REQUEST_ID_HEADER] == "trace-123"
    answer = api.get("/api/v1/materials/", HTTP_X_REQUEST_ID="bad id!")
    assert answer.status_code == 200
    assert answer[REQUEST_ID_HEADER] != "bad id!" and len(answer[REQUEST_ID_HEADER]) == 32


def test_the_audit_event_stores_the_request_id(api, material_payload):  # noqa: F811
    response = api.post(MATERIALS, material_payload, format="json", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 201, response.data
    assert AuditEvent.objects.get(action="material.create").request_id == "req-42"
    # Found again by that id: in the API (and the admin's search).
    found = api.get("/api/v1/audit-events/", {"request_id": "req-42"}).json()["results"]
    assert [(row["action"], row["request_id"]) for row in found] == [("material.create", "req-42")]


def test_the_request_id_is_part_of_the_hash_when_present():
    with bound("req-7"):
        event = audit_record(actor=None, action="test.one", object_type="t", object_id="1")
    plain = audit_record(actor=None, action="test.two", object_type="t", object_id="2")
    assert (event.request_id, plain.request_id) == ("req-7", "")
    assert audit_chain_problems() == []
    # The stored id is signed: another one no longer matches the row's hash.
    event.request_id = "req-8"
    assert event_hash(event, audit_keys()[event.key_id]) != event.hash


def log_line(formatter, message, **extra):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(message, extra=extra)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


def test_json_log_lines_carry_the_bound_request_id():
    with bound("req-json"):
        line = log_line(JsonFormatter(), "库存 ok", workshop="W1")
    record = json.loads(line)
    assert record["message"] == "库存 ok"
    assert (record["level"], record["logger"]) == ("WARNING", "tests.request_id")
    assert (record["request_id"], record["workshop"]) == ("req-json", "W1")
    assert "asctime" in record
    assert json.loads(log_line(JsonFormatter(), "outside"))["request_id"] == "-"


def test_a_published_task_carries_the_request_id_in_its_headers():
    headers = {}
    _add_header(headers=headers)
    assert TASK_HEADER not in headers  # no request, no header
    with bound("req-task"):
        _add_header(headers=headers)
    assert headers[TASK_HEADER] == "req-task"


@pytest.fixture
def memory_broker():
    """A broker in this process (Kombu's memory transport), not eager: a publish happens."""
    switch = Broker()
    switch.configure(broker_url="memory://", task_always_eager=False)
    yield
    switch.up()


def test_a_task_that_waited_in_the_outbox_still_carries_its_request_id(memory_broker):
    """The broker refused it during the request (here: the commit has not come), beat's drain
    publishes it later, outside any request: the header still names the request."""
    with bound("req-waited"):
        outbox_dispatch(outbox_deliver_task)
    published = []

    def seen(headers=None, **kwargs):
        published.append(dict(headers or {}))

    signals.before_task_publish.connect(seen, weak=False)
    try:
        assert current_request_id() == "" and outbox_tasks_send() == 1
    finally:
        signals.before_task_publish.disconnect(seen)
    assert [headers.get(TASK_HEADER) for headers in published] == ["req-waited"]
