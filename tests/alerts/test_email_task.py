"""E-mail leaves from a Celery task (issue #13 item 6): an SMTP server down costs the web
nothing, the task retries with backoff, and each notification is e-mailed at most once
(``emailed_at`` on its row), however often the task runs."""

import pytest
from celery.exceptions import Retry

from alerts.models import Notification
from alerts.services import notify
from alerts.tasks import EMAIL_RETRIES, alerts_check_hourly, notifications_email_task
from config.celery import app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", email="ann@example.com")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2


def in_worker(task, *args, retries=0):
    """Run ``task`` as a worker would (not eager), at its ``retries``-th retry."""
    task.push_request(
        id=f"test-{retries}",
        args=list(args),
        kwargs={},
        retries=retries,
        is_eager=False,
        called_directly=False,
    )
    try:
        return task.run(*args)
    finally:
        task.pop_request()


def test_the_task_sends_each_notification_once(ann, mailoutbox):
    [notification] = notify(users=[ann], title="Stock arrived", body="BOLT 10")
    assert notifications_email_task(ids=[notification.pk]) == 1
    assert notifications_email_task(ids=[notification.pk]) == 0  # run twice: sent once
    assert [m.subject for m in mailoutbox] == ["Stock arrived"]


def test_smtp_down_in_a_worker_the_task_retries_with_backoff(ann, smtp_down, mailoutbox):
    [notification] = notify(users=[ann], title="Stock arrived", body="")
    app.conf.task_always_eager = False  # the retry is published, not run here
    with pytest.raises(Retry) as retry:
        in_worker(notifications_email_task, [notification.pk], retries=2)
    assert retry.value.when == 240  # 60 s doubled twice
    notification.refresh_from_db()
    assert notification.emailed_at is None  # not marked: the retry sends it


def test_past_its_retries_the_hourly_check_sends_it(ann, smtp_down, settings, mailoutbox):
    [notification] = notify(users=[ann], title="Stock arrived", body="")
    assert in_worker(notifications_email_task, [notification.pk], retries=EMAIL_RETRIES) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # SMTP is back
    alerts_check_hourly()
    assert [m.subject for m in mailoutbox] == ["Stock arrived"]
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


def test_smtp_down_the_request_still_succeeds(ann, smtp_down, django_capture_on_commit_callbacks):
    """In-process (no broker), the failed send is logged, not raised: the write stands."""
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(users=[ann], title="Stock arrived", body="")
    assert Notification.objects.get(pk=notification.pk).emailed_at is None
