"""Issue #12 defect 5: beat could not publish the idempotency purge (its hard limit was
below the global soft limit, so ``apply_async`` raised and beat logged a SchedulingError
every hour). Every beat entry is published here through beat's own scheduler and a
non-eager Celery app configured from our settings, on the in-memory broker."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from celery import Celery
from celery.beat import Scheduler
from celery.result import EagerResult
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import beat_entries_sent_at_start
from core.models import IdempotencyKey
from core.tasks import idempotency_keys_purge_task

PROJECT_APPS = ("alerts.", "audit.", "core.", "reports.", "returns.")


@pytest.fixture(scope="module")
def publishing_app():
    """Our Celery configuration as beat runs it (never eager), publishing to memory."""
    app = Celery("beat-check", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url="memory://", result_backend=None, task_always_eager=False)
    app.autodiscover_tasks(force=True)
    app.finalize(auto=True)
    return app


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_beat_publishes_every_scheduled_task(publishing_app, name):
    scheduler = Scheduler(app=publishing_app, lazy=True)
    entry = scheduler.Entry(name=name, app=publishing_app, **settings.CELERY_BEAT_SCHEDULE[name])
    assert entry.task in publishing_app.tasks, f"{entry.task} is not a registered task"
    result = scheduler.apply_async(entry, advance=False)  # SchedulingError fails the test
    assert result.id and not isinstance(result, EagerResult)


def test_every_task_has_a_soft_limit_below_its_hard_limit(publishing_app):
    ours = [task for name, task in publishing_app.tasks.items() if name.startswith(PROJECT_APPS)]
    assert ours
    for task in ours:
        assert 0 < task.soft_time_limit < task.time_limit, task.name


@pytest.mark.django_db
def test_the_purge_task_deletes_keys_past_their_retention():
    old, fresh = (
        IdempotencyKey.objects.create(scope="user:1", key=key, method="POST", path="/api/")
        for key in ("old", "fresh")
    )
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert idempotency_keys_purge_task.apply().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [fresh.key]


class SendingApp:
    """Beat's app as the start handler sees it: records what is sent, or fails like a
    broker that is down."""

    def __init__(self, error=None):
        self.sent, self.error = [], error

    def send_task(self, name, **options):
        if self.error:
            raise self.error
        self.sent.append(name)


def test_beat_sends_the_alert_checks_once_as_it_starts(settings):
    assert settings.BEAT_RUN_AT_START == ["alerts-hourly", "alerts-daily"]
    app = SendingApp()
    beat_entries_sent_at_start(sender=SimpleNamespace(app=app))
    assert app.sent == ["alerts.tasks.alerts_check_hourly", "alerts.tasks.alerts_check_daily"]


def test_beat_starts_although_the_broker_is_down():
    app = SendingApp(error=OperationalError("connection refused"))
    beat_entries_sent_at_start(sender=SimpleNamespace(app=app))  # no exception
    assert app.sent == []
