"""Dispatch without Redis, on the SQLite run too (Celery eager, tasks in-process): a task
goes only once its transaction has committed, and one redispatch run sends the whole
backlog that waited for the broker, oldest first, each task once."""

from datetime import date

import pytest
from django.db import transaction

from finance.models import MonthEnd
from finance.tasks import month_end_task
from jobs.dispatch import deferred_redispatch, dispatch_after_commit
from jobs.models import DeferredDispatch

pytestmark = pytest.mark.django_db


def test_the_task_waits_for_the_commit(broker, django_capture_on_commit_callbacks):
    broker.eager()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        dispatch_after_commit(month_end_task, "2026-10")
        assert not MonthEnd.objects.exists()  # the task sees only committed data
    assert MonthEnd.objects.get().month == date(2026, 10, 1)


def test_one_redispatch_sends_the_whole_backlog_once_oldest_first(broker):
    months = ["2026-08", "2026-09", "2026-10"]
    for month in months:
        DeferredDispatch.objects.create(task_name=month_end_task.name, args=[month])
    broker.eager()
    assert deferred_redispatch(limit=10) == 3
    assert not DeferredDispatch.objects.exists()
    sent = MonthEnd.objects.order_by("pk").values_list("month", flat=True)
    assert [f"{month:%Y-%m}" for month in sent] == months
