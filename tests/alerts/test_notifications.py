"""Notifications: the services (idempotent raise, e-mail after commit, mark read) and the
API (own notifications only, unread filter, read / read-all, open alerts)."""

import re

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from alerts.models import Alert, AlertKind, Notification
from alerts.selectors import notifications_for, open_alerts, unread_count
from alerts.services import alert_raise, notifications_mark_read, notify
from alerts.tasks import alerts_check_hourly, shortage_fulfilled_notify_task
from audit.models import AuditEvent
from core.lists import PAGE_SIZE
from materials.models import Material
from returns.models import ShortageSlip
from returns.services.issuing import shortage_fulfil
from tests.builders import receive
from tests.factories import MaterialFactory, UserFactory
from tests.returns.builders import short_replenishment

CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", email="ann@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


def test_notify_writes_inbox_rows_and_emails_only_after_commit(
    ann, bob, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks() as callbacks:
        notify(users=[ann, bob, ann], title="Stock arrived", body="BOLT 10", url="/x/")
        assert mailoutbox == []  # nothing leaves before the commit
    assert Notification.objects.filter(title="Stock arrived").count() == 2
    for callback in callbacks:
        callback()
    (mail,) = mailoutbox  # bob has no address
    assert (mail.to, mail.subject) == (["ann@example.com"], "Stock arrived")
    assert "BOLT 10" in mail.body and "/x/" in mail.body
    for callback in callbacks:
        callback()  # a retry does not send twice
    assert len(mailoutbox) == 1
    assert Notification.objects.get(user=ann).emailed_at is not None
    assert AuditEvent.objects.filter(action="notification.send").count() == 1


def test_alert_raise_is_idempotent(ann):
    material = MaterialFactory(code="BOLT")
    params = {"material": "BOLT", "on_hand": "0", "safety_stock": "5", "suggested": "5"}
    first = alert_raise(kind=AlertKind.BELOW_SAFETY_STOCK, obj=material, params=params, users=[ann])
    again = alert_raise(kind=AlertKind.BELOW_SAFETY_STOCK, obj=material, params=params, users=[ann])
    assert first == again and Alert.objects.count() == 1
    assert Notification.objects.count() == 1
    assert list(first.recipients.all()) == [ann]
    assert AuditEvent.objects.filter(action="alert.raise").count() == 1


def test_an_alerts_notification_reads_in_the_readers_language(ann):
    """Sent by a job in English, read in Simplified Chinese: page and API translate it."""
    material = MaterialFactory(code="BOLT")
    params = {"material": "BOLT", "on_hand": "0", "safety_stock": "5", "suggested": "5"}
    with translation.override("en"):
        alert_raise(kind=AlertKind.BELOW_SAFETY_STOCK, obj=material, params=params, users=[ann])
    with translation.override("zh-hans"):
        title, message = (
            str(Notification.objects.get().alert.title),
            str(Alert.objects.get().message),
        )
    assert CJK.search(title) and CJK.search(message)
    client = Client()
    client.force_login(ann)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get("/approvals/notifications/").content.decode()
    assert title in page and message in page
    api = client_for(ann)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    [shown] = api.get("/api/v1/notifications/").json()["results"]
    assert (shown["title"], shown["body"]) == (title, message)


def test_mark_read_touches_only_the_users_own_notifications(ann, bob):
    mine = notify(users=[ann], title="one", body="")[0]
    theirs = notify(users=[bob], title="two", body="")[0]
    assert notifications_mark_read(user=ann, ids=[mine.pk, theirs.pk]) == [mine.pk]
    assert notifications_mark_read(user=ann, ids=[mine.pk]) == []  # already read
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert unread_count(ann) == 0 and unread_count(bob) == 1
    assert list(notifications_for(bob, unread_only=True)) == [theirs]


def test_api_lists_own_notifications_and_filters_unread(ann, bob):
    first = notify(users=[ann], title="first", body="")[0]
    second = notify(users=[ann], title="second", body="")[0]
    notify(users=[bob], title="for bob", body="")
    notifications_mark_read(user=ann, ids=[first.pk])
    api = client_for(ann)

    everything = api.get("/api/v1/notifications/").json()
    assert [n["title"] for n in everything["results"]] == ["second", "first"]
    unread = api.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in unread["results"]] == [second.pk]
    assert unread["results"][0]["unread"] is True
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_api_marks_read_and_hides_other_users_notifications(ann, bob):
    mine = notify(users=[ann], title="mine", body="")[0]
    theirs = notify(users=[bob], title="theirs", body="")[0]
    api = client_for(ann)

    response = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None and response.json()["unread"] is False
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_read_all(ann):
    notify(users=[ann], title="one", body="")
    notify(users=[ann], title="two", body="")
    api = client_for(ann)
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    assert unread_count(ann) == 0


def test_api_requires_login():
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)


def test_api_open_alerts_by_kind_and_recipient(ann, bob, api):
    bolt, nut = MaterialFactory(code="BOLT"), MaterialFactory(code="NUT")
    params = {"material": "X", "on_hand": "0", "safety_stock": "5", "suggested": "5"}
    alert_raise(kind=AlertKind.BELOW_SAFETY_STOCK, obj=bolt, params=params, users=[ann])
    alert_raise(kind=AlertKind.BELOW_SAFETY_STOCK, obj=nut, params=params, users=[bob])

    mine = client_for(ann).get("/api/v1/alerts/").json()["results"]
    assert [a["object_repr"] for a in mine] == [str(bolt)]
    assert mine[0]["kind"] == "below_safety_stock" and "suggested order 5" in mine[0]["message"]
    everything = api.get("/api/v1/alerts/", {"kind": "below_safety_stock"}).json()  # staff
    assert everything["count"] == 2
    assert api.get("/api/v1/alerts/", {"kind": "lot_expiring"}).json()["count"] == 0
    assert open_alerts(user=ann).count() == 1


def test_requester_is_told_when_a_shortage_slip_is_fulfilled(
    shelf, clerk, admin, workshop, django_capture_on_commit_callbacks, mailoutbox
):
    """R-P4: 5 of 20 issued, 15 short; when the 15 arrive and are issued, the clerk hears."""
    short_replenishment(  # the warehouse issues 5, 15 short
        shelf=shelf, workshop=workshop, clerk=clerk, admin=admin, keeper=admin
    )
    bolt = Material.objects.get(code="BOLT")
    slip = ShortageSlip.objects.get(material=bolt)
    receive(bolt, shelf, 15, admin)
    with django_capture_on_commit_callbacks(execute=True):
        shortage_fulfil(slip=slip, actor=admin)
    notification = Notification.objects.get(user=clerk, kind="shortage_fulfilled")
    assert notification.title == f"Shortage {slip.number} fulfilled"
    assert notification.body == (
        f"15 of BOLT short on {slip.replenish_line.request.number} has arrived and was issued "
        "to work order WO-B."
    )
    assert [m.to for m in mailoutbox] == [["clerk@example.com"]]
    assert shortage_fulfilled_notify_task(slip.pk) == 0  # run again: told once
    fulfilled = Notification.objects.filter(user=clerk, kind="shortage_fulfilled")
    assert fulfilled.count() == 1 and len(mailoutbox) == 1


def test_hourly_job_retries_emails_that_did_not_go_out(ann, mailoutbox):
    notify(users=[ann], title="lost", body="")  # its after-commit send never ran
    alerts_check_hourly()
    alerts_check_hourly()
    assert [m.subject for m in mailoutbox] == ["lost"]


def inbox_of(user, notices, alerts):
    """``notices`` workflow notifications and ``alerts`` open alerts (each notified) for
    ``user``, written in bulk."""
    params = {"material": "BOLT", "on_hand": "0", "safety_stock": "5", "suggested": "5"}
    material_type = ContentType.objects.get_for_model(Material)
    raised = Alert.objects.bulk_create(
        Alert(
            kind=AlertKind.BELOW_SAFETY_STOCK,
            content_type=material_type,
            object_id=index,
            object_repr=f"M{index}",
            params=params,
        )
        for index in range(1, alerts + 1)
    )
    user.alerts.add(*raised)
    Notification.objects.bulk_create(
        [Notification(user=user, alert=alert, title="alert") for alert in raised]
        + [
            Notification(
                user=user,
                title="approved",
                kind="approved",
                message="approved",
                params={"request": f"RT-{index}", "work_order": "WO-1"},
                url=f"/requests/return/{index}/",
            )
            for index in range(notices)
        ]
    )


def test_the_page_shows_every_notice_and_alert_page_by_page_in_flat_queries(ann):
    """No cut-off (issue #15): both lists are paged; the queries do not grow with the rows."""
    client = Client()
    client.force_login(ann)
    url = reverse("alerts:notifications")
    inbox_of(ann, notices=3, alerts=2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    Notification.objects.all().delete()
    Alert.objects.all().delete()
    inbox_of(ann, notices=PAGE_SIZE * 4, alerts=PAGE_SIZE + 5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    total = PAGE_SIZE * 5 + 5
    assert page.count('data-label="Title"') == PAGE_SIZE
    assert f"RT-{PAGE_SIZE * 4 - 1} approved" in page  # newest first
    assert f"Page 1 of 6 ({total} rows)" in page
    assert f"Page 1 of 2 ({PAGE_SIZE + 5} rows)" in page  # the alerts, paged on their own
    last = client.get(url, {"page": 6, "show": "all"}).content.decode()
    assert last.count('data-label="Title"') == 5  # the oldest: the alerts' notices
    alerts = client.get(url, {"alerts_page": 2}).content.decode()
    assert alerts.count('<li><span class="badge">') == 5
