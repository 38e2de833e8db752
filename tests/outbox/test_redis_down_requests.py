"""Issue #13 item 6: with Redis down, a request whose work goes on in Celery (an e-mail, an
export) still answers 2xx; the task waits in the outbox, and once Redis is back the drain
sends it, once: the e-mail arrives once, the export is built once."""

import json

import pytest

from alerts.models import Notification
from alerts.services import notify
from core.outbox_tasks import outbox_tasks_send
from reports.models import ExportJob, ExportState
from returns.models import ShortageSlip
from returns.services.issuing import replenish_issue
from returns.services.replenish import replenish_submit
from tests.builders import location, receive, released_work_order
from tests.factories import MaterialFactory, UserFactory
from tests.outbox.conftest import wait_until, waiting_tasks
from tests.returns.builders import approve_all, line, replenishment
from workorders.services.issuing import IssueLine, work_order_issue

pytestmark = pytest.mark.django_db
EMAIL_TASK = "alerts.tasks.notifications_email_task"


@pytest.fixture
def short_slip(admin):
    """A replenishment of 20 BOLT issued with 5 on the shelf: 15 short, now in stock."""
    shelf, bolt = location("A"), MaterialFactory(code="BOLT")
    clerk = UserFactory(username="clerk-a", email="clerk@example.com")
    receive(bolt, shelf, 10, admin)
    work_order = released_work_order(admin, components=[(bolt, 1, 0)], number="WO-B")
    work_order_issue(work_order=work_order, actor=admin, lines=[IssueLine(bolt, 5, shelf)])
    request = replenishment(work_order, clerk, [line(bolt, 20)])
    approve_all(replenish_submit(replenish_request=request, actor=clerk))
    replenish_issue(replenish_request=request, actor=admin)
    receive(bolt, shelf, 15, admin)
    # The way here told people (R-N1, issue #15): these tests follow the fulfilment alone.
    Notification.objects.all().delete()
    waiting_tasks().delete()
    return ShortageSlip.objects.get(material=bolt)


def test_redis_down_the_fulfilment_answers_and_its_email_waits_then_goes_once(
    redis_down, broker, api, short_slip, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/shortages/{short_slip.pk}/fulfil/")
    assert response.status_code == 200, response.content
    assert not Notification.objects.exists() and mailoutbox == []
    [waiting] = waiting_tasks()
    assert (waiting.topic, waiting.payload["args"], waiting.attempts) == (
        "alerts.tasks.shortage_fulfilled_notify_task",
        [short_slip.pk],
        1,
    )

    broker.eager()  # Redis is back (tasks run here, as a worker would)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_tasks_send() == 1  # the notification, then its e-mail after the commit
    assert outbox_tasks_send() == 0  # the next minute's drain finds nothing
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["clerk@example.com"], f"Shortage {short_slip.number} fulfilled")
    ]
    notification = Notification.objects.get(user__username="clerk-a")
    assert notification.emailed_at is not None and not waiting_tasks().exists()


def test_redis_down_an_email_waits_in_the_outbox(
    redis_down, broker, mailoutbox, django_capture_on_commit_callbacks
):
    ann = UserFactory(username="ann", email="ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(users=[ann], title="Stock arrived", body="BOLT 10")
    [waiting] = waiting_tasks()
    assert (waiting.topic, waiting.payload["args"]) == (EMAIL_TASK, [[notification.pk]])
    assert mailoutbox == []
    broker.eager()
    assert outbox_tasks_send() == 1 and outbox_tasks_send() == 0
    assert [m.subject for m in mailoutbox] == ["Stock arrived"]


def test_redis_down_an_export_is_accepted_and_built_once_redis_is_back(
    redis_down, broker, api, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/exports/", {"kind": "ledger", "params": {}}, format="json")
    assert response.status_code == 201, response.content
    job = ExportJob.objects.get()
    assert job.state == ExportState.QUEUED
    assert [w.topic for w in waiting_tasks()] == ["reports.tasks.export_run_task"]

    broker.eager()
    assert outbox_tasks_send() == 1 and outbox_tasks_send() == 0
    job.refresh_from_db()
    assert job.state == ExportState.DONE and not waiting_tasks().exists()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_email_that_waited_for_redis_once(broker, worker, tmp_path):
    """Real Redis and a real worker: the e-mail refused by the broker is sent by the worker
    once it starts (its start drains the outbox), and a later drain sends nothing again."""
    mail_log = tmp_path / "mail.jsonl"
    worker.env = {"EMAIL_BACKEND": "tests.outbox.mail_log.EmailBackend", "MAIL_LOG": str(mail_log)}
    ann = UserFactory(username="ann", email="ann@example.com")
    broker.down()
    [notification] = notify(users=[ann], title="Stock arrived", body="BOLT 10")
    assert waiting_tasks().count() == 1
    broker.up()
    worker.start()
    wait_until(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)
    assert outbox_tasks_send() == 0 and not waiting_tasks().exists()
    sent = [json.loads(row) for row in mail_log.read_text().splitlines()]
    assert sent == [{"to": ["ann@example.com"], "subject": "Stock arrived"}]
