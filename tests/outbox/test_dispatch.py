"""Dispatch that survives Redis: with the broker down a write still commits and its task
waits in the table; once Redis is back the task goes out and a real worker runs it, once
in effect. Without a broker (no REDIS_URL) tasks run in-process after commit."""

from datetime import date

import pytest
from django.db import transaction

from core.models import OutboxEvent
from core.outbox import outbox_emit
from core.outbox_tasks import outbox_dispatch, outbox_tasks_send
from core.tasks import outbox_deliver_task, outbox_tasks_send_task
from finance.models import MonthEnd
from finance.tasks import month_end_task
from tests.outbox.conftest import task_row, wait_until, waiting_tasks

pytestmark = pytest.mark.django_db


def emit_and_dispatch():
    """A write that hands work to Celery: an ERP event, delivered by a task after commit."""
    with transaction.atomic():
        event = outbox_emit(topic="return.posted", payload={"number": "RT-202611-0001"})
        outbox_dispatch(outbox_deliver_task)
    return event


def test_broker_down_the_write_commits_and_the_task_waits(
    broker, django_capture_on_commit_callbacks
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        event = emit_and_dispatch()
    assert OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=True).exists()
    deferred = waiting_tasks().get()
    assert (deferred.topic, deferred.payload["args"], deferred.attempts) == (
        "core.tasks.outbox_deliver_task",
        [],
        1,
    )
    assert "refused" in deferred.last_error


def test_redispatch_keeps_the_row_while_the_broker_is_still_down(broker):
    task_row("finance.tasks.month_end_task", "2026-10")
    broker.down()
    assert outbox_tasks_send_task() == 0
    deferred = waiting_tasks().get()
    assert deferred.attempts == 1 and "refused" in deferred.last_error


def test_without_a_broker_the_task_runs_after_commit_only(
    broker, django_capture_on_commit_callbacks
):
    broker.eager()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox_dispatch(month_end_task, "2026-10")
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_dispatch(month_end_task, "2026-09")
            raise RuntimeError("rolled back")
    assert list(MonthEnd.objects.values_list("month", flat=True)) == [date(2026, 10, 1)]
    assert not waiting_tasks().exists()


def delivered_once(receiver, event):
    wait_until(lambda: OutboxEvent.objects.get(pk=event.pk).delivered_at is not None)
    assert not waiting_tasks().exists()
    assert [r["id"] for r in receiver.received] == [str(event.event_id)]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_sends_what_waited_for_redis(broker, worker):
    broker.down()
    event = emit_and_dispatch()
    assert waiting_tasks().count() == 1
    broker.up()
    receiver = worker.start()  # worker_ready -> outbox_tasks_send_task
    delivered_once(receiver, event)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redispatch_after_redis_is_back_runs_the_task_once(broker, worker):
    receiver = worker.start()
    worker.wait_ready()
    broker.down()
    event = emit_and_dispatch()
    broker.up()
    outbox_tasks_send()
    outbox_tasks_send()  # a second beat tick finds nothing left to send
    delivered_once(receiver, event)
