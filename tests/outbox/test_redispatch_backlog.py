"""Dispatch without Redis, on the SQLite run too (Celery eager, tasks in-process): a task
goes only once its transaction has committed, and one redispatch run sends the whole
backlog that waited for the broker, oldest first, each task once."""

from datetime import date

import pytest
from django.db import transaction

from core.outbox_tasks import outbox_dispatch, outbox_tasks_send
from finance.models import MonthEnd
from finance.tasks import month_end_task
from tests.outbox.conftest import task_row, waiting_tasks

pytestmark = pytest.mark.django_db


def test_the_task_waits_for_the_commit(broker, django_capture_on_commit_callbacks):
    broker.eager()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_dispatch(month_end_task, "2026-10")
        assert not MonthEnd.objects.exists()  # the task sees only committed data
    assert MonthEnd.objects.get().month == date(2026, 10, 1)


def test_one_redispatch_sends_the_whole_backlog_once_oldest_first(broker):
    months = ["2026-08", "2026-09", "2026-10"]
    for month in months:
        task_row(month_end_task.name, month)
    broker.eager()
    assert outbox_tasks_send(limit=10) == 3
    assert not waiting_tasks().exists()
    sent = MonthEnd.objects.order_by("pk").values_list("month", flat=True)
    assert [f"{month:%Y-%m}" for month in sent] == months
