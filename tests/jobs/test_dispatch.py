"""Dispatch that survives Redis: with the broker down a write still commits and its task
waits in the table; once Redis is back the task goes out and a real worker runs it, once
in effect. Without a broker (no REDIS_URL) tasks run in-process after commit."""

from datetime import date

import pytest
from django.db import transaction

from core.models import OutboxEvent
from core.outbox import outbox_emit
from core.tasks import outbox_deliver_task
from finance.models import MonthEnd
from finance.tasks import month_end_task
from jobs.dispatch import deferred_redispatch, dispatch_after_commit
from jobs.models import DeferredDispatch
from jobs.tasks import jobs_redispatch
from tests.jobs.conftest import wait_until

pytestmark = pytest.mark.django_db


def emit_and_dispatch():
    """A write that hands work to Celery: an ERP event, delivered by a task after commit."""
    with transaction.atomic():
        event = outbox_emit(topic="return.posted", payload={"number": "RT-202611-0001"})
        dispatch_after_commit(outbox_deliver_task)
    return event


def test_broker_down_the_write_commits_and_the_task_waits(
    broker, django_capture_on_commit_callbacks
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        event = emit_and_dispatch()
    assert OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=True).exists()
    deferred = DeferredDispatch.objects.get()
    assert (deferred.task_name, deferred.args, deferred.attempts) == (
        "core.tasks.outbox_deliver_task",
        [],
        1,
    )
    assert "refused" in deferred.last_error


def test_redispatch_keeps_the_row_while_the_broker_is_still_down(broker):
    DeferredDispatch.objects.create(task_name="finance.tasks.month_end_task", args=["2026-10"])
    broker.down()
    assert jobs_redispatch() == 0
    deferred = DeferredDispatch.objects.get()
    assert deferred.attempts == 1 and "refused" in deferred.last_error


def test_without_a_broker_the_task_runs_after_commit_only(
    broker, django_capture_on_commit_callbacks
):
    broker.eager()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            dispatch_after_commit(month_end_task, "2026-10")
        with pytest.raises(RuntimeError), transaction.atomic():
            dispatch_after_commit(month_end_task, "2026-09")
            raise RuntimeError("rolled back")
    assert list(MonthEnd.objects.values_list("month", flat=True)) == [date(2026, 10, 1)]
    assert not DeferredDispatch.objects.exists()


def delivered_once(receiver, event):
    wait_until(lambda: OutboxEvent.objects.get(pk=event.pk).delivered_at is not None)
    assert not DeferredDispatch.objects.exists()
    assert [r["id"] for r in receiver.received] == [str(event.event_id)]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_sends_what_waited_for_redis(broker, worker):
    broker.down()
    event = emit_and_dispatch()
    assert DeferredDispatch.objects.count() == 1
    broker.up()
    receiver = worker.start()  # worker_ready -> jobs_redispatch
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
    deferred_redispatch()
    deferred_redispatch()  # a second beat tick finds nothing left to send
    delivered_once(receiver, event)
