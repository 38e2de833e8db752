"""Raising and clearing alerts, and notifying people (in the app and by e-mail).

``alert_raise`` is idempotent: while an alert of the same kind is open for the same object
nothing happens, so hourly checks notify once per condition (R-J2). E-mails leave from a
Celery task (``alerts.tasks.notifications_email_task``) dispatched through the outbox, so
they go only once the transaction commits, never hold up a web request, and wait in the
outbox while the broker is down; Django's mail settings send them (console by default).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation

from alerts.messages import NotificationKind, message_body, message_kind, message_title
from alerts.models import Alert, AlertLevel, Notification, NotificationPreference
from audit.services import audit_record
from core.fields import format_qty
from core.outbox_tasks import outbox_dispatch
from core.transactions import atomic_service
from returns.models import ShortageSlip


def open_alert_of(kind: str, obj: models.Model) -> QuerySet[Alert]:
    content_type = ContentType.objects.get_for_model(obj)
    return Alert.objects.filter(
        kind=kind, content_type=content_type, object_id=obj.pk, cleared_at__isnull=True
    )


def distinct_users(users: Iterable[User | None]) -> list[User]:
    """Users with duplicates and ``None`` removed, in a stable order."""
    return sorted(
        {user.pk: user for user in users if user is not None}.values(), key=lambda u: u.pk
    )


def notifications_create(
    *,
    users: Iterable[User | None],
    title: str,
    body: str,
    url: str = "",
    alert: Alert | None = None,
    **workflow: Any,
) -> list[Notification]:
    """Inbox rows for ``users``; their e-mails (``emailed_ids``) are sent by a task once the
    transaction commits. ``workflow``: a workflow notice's kind, message, params and event_key."""
    from alerts.tasks import notifications_email_task  # the task module imports this one

    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                alert=alert,
                title=str(title)[:200],
                body=str(body),
                url=url[:300],
                **workflow,
            )
            for user in distinct_users(users)
        ]
    )
    ids = emailed_ids(notifications)
    if ids:
        outbox_dispatch(notifications_email_task, ids)
    return notifications


def emailed_ids(notifications: list[Notification]) -> list[int]:
    """Those to e-mail: the user has an address and did not turn the kind's e-mail off (no
    task is queued for nobody; the task checks both again when it sends)."""
    kinds = {notification.kind for notification in notifications if notification.kind}
    declined = set()
    if kinds:
        declined = set(
            NotificationPreference.objects.filter(
                user__in=[notification.user_id for notification in notifications],
                kind__in=kinds,
                email=False,
            ).values_list("user_id", "kind")
        )
    return [
        notification.pk
        for notification in notifications
        if notification.user.email and (notification.user_id, notification.kind) not in declined
    ]


@atomic_service
def notify(
    *,
    users: Iterable[User | None],
    title: str,
    body: str,
    url: str = "",
    alert: Alert | None = None,
    actor: User | None = None,
    device: str = "",
) -> list[Notification]:
    """Tell ``users`` something: an inbox row each, and an e-mail to those with an address."""
    notifications = notifications_create(users=users, title=title, body=body, url=url, alert=alert)
    if notifications:
        audit_record(
            actor=actor,
            device=device,
            action="notification.send",
            object_type="alerts.notification",
            object_id=str(notifications[0].pk),
            after={"title": str(title), "users": [n.user.username for n in notifications]},
        )
    return notifications


@atomic_service
def alert_raise(
    *,
    kind: str,
    obj: models.Model,
    params: dict[str, Any],
    users: Iterable[User | None],
    level: str = AlertLevel.WARNING,
    url: str = "",
) -> Alert:
    """Open an alert of ``kind`` about ``obj`` and notify ``users`` — unless one is already
    open: then nothing happens and the open alert is returned."""
    existing = open_alert_of(kind, obj).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a concurrent run may insert the same open alert
            alert = Alert.objects.create(
                kind=kind,
                level=level,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                params=params,
            )
    except IntegrityError:
        return open_alert_of(kind, obj).get()
    users = distinct_users(users)
    alert.recipients.set(users)
    notifications_create(users=users, title=alert.title, body=alert.message, url=url, alert=alert)
    audit_record(
        actor=None,
        action="alert.raise",
        obj=alert,
        after={
            "kind": kind,
            "level": level,
            "object": alert.object_repr,
            "params": params,
            "recipients": [user.username for user in users],
        },
    )
    return alert


@atomic_service
def alert_clear(*, alert: Alert, actor: User | None = None) -> Alert:
    """The condition is resolved: close the alert (harmless when already cleared)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.cleared_at is not None:
        return alert
    alert.cleared_at = timezone.now()
    alert.save(update_fields=["cleared_at"])
    audit_record(
        actor=actor,
        action="alert.clear",
        obj=alert,
        before={"cleared_at": None},
        after={"cleared_at": alert.cleared_at},
    )
    return alert


@atomic_service
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> list[int]:
    """Mark ``user``'s notifications (those in ``ids``, or all when ``ids`` is None) read;
    another user's ids are ignored. Returns the ids newly marked."""
    unread = Notification.objects.select_for_update().filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    marked = sorted(unread.values_list("pk", flat=True))
    if not marked:
        return []
    Notification.objects.filter(pk__in=marked).update(read_at=timezone.now())
    audit_record(
        actor=user,
        action="notification.read",
        object_type="alerts.notification",
        object_id=str(marked[0]) if len(marked) == 1 else "*",
        after={"ids": marked},
    )
    return marked


def notifications_mark_all_read(*, user: User) -> list[int]:
    return notifications_mark_read(user=user, ids=None)


def email_declined() -> Exists:
    """For a notification query: its user turned off the e-mail of its kind."""
    return Exists(
        NotificationPreference.objects.filter(
            user=OuterRef("user"), kind=OuterRef("kind"), email=False
        )
    )


@atomic_service
def notification_preferences_set(*, user: User, email_kinds: Iterable[str]) -> list[str]:
    """``user`` is e-mailed the notifications of ``email_kinds`` and no other kind; returns
    the kinds whose setting changed (audited)."""
    wanted = set(email_kinds)
    current = {
        pref.kind: pref
        for pref in NotificationPreference.objects.select_for_update().filter(user=user)
    }
    changed = []
    for kind in NotificationKind.values:
        email = kind in wanted
        pref = current.get(kind)
        if (pref.email if pref else True) == email:
            continue
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": email}
        )
        changed.append(kind)
    if changed:
        audit_record(
            actor=user,
            action="notification.preferences",
            object_type="alerts.notificationpreference",
            object_id=str(user.pk),
            after={"email": sorted(wanted & set(NotificationKind.values))},
        )
    return changed


def notification_email(notification: Notification) -> EmailMessage:
    return EmailMessage(
        subject=notification.title,
        body="\n\n".join(part for part in (notification.body, notification.url) if part),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
    )


def notifications_email(*, ids: Iterable[int]) -> int:
    """E-mail the given notifications to users with an address; returns the count sent.

    Each is sent at most once: its row stays locked from the send until ``emailed_at`` is
    committed, so a retried or doubled task finds it sent and skips it. An SMTP failure
    raises and marks nothing (the caller retries); only a crash between the server's
    acceptance and the commit would send one twice. A kind the user turned off
    (``NotificationPreference``) is not e-mailed."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, emailed_at__isnull=True)
            .exclude(user__email="")
            .exclude(email_declined())
            .select_related("user")
        )
        if not pending:
            return 0
        with get_connection() as connection:
            sent = connection.send_messages([notification_email(n) for n in pending]) or 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
    return sent


def notifications_email_pending(*, since: datetime) -> int:
    """Retry the e-mails of notifications created after ``since`` that never went out."""
    ids = list(
        Notification.objects.filter(created_at__gte=since, emailed_at__isnull=True)
        .exclude(user__email="")
        .exclude(email_declined())
        .values_list("pk", flat=True)
    )
    return notifications_email(ids=ids) if ids else 0


def workflow_notify(
    *,
    users: Iterable[User | None],
    message: str,
    params: dict[str, Any],
    event_key: str,
    url: str = "",
) -> list[Notification]:
    """R-N1: tell ``users`` of a workflow event, once each: a user already told of
    ``event_key`` is skipped. Called inside the transaction of the service that caused the
    event (under its row lock, so a retried transaction or a second run finds the rows), so
    the notice exists exactly when its cause committed; the e-mails leave after the commit.

    Stored with its message code and parameters, the notice reads in the reader's language;
    the title and body kept for the e-mail are in the site's language. Not audited: the
    service's own audit event records what happened, and the audit chain's lock stays the
    last one it takes."""
    users = distinct_users(users)
    told = set(
        Notification.objects.filter(event_key=event_key, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    users = [user for user in users if user.pk not in told]
    if not users:
        return []
    with translation.override(settings.LANGUAGE_CODE):  # as a worker would write it
        title, body = message_title(message, params), message_body(message, params)
    return notifications_create(
        users=users,
        title=title,
        body=body,
        url=url,
        kind=message_kind(message),
        message=message,
        params=params,
        event_key=event_key,
    )


def shortage_fulfilled_notify(*, slip: ShortageSlip) -> None:
    """R-P4: once the fulfilment commits, a task tells the requester the short material was
    issued (dispatched through the outbox: a crash after the commit loses nothing)."""
    from alerts.tasks import shortage_fulfilled_notify_task  # the task module imports this one

    outbox_dispatch(shortage_fulfilled_notify_task, slip.pk)


@atomic_service
def shortage_fulfilled_tell(*, slip_id: int) -> list[Notification]:
    """Notify the requester of shortage slip ``slip_id`` that it was fulfilled, once: the
    notification already there (a task run twice; the slip's row lock serialises two
    runs), or the slip gone, tells nobody again."""
    slip = (
        ShortageSlip.objects.select_for_update(of=("self",))
        .select_related(
            "material", "replenish_line__request__applicant", "replenish_line__request__work_order"
        )
        .filter(pk=slip_id)
        .first()
    )
    if slip is None:
        return []
    request = slip.replenish_line.request
    params = {
        "number": slip.number,
        "quantity": format_qty(slip.quantity),
        "material": slip.material.code,
        "request": request.number,
        "work_order": request.work_order.number,
    }
    return workflow_notify(
        users=[request.applicant],
        message="shortage_fulfilled",
        params=params,
        event_key=f"shortage:{slip.pk}:fulfilled",
        url=request.get_absolute_url(),
    )
